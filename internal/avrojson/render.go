package avrojson

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/edactl/edactl/internal/avrovalue"
	"github.com/edactl/edactl/serde"
)

// The walk of a Plan over a body, appending JSON as it reads.

// appendJSON renders body, which must hold exactly one value, and appends
// it to dst. Error offsets are counted from base bytes before body.
func (p *Plan) appendJSON(dst, body []byte, base int) ([]byte, error) {
	r := renderer{in: body}
	out, err := r.value(dst, p.root, 0)
	if err == nil && r.pos != len(r.in) {
		err = r.invalid(r.pos, "%d byte(s) left after the value", len(r.in)-r.pos)
	}
	if err != nil {
		return dst, err.valueError(p.label, base)
	}
	return out, nil
}

// renderError is a failure inside a value, before its field path is known:
// the levels it unwinds through append their path elements, innermost
// first.
type renderError struct {
	offset   int
	sentinel error
	msg      string
	rev      []avrovalue.Elem
}

func (e *renderError) at(el avrovalue.Elem) *renderError {
	e.rev = append(e.rev, el)
	return e
}

func (e *renderError) valueError(root string, base int) *serde.ValueError {
	p := make(avrovalue.Path, 0, len(e.rev)+1)
	p.Field(root)
	for i := len(e.rev) - 1; i >= 0; i-- {
		p = append(p, e.rev[i])
	}
	return &serde.ValueError{Path: p.String(), Offset: base + e.offset, Msg: e.msg, Err: e.sentinel}
}

// renderer is the state of one rendering; it lives on the caller's stack.
type renderer struct {
	in    []byte
	pos   int
	empty int // items that took no bytes, bounded by avrovalue.MaxEmptyItems
}

//go:noinline
func (r *renderer) truncated(need int) *renderError {
	return &renderError{offset: r.pos, sentinel: serde.ErrTruncated, msg: fmt.Sprintf("need %d byte(s), have %d", need, len(r.in)-r.pos)}
}

//go:noinline
func (r *renderer) invalid(at int, format string, args ...any) *renderError {
	return &renderError{offset: at, sentinel: serde.ErrInvalidValue, msg: fmt.Sprintf(format, args...)}
}

// quick reads a one-byte varint, the common case, and is inlined; ok is
// false, and nothing read, when the next varint is longer or missing.
func (r *renderer) quick() (v int64, ok bool) {
	if r.pos < len(r.in) {
		if b := r.in[r.pos]; b < 0x80 {
			r.pos++
			return int64(b>>1) ^ -int64(b&1), true
		}
	}
	return 0, false
}

// quickBytes reads a byte string shorter than 64 bytes (a one-byte
// length), inlined; ok is false, and nothing read, for any other.
func (r *renderer) quickBytes() (b []byte, ok bool) {
	if p := r.pos; p < len(r.in) {
		if c := r.in[p]; c < 0x80 && c&1 == 0 && int(c>>1) < len(r.in)-p {
			r.pos = p + 1 + int(c>>1)
			return r.in[p+1 : r.pos], true
		}
	}
	return nil, false
}

// quickString renders a string of at most shortMax bytes (a one-byte
// length) that needs no escaping and is ASCII as two words, when out has
// room for 18 bytes and 16 bytes can be read from the string's start (in's
// spare capacity included) or up to its end (a string near the end of a
// value whose capacity ends with it, as franz-go's record values do). ok
// is false, and nothing read or written, for any other string.
func (r *renderer) quickString(out []byte) (o []byte, ok bool) {
	p := r.pos
	if p >= len(r.in) {
		return out, false
	}
	c := r.in[p]
	n := int(c >> 1)
	if c >= 2*(shortMax+1) || c&1 != 0 || n >= len(r.in)-p || cap(out)-len(out) < shortMax+2 {
		return out, false
	}
	var w0, w1 uint64
	if start := p + 1; cap(r.in)-start >= shortMax {
		in := r.in[start : start+shortMax]
		w0, w1 = le64(in[:8]), le64(in[8:])
	} else if end := start + n; end >= shortMax {
		// The 16 bytes that end with the string, shifted down by the
		// bytes before it (a shift by 64 or more gives 0).
		in := r.in[end-shortMax : end]
		lo, hi := le64(in[:8]), le64(in[8:])
		sh := uint(8 * (shortMax - n))
		if sh >= 64 {
			w0 = hi >> (sh - 64)
		} else {
			w0, w1 = lo>>sh|hi<<(64-sh), hi>>sh
		}
	} else {
		return out, false
	}
	// The test and write of appendQuotedBytes, kept in line here: as a
	// shared call, BenchmarkAppendJSONVaried took 10% longer.
	if m := &tailMasks[n]; escapeBits(w0)&m[0]|escapeBits(w1)&m[1] != 0 {
		return out, false
	}
	l := len(out)
	w := out[l : l+shortMax+2]
	w[0] = '"'
	binary.LittleEndian.PutUint64(w[1:], w0)
	binary.LittleEndian.PutUint64(w[9:], w1)
	w[n+1] = '"'
	r.pos = p + 1 + n
	return out[:l+n+2], true
}

