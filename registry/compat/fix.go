package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"
)

// FixKind names the kind of change a Fix suggests.
type FixKind string

// The fix kinds.
const (
	// FixAddDefault gives a new reader field a default value of its type.
	FixAddDefault FixKind = "add-default"
	// FixAddAlias declares a new field a rename of a removed field of the
	// same type, by listing the old name in the field's aliases.
	FixAddAlias FixKind = "add-alias"
	// FixKeepSymbols puts back the enum symbols the new version removed.
	FixKeepSymbols FixKind = "keep-enum-symbols"
	// FixEnumDefault gives the reader enum a default symbol, which unknown
	// symbols are read as.
	FixEnumDefault FixKind = "add-enum-default"
	// FixWiden keeps a field's old, wider type instead of narrowing it.
	FixWiden FixKind = "widen-type"
	// FixKeepType keeps a field's old type where old readers cannot read
	// the new, wider one.
	FixKeepType FixKind = "keep-type"
	// FixKeepField keeps a field that old readers need (they have no
	// default for it) in the new version.
	FixKeepField FixKind = "keep-field"
	// FixTypeAlias declares a renamed record, enum or fixed a rename, by
	// listing its old full name in the type's aliases.
	FixTypeAlias FixKind = "add-type-alias"
	// FixKeepName keeps a named type's old name, which old readers look
	// for.
	FixKeepName FixKind = "keep-name"
)

// FixKinds lists every fix kind with what it changes, for documentation.
var FixKinds = []struct {
	Kind    FixKind
	Purpose string
}{
	{FixAddDefault, "READER_FIELD_MISSING_DEFAULT_VALUE on a new field: add a \"default\" of the field's type (null for a union whose first branch is null)"},
	{FixAddAlias, "READER_FIELD_MISSING_DEFAULT_VALUE where the old version has exactly one field of the same type that the new one lost: it is a rename, add the old name to the field's \"aliases\""},
	{FixKeepSymbols, "MISSING_ENUM_SYMBOLS when the new version removed symbols: put them back in \"symbols\""},
	{FixEnumDefault, "MISSING_ENUM_SYMBOLS, the alternative: give the enum a \"default\" symbol that unknown symbols are read as"},
	{FixWiden, "TYPE_MISMATCH when the new version narrowed a primitive type (long → int): keep the old type"},
	{FixKeepField, "READER_FIELD_MISSING_DEFAULT_VALUE under FORWARD or FULL when the new version removed a field old readers have no default for: keep the field (its definition is copied from the old version; only for fields whose type names no record, enum or fixed)"},
	{FixTypeAlias, "NAME_MISMATCH when the new version renamed a record, enum or fixed: add the old full name to the type's \"aliases\""},
	{FixKeepName, "NAME_MISMATCH when old readers look for the old name (FORWARD, FULL): keep the old name"},
	{FixKeepType, "TYPE_MISMATCH between primitive types that is no narrowing (string → int), or where old readers cannot read the new, wider type (int → long under FORWARD or FULL): keep the old type"},
}

// Fix is the smallest change to the candidate schema (the version being
// checked) that removes one incompatibility. It names the JSON member to
// set, on the field or the named type that Path leads to in the candidate.
type Fix struct {
	// Kind is what the change does.
	Kind FixKind
	// Path leads to the field to change in the candidate schema, as
	// Incompatibility.Path does, with the candidate's field names.
	Path string
	// OnType is set when the member belongs to the named type (an enum,
	// a record) the field's type leads to, or the root record, rather
	// than to the field itself.
	OnType bool
	// Member is the JSON member to set: "default", "aliases", "symbols"
	// or "type".
	Member string
	// Value is the member's new JSON value; with Append, a JSON array of
	// the items to add to the member's array (created when absent).
	Value json.RawMessage
	// Append adds Value's items to an array member instead of setting it.
	Append bool
	// Description says in one sentence what to change and why.
	Description string
	// Alternative is another change that fixes the same incompatibility,
	// when there is one (an enum default instead of keeping symbols).
	Alternative *Fix
}

