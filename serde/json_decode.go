package serde

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
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
	out, err := s.jsonPlan().appendJSON(nil, body, HeaderSize)
	if err != nil {
		return nil, s, fmt.Errorf("decode with schema id %d: %w", id, err)
	}
	return out, s, nil
}

// AppendJSON appends the JSON form (see DecodeJSON) of the Avro body, written
// with schema, to dst. The body must hold exactly one value; error offsets
// count from the start of body.
//
// AppendJSON compiles schema on every call; to render many bodies written
// with one schema, use (*Schema).AppendJSON, which compiles once.
func AppendJSON(dst []byte, schema avro.Schema, body []byte) ([]byte, error) {
	return compileJSON(schema).appendJSON(dst, body, 0)
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

// isUUIDFixed reports whether s is a fixed(16) with logical type uuid (Avro
// 1.12). hamba/avro does not parse that logical type and leaves it among
// the properties.
func isUUIDFixed(s *avro.FixedSchema) bool {
	return s.Size() == 16 && s.Prop("logicalType") == string(avro.UUID)
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
	if bits == 64 {
		if out, ok := appendShortFloat(dst, f); ok {
			return out
		}
	}
	// As encoding/json: plain notation unless very small or large.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, bits)
}

// maxShortFloatDigits is how many fractional digits appendShortFloat tries.
const maxShortFloatDigits = 4

// appendShortFloat writes f as strconv.AppendFloat(dst, f, 'f', -1, 64)
// does when f is within [1e-6, 2^50) in magnitude and its shortest decimal
// form has at most maxShortFloatDigits fractional digits (prices,
// quantities, ratios), and reports false otherwise. It is several times
// faster than the general shortest-form search.
//
// Why it gives the same digits: for k fractional digits, m = round(|f|·10^k)
// is the only integer within reach, because below 2^50 the doubles that
// round to f span less than 0.5 at that scale; m/10^k reads back as f
// exactly when the correctly rounded quotient of the two exact values
// float64(m) and 10^k is f. The first k that reads back gives the fewest
// fractional digits and, with the integer part fixed, the fewest
// significant digits: the shortest form, which is unique.
func appendShortFloat(dst []byte, f float64) ([]byte, bool) {
	abs := math.Abs(f)
	if !(abs >= 1e-6 && abs < 1<<50) { // false for NaN too
		return dst, false
	}
	p, ip := 1.0, uint64(1)
	for k := 0; k <= maxShortFloatDigits; k++ {
		scaled := abs * p
		if scaled >= 1<<50 {
			return dst, false
		}
		m := math.RoundToEven(scaled)
		if m/p == abs {
			if f < 0 {
				dst = append(dst, '-')
			}
			mi := uint64(m)
			dst = strconv.AppendUint(dst, mi/ip, 10)
			if k > 0 {
				dst = append(dst, '.')
				dst = appendPadded(dst, int64(mi%ip), k)
			}
			return dst, true
		}
		p *= 10
		ip *= 10
	}
	return dst, false
}

const (
	layoutDate = "2006-01-02"
	secsPerDay = 86400
)

// appendDate writes days since the epoch as "YYYY-MM-DD", or as the number
// when the year is outside 0–9999.
func appendDate(dst []byte, days int32) []byte {
	y, m, d, ok := civilDate(int64(days))
	if !ok {
		return strconv.AppendInt(dst, int64(days), 10)
	}
	dst = append(dst, '"')
	dst = appendYMD(dst, y, m, d)
	return append(dst, '"')
}

// appendTimestamp writes v (milliseconds or microseconds since the epoch) as
// RFC 3339 with digits fractional digits, in UTC with "Z" when zoned, or as
// the number when the year is outside 0–9999. It writes what
// time.Time.AppendFormat writes, without parsing a layout per value.
func appendTimestamp(dst []byte, v int64, digits int, zoned bool) []byte {
	unit := int64(1000)
	if digits == 6 {
		unit = 1000000
	}
	secs, frac := v/unit, v%unit
	if frac < 0 {
		secs, frac = secs-1, frac+unit
	}
	days, sod := secs/secsPerDay, secs%secsPerDay
	if sod < 0 {
		days, sod = days-1, sod+secsPerDay
	}
	y, m, d, ok := civilDate(days)
	if !ok {
		return strconv.AppendInt(dst, v, 10)
	}
	dst = append(dst, '"')
	dst = appendYMD(dst, y, m, d)
	h, mi, sec := int(sod/3600), int(sod/60%60), int(sod%60)
	dst = append(dst, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+sec/10), byte('0'+sec%10), '.')
	if digits == 3 {
		dst = append(dst, byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	} else {
		dst = append(dst, byte('0'+frac/100000), byte('0'+frac/10000%10), byte('0'+frac/1000%10),
			byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
	}
	if zoned {
		dst = append(dst, 'Z')
	}
	return append(dst, '"')
}

// Days since 1970-01-01 of 0000-01-01 and 10000-01-01: the readable forms
// cover the years 0–9999.
const (
	dayYear0     = -719528
	dayYear10000 = 2932897
)

// civilDate returns the proleptic Gregorian date of days since 1970-01-01
// (Howard Hinnant's civil_from_days), and ok false when the year is
// outside 0–9999.
func civilDate(days int64) (year, month, day int, ok bool) {
	if days < dayYear0 || days >= dayYear10000 {
		return 0, 0, 0, false
	}
	// Counted from 0000-03-01 minus one 400-year era, so that everything
	// is positive and the divisions are unsigned.
	z := uint64(days + 719468 + 146097)
	era := z / 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if mp >= 10 {
		month = int(mp - 9)
	}
	year = int(yoe+era*400) - 400
	if month <= 2 {
		year++
	}
	return year, month, day, true
}

// appendYMD writes a date with a year in 0–9999 as YYYY-MM-DD.
func appendYMD(dst []byte, y, m, d int) []byte {
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
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

// AppendJSONString appends s as a JSON string, escaped as encoding/json
// does without HTML escaping; invalid UTF-8 bytes become U+FFFD. It is the
// one JSON string writer of serde and of the stream tools.
func AppendJSONString[T string | []byte](dst []byte, s T) []byte {
	dst, _ = appendJSONStr(dst, s, false)
	return dst
}

// appendJSONStr writes s as a JSON string. An invalid UTF-8 byte becomes
// U+FFFD, or with strict stops the write and reports false.
func appendJSONStr[T string | []byte](dst []byte, s T, strict bool) ([]byte, bool) {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			if strict {
				return dst, false
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}
