package avroschema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"
	jsoniter "github.com/json-iterator/go"

	"github.com/edactl/edactl/internal/jsontree"
)

// hamba/avro's parser converts every field default as it builds the field
// (isValidDefault), and some conversions do far more work than the text
// holds:
//
//   - a fixed type's default becomes an array of the fixed's size, whatever
//     the string's length: a default "" of a fixed of size 2^31-1 allocates
//     2 GiB;
//   - an enum default is looked up among the symbols one by one: an array
//     default of n symbols of an enum of k symbols costs n·k;
//   - a record default that leaves out fields is filled in with those
//     fields' own converted defaults (a map entry each), and the filled
//     value is walked again each time it is reused: nested records whose
//     fields default to arrays of {} cost work exponential in the nesting
//     (30-element arrays seven levels deep, a schema of 1.4 KB, keep a core
//     busy for minutes).
//
// It also joins the namespace in effect to every name and alias it defines
// (keeping the aliases in its cache) and to every type name it looks up: a
// long namespace over many of them takes memory of their product.
//
// guardDefaults measures that work on the schema's types before hamba's
// parser does it, and refuses a schema whose defaults would cost more than a
// schema of its length needs: a valid fixed default has exactly size code
// points, so valid fixed defaults never allocate more than the text's
// length; the other conversions visit each value of the text once, except
// for the amplifications above. The names are bounded the same way.

const (
	// guardMinWork and guardWorkPerByte bound the work of converting a
	// schema's defaults: guardMinWork plus guardWorkPerByte per byte of
	// text, in units of one value visited.
	guardMinWork     = 1 << 20
	guardWorkPerByte = 4
	// fillWork is the work of filling one field into a record default (a
	// map entry, some tens of bytes).
	fillWork = 16
	// guardMinFixed is the bytes of fixed defaults allowed beyond the
	// text's length.
	guardMinFixed = 1 << 20
	// guardMinNames and guardNamesPerByte bound the bytes of the full
	// names hamba/avro builds (namespace, dot, name) for the names,
	// aliases and type references of a text.
	guardMinNames     = 64 << 20
	guardNamesPerByte = 16
	// riskyEnumLookups is the number of enum symbol comparisons (string
	// leaves in defaults times the most symbols of an enum of the text)
	// from which the defaults are measured.
	riskyEnumLookups = 1 << 16
)

// defaultMarker is the field prop that stands in for a field's default
// while the guard has hamba parse the schema without them. Its name ends in
// a number drawn when the process starts, so that no text, not even a
// reference's (whose fields keep their props), can carry it.
var defaultMarker = "edactl.guard.default." + strconv.FormatUint(rand.Uint64(), 36)

// guardDefaults returns an error when the full names of text (whose tree is
// tree, parsed into a cache that holds the named types st counts)
// or converting its defaults would cost more than a schema of its length
// may. It measures the defaults only when one could be costly: one holding an object (a record
// default), or strings when a fixed type may be in reach (text names
// "fixed", or the cache holds named types) or an enum with many symbols is.
func guardDefaults(text string, tree *jsontree.Value, cache *avro.SchemaCache, st *refState) error {
	var sc riskScan
	sc.walk(tree, false, 0)
	if limit := guardMinNames + guardNamesPerByte*len(text); sc.nameBytes > limit {
		return &ParseError{Msg: fmt.Sprintf("invalid schema: its names joined to their namespaces would take more than %d bytes, more than a schema of %d bytes may need (a long namespace over many names, aliases or type references)", limit, len(text))}
	}
	if !sc.objectDefault && !(sc.stringDefaults > 0 && (sc.fixed || st.shared() || sc.stringDefaults*sc.maxSymbols >= riskyEnumLookups)) {
		return nil
	}
	m := costModel{
		memo:      map[*avro.Field]int{},
		seen:      map[avro.Schema]bool{},
		workLimit: guardMinWork + guardWorkPerByte*len(text),
		fixedMax:  guardMinFixed + len(text),
	}
	s, err := m.types(text, tree, cache, st)
	if err != nil {
		// Defaults only add reasons to fail: the schema does not parse
		// with them either, and the real parse could do the costly work
		// before it got to this error.
		return &ParseError{Msg: "invalid schema: " + strings.TrimPrefix(err.Error(), "avro: ")}
	}
	if s == nil {
		return nil // no field has a default
	}
	m.visit(s)
	switch {
	case m.work > m.workLimit:
		return &ParseError{Msg: fmt.Sprintf("invalid schema: converting its field defaults means visiting more than %d values (record defaults filled in from nested defaults, enum symbols looked up), more than a schema of %d bytes may need", m.workLimit, len(text))}
	case m.fixed > m.fixedMax:
		return &ParseError{Msg: fmt.Sprintf("invalid schema: its fixed defaults would take more than %d bytes, more than a schema of %d bytes may hold (a fixed default is a string of exactly size code points)", m.fixedMax, len(text))}
	}
	return nil
}

