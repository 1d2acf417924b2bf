package serde

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
)

// EncodeJSON encodes a JSON value (the mapping DecodeJSON documents) with
// schema s and frames it with s.ID. It is strict, so that nothing is lost
// silently: an unknown record field, a missing field without a default, a
// number that does not fit, a timestamp more precise than its type or an
// unknown enum symbol is an error naming the field path and the byte offset
// in jsonValue (matching ErrInvalidValue). Missing record fields with a
// default get the default. Readable logical values and their underlying
// numbers are both accepted.
func EncodeJSON(s *Schema, jsonValue []byte) (framed []byte, err error) {
	if s == nil || s.Avro == nil {
		return nil, errors.New("serde: EncodeJSON needs a parsed schema")
	}
	out, err := AppendAvro(AppendHeader(nil, s.ID), s.Avro, jsonValue)
	if err != nil {
		return nil, fmt.Errorf("encode with schema id %d: %w", s.ID, err)
	}
	return out, nil
}

// AppendAvro appends the Avro binary encoding of a JSON value (see
// DecodeJSON for the mapping) written with schema to dst. Error offsets count
// from the start of jsonValue.
func AppendAvro(dst []byte, schema avro.Schema, jsonValue []byte) ([]byte, error) {
	root := path{{name: typeLabel(schema)}}
	v, err := parseJSON(jsonValue)
	if err != nil {
		return dst, root.errorf(-1, ErrInvalidValue, "%v", err)
	}
	e := &jsonEncoder{out: dst, path: root}
	if err := e.value(schema, v, 0); err != nil {
		return dst, err
	}
	return e.out, nil
}

// jnode is a parsed JSON value. Objects keep their members in order,
// duplicates included, so maps round-trip exactly.
type jnode struct {
	kind byte // 'n' null, 'b' bool, 'd' number, 's' string, 'a' array, 'o' object
	b    bool
	s    string // number text or string
	arr  []*jnode
	obj  []jmember
	off  int
}

type jmember struct {
	key string
	val *jnode
}

func (n *jnode) kindName() string {
	switch n.kind {
	case 'n':
		return "null"
	case 'b':
		return "a boolean"
	case 'd':
		return "a number"
	case 's':
		return "a string"
	case 'a':
		return "an array"
	default:
		return "an object"
	}
}

type jsonParser struct {
	data []byte
	dec  *json.Decoder
}

func parseJSON(data []byte) (*jnode, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	v, err := p.node(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("invalid JSON after the value: %w", err)
		}
		return nil, fmt.Errorf("offset %d: more than one JSON value", p.valueStart())
	}
	return v, nil
}

// valueStart is the offset of the next value: the decoder's position after
// the separators ':' and ',' and white space.
func (p *jsonParser) valueStart() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\n', '\r', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jsonParser) node(depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("offset %d: JSON nests deeper than %d levels", p.valueStart(), maxDepth)
	}
	off := p.valueStart()
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			if depth == 0 {
				return nil, errors.New("no JSON value")
			}
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	n := &jnode{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = 'n'
	case bool:
		n.kind, n.b = 'b', t
	case json.Number:
		n.kind, n.s = 'd', string(t)
	case string:
		n.kind, n.s = 's', t
	case json.Delim:
		switch t {
		case '[':
			n.kind = 'a'
			for p.dec.More() {
				c, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, c)
			}
		case '{':
			n.kind = 'o'
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				key, _ := kt.(string)
				c, err := p.node(depth + 1)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, jmember{key: key, val: c})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
	}
	return n, nil
}

type jsonEncoder struct {
	out  []byte
	path path
}

func (e *jsonEncoder) errorf(n *jnode, format string, args ...any) error {
	off := -1
	if n != nil {
		off = n.off
	}
	return e.path.errorf(off, ErrInvalidValue, format, args...)
}

func (e *jsonEncoder) want(n *jnode, what string) error {
	return e.errorf(n, "want %s, got %s", what, n.kindName())
}

