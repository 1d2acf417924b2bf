package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/edactl/edactl/internal/jsontree"
	"github.com/edactl/edactl/registry/compat"
)

// Fix is a suggested change to a version file that removes the finding it
// belongs to: replace Length bytes at byte Offset of File with Text. The
// change is computed from the compatibility finding (its rule, path and
// the two schemas' types, see compat.SuggestFix) and placed in the file's
// own text, so applying it keeps the rest of the file as written.
type Fix struct {
	// Kind is the kind of change (add-default, add-alias, ...; compat.FixKinds).
	Kind string `json:"kind"`
	// Description says what to change and why, in one sentence.
	Description string `json:"description"`
	// File is the version file to change (the finding's file).
	File string `json:"file"`
	// Line is the line of Offset.
	Line int `json:"line"`
	// Offset and Length are the byte range of File to replace (Length 0:
	// insert at Offset).
	Offset int `json:"offset"`
	Length int `json:"length"`
	// Text is what goes in its place.
	Text string `json:"text"`
	// Alternative is another change that removes the same finding.
	Alternative *Fix `json:"alternative,omitempty"`
}

// fixFor places a compatibility fix in v's file, or returns nil when the
// file's text has no place for it (a path it cannot follow).
func (v *Version) fixFor(fx compat.Fix) *Fix {
	d := v.jdoc()
	if d == nil {
		return nil
	}
	node, ok := d.resolve(fx.Path)
	if !ok || node == nil {
		return nil
	}
	if fx.OnType {
		t := node
		if node.Kind() == jsontree.Object && text(node, "name") != "" && node.First("type") != nil && !isNamedKind(text(node, "type")) {
			t = node.First("type") // a field: its type
		}
		node = d.find(t, func(n *jsontree.Value) bool { return isNamedKind(text(n, "type")) })
		if node == nil {
			return nil
		}
	}
	if node.Kind() != jsontree.Object {
		return nil
	}
	off, length, txt, ok := memberEdit(v.Source, node, fx.Member, fx.Value, fx.Append)
	if !ok {
		return nil
	}
	f := &Fix{Kind: string(fx.Kind), Description: fx.Description, File: v.File, Line: d.lines.Line(off),
		Offset: off, Length: length, Text: txt}
	if fx.Alternative != nil {
		f.Alternative = v.fixFor(*fx.Alternative)
	}
	return f
}

// memberEdit returns the edit that sets member key of object obj in src to
// value (JSON), or with appendItems adds value's items to the member's
// array. A new member goes after the last one, on its own line with the
// same indentation when the object spans lines, inline otherwise.
func memberEdit(src []byte, obj *jsontree.Value, key string, value json.RawMessage, appendItems bool) (off, length int, txt string, ok bool) {
	cur := obj.First(key)
	if appendItems && cur != nil && cur.Kind() == jsontree.Array {
		var items []json.RawMessage
		if err := json.Unmarshal(value, &items); err != nil || len(items) == 0 {
			return 0, 0, "", false
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = string(it)
		}
		if cur.Len() == 0 {
			return cur.Offset() + 1, 0, strings.Join(parts, ", "), true
		}
		last := cur.Item(cur.Len() - 1)
		sep := separator(src, cur.Offset(), last.Offset())
		return jsontree.End(src, last.Offset()), 0, sep + strings.Join(parts, sep), true
	}
	if cur != nil {
		start := cur.Offset()
		return start, jsontree.End(src, start) - start, string(value), true
	}
	member := strconv.Quote(key) + ": " + string(value)
	if obj.Len() == 0 {
		return obj.Offset() + 1, 0, member, true
	}
	last := obj.Item(obj.Len() - 1)
	return jsontree.End(src, last.Offset()), 0, separator(src, obj.Offset(), last.Offset()) + member, true
}

// separator is what goes between the last item of a container (starting
// at open) and a new one: ",\n" and the last item's line indentation when
// the container spans lines, ", " otherwise.
func separator(src []byte, open, last int) string {
	if !bytes.Contains(src[open:last], []byte("\n")) {
		return ", "
	}
	start := bytes.LastIndexByte(src[:last], '\n') + 1
	i := start
	for i < last && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return ",\n" + string(src[start:i])
}

// ApplyFixes applies fixes to src, the content of one file: every fix's
// Offset and Length are into src. Identical fixes count once; two fixes
// that change overlapping bytes are an error.
func ApplyFixes(src []byte, fixes []*Fix) ([]byte, error) {
	fs := slices.Clone(fixes)
	slices.SortFunc(fs, func(a, b *Fix) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return a.Length - b.Length
	})
	fs = slices.CompactFunc(fs, func(a, b *Fix) bool {
		return a.Offset == b.Offset && a.Length == b.Length && a.Text == b.Text
	})
	var out bytes.Buffer
	pos := 0
	for _, f := range fs {
		if f.Offset < pos || f.Offset+f.Length > len(src) {
			return nil, fmt.Errorf("%s:%d: fix %s overlaps another fix or lies outside the file", f.File, f.Line, f.Kind)
		}
		out.Write(src[pos:f.Offset])
		out.WriteString(f.Text)
		pos = f.Offset + f.Length
	}
	out.Write(src[pos:])
	return out.Bytes(), nil
}
