package avrojson

import (
	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
)

// The Avro → JSON renderer. A schema is compiled once into a Plan, a
// graph of jsonSteps (recursive records point back at themselves) that
// holds everything the schema decides ahead of time: record field names
// already quoted with their separators, enum symbols already quoted, union
// branch wrappers, logical types, decimal scale and precision. Rendering a
// body is then a walk over the plan and the bytes together that appends
// straight to the output: no reflection, no path bookkeeping (the field
// path is rebuilt only when an error unwinds), no allocation unless the
// output grows or a decimal does not fit in 64 bits.

// jsonOp is what a jsonStep reads and writes.
type jsonOp uint8

const (
	// Leaves: values without nested values.
	opUnsupported jsonOp = iota
	opNull
	opBoolean
	opInt
	opLong
	opFloat
	opDouble
	opBytes
	opString
	opDate
	opTimeMillis
	opTimeMicros
	opTimestampMillis
	opTimestampMicros
	opLocalTimestampMillis
	opLocalTimestampMicros
	opDecimalBytes
	opFixed
	opDecimalFixed
	opUUIDFixed
	opEnum
	// Containers, from opRecord on.
	opRecord
	opArray
	opMap
	opUnion
)

// jsonStep renders one schema node.
type jsonStep struct {
	op jsonOp
	// size is a fixed's size; scale and precision a decimal's.
	size, scale, precision int
	// fields are a record's fields in schema order.
	fields []jsonField
	// elem is an array's items or a map's values.
	elem *jsonStep
	// symbols are an enum's symbols as JSON strings; name is the enum's
	// full name (for errors), or the unsupported type's name.
	symbols []string
	short   []shortText // symbols as words
	name    string
	// branches are a union's branches.
	branches []jsonBranch
	// dates remembers the last date a date or timestamp rendered.
	dates *dateCache
}

// jsonField is a record field: prefix is what comes before its value, the
// opening brace or a comma, then its quoted name and a colon.
type jsonField struct {
	prefix string
	short  shortText // prefix as words
	name   string
	step   *jsonStep
}

// jsonBranch is a union branch: step is nil for null. When wrap is set the
// value is written as {"<name>": value} and prefix holds `{"<name>":`.
type jsonBranch struct {
	prefix string
	wrap   bool
	step   *jsonStep
}

// Plan is a writer schema compiled for rendering its bodies as JSON. It is
// immutable and safe for concurrent use; Plans caches one per schema.
type Plan struct {
	root  *jsonStep
	label string // root of error paths
}

// Compile compiles schema for rendering. It never fails: a schema type the
// renderer does not know fails when a value of it is rendered.
func Compile(schema avro.Schema) *Plan {
	c := jsonCompiler{records: map[*avro.RecordSchema]*jsonStep{}}
	return &Plan{root: c.step(schema), label: avrovalue.Label(schema)}
}

// AppendJSON appends the JSON form (the mapping in the package doc) of
// body, the Avro body of a value written with the plan's schema, to dst.
// The body must hold exactly one value. Errors are *serde.ValueError
// matching serde.ErrTruncated or serde.ErrInvalidValue, with the field path
// and the byte offset in body. Rendering allocates nothing beyond growing
// dst (and a decimal wider than 64 bits). Like append, it may write into
// dst's spare capacity past what it returns (short pieces and timestamps
// are written in place, up to 32 bytes at a time), so the bytes after
// len(dst) must not be in use.
func (p *Plan) AppendJSON(dst, body []byte) ([]byte, error) {
	return p.appendJSON(dst, body, 0)
}

// AppendJSON appends the JSON form of body, written with schema, to dst as
// (*Plan).AppendJSON does. It compiles schema on every call; to render
// many bodies written with one schema, Compile it once (or keep Plans).
func AppendJSON(dst []byte, schema avro.Schema, body []byte) ([]byte, error) {
	return Compile(schema).appendJSON(dst, body, 0)
}

type jsonCompiler struct {
	records map[*avro.RecordSchema]*jsonStep
}

