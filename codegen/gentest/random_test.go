package gentest

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/hamba/avro/v2"
)

// randBody returns the Avro encoding of a random value of s. Values stay in
// ranges every Go mapping can hold exactly (timestamps between the years
// 1900 and 2200, decimals within their precision), floats are never NaN
// (NaN != NaN would defeat equality checks; the JSON tests in serde cover
// it), and recursion stops after a few levels.
func randBody(r *rand.Rand, s avro.Schema) []byte {
	return appendRand(nil, r, s, 0)
}

func deref(s avro.Schema) avro.Schema {
	if ref, ok := s.(*avro.RefSchema); ok {
		return ref.Schema()
	}
	return s
}

func appendVarint(b []byte, v int64) []byte {
	return binary.AppendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

const (
	minMillis = -2208988800000 // 1900-01-01
	maxMillis = 7258118400000  // 2200-01-01
)

func randString(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_éü€漢😀\"\\\n"
	runes := []rune(alphabet)
	n := r.IntN(12)
	var b strings.Builder
	for range n {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

func appendRand(b []byte, r *rand.Rand, s avro.Schema, depth int) []byte {
	s = deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		return b
	case *avro.PrimitiveSchema:
		var logical avro.LogicalType
		if l := t.Logical(); l != nil {
			logical = l.Type()
		}
		switch t.Type() {
		case avro.Boolean:
			return append(b, byte(r.IntN(2)))
		case avro.Int:
			switch logical {
			case avro.Date:
				return appendVarint(b, int64(r.IntN(200*365))-70*365)
			case avro.TimeMillis:
				return appendVarint(b, int64(r.IntN(86400000)))
			}
			return appendVarint(b, int64(int32(r.Uint32())))
		case avro.Long:
			switch logical {
			case avro.TimestampMillis, avro.LocalTimestampMillis:
				return appendVarint(b, minMillis+r.Int64N(maxMillis-minMillis))
			case avro.TimestampMicros, avro.LocalTimestampMicros:
				return appendVarint(b, (minMillis+r.Int64N(maxMillis-minMillis))*1000+r.Int64N(1000))
			case avro.TimeMicros:
				return appendVarint(b, r.Int64N(86400000000))
			}
			if r.IntN(2) == 0 {
				return appendVarint(b, int64(int32(r.Uint32()))) // fits an int too
			}
			return appendVarint(b, int64(r.Uint64()))
		case avro.Float:
			return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(r.NormFloat64()*1e3)))
		case avro.Double:
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(r.NormFloat64()*1e6))
		case avro.Bytes:
			if d, ok := t.Logical().(*avro.DecimalLogicalSchema); ok {
				v := randDecimal(r, d.Precision())
				return append(appendVarint(b, int64(len(v))), v...)
			}
			v := make([]byte, r.IntN(10))
			for i := range v {
				v[i] = byte(r.Uint32())
			}
			return append(appendVarint(b, int64(len(v))), v...)
		case avro.String:
			str := randString(r)
			if logical == avro.UUID {
				str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
			}
			return append(appendVarint(b, int64(len(str))), str...)
		}
	case *avro.EnumSchema:
		return appendVarint(b, int64(r.IntN(len(t.Symbols()))))
	case *avro.FixedSchema:
		if d, ok := t.Logical().(*avro.DecimalLogicalSchema); ok {
			v := randDecimal(r, min(d.Precision(), 2*t.Size()))
			pad := byte(0)
			if len(v) > 0 && v[0]&0x80 != 0 {
				pad = 0xff
			}
			for i := len(v); i < t.Size(); i++ {
				b = append(b, pad)
			}
			return append(b, v...)
		}
		for range t.Size() {
			b = append(b, byte(r.Uint32()))
		}
		return b
	case *avro.ArraySchema:
		n := r.IntN(4)
		if depth > 3 {
			n = 0
		}
		if n > 0 {
			b = appendVarint(b, int64(n))
			for range n {
				b = appendRand(b, r, t.Items(), depth+1)
			}
		}
		return append(b, 0)
	case *avro.MapSchema:
		n := r.IntN(4)
		if depth > 3 {
			n = 0
		}
		if n > 0 {
			b = appendVarint(b, int64(n))
			for i := range n {
				key := randString(r) + string(rune('a'+i)) // distinct keys
				b = append(appendVarint(b, int64(len(key))), key...)
				b = appendRand(b, r, t.Values(), depth+1)
			}
		}
		return append(b, 0)
	case *avro.UnionSchema:
		i := r.IntN(len(t.Types()))
		if depth > 3 {
			for j, br := range t.Types() {
				if br.Type() == avro.Null {
					i = j
				}
			}
		}
		return appendRand(appendVarint(b, int64(i)), r, t.Types()[i], depth+1)
	case *avro.RecordSchema:
		for _, f := range t.Fields() {
			b = appendRand(b, r, f.Type(), depth+1)
		}
		return b
	}
	panic("unhandled schema " + string(s.Type()))
}

// randDecimal returns a random unscaled value with at most digits digits,
// minimal two's complement.
func randDecimal(r *rand.Rand, digits int) []byte {
	n := big.NewInt(0)
	for range r.IntN(digits + 1) {
		n.Mul(n, big.NewInt(10))
		n.Add(n, big.NewInt(int64(r.IntN(10))))
	}
	if r.IntN(2) == 0 {
		n.Neg(n)
	}
	// Minimal two's complement, as Avro Java writes it.
	if n.Sign() >= 0 {
		k := n.BitLen()/8 + 1
		return n.FillBytes(make([]byte, k))
	}
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1))
	k := m.BitLen()/8 + 1
	v := new(big.Int).Lsh(big.NewInt(1), uint(8*k))
	v.Add(v, n)
	return v.FillBytes(make([]byte, k))
}
