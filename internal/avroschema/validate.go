package avroschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/jsontree"
)

// Problem is one thing the Avro specification forbids in a schema that
// hamba/avro nevertheless accepts (see Validate).
type Problem struct {
	// Path locates it as registry/compat's paths do: the root's name, then
	// field names, "[]" for array items and "{}" for map values, e.g.
	// "Order.items[].price".
	Path string
	// Message says what is wrong.
	Message string
}

// String formats the problem as "<path>: <message>".
func (p Problem) String() string { return p.Path + ": " + p.Message }

// MaxProblems bounds the problems Validate reports for one schema.
const MaxProblems = 100

// Validate returns what text, which hamba/avro parsed into s, breaks of the
// Avro specification's rules that hamba/avro does not enforce:
//
//   - a field's default value must be a value of the field's type: an int
//     or long default a whole number in range (hamba truncates 1.5 to 1 and
//     wraps values beyond int64), a bytes default a string of code points 0
//     to 255 and a fixed one exactly size of them, an enum default one of its
//     symbols, array, map and record defaults made of such values, and a
//     union's default a value of its first branch;
//   - a fixed size must be a whole number from 0 to 2^31-1 (hamba takes 1.5
//     as 1 and sizes beyond int32).
//
// It reads the default values and sizes from text itself (hamba keeps only
// its conversions of them) and checks only what text defines: named types
// taken from references are checked in their own text.
func Validate(text string, s avro.Schema) []Problem {
	j, err := jsontree.ParseString(text)
	if err != nil {
		// Parse refuses text that is not JSON before hamba sees it.
		return []Problem{{Message: "schema is not JSON: " + err.Error()}}
	}
	return validateTree(j, s)
}

// validateTree is Validate of text's tree j, which reads strings and
// numbers as encoding/json decodes them (numbers as json.Number).
func validateTree(j *jsontree.Value, s avro.Schema) []Problem {
	v := &validator{}
	v.walkType(j, s, "")
	return v.problems
}

