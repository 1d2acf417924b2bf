package serde

import (
	"encoding/binary"
	"math"

	"github.com/edactl/edactl/internal/avrovalue"
)

// The transcoder runs a compiled resolution (Resolver) over one writer
// body, appending the reader's encoding as it reads.

// Append appends the reader-schema encoding of the writer-schema encoded
// body to dst. Errors carry the field path and the byte offset in body, and
// match ErrTruncated or ErrInvalidValue (also for an enum symbol the reader
// lacks and has no default for), or ErrIncompatible when the body holds a
// union branch the reader cannot read.
func (r *Resolver) Append(dst, body []byte) ([]byte, error) {
	t := &transcoder{in: body, out: dst, path: make(avrovalue.Path, 1, 8)}
	t.path[0] = avrovalue.Elem{Name: r.label}
	if err := t.run(r.root, 0); err != nil {
		return dst, err
	}
	if t.pos != len(body) {
		return dst, valueErrorf(t.path, t.pos, ErrInvalidValue, "%d byte(s) left after the value", len(body)-t.pos)
	}
	return t.out, nil
}

// transcoder runs a compiled resolution over one body.
type transcoder struct {
	in      []byte
	pos     int
	out     []byte
	scratch []byte // reordering space for records
	path    avrovalue.Path
	empty   int
}

func (t *transcoder) truncated(need int) error {
	return valueErrorf(t.path, t.pos, ErrTruncated, "need %d byte(s), have %d", need, len(t.in)-t.pos)
}

// varint reads a zig-zag varint (at most 10 bytes) and returns its value and
// raw bytes.
func (t *transcoder) varint() (int64, []byte, error) {
	start := t.pos
	var v uint64
	for i := 0; i < 10; i++ {
		if t.pos >= len(t.in) {
			t.pos = start
			return 0, nil, t.truncated(i + 1)
		}
		b := t.in[t.pos]
		t.pos++
		if i == 9 && b > 1 {
			return 0, nil, valueErrorf(t.path, start, ErrInvalidValue, "varint overflows 64 bits")
		}
		v |= uint64(b&0x7f) << (7 * uint(i))
		if b&0x80 == 0 {
			return int64(v>>1) ^ -int64(v&1), t.in[start:t.pos], nil
		}
	}
	return 0, nil, valueErrorf(t.path, start, ErrInvalidValue, "varint longer than 10 bytes")
}

func (t *transcoder) take(n int) ([]byte, error) {
	if n > len(t.in)-t.pos {
		return nil, t.truncated(n)
	}
	b := t.in[t.pos : t.pos+n]
	t.pos += n
	return b, nil
}

func (t *transcoder) run(st *rstep, depth int) error {
	if depth > avrovalue.MaxDepth {
		return valueErrorf(t.path, t.pos, ErrInvalidValue, "value nests deeper than %d levels", avrovalue.MaxDepth)
	}
	switch st.kind {
	case rNull:
		return nil
	case rVarint:
		_, raw, err := t.varint()
		if err != nil {
			return err
		}
		t.out = append(t.out, raw...)
	case rIntToFloat, rIntToDouble:
		v, _, err := t.varint()
		if err != nil {
			return err
		}
		if st.kind == rIntToFloat {
			t.out = binary.LittleEndian.AppendUint32(t.out, math.Float32bits(float32(v)))
		} else {
			t.out = binary.LittleEndian.AppendUint64(t.out, math.Float64bits(float64(v)))
		}
	case rFloatToDbl:
		b, err := t.take(4)
		if err != nil {
			return err
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		t.out = binary.LittleEndian.AppendUint64(t.out, math.Float64bits(float64(f)))
	case rBool:
		at := t.pos
		b, err := t.take(1)
		if err != nil {
			return err
		}
		if b[0] > 1 {
			return valueErrorf(t.path, at, ErrInvalidValue, "boolean byte 0x%02x is not 0 or 1", b[0])
		}
		t.out = append(t.out, b[0])
	case rFixedSize:
		b, err := t.take(st.size)
		if err != nil {
			return err
		}
		t.out = append(t.out, b...)
	case rLenPrefixed:
		at := t.pos
		n, raw, err := t.varint()
		if err != nil {
			return err
		}
		if n < 0 {
			return valueErrorf(t.path, at, ErrInvalidValue, "negative length %d", n)
		}
		if n > int64(len(t.in)-t.pos) {
			return t.truncated(int(min(n, math.MaxInt32)))
		}
		t.out = append(t.out, raw...)
		t.out = append(t.out, t.in[t.pos:t.pos+int(n)]...)
		t.pos += int(n)
	case rEnum:
		at := t.pos
		i, _, err := t.varint()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(st.enumMap)) {
			return valueErrorf(t.path, at, ErrInvalidValue, "enum index %d out of range [0,%d)", i, len(st.enumMap))
		}
		j := st.enumMap[i]
		if j < 0 {
			return valueErrorf(t.path, at, ErrInvalidValue, "writer symbol %s is not in reader enum %s, which has no default", st.enumSymbols[i], st.enumName)
		}
		t.out = avrovalue.AppendLong(t.out, int64(j))
	case rToUnion:
		t.out = avrovalue.AppendLong(t.out, st.index)
		return t.run(st.elem, depth+1)
	case rWriterUnion:
		at := t.pos
		i, _, err := t.varint()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(st.branches)) {
			return valueErrorf(t.path, at, ErrInvalidValue, "union branch %d out of range [0,%d)", i, len(st.branches))
		}
		return t.run(st.branches[i], depth+1)
	case rError:
		return valueErrorf(t.path, t.pos, ErrIncompatible, "%s", st.err)
	case rLongToInt:
		at := t.pos
		v, raw, err := t.varint()
		if err != nil {
			return err
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return valueErrorf(t.path, at, ErrInvalidValue, "%d does not fit in an int", v)
		}
		t.out = append(t.out, raw...) // the same zig-zag varint
	case rDoubleToFloat:
		at := t.pos
		b, err := t.take(8)
		if err != nil {
			return err
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		if !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			return valueErrorf(t.path, at, ErrInvalidValue, "%g does not fit in a float", f)
		}
		t.out = binary.LittleEndian.AppendUint32(t.out, math.Float32bits(float32(f)))
	case rDefault:
		t.out = append(t.out, st.def...)
	case rArray, rMap:
		return t.blocks(st, depth)
	case rRecord:
		return t.record(st, depth)
	}
	return nil
}