func (e *jsonEncoder) value(s avro.Schema, n *jnode, depth int) error {
	if depth > maxDepth {
		return e.errorf(n, "value nests deeper than %d levels", maxDepth)
	}
	s = deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		if n.kind != 'n' {
			return e.want(n, "null")
		}
		return nil
	case *avro.PrimitiveSchema:
		return e.primitive(t, n)
	case *avro.RecordSchema:
		if n.kind != 'o' {
			return e.want(n, "an object for record "+t.FullName())
		}
		seen := make(map[string]bool, len(n.obj))
		for _, m := range n.obj {
			if seen[m.key] {
				return e.errorf(m.val, "field %q appears twice", m.key)
			}
			seen[m.key] = true
			if !slices.ContainsFunc(t.Fields(), func(f *avro.Field) bool { return f.Name() == m.key }) {
				return e.errorf(m.val, "record %s has no field %q", t.FullName(), m.key)
			}
		}
		for _, f := range t.Fields() {
			e.path.field(f.Name())
			var v *jnode
			for _, m := range n.obj {
				if m.key == f.Name() {
					v = m.val
					break
				}
			}
			var err error
			switch {
			case v != nil:
				err = e.value(f.Type(), v, depth+1)
			case f.HasDefault():
				err = e.defaultValue(f.Type(), f.Default(), depth+1)
			default:
				err = e.errorf(n, "missing (the field has no default)")
			}
			if err != nil {
				return err
			}
			e.path.pop()
		}
		return nil
	case *avro.EnumSchema:
		if n.kind != 's' {
			return e.want(n, "a string symbol of enum "+t.FullName())
		}
		i := slices.Index(t.Symbols(), n.s)
		if i < 0 {
			return e.errorf(n, "%q is not a symbol of enum %s %v", n.s, t.FullName(), t.Symbols())
		}
		e.out = appendVarint(e.out, int64(i))
		return nil
	case *avro.FixedSchema:
		return e.fixed(t, n)
	case *avro.ArraySchema:
		if n.kind != 'a' {
			return e.want(n, "an array")
		}
		if len(n.arr) > 0 {
			e.out = appendVarint(e.out, int64(len(n.arr)))
			for i, c := range n.arr {
				e.path.index(i)
				if err := e.value(t.Items(), c, depth+1); err != nil {
					return err
				}
				e.path.pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.MapSchema:
		if n.kind != 'o' {
			return e.want(n, "an object for a map")
		}
		if len(n.obj) > 0 {
			e.out = appendVarint(e.out, int64(len(n.obj)))
			for _, m := range n.obj {
				e.out = appendString(e.out, m.key)
				e.path.key(m.key)
				if err := e.value(t.Values(), m.val, depth+1); err != nil {
					return err
				}
				e.path.pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.UnionSchema:
		return e.union(t, n, depth)
	}
	return e.errorf(n, "unsupported schema type %s", s.Type())
}

func (e *jsonEncoder) union(u *avro.UnionSchema, n *jnode, depth int) error {
	types := u.Types()
	if n.kind == 'n' {
		for i, br := range types {
			if deref(br).Type() == avro.Null {
				e.out = appendVarint(e.out, int64(i))
				return nil
			}
		}
		return e.errorf(n, "null is not a branch of union %s", unionNames(u))
	}
	if isNullable(u) {
		i := 0
		if deref(types[0]).Type() == avro.Null {
			i = 1
		}
		e.out = appendVarint(e.out, int64(i))
		return e.value(types[i], n, depth+1)
	}
	if n.kind != 'o' || len(n.obj) != 1 {
		return e.errorf(n, `want {"<branch>": value} for union %s, got %s`, unionNames(u), n.kindName())
	}
	key := n.obj[0].key
	match := -1
	for i, br := range types {
		if branchName(br) == key {
			match = i
			break
		}
	}
	if match < 0 { // a short name for a named type, when unambiguous
		for i, br := range types {
			if ns, ok := deref(br).(avro.NamedSchema); ok && ns.Name() == key {
				if match >= 0 {
					match = -2
					break
				}
				match = i
			}
		}
	}
	if match < 0 {
		return e.errorf(n, "%q is not a branch of union %s", key, unionNames(u))
	}
	e.out = appendVarint(e.out, int64(match))
	return e.value(types[match], n.obj[0].val, depth+1)
}

func unionNames(u *avro.UnionSchema) string {
	names := make([]string, len(u.Types()))
	for i, t := range u.Types() {
		names[i] = branchName(t)
	}
	return "[" + strings.Join(names, ",") + "]"
}

func (e *jsonEncoder) primitive(s *avro.PrimitiveSchema, n *jnode) error {
	var logical avro.LogicalType
	l := logicalOf(s)
	if l != nil {
		logical = l.Type()
	}
	switch s.Type() {
	case avro.Null:
		if n.kind != 'n' {
			return e.want(n, "null")
		}
	case avro.Boolean:
		if n.kind != 'b' {
			return e.want(n, "true or false")
		}
		if n.b {
			e.out = append(e.out, 1)
		} else {
			e.out = append(e.out, 0)
		}
	case avro.Int:
		v, err := e.intValue(n, logical)
		if err != nil {
			return err
		}
		e.out = appendVarint(e.out, int64(v))
	case avro.Long:
		v, err := e.longValue(n, logical)
		if err != nil {
			return err
		}
		e.out = appendVarint(e.out, v)
	case avro.Float:
		f, err := e.floatValue(n, 32)
		if err != nil {
			return err
		}
		e.out = binary.LittleEndian.AppendUint32(e.out, math.Float32bits(float32(f)))
	case avro.Double:
		f, err := e.floatValue(n, 64)
		if err != nil {
			return err
		}
		e.out = binary.LittleEndian.AppendUint64(e.out, math.Float64bits(f))
	case avro.Bytes:
		if dec, ok := l.(*avro.DecimalLogicalSchema); ok {
			unscaled, err := e.decimalValue(n, dec)
			if err != nil {
				return err
			}
			b := decimalBytes(unscaled, 0)
			e.out = appendVarint(e.out, int64(len(b)))
			e.out = append(e.out, b...)
			return nil
		}
		b, err := e.base64Value(n)
		if err != nil {
			return err
		}
		e.out = appendVarint(e.out, int64(len(b)))
		e.out = append(e.out, b...)
	case avro.String:
		if n.kind != 's' {
			return e.want(n, "a string")
		}
		e.out = appendString(e.out, n.s)
	default:
		return e.errorf(n, "unsupported primitive type %s", s.Type())
	}
	return nil
}

func (e *jsonEncoder) fixed(s *avro.FixedSchema, n *jnode) error {
	l := logicalOf(s)
	if dec, ok := l.(*avro.DecimalLogicalSchema); ok {
		unscaled, err := e.decimalValue(n, dec)
		if err != nil {
			return err
		}
		b := decimalBytes(unscaled, s.Size())
		if b == nil {
			return e.errorf(n, "decimal %s does not fit in fixed %s of %d byte(s)", n.s, s.FullName(), s.Size())
		}
		e.out = append(e.out, b...)
		return nil
	}
	if isUUIDFixed(s) && n.kind == 's' && len(n.s) == 36 {
		b, ok := parseUUID(n.s)
		if !ok {
			return e.errorf(n, "%q is not a UUID (8-4-4-4-12 hex digits)", n.s)
		}
		e.out = append(e.out, b[:]...)
		return nil
	}
	b, err := e.base64Value(n)
	if err != nil {
		return err
	}
	if len(b) != s.Size() {
		return e.errorf(n, "fixed %s holds %d byte(s), got %d", s.FullName(), s.Size(), len(b))
	}
	e.out = append(e.out, b...)
	return nil
}

func (e *jsonEncoder) base64Value(n *jnode) ([]byte, error) {
	if n.kind != 's' {
		return nil, e.want(n, "a base64 string")
	}
	b, err := base64.StdEncoding.DecodeString(n.s)
	if err != nil {
		return nil, e.errorf(n, "not standard base64: %v", err)
	}
	return b, nil
}

func (e *jsonEncoder) intValue(n *jnode, logical avro.LogicalType) (int32, error) {
	if n.kind == 's' {
		switch logical {
		case avro.Date:
			t, err := time.Parse(layoutDate, n.s)
			if err != nil {
				return 0, e.errorf(n, "%q is not a date (YYYY-MM-DD)", n.s)
			}
			return int32(t.Unix() / secsPerDay), nil
		case avro.TimeMillis:
			v, ok := parseTimeOfDay(n.s, 3)
			if !ok {
				return 0, e.errorf(n, "%q is not a time of day (HH:MM:SS[.fff])", n.s)
			}
			return int32(v), nil
		}
	}
	if n.kind != 'd' {
		return 0, e.want(n, "an integer")
	}
	v, err := strconv.ParseInt(n.s, 10, 32)
	if err != nil {
		return 0, e.errorf(n, "%s is not a 32-bit integer", n.s)
	}
	return int32(v), nil
}

func (e *jsonEncoder) longValue(n *jnode, logical avro.LogicalType) (int64, error) {
	if n.kind == 's' {
		switch logical {
		case avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros:
			zoned := logical == avro.TimestampMillis || logical == avro.TimestampMicros
			var t time.Time
			var err error
			if zoned {
				t, err = time.Parse(time.RFC3339Nano, n.s)
			} else {
				t, err = time.Parse("2006-01-02T15:04:05", n.s)
			}
			if err != nil {
				form := "an RFC 3339 timestamp"
				if !zoned {
					form = "a local timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff], no zone)"
				}
				return 0, e.errorf(n, "%q is not %s", n.s, form)
			}
			if logical == avro.TimestampMillis || logical == avro.LocalTimestampMillis {
				if t.Nanosecond()%1e6 != 0 {
					return 0, e.errorf(n, "%q is more precise than milliseconds", n.s)
				}
				return t.UnixMilli(), nil
			}
			if t.Nanosecond()%1e3 != 0 {
				return 0, e.errorf(n, "%q is more precise than microseconds", n.s)
			}
			return t.UnixMicro(), nil
		case avro.TimeMicros:
			v, ok := parseTimeOfDay(n.s, 6)
			if !ok {
				return 0, e.errorf(n, "%q is not a time of day (HH:MM:SS[.ffffff])", n.s)
			}
			return v, nil
		}
	}
	if n.kind != 'd' {
		return 0, e.want(n, "an integer")
	}
	v, err := strconv.ParseInt(n.s, 10, 64)
	if err != nil {
		return 0, e.errorf(n, "%s is not a 64-bit integer", n.s)
	}
	return v, nil
}

func (e *jsonEncoder) floatValue(n *jnode, bits int) (float64, error) {
	if n.kind == 's' {
		switch n.s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	if n.kind != 'd' {
		return 0, e.want(n, `a number (or "NaN", "Infinity", "-Infinity")`)
	}
	f, err := strconv.ParseFloat(n.s, bits)
	if err != nil {
		return 0, e.errorf(n, "%s does not fit a %d-bit float", n.s, bits)
	}
	return f, nil
}

// maxDecimalExponent bounds the exponent of a decimal JSON number, so that
// "1e999999999" is an error rather than a huge computation.
const maxDecimalExponent = 10000

// decimalValue parses a JSON number into the unscaled integer of a decimal
// with the schema's scale, failing if digits would be lost or the precision
// exceeded.
func (e *jsonEncoder) decimalValue(n *jnode, dec *avro.DecimalLogicalSchema) (*big.Int, error) {
	if n.kind != 'd' {
		return nil, e.want(n, "a number for a decimal")
	}
	unscaled, err := parseDecimal(n.s, dec.Scale())
	if err != nil {
		return nil, e.errorf(n, "decimal(%d,%d): %s %v", dec.Precision(), dec.Scale(), n.s, err)
	}
	if dec.Precision() > 0 {
		digits := len(new(big.Int).Abs(unscaled).String())
		if unscaled.Sign() != 0 && digits > dec.Precision() {
			return nil, e.errorf(n, "decimal(%d,%d): %s has %d digits, more than the precision", dec.Precision(), dec.Scale(), n.s, digits)
		}
	}
	return unscaled, nil
}

// parseDecimal turns JSON number text into value * 10^scale, exactly.
func parseDecimal(text string, scale int) (*big.Int, error) {
	mant, exp := text, 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		x, err := strconv.Atoi(text[i+1:])
		if err != nil || x > maxDecimalExponent || x < -maxDecimalExponent {
			return nil, errors.New("has an exponent out of range")
		}
		mant, exp = text[:i], x
	}
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	shift := exp - len(frac) + scale // value = digits * 10^shift
	if digits == "" {
		return new(big.Int), nil
	}
	if shift < 0 {
		if -shift > len(digits) {
			if strings.Trim(digits, "0") != "" {
				return nil, fmt.Errorf("has more than %d fractional digit(s)", scale)
			}
			return new(big.Int), nil
		}
		drop := digits[len(digits)+shift:]
		if strings.Trim(drop, "0") != "" {
			return nil, fmt.Errorf("has more than %d fractional digit(s)", scale)
		}
		digits = digits[:len(digits)+shift]
		shift = 0
	}
	if shift > maxDecimalExponent {
		return nil, errors.New("is too large")
	}
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, errors.New("is not a number")
	}
	if shift > 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	if neg {
		v.Neg(v)
	}
	return v, nil
}

// decimalBytes is the two's-complement big-endian form of n: the shortest
// when size is 0, otherwise exactly size bytes (nil if n does not fit).
func decimalBytes(n *big.Int, size int) []byte {
	var k int
	var v *big.Int
	if n.Sign() >= 0 {
		k = n.BitLen()/8 + 1
		v = n
	} else {
		m := new(big.Int).Neg(n)
		m.Sub(m, big.NewInt(1))
		k = m.BitLen()/8 + 1
	}
	if size > 0 {
		if k > size {
			return nil
		}
		k = size
	}
	if n.Sign() < 0 {
		v = new(big.Int).Lsh(big.NewInt(1), uint(8*k))
		v.Add(v, n)
	}
	return v.FillBytes(make([]byte, k))
}

func parseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	j := 0
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return b, false
			}
			continue
		}
		if i+1 >= len(s) {
			return b, false
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 || j >= 16 {
			return b, false
		}
		b[j] = hi<<4 | lo
		j++
		i++
	}
	return b, j == 16
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseTimeOfDay parses HH:MM:SS[.f...] into milliseconds (digits 3) or
// microseconds (digits 6) after midnight.
func parseTimeOfDay(s string, digits int) (int64, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, false
	}
	num := func(t string) (int64, bool) {
		v, err := strconv.ParseUint(t, 10, 32)
		return int64(v), err == nil && len(t) == 2
	}
	h, ok1 := num(s[0:2])
	m, ok2 := num(s[3:5])
	sec, ok3 := num(s[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	unit := int64(1000)
	if digits == 6 {
		unit = 1000000
	}
	var frac int64
	if rest := s[8:]; rest != "" {
		if rest[0] != '.' || len(rest) < 2 || len(rest)-1 > digits {
			return 0, false
		}
		f := rest[1:]
		for len(f) < digits {
			f += "0"
		}
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return 0, false
		}
		frac = int64(v)
	}
	return ((h*60+m)*60+sec)*unit + frac, true
}