// SuggestFix returns the smallest change to candidate that removes
// incompatibility is, found by Check when comparing candidate with other in
// direction dir (DirBackward: candidate reads other's data; DirForward:
// other reads candidate's data). It works from the rule, the path and the
// two schemas' types, and reports false when no change to the candidate
// alone can help (an old reader lacking symbols the new version added) or
// when it has no suggestion for the rule.
func SuggestFix(candidate, other avro.Schema, dir Direction, is Incompatibility) (Fix, bool) {
	reader, writer := candidate, other
	if dir == DirForward {
		reader, writer = other, candidate
	}
	loc, ok := walkPair(reader, writer, is.Path)
	if !ok {
		return Fix{}, false
	}
	candPath := loc.readerPath
	if dir == DirForward {
		candPath = loc.writerPath
	}
	switch is.Rule {
	case ReaderFieldMissingDefault:
		if loc.readerField == nil {
			return Fix{}, false
		}
		if dir == DirForward {
			return keepField(loc)
		}
		rf := loc.readerField
		if old := renamedFrom(rf, loc.readerRecord, loc.writerRecord); old != "" {
			return Fix{Kind: FixAddAlias, Path: candPath, Member: "aliases", Value: mustJSON([]string{old}), Append: true,
				Description: fmt.Sprintf("field %q replaces field %q of the same type: if it is a rename, add %q to its aliases", rf.Name(), old, old)}, true
		}
		def, ok := fixDefault(rf.Type(), 0)
		if !ok {
			return Fix{}, false
		}
		return Fix{Kind: FixAddDefault, Path: candPath, Member: "default", Value: def,
			Description: fmt.Sprintf("give field %q a default, used when reading data written without it: \"default\": %s", rf.Name(), def)}, true
	case MissingEnumSymbols:
		if dir != DirBackward {
			return Fix{}, false
		}
		r, ok1 := deref(loc.readerType).(*avro.EnumSchema)
		w, ok2 := deref(loc.writerType).(*avro.EnumSchema)
		if !ok1 || !ok2 || len(r.Symbols()) == 0 {
			return Fix{}, false
		}
		have := map[string]bool{}
		for _, s := range r.Symbols() {
			have[s] = true
		}
		var missing []string
		for _, s := range w.Symbols() {
			if !have[s] {
				missing = append(missing, s)
			}
		}
		if len(missing) == 0 {
			return Fix{}, false
		}
		alt := &Fix{Kind: FixEnumDefault, Path: candPath, OnType: true, Member: "default", Value: mustJSON(r.Symbols()[0]),
			Description: fmt.Sprintf("give enum %s a default symbol that symbols it does not know are read as: \"default\": %q", r.FullName(), r.Symbols()[0])}
		return Fix{Kind: FixKeepSymbols, Path: candPath, OnType: true, Member: "symbols", Value: mustJSON(missing), Append: true,
			Description: fmt.Sprintf("keep the symbols %s that data written with the old version can hold in enum %s", strings.Join(missing, ", "), r.FullName()),
			Alternative: alt}, true
	case NameMismatch:
		r, ok1 := deref(loc.readerType).(avro.NamedSchema)
		w, ok2 := deref(loc.writerType).(avro.NamedSchema)
		if !ok1 || !ok2 {
			return Fix{}, false
		}
		if dir == DirBackward {
			return Fix{Kind: FixTypeAlias, Path: candPath, OnType: true, Member: "aliases", Value: mustJSON([]string{w.FullName()}), Append: true,
				Description: fmt.Sprintf("%s %s was named %s: if it is a rename, add %q to its aliases", r.Type(), r.FullName(), w.FullName(), w.FullName())}, true
		}
		name := r.FullName()
		if r.Namespace() == w.Namespace() {
			name = r.Name()
		}
		return Fix{Kind: FixKeepName, Path: candPath, OnType: true, Member: "name", Value: mustJSON(name),
			Description: fmt.Sprintf("readers of the old version look for %s %s, not %s: keep the name %q", r.Type(), r.FullName(), w.FullName(), name)}, true
	case TypeMismatch:
		if loc.readerField == nil || loc.writerField == nil {
			return Fix{}, false
		}
		rt, wt := deref(loc.readerType), deref(loc.writerType)
		if !isPrimitive(rt.Type()) || !isPrimitive(wt.Type()) {
			return Fix{}, false
		}
		if dir == DirBackward && mayResolve(wt.Type(), rt.Type()) {
			// The new reader narrowed the type: keep the writer's.
			return Fix{Kind: FixWiden, Path: candPath, Member: "type", Value: mustJSON(string(wt.Type())),
				Description: fmt.Sprintf("field %q was %s: keep %s (a reader may widen a type, int→long→float→double, never narrow it)", loc.readerField.Name(), wt.Type(), wt.Type())}, true
		}
		if dir == DirBackward {
			// Another type altogether: keep the old one.
			return Fix{Kind: FixKeepType, Path: candPath, Member: "type", Value: mustJSON(string(wt.Type())),
				Description: fmt.Sprintf("field %q was %s, which %s cannot be read from: keep %s (or add a new field and deprecate this one)", loc.readerField.Name(), wt.Type(), rt.Type(), wt.Type())}, true
		}
		return Fix{Kind: FixKeepType, Path: candPath, Member: "type", Value: mustJSON(string(rt.Type())),
			Description: fmt.Sprintf("readers of the old version expect field %q as %s and cannot read %s: keep %s", loc.readerField.Name(), rt.Type(), wt.Type(), rt.Type())}, true
	}
	return Fix{}, false
}

