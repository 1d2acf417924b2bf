package avroschema

import (
	"encoding/json"
	"strings"

	"github.com/hamba/avro/v2"
	jsoniter "github.com/json-iterator/go"
)

// fastParse builds the schema hamba/avro's parser would build from data,
// for the common shapes only: records (with doc, aliases, props) whose
// fields' types are primitives (with the logical types hamba knows, except
// decimal), unions of those, arrays, maps and nested records. It calls the
// same constructors (avro.NewRecordSchema, avro.NewField, ...) with the same
// arguments hamba's parser passes them, without its reflection-based decoding
// of every JSON object, which is most of a parse's time. Anything else (an
// enum, a fixed, a reference to a named type, a key hamba would read
// case-insensitively, a value of an unexpected JSON type, an error from a
// constructor) makes it give up (ok false) before touching cache, so that
// hamba's parser decides, with its own errors. On success it adds the named
// types it defined to cache, as hamba's parser does. A test compares its
// output with hamba's on every schema of the repository's corpora.
func fastParse(data []byte, cache *avro.SchemaCache) (avro.Schema, bool) {
	var v any
	if err := jsoniter.Unmarshal(data, &v); err != nil {
		return nil, false
	}
	return fastParseTree(v, false, cache)
}

// numberConfig decodes JSON as encoding/json does with UseNumber: numbers
// as json.Number, as Validate reads them.
var numberConfig = jsoniter.Config{UseNumber: true}.Froze()

// decodeNumbers decodes data with numbers as json.Number: one tree that
// both fastParseTree (numbers: true) and the validator read.
func decodeNumbers(data []byte) (any, bool) {
	var v any
	if err := numberConfig.Unmarshal(data, &v); err != nil {
		return nil, false
	}
	return v, true
}

// fastParseTree is fastParse of the decoded JSON v; numbers says v holds
// its numbers as json.Number (decodeNumbers), which it hands hamba/avro as
// the float64 that hamba's own decoding (jsoniter's) would have made.
func fastParseTree(v any, numbers bool, cache *avro.SchemaCache) (avro.Schema, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	p := fastParser{seen: map[string]bool{}, numbers: numbers}
	s, ok := p.record("", m)
	if !ok {
		return nil, false
	}
	for _, a := range p.adds {
		cache.Add(a.name, a.schema)
	}
	return s, true
}

type fastParser struct {
	seen map[string]bool // full names defined so far
	adds []cacheAdd      // what hamba's parser adds to the cache, in order
	// unions holds the unions of primitive types built so far (unionKey).
	unions []sharedUnion
	// numbers is true when the decoded JSON holds json.Number numbers,
	// which values handed to hamba/avro (defaults, props) get as float64.
	numbers bool
}