func (t *transcoder) blocks(st *rstep, depth int) error {
	n := 0
	for {
		at := t.pos
		count, _, err := t.varint()
		if err != nil {
			return err
		}
		if count == 0 {
			t.out = append(t.out, 0)
			return nil
		}
		if count < 0 {
			if count == math.MinInt64 {
				return valueErrorf(t.path, at, ErrInvalidValue, "block count out of range")
			}
			count = -count
			if _, _, err := t.varint(); err != nil { // the block's byte size; rewritten without it
				return err
			}
		}
		t.out = avrovalue.AppendLong(t.out, count)
		for ; count > 0; count-- {
			before := t.pos
			if st.kind == rMap {
				kat := t.pos
				kn, raw, err := t.varint()
				if err != nil {
					return err
				}
				if kn < 0 || kn > int64(len(t.in)-t.pos) {
					if kn < 0 {
						return valueErrorf(t.path, kat, ErrInvalidValue, "negative map key length %d", kn)
					}
					return t.truncated(int(min(kn, math.MaxInt32)))
				}
				t.out = append(t.out, raw...)
				t.out = append(t.out, t.in[t.pos:t.pos+int(kn)]...)
				t.path.Key(string(t.in[t.pos : t.pos+int(kn)]))
				t.pos += int(kn)
			} else {
				t.path.Index(n)
			}
			n++
			if err := t.run(st.elem, depth+1); err != nil {
				return err
			}
			t.path.Pop()
			if t.pos == before {
				t.empty++
				if t.empty > avrovalue.MaxEmptyItems {
					return valueErrorf(t.path, before, ErrInvalidValue, "more than %d items that take no bytes", avrovalue.MaxEmptyItems)
				}
			}
		}
	}
}

// record transcodes the writer's fields in writer order, then arranges the
// results in reader order with defaults for reader-only fields.
func (t *transcoder) record(st *rstep, depth int) error {
	start := len(t.out)
	var small [16]int
	ends := small[:0]
	for _, f := range st.fields {
		if f.name == "" {
			t.path.Field("(skipped)")
		} else {
			t.path.Field(f.name)
		}
		mark := len(t.out)
		if err := t.run(f.step, depth+1); err != nil {
			return err
		}
		t.path.Pop()
		if f.name == "" {
			t.out = t.out[:mark] // a writer-only field: read and dropped
		}
		ends = append(ends, len(t.out))
	}
	inOrder := len(st.order) == len(st.fields)
	for i, slot := range st.order {
		if slot.from != i || st.fields[i].name == "" {
			inOrder = false
			break
		}
	}
	if inOrder {
		return nil
	}
	// Copy the segments out, then write them back in reader order.
	t.scratch = append(t.scratch[:0], t.out[start:]...)
	t.out = t.out[:start]
	for _, slot := range st.order {
		if slot.from < 0 {
			t.out = append(t.out, slot.def...)
			continue
		}
		from := 0
		if slot.from > 0 {
			from = ends[slot.from-1] - start
		}
		t.out = append(t.out, t.scratch[from:ends[slot.from]-start]...)
	}
	return nil
}