// keepField suggests putting back the field an old reader needs, copied
// from the old version, into the new version's record (at the path of the
// record, with OnType). A field whose type names a type is left alone: its
// definition may already exist elsewhere in the new version.
func keepField(loc pairLoc) (Fix, bool) {
	rf := loc.readerField
	if loc.writerRecord == nil || namesTypes(rf.Type(), 0) {
		return Fix{}, false
	}
	def, err := rf.MarshalJSON()
	if err != nil {
		return Fix{}, false
	}
	return Fix{Kind: FixKeepField, Path: loc.writerPath, OnType: true, Member: "fields", Value: json.RawMessage("[" + string(def) + "]"), Append: true,
		Description: fmt.Sprintf("readers of the old version need field %q and have no default for it: keep it in %s", rf.Name(), loc.writerRecord.FullName())}, true
}

// namesTypes reports whether s is or contains a record, enum or fixed.
func namesTypes(s avro.Schema, depth int) bool {
	if depth > maxDefaultDepth {
		return true
	}
	switch t := deref(s).(type) {
	case avro.NamedSchema:
		return true
	case *avro.ArraySchema:
		return namesTypes(t.Items(), depth+1)
	case *avro.MapSchema:
		return namesTypes(t.Values(), depth+1)
	case *avro.UnionSchema:
		for _, b := range t.Types() {
			if namesTypes(b, depth+1) {
				return true
			}
		}
	}
	return false
}

// pairLoc is what a path leads to in a reader and a writer schema.
type pairLoc struct {
	readerPath, writerPath     string
	readerField, writerField   *avro.Field // the last field on the path (nil at the root or after [] and {})
	readerRecord, writerRecord *avro.RecordSchema
	readerType, writerType     avro.Schema
}

// walkPair follows a human path ("Order.items[].price") through a reader
// and a writer schema at once, matching writer fields as resolution does
// (the reader field's name, then its aliases) and choosing, at a union, the
// branch the next step applies to. The writer side may end early (a reader
// field the writer lacks): then the writer record is the one that lacks it.
func walkPair(reader, writer avro.Schema, path string) (pairLoc, bool) {
	loc := pairLoc{readerType: reader, writerType: writer}
	root, steps, ok := SplitPath(path)
	loc.readerPath, loc.writerPath = root, root
	for i, st := range steps {
		switch {
		case st.Items, st.Values:
			kind, seg := avro.Array, "[]"
			if st.Values {
				kind, seg = avro.Map, "{}"
			}
			r, w := branchOf(loc.readerType, kind, ""), branchOf(loc.writerType, kind, "")
			if r == nil || w == nil {
				return loc, false
			}
			if kind == avro.Array {
				loc.readerType, loc.writerType = r.(*avro.ArraySchema).Items(), w.(*avro.ArraySchema).Items()
			} else {
				loc.readerType, loc.writerType = r.(*avro.MapSchema).Values(), w.(*avro.MapSchema).Values()
			}
			loc.readerPath += seg
			loc.writerPath += seg
			loc.readerField, loc.writerField = nil, nil
		default:
			name := st.Field
			rrec, _ := branchOf(loc.readerType, avro.Record, name).(*avro.RecordSchema)
			if rrec == nil {
				return loc, false
			}
			rf := fieldByName(rrec, name)
			wrec, _ := branchOf(loc.writerType, avro.Record, "").(*avro.RecordSchema)
			loc.readerRecord, loc.writerRecord = rrec, wrec
			loc.readerField, loc.readerType = rf, rf.Type()
			loc.readerPath += "." + name
			var wf *avro.Field
			if wrec != nil {
				wf = fieldByName(wrec, rf.Name())
				for _, a := range rf.Aliases() {
					if wf == nil {
						wf = fieldByName(wrec, a)
					}
				}
			}
			loc.writerField = wf
			if wf == nil {
				// The writer lacks the field: only the last step may.
				return loc, ok && i == len(steps)-1
			}
			loc.writerType = wf.Type()
			loc.writerPath += "." + wf.Name()
		}
	}
	return loc, ok
}

