package compat

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"
)

// ChangeKind classifies one difference between two versions of a schema.
type ChangeKind string

// The kinds of change Diff reports.
const (
	FieldAdded      ChangeKind = "FIELD_ADDED"
	FieldRemoved    ChangeKind = "FIELD_REMOVED"
	FieldRenamed    ChangeKind = "FIELD_RENAMED" // the new field lists the old name in its aliases
	TypeChanged     ChangeKind = "TYPE_CHANGED"
	DefaultChanged  ChangeKind = "DEFAULT_CHANGED"
	DocChanged      ChangeKind = "DOC_CHANGED"
	NameChanged     ChangeKind = "NAME_CHANGED"
	SymbolsAdded    ChangeKind = "SYMBOLS_ADDED"
	SymbolsRemoved  ChangeKind = "SYMBOLS_REMOVED"
	EnumDefaultSet  ChangeKind = "ENUM_DEFAULT_CHANGED"
	SizeChanged     ChangeKind = "SIZE_CHANGED"
	BranchesChanged ChangeKind = "UNION_BRANCHES_CHANGED"
)

// Change is one field-level difference from an old to a new schema version.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Path locates the change with the same notation as Incompatibility.Path.
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// String formats the change as "<path>: <KIND>: old → new".
func (c Change) String() string {
	switch {
	case c.Old == "":
		return fmt.Sprintf("%s: %s: %s", c.Path, c.Kind, c.New)
	case c.New == "":
		return fmt.Sprintf("%s: %s: %s", c.Path, c.Kind, c.Old)
	}
	return fmt.Sprintf("%s: %s: %s → %s", c.Path, c.Kind, c.Old, c.New)
}

// Diff lists the field-level differences between an old and a new version
// of a schema, in field order. It describes what changed; whether the change
// is compatible is Check's job.
func Diff(old, new avro.Schema) []Change {
	d := &differ{seen: map[[2]avro.Schema]bool{}}
	d.walk(rootName(new), deref(old), deref(new))
	return d.out
}

type differ struct {
	out  []Change
	seen map[[2]avro.Schema]bool
}

func (d *differ) add(kind ChangeKind, path, old, new string) {
	if path == "" {
		path = "(root)"
	}
	d.out = append(d.out, Change{Kind: kind, Path: path, Old: old, New: new})
}

func (d *differ) walk(path string, old, new avro.Schema) {
	old, new = deref(old), deref(new)
	if old.Type() != new.Type() {
		d.add(TypeChanged, path, describe(old), describe(new))
		return
	}
	if _, named := new.(avro.NamedSchema); named {
		key := [2]avro.Schema{old, new}
		if d.seen[key] {
			return // recursive type: already described
		}
		d.seen[key] = true
		on, nn := old.(avro.NamedSchema), new.(avro.NamedSchema)
		if on.FullName() != nn.FullName() {
			d.add(NameChanged, path, on.FullName(), nn.FullName())
		}
	}
	switch n := new.(type) {
	case *avro.RecordSchema:
		d.record(path, old.(*avro.RecordSchema), n)
	case *avro.EnumSchema:
		o := old.(*avro.EnumSchema)
		if added := minus(n.Symbols(), o.Symbols()); len(added) > 0 {
			d.add(SymbolsAdded, path, "", strings.Join(added, ", "))
		}
		if removed := minus(o.Symbols(), n.Symbols()); len(removed) > 0 {
			d.add(SymbolsRemoved, path, strings.Join(removed, ", "), "")
		}
		if o.Default() != n.Default() {
			d.add(EnumDefaultSet, path, o.Default(), n.Default())
		}
	case *avro.FixedSchema:
		if o := old.(*avro.FixedSchema); o.Size() != n.Size() {
			d.add(SizeChanged, path, fmt.Sprint(o.Size()), fmt.Sprint(n.Size()))
		}
	case *avro.ArraySchema:
		d.walk(path+"[]", old.(*avro.ArraySchema).Items(), n.Items())
	case *avro.MapSchema:
		d.walk(path+"{}", old.(*avro.MapSchema).Values(), n.Values())
	case *avro.UnionSchema:
		d.union(path, old.(*avro.UnionSchema), n)
	default:
		if lo, ln := logicalName(old), logicalName(new); lo != ln {
			d.add(TypeChanged, path, describeLogical(old), describeLogical(new))
		}
	}
}

func (d *differ) union(path string, old, new *avro.UnionSchema) {
	key := func(s avro.Schema) string {
		s = deref(s)
		if n, ok := s.(avro.NamedSchema); ok {
			return n.FullName()
		}
		return string(s.Type())
	}
	oldBy := map[string]avro.Schema{}
	for _, b := range old.Types() {
		oldBy[key(b)] = b
	}
	same := len(old.Types()) == len(new.Types())
	for _, b := range new.Types() {
		if _, ok := oldBy[key(b)]; !ok {
			same = false
		}
	}
	if !same {
		d.add(BranchesChanged, path, describe(old), describe(new))
	}
	for _, b := range new.Types() {
		if o, ok := oldBy[key(b)]; ok {
			d.walk(path, o, b)
		}
	}
}

func (d *differ) record(path string, old, new *avro.RecordSchema) {
	if old.Doc() != new.Doc() {
		d.add(DocChanged, path, old.Doc(), new.Doc())
	}
	oldBy := map[string]*avro.Field{}
	for _, f := range old.Fields() {
		oldBy[f.Name()] = f
	}
	matched := map[string]bool{}
	for _, nf := range new.Fields() {
		fp := path + "." + nf.Name()
		of, ok := oldBy[nf.Name()]
		if !ok {
			for _, a := range nf.Aliases() {
				if f, found := oldBy[a]; found && !matched[a] {
					of, ok = f, true
					d.add(FieldRenamed, fp, a, nf.Name())
					break
				}
			}
		}
		if !ok {
			d.add(FieldAdded, fp, "", describeField(nf))
			continue
		}
		matched[of.Name()] = true
		d.walk(fp, of.Type(), nf.Type())
		if od, nd := defaultText(of), defaultText(nf); od != nd {
			d.add(DefaultChanged, fp, od, nd)
		}
		if of.Doc() != nf.Doc() {
			d.add(DocChanged, fp, of.Doc(), nf.Doc())
		}
	}
	for _, of := range old.Fields() {
		if !matched[of.Name()] {
			d.add(FieldRemoved, path+"."+of.Name(), describeField(of), "")
		}
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func defaultText(f *avro.Field) string {
	if !f.HasDefault() {
		return ""
	}
	b, err := json.Marshal(f.Default())
	if err != nil {
		return fmt.Sprint(f.Default())
	}
	return string(b)
}

func describeField(f *avro.Field) string {
	s := describeLogical(f.Type())
	if d := defaultText(f); d != "" {
		s += " = " + d
	}
	return s
}

func logicalName(s avro.Schema) string {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return string(l.Logical().Type())
	}
	return ""
}

func describeLogical(s avro.Schema) string {
	if l := logicalName(deref(s)); l != "" {
		return describe(s) + " (" + l + ")"
	}
	return describe(s)
}
