package serde

// The renderer as it was before the compiled plans (json_render.go), kept
// as the oracle of TestRenderMatchesOracle.

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/hamba/avro/v2"
)

const (
	oldLayoutDate = "2006-01-02"
	oldSecsPerDay = 86400
)

func oldAppendJSON(dst []byte, schema avro.Schema, body []byte, base int) ([]byte, error) {
	d := &oldJsonDecoder{in: body, base: base, out: dst}
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

type oldJsonDecoder struct {
	in    []byte
	pos   int
	base  int
	out   []byte
	path  path
	empty int
}

func (d *oldJsonDecoder) truncated(need int) error {
	return d.path.errorf(d.base+d.pos, ErrTruncated, "need %d byte(s), have %d", need, len(d.in)-d.pos)
}

func (d *oldJsonDecoder) invalid(at int, format string, args ...any) error {
	return d.path.errorf(d.base+at, ErrInvalidValue, format, args...)
}

// varint reads a zig-zag varint of at most maxBytes bytes.
func (d *oldJsonDecoder) varint(maxBytes int, what string) (int64, error) {
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

func (d *oldJsonDecoder) readInt() (int32, error) {
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

func (d *oldJsonDecoder) readLong() (int64, error) { return d.varint(10, "long") }

func (d *oldJsonDecoder) take(n int) ([]byte, error) {
	if n > len(d.in)-d.pos {
		return nil, d.truncated(n)
	}
	b := d.in[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// readBytes reads a length-prefixed byte string.
func (d *oldJsonDecoder) readBytes() ([]byte, error) {
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

func (d *oldJsonDecoder) value(s avro.Schema, depth int) error {
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
func (d *oldJsonDecoder) blocks(item func() error) error {
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

func (d *oldJsonDecoder) primitive(s *avro.PrimitiveSchema) error {
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
			d.out = oldAppendDate(d.out, v)
		case avro.TimeMillis:
			d.out = oldAppendTimeOfDay(d.out, int64(v), 3)
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
			d.out = oldAppendTimestamp(d.out, v, 3, true)
		case avro.TimestampMicros:
			d.out = oldAppendTimestamp(d.out, v, 6, true)
		case avro.LocalTimestampMillis:
			d.out = oldAppendTimestamp(d.out, v, 3, false)
		case avro.LocalTimestampMicros:
			d.out = oldAppendTimestamp(d.out, v, 6, false)
		case avro.TimeMicros:
			d.out = oldAppendTimeOfDay(d.out, v, 6)
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

func (d *oldJsonDecoder) fixed(s *avro.FixedSchema, b []byte) error {
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

// decimal writes a decimal, refusing one with more digits than its
// precision allows: EncodeJSON refuses those too.
func (d *oldJsonDecoder) decimal(at int, b []byte, dec *avro.DecimalLogicalSchema) error {
	if p := dec.Precision(); p > 0 {
		n := oldDecimalUnscaled(b)
		if digits := len(n.Abs(n).String()); n.Sign() != 0 && digits > p {
			return d.invalid(at, "decimal(%d,%d) has %d digits, more than the precision", p, dec.Scale(), digits)
		}
	}
	d.out = oldAppendDecimal(d.out, b, dec.Scale())
	return nil
}

func oldAppendDate(dst []byte, days int32) []byte {
	t := time.Unix(int64(days)*oldSecsPerDay, 0).UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return strconv.AppendInt(dst, int64(days), 10)
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, oldLayoutDate)
	return append(dst, '"')
}

// oldAppendTimestamp writes v (milliseconds or microseconds since the epoch) as
// RFC 3339 with digits fractional digits, in UTC with "Z" when zoned.
func oldAppendTimestamp(dst []byte, v int64, digits int, zoned bool) []byte {
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

// oldAppendTimeOfDay writes v (milliseconds or microseconds after midnight) as
// HH:MM:SS with digits fractional digits.
func oldAppendTimeOfDay(dst []byte, v int64, digits int) []byte {
	unit := int64(1000)
	if digits == 6 {
		unit = 1000000
	}
	if v < 0 || v >= oldSecsPerDay*unit {
		return strconv.AppendInt(dst, v, 10)
	}
	secs, frac := v/unit, v%unit
	dst = append(dst, '"')
	dst = oldAppendPadded(dst, secs/3600, 2)
	dst = append(dst, ':')
	dst = oldAppendPadded(dst, secs/60%60, 2)
	dst = append(dst, ':')
	dst = oldAppendPadded(dst, secs%60, 2)
	dst = append(dst, '.')
	dst = oldAppendPadded(dst, frac, digits)
	return append(dst, '"')
}

func oldAppendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// oldAppendDecimal writes the two's-complement big-endian unscaled value b with
// scale as a JSON number with exactly scale fractional digits.
func oldAppendDecimal(dst, b []byte, scale int) []byte {
	n := oldDecimalUnscaled(b)
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

// oldDecimalUnscaled reads a two's-complement big-endian integer.
func oldDecimalUnscaled(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}
