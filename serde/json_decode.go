package serde

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/hamba/avro/v2"
)

// maxDepth bounds how deeply values nest (records, arrays, maps, unions)
// while converting, so hostile input cannot exhaust the stack.
const maxDepth = 1000

// maxEmptyItems bounds how many array or map items that take no bytes (null,
// empty records) one value may contain, so a few bytes cannot describe an
// unbounded output.
const maxEmptyItems = 1 << 20

// DecodeJSON decodes a framed record into JSON with the writer schema named
// by its header, fetched through the registry. It returns the schema too.
//
// The JSON mapping (EncodeJSON is its inverse; one line, no spaces):
//
//   - record: an object with the fields in schema order.
//   - null, boolean, string: JSON null, true/false, string. Avro strings
//     must be valid UTF-8.
//   - int, long: JSON numbers, exact (never through float64).
//   - float, double: JSON numbers in the shortest form that reads back to
//     the same bits; NaN and infinities as the strings "NaN", "Infinity"
//     and "-Infinity".
//   - bytes, fixed: standard base64 strings (RFC 4648, with padding).
//   - enum: the symbol as a string.
//   - array: an array; map: an object.
//   - union of null and one other type: null or the plain value. Any other
//     union: null for its null branch, otherwise Avro JSON's one-member
//     object {"<branch>": value}, the branch named by its full name for
//     named types and by its type name otherwise ("string", "array",
//     "map").
//   - logical types: timestamp-millis/-micros as RFC 3339 strings in UTC
//     with exactly 3/6 fractional digits ("2024-05-01T12:00:00.000Z");
//     local-timestamp-millis/-micros the same without the zone; date as
//     "YYYY-MM-DD"; time-millis/-micros as "HH:MM:SS.fff"/"HH:MM:SS.ffffff";
//     decimal (bytes or fixed) as a JSON number with exactly scale
//     fractional digits; uuid on fixed(16) as the 36-character hex form
//     (uuid on string is the string). A logical value outside what its
//     readable form can show (a year after 9999, a time of day out of
//     range) is written as the underlying number, which EncodeJSON also
//     accepts.
//
// Errors name the schema id, the field path and the byte offset in framed;
// truncated bodies match ErrTruncated, bad bytes ErrInvalidValue, and an
// unknown id ErrUnknownSchemaID. When the body does not decode, the writer
// schema is returned with the error.
func (r *Registry) DecodeJSON(ctx context.Context, framed []byte) (json []byte, s *Schema, err error) {
	id, body, err := ParseHeader(framed)
	if err != nil {
		return nil, nil, err
	}
	s, err = r.SchemaByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	out, err := appendJSON(nil, s.Avro, body, HeaderSize)
	if err != nil {
		return nil, s, fmt.Errorf("decode with schema id %d: %w", id, err)
	}
	return out, s, nil
}

// AppendJSON appends the JSON form (see DecodeJSON) of the Avro body, written
// with schema, to dst. The body must hold exactly one value; error offsets
// count from the start of body.
func AppendJSON(dst []byte, schema avro.Schema, body []byte) ([]byte, error) {
	return appendJSON(dst, schema, body, 0)
}

func appendJSON(dst []byte, schema avro.Schema, body []byte, base int) ([]byte, error) {
	d := &jsonDecoder{in: body, base: base, out: dst}
	d.path = make(path, 0, 8)
	d.path.field(typeLabel(schema))
	if err := d.value(schema, 0); err != nil {
		return dst, err
	}
	if d.pos != len(d.in) {
		return dst, d.path.errorf(d.base+d.pos, ErrInvalidValue, "%d byte(s) left after the value", len(d.in)-d.pos)
	}
	return d.out, nil
}

// typeLabel names a schema for the root of a field path.
func typeLabel(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return n.Name()
	}
	return string(s.Type())
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

type jsonDecoder struct {
	in    []byte
	pos   int
	base  int
	out   []byte
	path  path
	empty int
}

func (d *jsonDecoder) truncated(need int) error {
	return d.path.errorf(d.base+d.pos, ErrTruncated, "need %d byte(s), have %d", need, len(d.in)-d.pos)
}

func (d *jsonDecoder) invalid(at int, format string, args ...any) error {
	return d.path.errorf(d.base+at, ErrInvalidValue, format, args...)
}

