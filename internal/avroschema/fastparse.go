package avroschema

import (
	"encoding/json"
	"strings"

	"github.com/hamba/avro/v2"
	jsoniter "github.com/json-iterator/go"

	"github.com/edactl/edactl/internal/jsontree"
)

// fastParseTree builds the schema hamba/avro's parser would build from
// the text whose JSON tree is v, for the common shapes only: records (with
// doc, aliases, props) whose fields' types are primitives (with the logical
// types hamba knows, except decimal), unions of those, arrays, maps and
// nested records. It calls the same constructors (avro.NewRecordSchema,
// avro.NewField, ...) with the same arguments hamba's parser passes them,
// without its reflection-based decoding of every JSON object, which is most
// of a parse's time. Anything else (an enum, a fixed, a reference to a
// named type, a key hamba would read case-insensitively, a value of an
// unexpected JSON type, a number hamba's decoding refuses, an error from a
// constructor) makes it give up (ok false) before touching cache, so that
// hamba's parser decides, with its own errors. The tree's strings must be
// what jsoniter, hamba's decoder, makes of them (sameDecoding); the values
// it hands hamba (defaults, props) are decoded from the tree with numbers
// as the float64 jsoniter would have made. On success it adds the named
// types it defined to cache, as hamba's parser does. A test compares its
// output with hamba's on every schema of the repository's corpora.
func fastParseTree(v *jsontree.Value, cache *avro.SchemaCache) (avro.Schema, bool) {
	if v.Kind() != jsontree.Object || !numbersDecode(v) {
		return nil, false
	}
	p := fastParser{seen: map[string]bool{}}
	s, ok := p.record("", v)
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
	// defaults, when not nil, receives each field's default instead of
	// the field (guardDefaults' parse of the types alone).
	defaults map[*avro.Field]*jsontree.Value
}

// plain replaces, in place, every json.Number in v with the float64
// jsoniter decodes the same text into (what hamba/avro's own decoding
// gives), and returns v (the number itself replaced when v is one). v must
// be a value of its own (jsontree's Decode makes a new one each call): one
// pass over it, however deep. Only values the parser hands on go through
// it: defaults and props, whose numbers fastParseTree has checked decode
// (numbersDecode).
func plain(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := jsoniterFloat(string(t))
		return f
	case []any:
		for i, e := range t {
			t[i] = plain(e)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = plain(e)
		}
	}
	return v
}

// jsoniterFloat is the float64 jsoniter decodes number text into; false
// when it refuses it (out of float64's range: 1e400).
func jsoniterFloat(text string) (float64, bool) {
	var f float64
	err := jsoniter.ConfigDefault.UnmarshalFromString(text, &f)
	return f, err == nil
}

// numbersDecode reports whether jsoniter decodes every number in v, also
// those the parser never reads (a repeated key's earlier value, a member
// of an unknown object): hamba/avro decodes the whole text, so one number
// out of float64's range fails its parse, and so must the fast path.
// Numbers of at most 15 digits without an exponent always decode.
func numbersDecode(v *jsontree.Value) bool {
	switch v.Kind() {
	case jsontree.Number:
		t := v.Text()
		if len(t) <= 15 && !strings.ContainsAny(t, "eE") {
			return true
		}
		_, ok := jsoniterFloat(t)
		return ok
	case jsontree.Array, jsontree.Object:
		for e := range v.Values() {
			if !numbersDecode(e) {
				return false
			}
		}
	}
	return true
}

type cacheAdd struct {
	name   string
	schema avro.Schema
}

// keys are the values of the keys known reads, by position (nil when
// absent).
type keys struct {
	v [6]*jsontree.Value
}

// known reads object m's members: those named in fields (at most 6) go to
// the keys at the same position, the others to props, decoded (a repeated
// key's last value wins for both, as in a decoded map); a key equal to a
// field's name but for case (which mapstructure, hamba's decoder, would
// take for the field) fails. fastParseTree has checked that every number
// decodes (numbersDecode).
func (p *fastParser) known(m *jsontree.Value, fields ...string) (vals keys, props map[string]any, ok bool) {
outer:
	for k, v := range m.Members() {
		if strings.EqualFold(k, "props") {
			return keys{}, nil, false // mapstructure may take it for the props field
		}
		for i, f := range fields {
			if k == f {
				vals.v[i] = v
				continue outer
			}
			if strings.EqualFold(k, f) {
				return keys{}, nil, false
			}
		}
		if props == nil {
			props = map[string]any{}
		}
		props[k] = plain(v.Decode())
	}
	return vals, props, true
}

// str returns key i as a string ("" when absent), failing on another type.
func (k *keys) str(i int) (string, bool) {
	v := k.v[i]
	if v == nil {
		return "", true
	}
	return v.Text(), v.Kind() == jsontree.String
}