type validator struct {
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	if len(v.problems) < MaxProblems {
		v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// walkType walks the JSON j of a type (nil: none) alongside s, what hamba
// parsed it into. An object's repeated key counts by its last value, as in
// a decoded map.
func (v *validator) walkType(j *jsontree.Value, s avro.Schema, path string) {
	if j == nil {
		return
	}
	s = deref(s)
	switch j.Kind() {
	case jsontree.Array:
		u, ok := s.(*avro.UnionSchema)
		if !ok {
			return
		}
		for i := range j.Len() {
			if i < len(u.Types()) {
				v.walkType(j.Item(i), u.Types()[i], path)
			}
		}
	case jsontree.Object:
		t := j.Last("type")
		switch {
		case t == nil || t.Kind() == jsontree.Null:
		case t.Kind() == jsontree.String:
			switch t.Text() {
			case "record", "error":
				if rs, ok := s.(*avro.RecordSchema); ok {
					v.walkRecord(j, rs, path)
				}
			case "array":
				if as, ok := s.(*avro.ArraySchema); ok {
					v.walkType(j.Last("items"), as.Items(), path+"[]")
				}
			case "map":
				if ms, ok := s.(*avro.MapSchema); ok {
					v.walkType(j.Last("values"), ms.Values(), path+"{}")
				}
			case "fixed":
				if fs, ok := s.(*avro.FixedSchema); ok {
					v.checkSize(decode(j.Last("size")), fs, path)
				}
			}
		default:
			// {"type": <a type>}: the object only wraps its type.
			v.walkType(t, s, path)
		}
	}
	// A string names a primitive or a named type defined elsewhere.
}

// decode is j decoded (nil for none).
func decode(j *jsontree.Value) any {
	if j == nil {
		return nil
	}
	return j.Decode()
}

func (v *validator) walkRecord(j *jsontree.Value, rs *avro.RecordSchema, path string) {
	if path == "" {
		path = rs.Name()
	}
	fields := j.Last("fields")
	if fields == nil || fields.Kind() != jsontree.Array {
		return
	}
	rf := rs.Fields()
	for i := range fields.Len() {
		fm := fields.Item(i)
		if fm.Kind() != jsontree.Object || i >= len(rf) {
			continue
		}
		fpath := joinPath(path, rf[i].Name())
		v.walkType(fm.Last("type"), rf[i].Type(), fpath)
		if def := fm.Last("default"); def != nil {
			v.checkDefault(def.Decode(), rf[i].Type(), fpath, nil, "")
		}
	}
}

func (v *validator) checkSize(raw any, fs *avro.FixedSchema, path string) {
	if path == "" {
		path = fs.Name()
	}
	if n, ok := raw.(json.Number); ok && isInteger(n, 32) && !strings.HasPrefix(string(n), "-") {
		return
	}
	v.add(path, "fixed %s has size %s: a size must be a whole number from 0 to 2147483647", fs.FullName(), show(raw))
}

// defaultAt is where in a default value a part of it is: a chain up to
// the value itself (nil), turned into text ("[2].x", `["k"]`) only for a
// problem's message, so that checking a large default does not build a
// path for every part of it.
type defaultAt struct {
	up    *defaultAt
	field string // a record field's name, or
	key   string // a map key (isKey), or
	isKey bool
	index int // an array index
}

// String is the path from the default value to a, "" for the value itself.
func (a *defaultAt) String() string {
	if a == nil {
		return ""
	}
	switch s := a.up.String(); {
	case a.field != "":
		return s + "." + a.field
	case a.isKey:
		return s + "[" + strconv.Quote(a.key) + "]"
	default:
		return s + "[" + strconv.Itoa(a.index) + "]"
	}
}

// checkDefault checks the default value raw (or the part of it at at) of
// the field at path against type t. branch explains, when t is a union's
// first branch, why that branch.
func (v *validator) checkDefault(raw any, t avro.Schema, path string, at *defaultAt, branch string) {
	t = deref(t)
	bad := func(want string) {
		v.add(path, "default%s %s is not %s%s", at, show(raw), want, branch)
	}
	switch s := t.(type) {
	case *avro.UnionSchema:
		if ts := s.Types(); len(ts) > 0 {
			v.checkDefault(raw, ts[0], path, at, " (a union's default must be a value of its first branch)")
		}
	case *avro.PrimitiveSchema:
		switch s.Type() {
		case avro.Null:
			if raw != nil {
				bad("null")
			}
		case avro.Boolean:
			if _, ok := raw.(bool); !ok {
				bad("a boolean")
			}
		case avro.Int:
			if n, ok := raw.(json.Number); !ok || !isInteger(n, 32) {
				bad("an int (a whole number from -2147483648 to 2147483647)")
			}
		case avro.Long:
			if n, ok := raw.(json.Number); !ok || !isInteger(n, 64) {
				bad("a long (a whole number from -9223372036854775808 to 9223372036854775807)")
			}
		case avro.Float, avro.Double:
			if _, ok := raw.(json.Number); !ok {
				bad("a number")
			}
		case avro.String:
			if _, ok := raw.(string); !ok {
				bad("a string")
			}
		case avro.Bytes:
			if !isLatin1(raw, -1) {
				bad("bytes (a string of code points 0 to 255)")
			}
		}
	case *avro.FixedSchema:
		if !isLatin1(raw, s.Size()) {
			bad(fmt.Sprintf("a %s (a string of exactly %d code points 0 to 255)", s.FullName(), s.Size()))
		}
	case *avro.EnumSchema:
		if sym, ok := raw.(string); !ok || !slices.Contains(s.Symbols(), sym) {
			bad("a symbol of " + s.FullName())
		}
	case *avro.ArraySchema:
		items, ok := raw.([]any)
		if !ok {
			bad("an array")
			return
		}
		for i, it := range items {
			v.checkDefault(it, s.Items(), path, &defaultAt{up: at, index: i}, "")
		}
	case *avro.MapSchema:
		m, ok := raw.(map[string]any)
		if !ok {
			bad("a map (a JSON object)")
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v.checkDefault(m[k], s.Values(), path, &defaultAt{up: at, key: k, isKey: true}, "")
		}
	case *avro.RecordSchema:
		m, ok := raw.(map[string]any)
		if !ok {
			bad("a " + s.FullName() + " record (a JSON object)")
			return
		}
		for _, f := range s.Fields() {
			if fv, ok := m[f.Name()]; ok {
				v.checkDefault(fv, f.Type(), path, &defaultAt{up: at, field: f.Name()}, "")
			} else if !f.HasDefault() {
				v.add(path, "default%s lacks field %q of %s, which has no default", at, f.Name(), s.FullName())
			}
		}
	}
}

// isInteger reports whether n is written as a whole number (no fraction, no
// exponent, as Avro Java requires) that fits in a signed integer of size
// bits.
func isInteger(n json.Number, size int) bool {
	if strings.ContainsAny(string(n), ".eE") {
		return false
	}
	_, err := strconv.ParseInt(string(n), 10, size)
	return err == nil
}

// isLatin1 reports whether raw is a string of code points 0 to 255 (how
// Avro writes bytes and fixed values in JSON), of exactly size of them
// unless size is negative.
func isLatin1(raw any, size int) bool {
	s, ok := raw.(string)
	if !ok {
		return false
	}
	n := 0
	for _, r := range s {
		if r > 255 {
			return false
		}
		n++
	}
	return size < 0 || n == size
}

// show renders a JSON value for a message, shortened.
func show(raw any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(raw); err != nil {
		return fmt.Sprint(raw)
	}
	s := strings.TrimSpace(b.String())
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// Redefinition is a named type that two of the texts given to
// ParseDefinitions define differently.
type Redefinition struct {
	// Name is the type's full name.
	Name string
	// First and Second are the texts defining it, in parse order: an index
	// into the references, or their count for the schema itself.
	First, Second int
}

// ParseDefinitions parses text with references as ParseWithReferences does
// and also returns every named type two of the texts define differently:
// hamba/avro lets the later definition replace the earlier one without a
// word, while Avro Java refuses to redefine a name. Two definitions with the
// same Parsing Canonical Form are the same type and not reported.
//
// It builds the common shapes of schema (records of primitives, unions,
// arrays, maps and records) without hamba/avro's parser, calling the
// constructors that parser calls with the same arguments, several times
// faster; for anything else it is hamba's parser that decides (see
// fastParseTree).
func ParseDefinitions(text string, refs ...string) (avro.Schema, []Redefinition, error) {
	s, redefs, _, err := parseDefinitions(text, refs, false, nil)
	return s, redefs, err
}

// ParseAndValidate is ParseDefinitions and then Validate of the schema
// parsed: the same schema, redefinitions and problems, with the text
// decoded once for both where that gives the same tree.
func ParseAndValidate(text string, refs ...string) (avro.Schema, []Redefinition, []Problem, error) {
	return parseDefinitions(text, refs, true, nil)
}

// ParseAndValidateTree is ParseAndValidate for a caller that has already
// parsed text as JSON: tree is what jsontree.Parse made of text (nil when
// text is not a tree, which is then checked and parsed here). A tree has
// passed the syntax and nesting checks, so they are not made again, and
// both the fast parser and the validation walk it.
func ParseAndValidateTree(text string, tree *jsontree.Value, refs ...string) (avro.Schema, []Redefinition, []Problem, error) {
	return parseDefinitions(text, refs, true, tree)
}

func parseDefinitions(text string, refs []string, validate bool, tree *jsontree.Value) (avro.Schema, []Redefinition, []Problem, error) {
	cache := &avro.SchemaCache{}
	var d definitions
	if len(refs) > 0 {
		d = definitions{byName: map[string]definition{}, seen: map[avro.Schema]bool{}}
	}
	st := newRefState(len(refs))
	for i, r := range refs {
		s, err := parseIntoWith(r, cache, true, st)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("reference %d: %w", i+1, err)
		}
		d.collect(i, s)
		st.defined(s)
	}
	s, j, err := parseTreeInto(text, cache, true, st, tree)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(refs) > 0 {
		// Without references there is nothing to redefine: a schema that
		// names a type twice does not parse.
		d.collect(len(refs), s)
	}
	if !validate {
		return s, d.redefs, nil, nil
	}
	return s, d.redefs, validateTree(j, s), nil
}

// shape is what hamba/avro's String gives of s (full names, record fields
// by name and type, symbols, sizes, logical types), written in one pass:
// String joins a record's fields and an enum's symbols by repeated
// concatenation, quadratic in their number.
func shape(s avro.Schema) string {
	var b strings.Builder
	writeShape(&b, s)
	return b.String()
}

func writeShape(b *strings.Builder, s avro.Schema) {
	switch t := s.(type) {
	case *avro.RecordSchema:
		typ := "record"
		if t.IsError() {
			typ = "error"
		}
		b.WriteString(`{"name":"` + t.FullName() + `","type":"` + typ + `","fields":[`)
		for i, f := range t.Fields() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"name":"` + f.Name() + `","type":`)
			writeShape(b, f.Type())
			b.WriteByte('}')
		}
		b.WriteString("]}")
	case *avro.EnumSchema:
		b.WriteString(`{"name":"` + t.FullName() + `","type":"enum","symbols":[`)
		for i, sym := range t.Symbols() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + sym + `"`)
		}
		b.WriteString("]}")
	default:
		if !writeComposite(b, s, func(e avro.Schema) { writeShape(b, e) }) {
			// References, primitives and fixed: short, and linear.
			b.WriteString(s.String())
		}
	}
}

type definition struct {
	input  int
	schema avro.NamedSchema
}

type definitions struct {
	byName map[string]definition
	seen   map[avro.Schema]bool
	redefs []Redefinition
}

// collect records the named types input defines (those s reaches without
// going through a reference to a type defined before).
func (d *definitions) collect(input int, s avro.Schema) {
	eachDefined(s, d.seen, func(n avro.NamedSchema) {
		if prev, ok := d.byName[n.FullName()]; !ok {
			d.byName[n.FullName()] = definition{input, n}
		} else if shape(prev.schema) != shape(n) {
			d.redefs = append(d.redefs, Redefinition{Name: n.FullName(), First: prev.input, Second: input})
		}
	})
}

// eachDefined calls fn with each named type s defines: those it reaches
// without going through a reference (a RefSchema, to a type defined before
// or higher up) and not in seen, which it adds them to.
func eachDefined(s avro.Schema, seen map[avro.Schema]bool, fn func(avro.NamedSchema)) {
	if _, ok := s.(*avro.RefSchema); ok {
		return
	}
	if n, ok := s.(avro.NamedSchema); ok {
		// Only named types can be reached twice (or in a cycle): the
		// anonymous ones are trees under them.
		if seen[s] {
			return
		}
		seen[s] = true
		fn(n)
	}
	switch t := s.(type) {
	case *avro.RecordSchema:
		for _, f := range t.Fields() {
			eachDefined(f.Type(), seen, fn)
		}
	case *avro.ArraySchema:
		eachDefined(t.Items(), seen, fn)
	case *avro.MapSchema:
		eachDefined(t.Values(), seen, fn)
	case *avro.UnionSchema:
		for _, b := range t.Types() {
			eachDefined(b, seen, fn)
		}
	}
}