// varint reads a zig-zag varint of at most maxBytes bytes.
func (d *jsonDecoder) varint(maxBytes int, what string) (int64, error) {
	start := d.pos
	var v uint64
	for i := 0; i < maxBytes; i++ {
		if d.pos >= len(d.in) {
			d.pos = start
			return 0, d.truncated(i + 1)
		}
		b := d.in[d.pos]
		d.pos++
		if i == 9 && b > 1 {
			return 0, d.invalid(start, "%s varint overflows 64 bits", what)
		}
		v |= uint64(b&0x7f) << (7 * uint(i))
		if b&0x80 == 0 {
			return int64(v>>1) ^ -int64(v&1), nil
		}
	}
	return 0, d.invalid(start, "%s varint longer than %d bytes", what, maxBytes)
}

func (d *jsonDecoder) readInt() (int32, error) {
	start := d.pos
	v, err := d.varint(5, "int")
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, d.invalid(start, "int varint out of 32-bit range")
	}
	return int32(v), nil
}

func (d *jsonDecoder) readLong() (int64, error) { return d.varint(10, "long") }

func (d *jsonDecoder) take(n int) ([]byte, error) {
	if n > len(d.in)-d.pos {
		return nil, d.truncated(n)
	}
	b := d.in[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// readBytes reads a length-prefixed byte string.
func (d *jsonDecoder) readBytes() ([]byte, error) {
	start := d.pos
	n, err := d.readLong()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, d.invalid(start, "negative length %d", n)
	}
	if n > int64(len(d.in)-d.pos) {
		return nil, d.truncated(int(min(n, math.MaxInt32)))
	}
	return d.take(int(n))
}

func (d *jsonDecoder) value(s avro.Schema, depth int) error {
	if depth > maxDepth {
		return d.invalid(d.pos, "value nests deeper than %d levels", maxDepth)
	}
	s = deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		d.out = append(d.out, "null"...)
		return nil
	case *avro.PrimitiveSchema:
		return d.primitive(t)
	case *avro.RecordSchema:
		d.out = append(d.out, '{')
		for i, f := range t.Fields() {
			if i > 0 {
				d.out = append(d.out, ',')
			}
			d.out = appendJSONString(d.out, f.Name())
			d.out = append(d.out, ':')
			d.path.field(f.Name())
			if err := d.value(f.Type(), depth+1); err != nil {
				return err
			}
			d.path.pop()
		}
		d.out = append(d.out, '}')
		return nil
	case *avro.EnumSchema:
		start := d.pos
		i, err := d.readInt()
		if err != nil {
			return err
		}
		sym, ok := t.Symbol(int(i))
		if !ok {
			return d.invalid(start, "enum %s index %d out of range [0,%d)", t.FullName(), i, len(t.Symbols()))
		}
		d.out = appendJSONString(d.out, sym)
		return nil
	case *avro.FixedSchema:
		b, err := d.take(t.Size())
		if err != nil {
			return err
		}
		return d.fixed(t, b)
	case *avro.ArraySchema:
		d.out = append(d.out, '[')
		n := 0
		err := d.blocks(func() error {
			if n > 0 {
				d.out = append(d.out, ',')
			}
			d.path.index(n)
			n++
			if err := d.value(t.Items(), depth+1); err != nil {
				return err
			}
			d.path.pop()
			return nil
		})
		if err != nil {
			return err
		}
		d.out = append(d.out, ']')
		return nil
	case *avro.MapSchema:
		d.out = append(d.out, '{')
		n := 0
		err := d.blocks(func() error {
			start := d.pos
			k, err := d.readBytes()
			if err != nil {
				return err
			}
			if !utf8.Valid(k) {
				return d.invalid(start, "map key is not valid UTF-8")
			}
			if n > 0 {
				d.out = append(d.out, ',')
			}
			n++
			d.out = appendJSONString(d.out, string(k))
			d.out = append(d.out, ':')
			d.path.key(string(k))
			if err := d.value(t.Values(), depth+1); err != nil {
				return err
			}
			d.path.pop()
			return nil
		})
		if err != nil {
			return err
		}
		d.out = append(d.out, '}')
		return nil
	case *avro.UnionSchema:
		start := d.pos
		i, err := d.readLong()
		if err != nil {
			return err
		}
		types := t.Types()
		if i < 0 || i >= int64(len(types)) {
			return d.invalid(start, "union branch %d out of range [0,%d)", i, len(types))
		}
		br := deref(types[i])
		if br.Type() == avro.Null {
			d.out = append(d.out, "null"...)
			return nil
		}
		if isNullable(t) {
			return d.value(br, depth+1)
		}
		d.out = append(d.out, '{')
		d.out = appendJSONString(d.out, branchName(br))
		d.out = append(d.out, ':')
		if err := d.value(br, depth+1); err != nil {
			return err
		}
		d.out = append(d.out, '}')
		return nil
	}
	return d.invalid(d.pos, "unsupported schema type %s", s.Type())
}