func (c *jsonCompiler) step(s avro.Schema) *jsonStep {
	s = avrovalue.Deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		return &jsonStep{op: opNull}
	case *avro.PrimitiveSchema:
		return primitiveJSONStep(t)
	case *avro.RecordSchema:
		if st, ok := c.records[t]; ok {
			return st
		}
		st := &jsonStep{op: opRecord}
		c.records[t] = st
		fields := make([]jsonField, len(t.Fields()))
		for i, f := range t.Fields() {
			sep := byte(',')
			if i == 0 {
				sep = '{'
			}
			prefix := AppendJSONString([]byte{sep}, f.Name())
			fields[i] = jsonField{prefix: string(append(prefix, ':')), name: f.Name(), step: c.step(f.Type())}
			fields[i].short = newShortText(fields[i].prefix)
		}
		st.fields = fields
		return st
	case *avro.EnumSchema:
		syms := make([]string, len(t.Symbols()))
		short := make([]shortText, len(syms))
		for i, sym := range t.Symbols() {
			syms[i] = string(AppendJSONString(nil, sym))
			short[i] = newShortText(syms[i])
		}
		return &jsonStep{op: opEnum, symbols: syms, short: short, name: t.FullName()}
	case *avro.FixedSchema:
		st := &jsonStep{op: opFixed, size: t.Size()}
		if dec, ok := logicalOf(t).(*avro.DecimalLogicalSchema); ok {
			st.op, st.scale, st.precision = opDecimalFixed, dec.Scale(), dec.Precision()
		} else if isUUIDFixed(t) {
			st.op = opUUIDFixed
		}
		return st
	case *avro.ArraySchema:
		return &jsonStep{op: opArray, elem: c.step(t.Items())}
	case *avro.MapSchema:
		return &jsonStep{op: opMap, elem: c.step(t.Values())}
	case *avro.UnionSchema:
		nullable := isNullable(t)
		branches := make([]jsonBranch, len(t.Types()))
		for i, b := range t.Types() {
			b = avrovalue.Deref(b)
			if b.Type() == avro.Null {
				continue
			}
			br := jsonBranch{step: c.step(b)}
			if !nullable {
				prefix := AppendJSONString([]byte{'{'}, avrovalue.BranchName(b))
				br.prefix, br.wrap = string(append(prefix, ':')), true
			}
			branches[i] = br
		}
		return &jsonStep{op: opUnion, branches: branches}
	}
	return &jsonStep{op: opUnsupported, name: "schema type " + string(s.Type())}
}

func primitiveJSONStep(s *avro.PrimitiveSchema) *jsonStep {
	var logical avro.LogicalType
	if l := logicalOf(s); l != nil {
		logical = l.Type()
	}
	switch s.Type() {
	case avro.Null:
		return &jsonStep{op: opNull}
	case avro.Boolean:
		return &jsonStep{op: opBoolean}
	case avro.Int:
		switch logical {
		case avro.Date:
			return &jsonStep{op: opDate, dates: &dateCache{}}
		case avro.TimeMillis:
			return &jsonStep{op: opTimeMillis}
		}
		return &jsonStep{op: opInt}
	case avro.Long:
		switch logical {
		case avro.TimestampMillis:
			return &jsonStep{op: opTimestampMillis, dates: &dateCache{}}
		case avro.TimestampMicros:
			return &jsonStep{op: opTimestampMicros, dates: &dateCache{}}
		case avro.LocalTimestampMillis:
			return &jsonStep{op: opLocalTimestampMillis, dates: &dateCache{}}
		case avro.LocalTimestampMicros:
			return &jsonStep{op: opLocalTimestampMicros, dates: &dateCache{}}
		case avro.TimeMicros:
			return &jsonStep{op: opTimeMicros}
		}
		return &jsonStep{op: opLong}
	case avro.Float:
		return &jsonStep{op: opFloat}
	case avro.Double:
		return &jsonStep{op: opDouble}
	case avro.Bytes:
		if dec, ok := logicalOf(s).(*avro.DecimalLogicalSchema); ok {
			return &jsonStep{op: opDecimalBytes, scale: dec.Scale(), precision: dec.Precision()}
		}
		return &jsonStep{op: opBytes}
	case avro.String:
		return &jsonStep{op: opString}
	}
	// An unknown primitive: fails when a value of it is rendered.
	return &jsonStep{op: opUnsupported, name: "primitive type " + string(s.Type())}
}
