package avrojson

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
	"github.com/edactl/edactl/internal/jsontree"
)

// The encoder's leaves: JSON numbers and strings read as Avro primitives,
// fixeds and logical types (decimals, UUIDs, dates, times, timestamps).

func (e *jsonEncoder) primitive(s *avro.PrimitiveSchema, n *jsontree.Value) error {
	var logical avro.LogicalType
	l := logicalOf(s)
	if l != nil {
		logical = l.Type()
	}
	switch s.Type() {
	case avro.Null:
		if n.Kind() != jsontree.Null {
			return e.want(n, "null")
		}
	case avro.Boolean:
		if n.Kind() != jsontree.Bool {
			return e.want(n, "true or false")
		}
		if n.Bool() {
			e.out = append(e.out, 1)
		} else {
			e.out = append(e.out, 0)
		}
	case avro.Int:
		v, err := e.intValue(n, logical)
		if err != nil {
			return err
		}
		e.out = avrovalue.AppendLong(e.out, int64(v))
	case avro.Long:
		v, err := e.longValue(n, logical)
		if err != nil {
			return err
		}
		e.out = avrovalue.AppendLong(e.out, v)
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
			e.out = avrovalue.AppendLong(e.out, int64(len(b)))
			e.out = append(e.out, b...)
			return nil
		}
		b, err := e.base64Value(n)
		if err != nil {
			return err
		}
		e.out = avrovalue.AppendLong(e.out, int64(len(b)))
		e.out = append(e.out, b...)
	case avro.String:
		if n.Kind() != jsontree.String {
			return e.want(n, "a string")
		}
		e.out = avrovalue.AppendString(e.out, n.Text())
	default:
		return e.errorf(n, "unsupported primitive type %s", s.Type())
	}
	return nil
}

func (e *jsonEncoder) fixed(s *avro.FixedSchema, n *jsontree.Value) error {
	l := logicalOf(s)
	if dec, ok := l.(*avro.DecimalLogicalSchema); ok {
		unscaled, err := e.decimalValue(n, dec)
		if err != nil {
			return err
		}
		b := decimalBytes(unscaled, s.Size())
		if b == nil {
			return e.errorf(n, "decimal %s does not fit in fixed %s of %d byte(s)", n.Text(), s.FullName(), s.Size())
		}
		e.out = append(e.out, b...)
		return nil
	}
	if isUUIDFixed(s) && n.Kind() == jsontree.String && len(n.Text()) == 36 {
		b, ok := parseUUID(n.Text())
		if !ok {
			return e.errorf(n, "%q is not a UUID (8-4-4-4-12 hex digits)", n.Text())
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

func (e *jsonEncoder) base64Value(n *jsontree.Value) ([]byte, error) {
	if n.Kind() != jsontree.String {
		return nil, e.want(n, "a base64 string")
	}
	b, err := base64.StdEncoding.DecodeString(n.Text())
	if err != nil {
		return nil, e.errorf(n, "not standard base64: %v", err)
	}
	return b, nil
}

func (e *jsonEncoder) intValue(n *jsontree.Value, logical avro.LogicalType) (int32, error) {
	if n.Kind() == jsontree.String {
		switch logical {
		case avro.Date:
			t, err := time.Parse(layoutDate, n.Text())
			if err != nil {
				return 0, e.errorf(n, "%q is not a date (YYYY-MM-DD)", n.Text())
			}
			return int32(t.Unix() / secsPerDay), nil
		case avro.TimeMillis:
			v, ok := parseTimeOfDay(n.Text(), 3)
			if !ok {
				return 0, e.errorf(n, "%q is not a time of day (HH:MM:SS[.fff])", n.Text())
			}
			return int32(v), nil
		}
	}
	if n.Kind() != jsontree.Number {
		return 0, e.want(n, "an integer")
	}
	v, err := strconv.ParseInt(n.Text(), 10, 32)
	if err != nil {
		return 0, e.errorf(n, "%s is not a 32-bit integer", n.Text())
	}
	return int32(v), nil
}

func (e *jsonEncoder) longValue(n *jsontree.Value, logical avro.LogicalType) (int64, error) {
	if n.Kind() == jsontree.String {
		switch logical {
		case avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros:
			zoned := logical == avro.TimestampMillis || logical == avro.TimestampMicros
			var t time.Time
			var err error
			if zoned {
				t, err = time.Parse(time.RFC3339Nano, n.Text())
			} else {
				t, err = time.Parse("2006-01-02T15:04:05", n.Text())
			}
			if err != nil {
				form := "an RFC 3339 timestamp"
				if !zoned {
					form = "a local timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff], no zone)"
				}
				return 0, e.errorf(n, "%q is not %s", n.Text(), form)
			}
			if logical == avro.TimestampMillis || logical == avro.LocalTimestampMillis {
				if t.Nanosecond()%1e6 != 0 {
					return 0, e.errorf(n, "%q is more precise than milliseconds", n.Text())
				}
				return t.UnixMilli(), nil
			}
			if t.Nanosecond()%1e3 != 0 {
				return 0, e.errorf(n, "%q is more precise than microseconds", n.Text())
			}
			return t.UnixMicro(), nil
		case avro.TimeMicros:
			v, ok := parseTimeOfDay(n.Text(), 6)
			if !ok {
				return 0, e.errorf(n, "%q is not a time of day (HH:MM:SS[.ffffff])", n.Text())
			}
			return v, nil
		}
	}
	if n.Kind() != jsontree.Number {
		return 0, e.want(n, "an integer")
	}
	v, err := strconv.ParseInt(n.Text(), 10, 64)
	if err != nil {
		return 0, e.errorf(n, "%s is not a 64-bit integer", n.Text())
	}
	return v, nil
}

func (e *jsonEncoder) floatValue(n *jsontree.Value, bits int) (float64, error) {
	if n.Kind() == jsontree.String {
		switch n.Text() {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	if n.Kind() != jsontree.Number {
		return 0, e.want(n, `a number (or "NaN", "Infinity", "-Infinity")`)
	}
	f, err := strconv.ParseFloat(n.Text(), bits)
	if err != nil {
		return 0, e.errorf(n, "%s does not fit a %d-bit float", n.Text(), bits)
	}
	return f, nil
}

// maxDecimalExponent bounds the exponent of a decimal JSON number, so that
// "1e999999999" is an error rather than a huge computation.
const maxDecimalExponent = 10000

// decimalValue parses a JSON number into the unscaled integer of a decimal
// with the schema's scale, failing if digits would be lost or the precision
// exceeded.
func (e *jsonEncoder) decimalValue(n *jsontree.Value, dec *avro.DecimalLogicalSchema) (*big.Int, error) {
	if n.Kind() != jsontree.Number {
		return nil, e.want(n, "a number for a decimal")
	}
	unscaled, err := parseDecimal(n.Text(), dec.Scale())
	if err != nil {
		return nil, e.errorf(n, "decimal(%d,%d): %s %v", dec.Precision(), dec.Scale(), n.Text(), err)
	}
	if dec.Precision() > 0 {
		digits := len(new(big.Int).Abs(unscaled).String())
		if unscaled.Sign() != 0 && digits > dec.Precision() {
			return nil, e.errorf(n, "decimal(%d,%d): %s has %d digits, more than the precision", dec.Precision(), dec.Scale(), n.Text(), digits)
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