// blocks reads the blocks of an array or map, calling item for each item.
func (d *jsonDecoder) blocks(item func() error) error {
	for {
		start := d.pos
		count, err := d.readLong()
		if err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		if count < 0 {
			if count == math.MinInt64 {
				return d.invalid(start, "block count out of range")
			}
			count = -count
			// A negative count is followed by the block's size in bytes.
			sizeAt := d.pos
			size, err := d.readLong()
			if err != nil {
				return err
			}
			if size < 0 {
				return d.invalid(sizeAt, "negative block size %d", size)
			}
		}
		for ; count > 0; count-- {
			before := d.pos
			if err := item(); err != nil {
				return err
			}
			if d.pos == before {
				d.empty++
				if d.empty > maxEmptyItems {
					return d.invalid(before, "more than %d items that take no bytes", maxEmptyItems)
				}
			}
		}
	}
}

// isNullable reports whether u is a two-branch union with null.
func isNullable(u *avro.UnionSchema) bool {
	types := u.Types()
	return len(types) == 2 && (deref(types[0]).Type() == avro.Null) != (deref(types[1]).Type() == avro.Null)
}

// branchName is the key of a union branch in the JSON wrapper object.
func branchName(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

func logicalOf(s avro.Schema) avro.LogicalSchema {
	if ls, ok := s.(avro.LogicalTypeSchema); ok {
		if l := ls.Logical(); l != nil {
			return l
		}
	}
	return nil
}

func (d *jsonDecoder) primitive(s *avro.PrimitiveSchema) error {
	start := d.pos
	var logical avro.LogicalType
	if l := logicalOf(s); l != nil {
		logical = l.Type()
	}
	switch s.Type() {
	case avro.Null:
		d.out = append(d.out, "null"...)
	case avro.Boolean:
		b, err := d.take(1)
		if err != nil {
			return err
		}
		switch b[0] {
		case 0:
			d.out = append(d.out, "false"...)
		case 1:
			d.out = append(d.out, "true"...)
		default:
			return d.invalid(start, "boolean byte 0x%02x is not 0 or 1", b[0])
		}
	case avro.Int:
		v, err := d.readInt()
		if err != nil {
			return err
		}
		switch logical {
		case avro.Date:
			d.out = appendDate(d.out, v)
		case avro.TimeMillis:
			d.out = appendTimeOfDay(d.out, int64(v), 3)
		default:
			d.out = strconv.AppendInt(d.out, int64(v), 10)
		}
	case avro.Long:
		v, err := d.readLong()
		if err != nil {
			return err
		}
		switch logical {
		case avro.TimestampMillis:
			d.out = appendTimestamp(d.out, v, 3, true)
		case avro.TimestampMicros:
			d.out = appendTimestamp(d.out, v, 6, true)
		case avro.LocalTimestampMillis:
			d.out = appendTimestamp(d.out, v, 3, false)
		case avro.LocalTimestampMicros:
			d.out = appendTimestamp(d.out, v, 6, false)
		case avro.TimeMicros:
			d.out = appendTimeOfDay(d.out, v, 6)
		default:
			d.out = strconv.AppendInt(d.out, v, 10)
		}
	case avro.Float:
		b, err := d.take(4)
		if err != nil {
			return err
		}
		d.out = appendFloat(d.out, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 32)
	case avro.Double:
		b, err := d.take(8)
		if err != nil {
			return err
		}
		d.out = appendFloat(d.out, math.Float64frombits(binary.LittleEndian.Uint64(b)), 64)
	case avro.Bytes:
		b, err := d.readBytes()
		if err != nil {
			return err
		}
		if dec, ok := logicalOf(s).(*avro.DecimalLogicalSchema); ok {
			return d.decimal(start, b, dec)
		}
		d.out = appendBase64(d.out, b)
	case avro.String:
		b, err := d.readBytes()
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return d.invalid(start, "string is not valid UTF-8")
		}
		d.out = appendJSONString(d.out, string(b))
	default:
		return d.invalid(start, "unsupported primitive type %s", s.Type())
	}
	return nil
}