// tailMasks[n] masks the first n bytes of two words.
var tailMasks = func() (t [shortMax + 1][2]uint64) {
	for n := range t {
		t[n][0] = lowBytes(n)
		if n > 8 {
			t[n][1] = lowBytes(n - 8)
		}
	}
	return t
}()

// quickCount reads a block count below 64 (a one-byte varint that is not
// negative), inlined; ok is false, and nothing read, for any other.
func (r *renderer) quickCount() (n int64, ok bool) {
	if r.pos < len(r.in) {
		if b := r.in[r.pos]; b < 0x80 && b&1 == 0 {
			r.pos++
			return int64(b >> 1), true
		}
	}
	return 0, false
}

// long reads a zig-zag varint long. One of at most 8 bytes (below 2^55 in
// magnitude: timestamps, ids, lengths) with 8 bytes to read from is
// decoded as a word, without a loop.
func (r *renderer) long() (int64, *renderError) {
	if p := r.pos; len(r.in)-p >= 8 {
		w := le64(r.in[p : p+8])
		if ends := ^w & msb; ends != 0 {
			n := bits.TrailingZeros64(ends)/8 + 1
			r.pos = p + n
			v := packVarint(w & lowBytes(n))
			return int64(v>>1) ^ -int64(v&1), nil
		}
	}
	return r.varint(10, "long")
}

// packVarint joins the 7-bit groups of the varint bytes in w (the bytes
// past its last one zero) into its value.
func packVarint(w uint64) uint64 {
	return w&0x7f | w>>1&(0x7f<<7) | w>>2&(0x7f<<14) | w>>3&(0x7f<<21) |
		w>>4&(0x7f<<28) | w>>5&(0x7f<<35) | w>>6&(0x7f<<42) | w>>7&(0x7f<<49)
}

// int reads a zig-zag varint int.
func (r *renderer) int() (int32, *renderError) {
	start := r.pos
	v, err := r.varint(5, "int")
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, r.invalid(start, "int varint out of 32-bit range")
	}
	return int32(v), nil
}

// varint reads a zig-zag varint of at most maxBytes bytes.
func (r *renderer) varint(maxBytes int, what string) (int64, *renderError) {
	start := r.pos
	var v uint64
	for i := 0; i < maxBytes; i++ {
		if r.pos >= len(r.in) {
			r.pos = start
			return 0, r.truncated(i + 1)
		}
		b := r.in[r.pos]
		r.pos++
		if i == 9 && b > 1 {
			return 0, r.invalid(start, "%s varint overflows 64 bits", what)
		}
		v |= uint64(b&0x7f) << (7 * uint(i))
		if b&0x80 == 0 {
			return int64(v>>1) ^ -int64(v&1), nil
		}
	}
	return 0, r.invalid(start, "%s varint longer than %d bytes", what, maxBytes)
}

func (r *renderer) take(n int) ([]byte, *renderError) {
	if n <= len(r.in)-r.pos {
		b := r.in[r.pos : r.pos+n]
		r.pos += n
		return b, nil
	}
	return nil, r.truncated(n)
}

