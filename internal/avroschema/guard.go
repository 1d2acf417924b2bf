package avroschema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/jsontree"
)

// hamba/avro's parser converts every field default as it builds the field,
// and two of its conversions do far more work than the text holds:
//
//   - a fixed type's default becomes an array of the fixed's size, whatever
//     the string's length: a default "" of a fixed of size 2^31-1 allocates
//     2 GiB (and more to copy it);
//   - a record default that leaves out fields is filled in with those
//     fields' own defaults, and the filled value is walked again each time
//     it is reused: nested records whose fields default to arrays of {} do
//     work exponential in the nesting (30-element arrays seven levels deep,
//     a schema of 1.4 KB, keep a core busy for minutes).
//
// guardDefaults measures that work before hamba's parser does it, and
// refuses a schema whose defaults would cost more than a valid text of its
// length can: a valid fixed default has exactly size code points, so valid
// fixed defaults never allocate more than the text's length; and a default
// filled in from a field's own default is a copy of something the text
// holds, so the work stays within a few times the text's length except for
// this amplification.

const (
	// guardMinWork and guardWorkPerByte bound the values hamba's default
	// conversion may visit: guardMinWork plus guardWorkPerByte per byte of
	// text.
	guardMinWork     = 1 << 20
	guardWorkPerByte = 8
	// guardMinFixed is the bytes of fixed defaults allowed beyond the
	// text's length.
	guardMinFixed = 1 << 20
	// defaultMarker is the field prop that stands in for a field's default
	// while the guard parses the schema without them.
	defaultMarker = "edactl.guard.default"
)

// guardDefaults returns an error when converting the defaults of text
// (whose tree is tree, parsed into a cache that holds named types already
// when shared) would cost more than a valid schema of its length may. It
// parses a schema without its defaults only when a default could be costly:
// one holding an object (a record default) or a string when a fixed type
// may be in reach (text names "fixed" or shared is set).
func guardDefaults(text string, tree *jsontree.Value, cache *avro.SchemaCache, shared bool) error {
	var sc riskScan
	sc.walk(tree, false)
	if !sc.objectDefault && !(sc.stringDefault && (sc.fixed || shared)) {
		return nil
	}
	doc := tree.Decode()
	var defaults [][]any
	stripDefaults(doc, &defaults)
	if len(defaults) == 0 {
		return nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return &ParseError{Msg: "invalid schema: " + err.Error()}
	}
	s, err := parseStripped(b, cache)
	if err != nil {
		// Defaults only add reasons to fail: the schema does not parse
		// with them either, and the real parse could do the costly work
		// before it got to this error.
		return &ParseError{Msg: "invalid schema: " + strings.TrimPrefix(err.Error(), "avro: ")}
	}
	m := costModel{
		defaults:  defaults,
		memo:      map[*avro.Field]int{},
		seen:      map[avro.Schema]bool{},
		workLimit: guardMinWork + guardWorkPerByte*len(text),
		fixedMax:  guardMinFixed + len(text),
	}
	m.visit(s)
	switch {
	case m.work > m.workLimit:
		return &ParseError{Msg: fmt.Sprintf("invalid schema: converting its field defaults means visiting more than %d values (record defaults filled in from nested defaults), more than a schema of %d bytes may need", m.workLimit, len(text))}
	case m.fixed > m.fixedMax:
		return &ParseError{Msg: fmt.Sprintf("invalid schema: its fixed defaults would take %d bytes, more than a schema of %d bytes may hold (a fixed default is a string of exactly size code points)", m.fixed, len(text))}
	}
	return nil
}

// parseStripped parses the schema without defaults into a copy of cache.
func parseStripped(b []byte, cache *avro.SchemaCache) (s avro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%v", r)
		}
	}()
	c := &avro.SchemaCache{}
	c.AddAll(cache)
	return avro.ParseBytesWithCache(b, "", c)
}

// riskScan notes what of a schema's tree can make defaults costly.
type riskScan struct {
	objectDefault, stringDefault, fixed bool
}

func (r *riskScan) walk(v *jsontree.Value, inDefault bool) {
	switch v.Kind() {
	case jsontree.String:
		if inDefault {
			r.stringDefault = true
		} else if v.Text() == "fixed" {
			r.fixed = true
		}
	case jsontree.Object:
		if inDefault {
			r.objectDefault = true
		}
		for k, e := range v.Members() {
			r.walk(e, inDefault || strings.EqualFold(k, "default"))
		}
	case jsontree.Array:
		for e := range v.Values() {
			r.walk(e, inDefault)
		}
	}
}