// defaultValue encodes a field default as hamba/avro parsed it (schema
// resolution fills the same value in).
func (e *jsonEncoder) defaultValue(s avro.Schema, def any, depth int) error {
	if depth > maxDepth {
		return e.errorf(nil, "default nests deeper than %d levels", maxDepth)
	}
	s = deref(s)
	bad := func() error { return e.errorf(nil, "cannot encode default %v (%T) as %s", def, def, s.Type()) }
	switch t := s.(type) {
	case *avro.NullSchema:
		return nil // hamba's null default has its own type; nothing to write
	case *avro.UnionSchema:
		// A union's default is a value of its first branch.
		e.out = appendVarint(e.out, 0)
		return e.defaultValue(t.Types()[0], def, depth+1)
	case *avro.RecordSchema:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		for _, f := range t.Fields() {
			v, ok := m[f.Name()]
			if !ok {
				if !f.HasDefault() {
					return bad()
				}
				v = f.Default()
			}
			e.path.field(f.Name())
			if err := e.defaultValue(f.Type(), v, depth+1); err != nil {
				return err
			}
			e.path.pop()
		}
		return nil
	case *avro.EnumSchema:
		sym, ok := def.(string)
		i := slices.Index(t.Symbols(), sym)
		if !ok || i < 0 {
			return bad()
		}
		e.out = appendVarint(e.out, int64(i))
		return nil
	case *avro.FixedSchema:
		rv := reflect.ValueOf(def)
		if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 || rv.Len() != t.Size() {
			return bad()
		}
		for i := 0; i < rv.Len(); i++ {
			e.out = append(e.out, byte(rv.Index(i).Uint()))
		}
		return nil
	case *avro.ArraySchema:
		items, ok := def.([]any)
		if !ok {
			return bad()
		}
		if len(items) > 0 {
			e.out = appendVarint(e.out, int64(len(items)))
			for i, it := range items {
				e.path.index(i)
				if err := e.defaultValue(t.Items(), it, depth+1); err != nil {
					return err
				}
				e.path.pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.MapSchema:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys) // deterministic bytes
			e.out = appendVarint(e.out, int64(len(keys)))
			for _, k := range keys {
				e.out = appendString(e.out, k)
				e.path.key(k)
				if err := e.defaultValue(t.Values(), m[k], depth+1); err != nil {
					return err
				}
				e.path.pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.PrimitiveSchema:
		switch t.Type() {
		case avro.Null:
			return nil // hamba's null default has its own type; nothing to write
		case avro.Boolean:
			b, ok := def.(bool)
			if !ok {
				return bad()
			}
			if b {
				e.out = append(e.out, 1)
			} else {
				e.out = append(e.out, 0)
			}
			return nil
		case avro.Int, avro.Long:
			var v int64
			switch x := def.(type) {
			case int:
				v = int64(x)
			case int32:
				v = int64(x)
			case int64:
				v = x
			case float64:
				v = int64(x)
			default:
				return bad()
			}
			e.out = appendVarint(e.out, v)
			return nil
		case avro.Float:
			var f float32
			switch x := def.(type) {
			case float32:
				f = x
			case float64:
				f = float32(x)
			default:
				return bad()
			}
			e.out = binary.LittleEndian.AppendUint32(e.out, math.Float32bits(f))
			return nil
		case avro.Double:
			f, ok := def.(float64)
			if !ok {
				return bad()
			}
			e.out = binary.LittleEndian.AppendUint64(e.out, math.Float64bits(f))
			return nil
		case avro.Bytes:
			b, ok := def.([]byte)
			if !ok {
				return bad()
			}
			e.out = appendVarint(e.out, int64(len(b)))
			e.out = append(e.out, b...)
			return nil
		case avro.String:
			str, ok := def.(string)
			if !ok {
				return bad()
			}
			e.out = appendString(e.out, str)
			return nil
		}
	}
	return bad()
}

func appendVarint(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

func appendString(dst []byte, s string) []byte {
	dst = appendVarint(dst, int64(len(s)))
	return append(dst, s...)
}