// types parses the schema's types without its defaults, noting each
// field's default for the model: with the fast parser when it can
// (fastParseTree's conditions), else with hamba/avro's, from the tree
// without the defaults (into a copy of cache). It returns a nil schema
// when no field has a default.
func (m *costModel) types(text string, tree *jsontree.Value, cache *avro.SchemaCache, st *refState) (avro.Schema, error) {
	if tree.Kind() == jsontree.Object && sameDecoding(text) && numbersDecode(tree) {
		p := fastParser{seen: map[string]bool{}, defaults: map[*avro.Field]*jsontree.Value{}}
		if s, ok := p.record("", tree); ok {
			if len(p.defaults) == 0 {
				return nil, nil
			}
			m.fastDefaults = p.defaults
			return s, nil
		}
	}
	// The defaults as hamba's decoding (jsoniter) reads them: where its
	// strings differ from the tree's (invalid UTF-8, \u escapes of lone
	// surrogates), map keys the tree merges may be distinct.
	var doc any
	if sameDecoding(text) {
		doc = tree.Decode()
	} else if err := jsoniter.ConfigDefault.UnmarshalFromString(text, &doc); err != nil {
		return nil, err
	}
	stripDefaults(doc, &m.defaults)
	if len(m.defaults) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	if err := st.copyCache(); err != nil {
		return nil, err
	}
	return parseStripped(b, cache)
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
	objectDefault, fixed bool
	// stringDefaults counts the strings in defaults; maxSymbols is the
	// longest "symbols" array of an enum.
	stringDefaults, maxSymbols int
	// nameBytes bounds the bytes of the full names hamba/avro builds.
	nameBytes int
}

// walk scans v, within a default when inDefault, where the namespace in
// effect is nsLen bytes long.
func (r *riskScan) walk(v *jsontree.Value, inDefault bool, nsLen int) {
	switch v.Kind() {
	case jsontree.String:
		if inDefault {
			r.stringDefaults++
			return
		}
		if v.Text() == "fixed" {
			r.fixed = true
		}
		// hamba/avro joins the namespace to every name and alias it
		// defines and every type name it looks up: counted for every
		// string outside defaults, which are more than those.
		r.nameBytes = min(r.nameBytes+nsLen+1+len(v.Text()), math.MaxInt/2)
	case jsontree.Object:
		if inDefault {
			r.objectDefault = true
		} else {
			nsLen = namespaceLen(v, nsLen)
		}
		t := v.Last("type")
		enum := t != nil && t.Kind() == jsontree.String && t.Text() == "enum"
		// A field of a map type given here with the default {}, the
		// common case, converts at no cost.
		emptyMap := t != nil && t.Kind() == jsontree.Object && t.Last("type") != nil && t.Last("type").Text() == "map"
		for k, e := range v.Members() {
			if enum && e.Kind() == jsontree.Array && strings.EqualFold(k, "symbols") {
				r.maxSymbols = max(r.maxSymbols, e.Len())
			}
			if emptyMap && k == "default" && e.Kind() == jsontree.Object && e.Len() == 0 {
				continue
			}
			r.walk(e, inDefault || strings.EqualFold(k, "default"), nsLen)
		}
	case jsontree.Array:
		for e := range v.Values() {
			r.walk(e, inDefault, nsLen)
		}
	}
}

// namespaceLen is the length of the namespace in effect inside object v,
// where nsLen is that around it: the longest of its members named
// "namespace" in any case (as hamba's decoding reads them) and of what
// precedes the last dot of its names, else nsLen.
func namespaceLen(v *jsontree.Value, nsLen int) int {
	own, set := 0, false
	for k, e := range v.Members() {
		if e.Kind() != jsontree.String {
			continue
		}
		switch {
		case strings.EqualFold(k, "namespace"):
			own, set = max(own, len(e.Text())), true
		case strings.EqualFold(k, "name"):
			if i := strings.LastIndexByte(e.Text(), '.'); i >= 0 {
				own, set = max(own, i), true
			}
		}
	}
	if set && own > 0 {
		return own
	}
	return nsLen
}