// bytes reads a length-prefixed byte string.
func (r *renderer) bytes() ([]byte, *renderError) {
	start := r.pos
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, r.invalid(start, "negative length %d", n)
	}
	if n > int64(len(r.in)-r.pos) {
		return nil, r.truncated(int(min(n, math.MaxInt32)))
	}
	b := r.in[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// blockCount reads the item count of the next array or map block (0 at
// the end), skipping the byte size that follows a negative count.
func (r *renderer) blockCount() (int64, *renderError) {
	start := r.pos
	count, err := r.long()
	if err != nil || count >= 0 {
		return count, err
	}
	if count == math.MinInt64 {
		return 0, r.invalid(start, "block count out of range")
	}
	sizeAt := r.pos
	size, err := r.long()
	if err != nil {
		return 0, err
	}
	if size < 0 {
		return 0, r.invalid(sizeAt, "negative block size %d", size)
	}
	return -count, nil
}

// emptyItem counts an array or map item that took no bytes (it started
// at before), bounding how many there may be.
func (r *renderer) emptyItem(before int) *renderError {
	r.empty++
	if r.empty > avrovalue.MaxEmptyItems {
		return r.invalid(before, "more than %d items that take no bytes", avrovalue.MaxEmptyItems)
	}
	return nil
}

// value renders a value at depth. Containers render their leaves with
// leaf directly, checking the depth for them. That dispatch and the block
// count reads are written out in each container on purpose: as helpers
// they do not inline, and BenchmarkAppendJSON/order is 14% slower.
func (r *renderer) value(out []byte, st *jsonStep, depth int) ([]byte, *renderError) {
	if depth > avrovalue.MaxDepth {
		return out, r.invalid(r.pos, "value nests deeper than %d levels", avrovalue.MaxDepth)
	}
	switch st.op {
	case opRecord:
		if len(st.fields) == 0 {
			out = append(out, '{')
		}
		for i := range st.fields {
			f := &st.fields[i]
			out = appendShort(out, &f.short, f.prefix)
			// The common leaves' common values, without a call.
			switch f.step.op {
			case opString:
				var ok bool
				if out, ok = r.quickString(out); ok {
					continue
				}
			case opInt, opLong:
				if p := r.pos; p < len(r.in) && r.in[p] < 20 && r.in[p]&1 == 0 {
					// 0 to 9: one digit.
					r.pos++
					out = append(out, '0'+r.in[p]>>1)
					continue
				}
			case opEnum:
				if p := r.pos; p < len(r.in) && r.in[p] < 0x80 && r.in[p]&1 == 0 && int(r.in[p]>>1) < len(f.step.symbols) {
					r.pos++
					i := r.in[p] >> 1
					out = appendShort(out, &f.step.short[i], f.step.symbols[i])
					continue
				}
			case opUnion:
				// An optional field: null, or a short string.
				if p := r.pos; p < len(r.in) && r.in[p] < 0x80 && r.in[p]&1 == 0 && int(r.in[p]>>1) < len(f.step.branches) {
					switch br := &f.step.branches[r.in[p]>>1]; {
					case br.step == nil:
						r.pos++
						out = append(out, "null"...)
						continue
					case !br.wrap && br.step.op == opString:
						r.pos++
						var ok bool
						if out, ok = r.quickString(out); ok {
							continue
						}
						r.pos = p
					}
				}
			}
			var err *renderError
			if f.step.op < opRecord && depth < avrovalue.MaxDepth {
				out, err = r.leaf(out, f.step)
			} else {
				out, err = r.value(out, f.step, depth+1)
			}
			if err != nil {
				return out, err.at(avrovalue.Elem{Name: f.name})
			}
		}
		out = append(out, '}')
	case opUnion:
		start := r.pos
		i, fast := r.quick()
		var err *renderError
		if !fast {
			i, err = r.long()
		}
		if err != nil {
			return out, err
		}
		if i < 0 || i >= int64(len(st.branches)) {
			return out, r.invalid(start, "union branch %d out of range [0,%d)", i, len(st.branches))
		}
		br := &st.branches[i]
		if br.step == nil {
			out = append(out, "null"...)
			return out, nil
		}
		out = append(out, br.prefix...)
		if br.step.op < opRecord && depth < avrovalue.MaxDepth {
			out, err = r.leaf(out, br.step)
		} else {
			out, err = r.value(out, br.step, depth+1)
		}
		if err != nil {
			return out, err
		}
		if br.wrap {
			out = append(out, '}')
		}
	case opArray:
		out = append(out, '[')
		n := 0
		for {
			count, fast := r.quickCount()
			var err *renderError
			if !fast {
				if count, err = r.blockCount(); err != nil {
					return out, err
				}
			}
			if count == 0 {
				break
			}
			for ; count > 0; count-- {
				if n > 0 {
					out = append(out, ',')
				}
				before := r.pos
				var err *renderError
				if st.elem.op < opRecord && depth < avrovalue.MaxDepth {
					out, err = r.leaf(out, st.elem)
				} else {
					out, err = r.value(out, st.elem, depth+1)
				}
				if err != nil {
					return out, err.at(avrovalue.Elem{Index: n})
				}
				n++
				if r.pos == before {
					if err := r.emptyItem(before); err != nil {
						return out, err
					}
				}
			}
		}
		out = append(out, ']')
	case opMap:
		out = append(out, '{')
		n := 0
		for {
			count, fast := r.quickCount()
			var err *renderError
			if !fast {
				if count, err = r.blockCount(); err != nil {
					return out, err
				}
			}
			if count == 0 {
				break
			}
			for ; count > 0; count-- {
				before := r.pos
				if n > 0 {
					out = append(out, ',')
				}
				var k []byte
				var err *renderError
				if o, ok := r.quickString(out); ok {
					out, k = o, r.in[before+1:r.pos]
				} else {
					var fast bool
					if k, fast = r.quickBytes(); !fast {
						k, err = r.bytes()
					}
					if err != nil {
						return out, err
					}
					if out, ok = appendQuotedBytes(out, k); !ok {
						return out, r.invalid(before, "map key is not valid UTF-8")
					}
				}
				out = append(out, ':')
				if st.elem.op == opString {
					var ok bool
					if out, ok = r.quickString(out); ok {
						n++
						continue
					}
				}
				if st.elem.op < opRecord && depth < avrovalue.MaxDepth {
					out, err = r.leaf(out, st.elem)
				} else {
					out, err = r.value(out, st.elem, depth+1)
				}
				if err != nil {
					return out, err.at(avrovalue.Elem{Name: string(k), IsKey: true})
				}
				n++
				if r.pos == before {
					if err := r.emptyItem(before); err != nil {
						return out, err
					}
				}
			}
		}
		out = append(out, '}')
	default:
		return r.leaf(out, st)
	}
	return out, nil
}

// leaf renders a value without nested values.
func (r *renderer) leaf(out []byte, st *jsonStep) ([]byte, *renderError) {
	switch st.op {
	case opString:
		start := r.pos
		b, fast := r.quickBytes()
		var err *renderError
		if !fast {
			b, err = r.bytes()
		}
		if err != nil {
			return out, err
		}
		var ok bool
		if out, ok = appendQuotedBytes(out, b); !ok {
			return out, r.invalid(start, "string is not valid UTF-8")
		}
	case opLong:
		v, fast := r.quick()
		var err *renderError
		if !fast {
			v, err = r.long()
		}
		if err != nil {
			return out, err
		}
		out = appendInt(out, v)
	case opInt:
		q, fast := r.quick()
		v, err := int32(q), (*renderError)(nil)
		if !fast {
			v, err = r.int()
		}
		if err != nil {
			return out, err
		}
		out = appendInt(out, int64(v))
	case opEnum:
		start := r.pos
		q, fast := r.quick()
		i, err := int32(q), (*renderError)(nil)
		if !fast {
			i, err = r.int()
		}
		if err != nil {
			return out, err
		}
		if i < 0 || int(i) >= len(st.symbols) {
			return out, r.invalid(start, "enum %s index %d out of range [0,%d)", st.name, i, len(st.symbols))
		}
		out = appendShort(out, &st.short[i], st.symbols[i])
	case opDouble:
		b, err := r.take(8)
		if err != nil {
			return out, err
		}
		out = appendFloat(out, math.Float64frombits(le64(b)), 64)
	case opFloat:
		b, err := r.take(4)
		if err != nil {
			return out, err
		}
		out = appendFloat(out, float64(math.Float32frombits(le32(b))), 32)
	case opBoolean:
		start := r.pos
		b, err := r.take(1)
		if err != nil {
			return out, err
		}
		switch b[0] {
		case 0:
			out = append(out, "false"...)
		case 1:
			out = append(out, "true"...)
		default:
			return out, r.invalid(start, "boolean byte 0x%02x is not 0 or 1", b[0])
		}
	case opNull:
		out = append(out, "null"...)
	case opTimestampMillis, opTimestampMicros, opLocalTimestampMillis, opLocalTimestampMicros:
		v, fast := r.quick()
		var err *renderError
		if !fast {
			v, err = r.long()
		}
		if err != nil {
			return out, err
		}
		digits := 3
		if st.op == opTimestampMicros || st.op == opLocalTimestampMicros {
			digits = 6
		}
		out = appendTimestamp(out, v, digits, st.op == opTimestampMillis || st.op == opTimestampMicros, st.dates)
	case opDate:
		q, fast := r.quick()
		v, err := int32(q), (*renderError)(nil)
		if !fast {
			v, err = r.int()
		}
		if err != nil {
			return out, err
		}
		out = appendDate(out, v, st.dates)
	case opTimeMillis:
		q, fast := r.quick()
		v, err := int32(q), (*renderError)(nil)
		if !fast {
			v, err = r.int()
		}
		if err != nil {
			return out, err
		}
		out = appendTimeOfDay(out, int64(v), 3)
	case opTimeMicros:
		v, fast := r.quick()
		var err *renderError
		if !fast {
			v, err = r.long()
		}
		if err != nil {
			return out, err
		}
		out = appendTimeOfDay(out, v, 6)
	case opDecimalBytes:
		start := r.pos
		b, fast := r.quickBytes()
		var err *renderError
		if !fast {
			b, err = r.bytes()
		}
		if err != nil {
			return out, err
		}
		return r.decimal(out, start, b, st)
	case opDecimalFixed:
		start := r.pos
		b, err := r.take(st.size)
		if err != nil {
			return out, err
		}
		return r.decimal(out, start, b, st)
	case opBytes:
		b, fast := r.quickBytes()
		var err *renderError
		if !fast {
			b, err = r.bytes()
		}
		if err != nil {
			return out, err
		}
		out = appendBase64(out, b)
	case opFixed:
		b, err := r.take(st.size)
		if err != nil {
			return out, err
		}
		out = appendBase64(out, b)
	case opUUIDFixed:
		b, err := r.take(st.size)
		if err != nil {
			return out, err
		}
		out = appendUUID(out, b)
	default:
		return out, r.invalid(r.pos, "unsupported %s", st.name)
	}
	return out, nil
}

// decimal writes the two's-complement unscaled value b of a decimal,
// refusing one with more digits than its precision allows: AppendAvro
// refuses those too. Values that fit in 64 bits take no allocation.
func (r *renderer) decimal(out []byte, at int, b []byte, st *jsonStep) ([]byte, *renderError) {
	u, neg, ok := smallUnscaled(b)
	if !ok {
		n := decimalUnscaled(b)
		neg := n.Sign() < 0
		digits := n.Abs(n).String()
		if p := st.precision; p > 0 && n.Sign() != 0 && len(digits) > p {
			return out, r.invalid(at, "decimal(%d,%d) has %d digits, more than the precision", p, st.scale, len(digits))
		}
		out = appendScaled(out, neg, []byte(digits), st.scale)
		return out, nil
	}
	if k := st.scale; k > 0 && k <= maxShortFloatDigits {
		// The common decimal (money: scale 2): its digits straight from u.
		if p := st.precision; p > 0 && p < len(pow10) && u >= pow10[p] {
			digits := len(strconv.AppendUint(make([]byte, 0, 20), u, 10))
			return out, r.invalid(at, "decimal(%d,%d) has %d digits, more than the precision", p, st.scale, digits)
		}
		return appendSmallDecimal(out, u, neg, k), nil
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if p := st.precision; p > 0 && u != 0 && len(digits) > p {
		return out, r.invalid(at, "decimal(%d,%d) has %d digits, more than the precision", p, st.scale, len(digits))
	}
	out = appendScaled(out, neg, digits, st.scale)
	return out, nil
}

// appendSmallDecimal writes the magnitude u with scale k (1 to
// maxShortFloatDigits) as a JSON number with exactly k fractional digits,
// as appendScaled does with u's digits.
func appendSmallDecimal(out []byte, u uint64, neg bool, k int) []byte {
	if neg {
		out = append(out, '-')
	}
	return appendFixed(out, u, k)
}

// pow10[p] is 10^p, the smallest magnitude with more than p digits.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// le32 and le64 read little-endian words: one load each, inlined.
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