// branchOf returns s, or the branch of union s, of the given type (a
// record having a field name, when name is set).
func branchOf(s avro.Schema, t avro.Type, name string) avro.Schema {
	s = deref(s)
	if u, ok := s.(*avro.UnionSchema); ok {
		for _, b := range u.Types() {
			if r := branchOf(b, t, name); r != nil {
				return r
			}
		}
		return nil
	}
	if s.Type() != t {
		return nil
	}
	if name != "" {
		if rec, ok := s.(*avro.RecordSchema); !ok || fieldByName(rec, name) == nil {
			return nil
		}
	}
	return s
}

func fieldByName(r *avro.RecordSchema, name string) *avro.Field {
	for _, f := range r.Fields() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// renamedFrom returns the name of the one field of the writer record that
// no reader field reads (by name or alias) and whose type is the reader
// field's (each reads the other), or "" when there is none or several.
func renamedFrom(rf *avro.Field, r, w *avro.RecordSchema) string {
	if r == nil || w == nil {
		return ""
	}
	read := map[string]bool{}
	for _, f := range r.Fields() {
		read[f.Name()] = true
		for _, a := range f.Aliases() {
			read[a] = true
		}
	}
	found := ""
	for _, f := range w.Fields() {
		if read[f.Name()] {
			continue
		}
		if CheckPair(rf.Type(), f.Type()) != nil || CheckPair(f.Type(), rf.Type()) != nil {
			continue
		}
		if found != "" {
			return ""
		}
		found = f.Name()
	}
	return found
}

func isPrimitive(t avro.Type) bool {
	switch t {
	case avro.Null, avro.Boolean, avro.Int, avro.Long, avro.Float, avro.Double, avro.Bytes, avro.String:
		return true
	}
	return false
}

// maxFixedSuggestion is the largest fixed size a suggested default is
// written for (its zero bytes, escaped, take six times as many in JSON).
const maxFixedSuggestion = 4096

// maxDefaultDepth bounds the nesting of a suggested record default; a
// recursive record without a way out gets no suggestion.
const maxDefaultDepth = 32

// fixDefault returns a default value of type s as JSON: the zero value of
// a primitive, the first symbol of an enum, an empty array or map, a
// default of a union's first branch (as the specification requires), and
// for a record every field's own default or its type's.
func fixDefault(s avro.Schema, depth int) (json.RawMessage, bool) {
	if depth > maxDefaultDepth {
		return nil, false
	}
	s = deref(s)
	switch t := s.(type) {
	case *avro.UnionSchema:
		if len(t.Types()) == 0 {
			return nil, false
		}
		return fixDefault(t.Types()[0], depth+1)
	case *avro.EnumSchema:
		if t.HasDefault() {
			return mustJSON(t.Default()), true
		}
		if len(t.Symbols()) == 0 {
			return nil, false
		}
		return mustJSON(t.Symbols()[0]), true
	case *avro.FixedSchema:
		if t.Size() > maxFixedSuggestion {
			return nil, false // a default that large is no suggestion
		}
		return mustJSON(strings.Repeat("\x00", t.Size())), true
	case *avro.ArraySchema:
		return json.RawMessage("[]"), true
	case *avro.MapSchema:
		return json.RawMessage("{}"), true
	case *avro.RecordSchema:
		var b bytes.Buffer
		b.WriteByte('{')
		for i, f := range t.Fields() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(f.Name()))
			b.WriteString(": ")
			var v json.RawMessage
			if f.HasDefault() {
				d, err := json.Marshal(f.Default())
				if err != nil {
					return nil, false
				}
				v = d
			} else {
				d, ok := fixDefault(f.Type(), depth+1)
				if !ok {
					return nil, false
				}
				v = d
			}
			b.Write(v)
		}
		b.WriteByte('}')
		return b.Bytes(), true
	}
	switch s.Type() {
	case avro.Null:
		return json.RawMessage("null"), true
	case avro.Boolean:
		return json.RawMessage("false"), true
	case avro.Int, avro.Long, avro.Float, avro.Double:
		return json.RawMessage("0"), true
	case avro.String, avro.Bytes:
		return json.RawMessage(`""`), true
	}
	return nil, false
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("compat: marshal %T: %v", v, err)) // strings and string slices always marshal
	}
	return b
}