// plain returns v with every json.Number in it replaced by the float64
// jsoniter decodes the same text into (what hamba/avro's own decoding
// gives); v itself when it holds none. ok is false when jsoniter would not
// decode a number (one out of float64's range, 1e400): hamba/avro's own
// decoding fails on the whole schema then, and so must the fast path.
// Only values the parser hands on go through it: defaults and props.
func plain(v any) (out any, ok bool) {
	if !hasNumber(v) {
		return v, true
	}
	switch t := v.(type) {
	case json.Number:
		var f float64
		if err := jsoniter.ConfigDefault.UnmarshalFromString(string(t), &f); err != nil {
			return nil, false
		}
		return f, true
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			if out[i], ok = plain(e); !ok {
				return nil, false
			}
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if out[k], ok = plain(e); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return v, true
}

// hasNumber reports whether v holds a json.Number.
func hasNumber(v any) bool {
	switch t := v.(type) {
	case json.Number:
		return true
	case []any:
		for _, e := range t {
			if hasNumber(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range t {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

type cacheAdd struct {
	name   string
	schema avro.Schema
}

// keys are the values of the keys known reads, by position.
type keys struct {
	v   [6]any
	has [6]bool
}

// known reads m's keys: those in fields (at most 6) go to the keys at the
// same position (by exact name), the others to props; a key equal to a
// field's name but for case (which mapstructure, hamba's decoder, would
// take for the field) fails.
func (p *fastParser) known(m map[string]any, fields ...string) (vals keys, props map[string]any, ok bool) {
outer:
	for k, v := range m {
		if strings.EqualFold(k, "props") {
			return keys{}, nil, false // mapstructure may take it for the props field
		}
		for i, f := range fields {
			if k == f {
				vals.v[i], vals.has[i] = v, true
				continue outer
			}
			if strings.EqualFold(k, f) {
				return keys{}, nil, false
			}
		}
		if props == nil {
			props = map[string]any{}
		}
		if p.numbers {
			var ok bool
			if v, ok = plain(v); !ok {
				return keys{}, nil, false
			}
		}
		props[k] = v
	}
	return vals, props, true
}

// str returns key i as a string ("" when absent), failing on another type.
func (k *keys) str(i int) (string, bool) {
	if !k.has[i] {
		return "", true
	}
	s, ok := k.v[i].(string)
	return s, ok
}

// strs returns key i as a []string (nil when absent), failing on another
// type.
func (k *keys) strs(i int) ([]string, bool) {
	if !k.has[i] {
		return nil, true
	}
	list, ok := k.v[i].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, e := range list {
		if out[i], ok = e.(string); !ok {
			return nil, false
		}
	}
	return out, true
}

func (p *fastParser) record(namespace string, m map[string]any) (avro.Schema, bool) {
	vals, props, ok := p.known(m, "type", "name", "namespace", "aliases", "doc", "fields")
	if !ok {
		return nil, false
	}
	if t, ok := vals.v[0].(string); !ok || t != "record" {
		return nil, false
	}
	name, ok1 := vals.str(1)
	ns, ok2 := vals.str(2)
	aliases, ok3 := vals.strs(3)
	doc, ok4 := vals.str(4)
	rawFields, ok5 := vals.v[5].([]any)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || name == "" {
		return nil, false
	}
	if ns == "" {
		ns = namespace
	}
	fields := make([]*avro.Field, len(rawFields))
	rec, err := avro.NewRecordSchema(name, ns, fields, avro.WithAliases(aliases), avro.WithDoc(doc), avro.WithProps(props))
	if err != nil || p.seen[rec.FullName()] {
		return nil, false
	}
	p.seen[rec.FullName()] = true
	ref := avro.NewRefSchema(rec)
	p.adds = append(p.adds, cacheAdd{rec.FullName(), ref})
	for _, a := range rec.Aliases() {
		p.adds = append(p.adds, cacheAdd{a, ref})
	}
	names := make(map[string]bool, len(rawFields))
	for i, rf := range rawFields {
		fm, ok := rf.(map[string]any)
		if !ok {
			return nil, false
		}
		f, ok := p.field(rec.Namespace(), fm)
		if !ok || names[f.Name()] {
			return nil, false
		}
		names[f.Name()] = true
		fields[i] = f
	}
	return rec, true
}

func (p *fastParser) field(namespace string, m map[string]any) (*avro.Field, bool) {
	vals, props, ok := p.known(m, "name", "aliases", "type", "doc", "default", "order")
	if !ok {
		return nil, false
	}
	name, ok1 := vals.str(0)
	aliases, ok2 := vals.strs(1)
	doc, ok3 := vals.str(3)
	order, ok4 := vals.str(5)
	rawType, hasType := vals.v[2], vals.has[2]
	if !ok1 || !ok2 || !ok3 || !ok4 || !hasType || name == "" {
		return nil, false
	}
	typ, ok := p.typ(namespace, rawType)
	if !ok {
		return nil, false
	}
	def, hasDef := vals.v[4], vals.has[4]
	if !hasDef {
		def = avro.NoDefault
	} else if p.numbers {
		var ok bool
		if def, ok = plain(def); !ok {
			return nil, false
		}
	}
	f, err := avro.NewField(name, typ, avro.WithDefault(def), avro.WithAliases(aliases), avro.WithDoc(doc),
		avro.WithOrder(avro.Order(order)), avro.WithProps(props))
	if err != nil {
		return nil, false
	}
	return f, true
}

func (p *fastParser) typ(namespace string, v any) (avro.Schema, bool) {
	switch t := v.(type) {
	case string:
		return p.primitive(avro.Type(t))
	case []any:
		key, shared := p.unionKey(t)
		if shared {
			for _, u := range p.unions {
				if u.key == key {
					return u.schema, true
				}
			}
		}
		types := make([]avro.Schema, len(t))
		for i, b := range t {
			s, ok := p.typ(namespace, b)
			if !ok {
				return nil, false
			}
			types[i] = s
		}
		u, err := avro.NewUnionSchema(types)
		if err != nil {
			return nil, false
		}
		if shared {
			p.unions = append(p.unions, sharedUnion{key, u})
		}
		return u, true
	case map[string]any:
		kind, ok := t["type"].(string)
		if !ok {
			return nil, false
		}
		switch avro.Type(kind) {
		case avro.Record:
			return p.record(namespace, t)
		case avro.Array:
			vals, props, ok := p.known(t, "type", "items")
			items, present := vals.v[1], vals.has[1]
			if !ok || !present {
				return nil, false
			}
			s, ok := p.typ(namespace, items)
			if !ok {
				return nil, false
			}
			return avro.NewArraySchema(s, avro.WithProps(props)), true
		case avro.Map:
			vals, props, ok := p.known(t, "type", "values")
			values, present := vals.v[1], vals.has[1]
			if !ok || !present {
				return nil, false
			}
			s, ok := p.typ(namespace, values)
			if !ok {
				return nil, false
			}
			return avro.NewMapSchema(s, avro.WithProps(props)), true
		case avro.String, avro.Bytes, avro.Int, avro.Long, avro.Float, avro.Double, avro.Boolean:
			return p.logicalPrimitive(avro.Type(kind), t)
		}
	}
	return nil, false
}

// primitive is primitive(t), one instance per type in a parse: the
// plain primitive types are immutable values, which hamba/avro's parser
// merely builds once per mention.
func (p *fastParser) primitive(t avro.Type) (avro.Schema, bool) {
	if i := primitiveIndex(t); i >= 0 {
		return sharedPrimitives[i], true
	}
	return nil, false
}

// sharedPrimitives are the primitive types named by a string, by
// primitiveIndex: one instance per process, which every parse shares. They
// carry no properties and never change (their fingerprint caches are safe
// for concurrent use), so a parse need not build its own.
var sharedPrimitives = func() (out [8]avro.Schema) {
	for _, t := range []avro.Type{avro.Null, avro.String, avro.Bytes, avro.Int, avro.Long, avro.Float, avro.Double, avro.Boolean} {
		out[primitiveIndex(t)], _ = primitive(t)
	}
	return out
}()

// unionKey identifies a union whose branches are all primitive types named
// by a string (["null","string"]): such a union is one immutable instance
// per parse (its branches, one per process). It reports false for any other
// union.
func (p *fastParser) unionKey(branches []any) (uint32, bool) {
	if len(branches) == 0 || len(branches) > 8 {
		return 0, false
	}
	var key uint32
	for _, b := range branches {
		name, ok := b.(string)
		if !ok {
			return 0, false
		}
		i := primitiveIndex(avro.Type(name))
		if i < 0 {
			return 0, false
		}
		key = key<<4 | uint32(i+1)
	}
	return key, true
}

type sharedUnion struct {
	key    uint32
	schema *avro.UnionSchema
}

// primitiveIndex numbers the primitive types for sharedPrimitives, -1 for
// any other name.
func primitiveIndex(t avro.Type) int {
	switch t {
	case avro.Null:
		return 0
	case avro.String:
		return 1
	case avro.Bytes:
		return 2
	case avro.Int:
		return 3
	case avro.Long:
		return 4
	case avro.Float:
		return 5
	case avro.Double:
		return 6
	case avro.Boolean:
		return 7
	}
	return -1
}

// primitive is a primitive type named by a string, as hamba parses it.
func primitive(t avro.Type) (avro.Schema, bool) {
	switch t {
	case avro.Null:
		return &avro.NullSchema{}, true
	case avro.String, avro.Bytes, avro.Int, avro.Long, avro.Float, avro.Double, avro.Boolean:
		return avro.NewPrimitiveSchema(t, nil), true
	}
	return nil, false
}

// logicalPrimitive is a primitive type written as an object, with a logical
// type hamba knows (not decimal, whose parameters it reads itself) or none.
func (p *fastParser) logicalPrimitive(t avro.Type, m map[string]any) (avro.Schema, bool) {
	vals, props, ok := p.known(m, "type")
	if !ok || !vals.has[0] {
		return nil, false
	}
	if len(props) == 0 {
		return avro.NewPrimitiveSchema(t, nil), true
	}
	var logical avro.LogicalSchema
	if raw, present := props["logicalType"]; present {
		lt, ok := raw.(string)
		if !ok {
			return nil, false
		}
		switch l := avro.LogicalType(lt); {
		case t == avro.String && l == avro.UUID,
			t == avro.Int && (l == avro.Date || l == avro.TimeMillis),
			t == avro.Long && (l == avro.TimeMicros || l == avro.TimestampMillis || l == avro.TimestampMicros ||
				l == avro.LocalTimestampMillis || l == avro.LocalTimestampMicros):
			logical = avro.NewPrimitiveLogicalSchema(l)
			delete(props, "logicalType")
		case t == avro.Bytes && l == avro.Decimal:
			return nil, false
		}
	}
	return avro.NewPrimitiveSchema(t, logical, avro.WithProps(props)), true
}