func (d *jsonDecoder) fixed(s *avro.FixedSchema, b []byte) error {
	if l, ok := logicalOf(s).(*avro.DecimalLogicalSchema); ok {
		return d.decimal(d.pos-len(b), b, l)
	}
	if isUUIDFixed(s) {
		d.out = appendUUID(d.out, b)
		return nil
	}
	d.out = appendBase64(d.out, b)
	return nil
}

// isUUIDFixed reports whether s is a fixed(16) with logical type uuid (Avro
// 1.12). hamba/avro does not parse that logical type and leaves it among
// the properties.
func isUUIDFixed(s *avro.FixedSchema) bool {
	return s.Size() == 16 && s.Prop("logicalType") == string(avro.UUID)
}

// decimal writes a decimal, refusing one with more digits than its
// precision allows: EncodeJSON refuses those too.
func (d *jsonDecoder) decimal(at int, b []byte, dec *avro.DecimalLogicalSchema) error {
	if p := dec.Precision(); p > 0 {
		n := decimalUnscaled(b)
		if digits := len(n.Abs(n).String()); n.Sign() != 0 && digits > p {
			return d.invalid(at, "decimal(%d,%d) has %d digits, more than the precision", p, dec.Scale(), digits)
		}
	}
	d.out = appendDecimal(d.out, b, dec.Scale())
	return nil
}

func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	// As encoding/json: plain notation unless very small or large.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, bits)
}

const (
	layoutDate = "2006-01-02"
	secsPerDay = 86400
)

func appendDate(dst []byte, days int32) []byte {
	t := time.Unix(int64(days)*secsPerDay, 0).UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return strconv.AppendInt(dst, int64(days), 10)
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, layoutDate)
	return append(dst, '"')
}

// appendTimestamp writes v (milliseconds or microseconds since the epoch) as
// RFC 3339 with digits fractional digits, in UTC with "Z" when zoned.
func appendTimestamp(dst []byte, v int64, digits int, zoned bool) []byte {
	var t time.Time
	if digits == 3 {
		t = time.UnixMilli(v).UTC()
	} else {
		t = time.UnixMicro(v).UTC()
	}
	if t.Year() < 0 || t.Year() > 9999 {
		return strconv.AppendInt(dst, v, 10)
	}
	layout := "2006-01-02T15:04:05.000"
	if digits == 6 {
		layout = "2006-01-02T15:04:05.000000"
	}
	if zoned {
		layout += "Z07:00"
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, layout)
	return append(dst, '"')
}

// appendTimeOfDay writes v (milliseconds or microseconds after midnight) as
// HH:MM:SS with digits fractional digits.
func appendTimeOfDay(dst []byte, v int64, digits int) []byte {
	unit := int64(1000)
	if digits == 6 {
		unit = 1000000
	}
	if v < 0 || v >= secsPerDay*unit {
		return strconv.AppendInt(dst, v, 10)
	}
	secs, frac := v/unit, v%unit
	dst = append(dst, '"')
	dst = appendPadded(dst, secs/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs%60, 2)
	dst = append(dst, '.')
	dst = appendPadded(dst, frac, digits)
	return append(dst, '"')
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendDecimal writes the two's-complement big-endian unscaled value b with
// scale as a JSON number with exactly scale fractional digits.
func appendDecimal(dst, b []byte, scale int) []byte {
	n := decimalUnscaled(b)
	neg := n.Sign() < 0
	digits := n.Abs(n).String()
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		for i := 0; i < -scale; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	for len(digits) <= scale {
		digits = "0" + digits
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

// decimalUnscaled reads a two's-complement big-endian integer.
func decimalUnscaled(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

func appendUUID(dst, b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, '"')
}

// appendJSONString writes s as a JSON string. s must be valid UTF-8; the
// escaping matches encoding/json without HTML escaping.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