// strs returns key i as a []string (nil when absent), failing on another
// type.
func (k *keys) strs(i int) ([]string, bool) {
	v := k.v[i]
	if v == nil {
		return nil, true
	}
	if v.Kind() != jsontree.Array {
		return nil, false
	}
	out := make([]string, v.Len())
	for i := range out {
		e := v.Item(i)
		if e.Kind() != jsontree.String {
			return nil, false
		}
		out[i] = e.Text()
	}
	return out, true
}

func (p *fastParser) record(namespace string, m *jsontree.Value) (avro.Schema, bool) {
	vals, props, ok := p.known(m, "type", "name", "namespace", "aliases", "doc", "fields")
	if !ok {
		return nil, false
	}
	if t := vals.v[0]; t == nil || t.Kind() != jsontree.String || t.Text() != "record" {
		return nil, false
	}
	name, ok1 := vals.str(1)
	ns, ok2 := vals.str(2)
	aliases, ok3 := vals.strs(3)
	doc, ok4 := vals.str(4)
	rawFields := vals.v[5]
	if !ok1 || !ok2 || !ok3 || !ok4 || rawFields == nil || rawFields.Kind() != jsontree.Array || name == "" {
		return nil, false
	}
	if ns == "" {
		ns = namespace
	}
	fields := make([]*avro.Field, rawFields.Len())
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
	names := make(map[string]bool, len(fields))
	for i := range fields {
		fm := rawFields.Item(i)
		if fm.Kind() != jsontree.Object {
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

func (p *fastParser) field(namespace string, m *jsontree.Value) (*avro.Field, bool) {
	vals, props, ok := p.known(m, "name", "aliases", "type", "doc", "default", "order")
	if !ok {
		return nil, false
	}
	name, ok1 := vals.str(0)
	aliases, ok2 := vals.strs(1)
	doc, ok3 := vals.str(3)
	order, ok4 := vals.str(5)
	rawType := vals.v[2]
	if !ok1 || !ok2 || !ok3 || !ok4 || rawType == nil || name == "" {
		return nil, false
	}
	typ, ok := p.typ(namespace, rawType)
	if !ok {
		return nil, false
	}
	def, d := any(avro.NoDefault), vals.v[4]
	if d != nil && p.defaults == nil {
		def = plain(d.Decode())
	}
	f, err := avro.NewField(name, typ, avro.WithDefault(def), avro.WithAliases(aliases), avro.WithDoc(doc),
		avro.WithOrder(avro.Order(order)), avro.WithProps(props))
	if err != nil {
		return nil, false
	}
	if d != nil && p.defaults != nil {
		p.defaults[f] = d
	}
	return f, true
}

func (p *fastParser) typ(namespace string, v *jsontree.Value) (avro.Schema, bool) {
	switch v.Kind() {
	case jsontree.String:
		return p.primitive(avro.Type(v.Text()))
	case jsontree.Array:
		key, shared := p.unionKey(v)
		if shared {
			for _, u := range p.unions {
				if u.key == key {
					return u.schema, true
				}
			}
		}
		types := make([]avro.Schema, v.Len())
		for i := range types {
			s, ok := p.typ(namespace, v.Item(i))
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
	case jsontree.Object:
		kind := v.Last("type")
		if kind == nil || kind.Kind() != jsontree.String {
			return nil, false
		}
		switch avro.Type(kind.Text()) {
		case avro.Record:
			return p.record(namespace, v)
		case avro.Array:
			vals, props, ok := p.known(v, "type", "items")
			items := vals.v[1]
			if !ok || items == nil {
				return nil, false
			}
			s, ok := p.typ(namespace, items)
			if !ok {
				return nil, false
			}
			return avro.NewArraySchema(s, avro.WithProps(props)), true
		case avro.Map:
			vals, props, ok := p.known(v, "type", "values")
			values := vals.v[1]
			if !ok || values == nil {
				return nil, false
			}
			s, ok := p.typ(namespace, values)
			if !ok {
				return nil, false
			}
			return avro.NewMapSchema(s, avro.WithProps(props)), true
		case avro.String, avro.Bytes, avro.Int, avro.Long, avro.Float, avro.Double, avro.Boolean:
			return p.logicalPrimitive(avro.Type(kind.Text()), v)
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
func (p *fastParser) unionKey(branches *jsontree.Value) (uint32, bool) {
	if n := branches.Len(); n == 0 || n > 8 {
		return 0, false
	}
	var key uint32
	for b := range branches.Values() {
		if b.Kind() != jsontree.String {
			return 0, false
		}
		i := primitiveIndex(avro.Type(b.Text()))
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
func (p *fastParser) logicalPrimitive(t avro.Type, m *jsontree.Value) (avro.Schema, bool) {
	vals, props, ok := p.known(m, "type")
	if !ok || vals.v[0] == nil {
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