// stripDefaults removes the defaults of every field in doc (the members
// named "default", in any case, as hamba's decoding reads them, of the
// objects in a "fields" array), appending each field's to defaults and
// leaving its index in the field's defaultMarker prop. It over-approximates
// what a field is (any object in an array under a key "fields"): the guard
// then counts more defaults, never fewer.
func stripDefaults(v any, defaults *[][]any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if arr, ok := e.([]any); ok && strings.EqualFold(k, "fields") {
				for _, f := range arr {
					fm, ok := f.(map[string]any)
					if !ok {
						continue
					}
					var defs []any
					for fk, fv := range fm {
						if strings.EqualFold(fk, "default") {
							defs = append(defs, fv)
							delete(fm, fk)
						}
					}
					if defs != nil {
						fm[defaultMarker] = strconv.Itoa(len(*defaults))
						*defaults = append(*defaults, defs)
					}
				}
			}
			stripDefaults(e, defaults)
		}
	case []any:
		for _, e := range t {
			stripDefaults(e, defaults)
		}
	}
}

// costModel counts what hamba/avro's conversion of the defaults does
// (isValidDefault): the values it visits and the bytes its fixed defaults
// allocate. Both counts saturate at their limits, so that the model's own
// work stays bounded.
type costModel struct {
	defaults        [][]any
	memo            map[*avro.Field]int // a field's cost, -1 while computing it
	seen            map[avro.Schema]bool
	work, workLimit int
	fixed, fixedMax int
}

// visit computes the cost of every field of every record s reaches.
func (m *costModel) visit(s avro.Schema) {
	if m.seen[s] || m.over() {
		return
	}
	m.seen[s] = true
	switch t := s.(type) {
	case *avro.RefSchema:
		m.visit(t.Schema())
	case *avro.RecordSchema:
		for _, f := range t.Fields() {
			m.visit(f.Type())
			m.field(f)
		}
	case *avro.ArraySchema:
		m.visit(t.Items())
	case *avro.MapSchema:
		m.visit(t.Values())
	case *avro.UnionSchema:
		for _, u := range t.Types() {
			m.visit(u)
		}
	}
}

func (m *costModel) over() bool { return m.work > m.workLimit || m.fixed > m.fixedMax }

// field is the number of values converting f's default visits (which is
// also what a record default that leaves f out visits again), computed
// once: the first call counts that work, later calls only return it.
func (m *costModel) field(f *avro.Field) int {
	if c, ok := m.memo[f]; ok {
		if c < 0 {
			return 1 // a default reaching its own field: hamba fails there
		}
		return c
	}
	idx, ok := f.Prop(defaultMarker).(string)
	if !ok {
		m.memo[f] = 1
		return 1
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(m.defaults) {
		m.memo[f] = 1
		return 1
	}
	m.memo[f] = -1
	before := m.work
	for _, d := range m.defaults[i] {
		m.cost(f.Type(), d)
	}
	c := max(m.work-before, 1)
	m.memo[f] = c
	return c
}

// add counts n values visited, saturating just above the limit.
func (m *costModel) add(n int) {
	m.work = min(m.work+n, m.workLimit+1)
}

// cost counts the values converting def as a value of t visits and the
// bytes its fixed values allocate.
func (m *costModel) cost(t avro.Schema, def any) {
	m.add(1)
	if m.over() {
		return
	}
	switch s := t.(type) {
	case *avro.RefSchema:
		m.cost(s.Schema(), def)
	case *avro.FixedSchema:
		if _, ok := def.(string); ok {
			m.fixed = min(m.fixed+s.Size(), m.fixedMax+1)
		}
	case *avro.ArraySchema:
		if a, ok := def.([]any); ok {
			for _, e := range a {
				if m.over() {
					return
				}
				m.cost(s.Items(), e)
			}
		}
	case *avro.MapSchema:
		if mm, ok := def.(map[string]any); ok {
			for _, e := range mm {
				if m.over() {
					return
				}
				m.cost(s.Values(), e)
			}
		}
	case *avro.UnionSchema:
		if ts := s.Types(); len(ts) > 0 {
			m.cost(ts[0], def)
		}
	case *avro.RecordSchema:
		if mm, ok := def.(map[string]any); ok {
			for _, f := range s.Fields() {
				if m.over() {
					return
				}
				if v, ok := mm[f.Name()]; ok {
					m.cost(f.Type(), v)
				} else {
					// Filled in with f's converted default, walked again.
					m.add(m.field(f))
				}
			}
		}
	}
}