// stripDefaults removes the defaults of every field in doc (the members
// named "default", in any case, as hamba's decoding reads them, of the
// objects in a "fields" array), appending each field's to defaults and
// leaving its index in the field's defaultMarker prop (a field's own
// defaultMarker prop is dropped first). It over-approximates what a field is
// (any object in an array under a key "fields"): the guard then counts
// more defaults, never fewer.
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
					delete(fm, defaultMarker)
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
// (isValidDefault): the values it visits (enum symbols compared and record
// fields filled in counted as their work) and the bytes its fixed defaults
// allocate. Both counts saturate just above their limits, so that the
// model's own work stays bounded.
type costModel struct {
	// A field's default text: fastDefaults after the fast parse, else
	// defaults by the index in the field's defaultMarker prop.
	fastDefaults    map[*avro.Field]*jsontree.Value
	defaults        [][]any
	memo            map[*avro.Field]int // a field's work, -1 while computing it
	seen            map[avro.Schema]bool
	work, workLimit int
	fixed, fixedMax int
}

// visit computes the work of every field of every record s reaches.
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
			if m.ours(f) {
				// A referenced type's defaults were converted with the
				// reference: they cost only where filled in.
				m.field(f)
			}
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

// ours reports whether f is a field of the text (not of a referenced type,
// parsed before, whose default hamba converted then).
func (m *costModel) ours(f *avro.Field) bool {
	if m.fastDefaults != nil {
		return true // the fast parser parses no references
	}
	_, marked := f.Prop(defaultMarker).(string)
	return marked || !f.HasDefault()
}

// defaultsOf returns the default values the text gives f, ours false when
// f is not of the text (a referenced type's, parsed before).
func (m *costModel) defaultsOf(f *avro.Field) (defs []any, ours bool) {
	if m.fastDefaults != nil {
		if d, ok := m.fastDefaults[f]; ok {
			return []any{d.Decode()}, true
		}
		// The fast parser parses no references: every field is the
		// text's.
		return nil, true
	}
	idx, ok := f.Prop(defaultMarker).(string)
	if !ok {
		// A field of the text without a default, or one of a reference.
		return nil, !f.HasDefault()
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(m.defaults) {
		return nil, true
	}
	return m.defaults[i], true
}

// field is the work of converting f's default, which is also what a record
// default that leaves f out does again, computed once: the first call
// counts that work, later calls only return it. A field of a type parsed
// before (a reference's), whose default hamba has converted already, costs
// the values of that converted default.
func (m *costModel) field(f *avro.Field) int {
	if c, ok := m.memo[f]; ok {
		if c < 0 {
			return 1 // a default reaching its own field: hamba fails there
		}
		return c
	}
	m.memo[f] = -1
	before := m.work
	defs, ours := m.defaultsOf(f)
	if ours {
		for _, d := range defs {
			m.cost(f.Type(), d)
		}
	} else if f.HasDefault() {
		// Converted already: walked again (enum symbols looked up again)
		// only where a record default fills it in, which counts it.
		m.cost(f.Type(), f.Default())
	}
	c := max(m.work-before, 1)
	if !ours && !m.over() {
		m.work = before
	}
	m.memo[f] = c
	return c
}

// add counts n units of work, saturating just above the limit.
func (m *costModel) add(n int) {
	m.work = min(m.work+min(n, m.workLimit+1), m.workLimit+1)
}

// addFixed counts n bytes of fixed defaults, saturating just above the
// limit.
func (m *costModel) addFixed(n int) {
	if n < 0 || n > m.fixedMax-m.fixed {
		m.fixed = m.fixedMax + 1
		return
	}
	m.fixed += n
}

// cost counts the work of converting def as a value of t and the bytes its
// fixed values allocate.
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
			m.addFixed(s.Size())
		}
	case *avro.EnumSchema:
		if _, ok := def.(string); ok {
			m.add(len(s.Symbols()))
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
					// Filled in with f's converted default, walked
					// again.
					m.add(fillWork)
					m.add(m.field(f))
				}
			}
		}
	}
}
