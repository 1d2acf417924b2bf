package avrojson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

// renderSchemas are the schemas the renderer is checked with over random
// values: the example catalogue (embedded in schemas/examples), the code
// generator's feature tree (the top-level testdata/features), and this
// package's own test schemas. They are named by the paths
// testdata/render.golden.gz recorded them under when the renderer lived in
// serde, so the golden file, and the random bodies seeded by those names,
// stay the same.
func renderSchemas(t testing.TB) map[string]avro.Schema {
	t.Helper()
	out := map[string]avro.Schema{}
	add := func(name string, text []byte) { out[name] = mustParse(t, string(text)) }
	examplesFS := examples.FS()
	found, err := fs.Glob(examplesFS, "schemas/*/*/*.avsc")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range found {
		text, err := fs.ReadFile(examplesFS, name)
		if err != nil {
			t.Fatal(err)
		}
		add("../schemas/examples/"+name, text)
	}
	features := testenv.Path(t, "features")
	found, err = fs.Glob(os.DirFS(features), "schemas/*/*/*.avsc")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range found {
		text, err := os.ReadFile(filepath.Join(features, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		add("../codegen/testdata/features/"+name, text)
	}
	found, err = filepath.Glob("testdata/*.avsc")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range found {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.ToSlash(name), text)
	}
	if len(out) < 20 {
		t.Fatalf("found only %d schema files", len(out))
	}
	out["order"] = mustParse(t, benchOrderSchema(t))
	out["tree"] = mustParse(t, `{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"attrs","type":{"type":"map","values":["null","double","Node"]}}]}`)
	out["wide decimals"] = mustParse(t, `{"type":"record","name":"D","fields":[
		{"name":"b0","type":{"type":"bytes","logicalType":"decimal","precision":40,"scale":0}},
		{"name":"b3","type":{"type":"bytes","logicalType":"decimal","precision":19,"scale":3}},
		{"name":"b30","type":{"type":"bytes","logicalType":"decimal","precision":38,"scale":30}},
		{"name":"nop","type":{"type":"bytes","logicalType":"decimal","precision":1,"scale":1}},
		{"name":"f9","type":{"type":"fixed","name":"F9","size":9,"logicalType":"decimal","precision":21,"scale":2}},
		{"name":"f16","type":{"type":"fixed","name":"F16","size":16,"logicalType":"decimal","precision":38,"scale":9}},
		{"name":"f1","type":{"type":"fixed","name":"F1","size":1,"logicalType":"decimal","precision":3,"scale":5}},
		{"name":"u","type":{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}},
		{"name":"notu","type":{"type":"fixed","name":"NotU","size":15,"logicalType":"uuid"}},
		{"name":"e","type":{"type":"record","name":"Empty","fields":[]}},
		{"name":"es","type":{"type":"array","items":"Empty"}}]}`)
	return out
}

// sortedNames returns the keys of m in order, for reproducible runs.
func sortedNames(m map[string]avro.Schema) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// bodyGen writes random Avro bodies for a schema: mostly valid values,
// biased towards the edges the JSON mapping cares about (extreme numbers,
// the first and last representable dates, escapes in strings, decimals of
// every width, blocks with byte sizes), and now and then an invalid one
// (bad UTF-8, an enum or union index out of range) when invalid is set.
type bodyGen struct {
	rnd     *rand.Rand
	invalid bool
	// deep is the depth from which arrays and maps are empty and unions
	// take a branch that is not a record (6 if 0).
	deep int
}

func (g *bodyGen) tooDeep(depth int) bool {
	if g.deep == 0 {
		return depth > 6
	}
	return depth > g.deep
}

func (g *bodyGen) body(s avro.Schema) []byte { return g.value(nil, s, 0) }

func (g *bodyGen) chance(n int) bool { return g.rnd.IntN(n) == 0 }

func (g *bodyGen) long(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

func (g *bodyGen) value(dst []byte, s avro.Schema, depth int) []byte {
	s = avrovalue.Deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		return dst
	case *avro.PrimitiveSchema:
		return g.primitive(dst, t)
	case *avro.RecordSchema:
		for _, f := range t.Fields() {
			dst = g.value(dst, f.Type(), depth+1)
		}
		return dst
	case *avro.EnumSchema:
		i := g.rnd.IntN(len(t.Symbols()))
		if g.invalid && g.chance(50) {
			i = len(t.Symbols()) + g.rnd.IntN(3)
		}
		return g.long(dst, int64(i))
	case *avro.FixedSchema:
		return g.fixedBytes(dst, t)
	case *avro.ArraySchema:
		return g.blocks(dst, depth, func(dst []byte) []byte { return g.value(dst, t.Items(), depth+1) })
	case *avro.MapSchema:
		return g.blocks(dst, depth, func(dst []byte) []byte {
			dst = g.str(dst)
			return g.value(dst, t.Values(), depth+1)
		})
	case *avro.UnionSchema:
		types := t.Types()
		i := g.rnd.IntN(len(types))
		if g.tooDeep(depth) {
			// Deep enough: take a branch that cannot recurse.
			for j, b := range types {
				if _, rec := avrovalue.Deref(b).(*avro.RecordSchema); !rec {
					i = j
					break
				}
			}
		}
		if g.invalid && g.chance(50) {
			i = len(types) + g.rnd.IntN(2)
			return g.long(dst, int64(i))
		}
		dst = g.long(dst, int64(i))
		return g.value(dst, types[i], depth+1)
	}
	return dst
}

// blocks writes 0–3 blocks of items, some with a negative count and a
// byte size as hamba/avro writes them, and none past a depth.
func (g *bodyGen) blocks(dst []byte, depth int, item func([]byte) []byte) []byte {
	nblocks := g.rnd.IntN(4)
	if g.tooDeep(depth) {
		nblocks = 0
	}
	for range nblocks {
		n := 1 + g.rnd.IntN(3)
		if g.chance(2) {
			dst = g.long(dst, int64(n))
			for range n {
				dst = item(dst)
			}
			continue
		}
		var items []byte
		for range n {
			items = item(items)
		}
		dst = g.long(dst, -int64(n))
		dst = g.long(dst, int64(len(items)))
		dst = append(dst, items...)
	}
	return g.long(dst, 0)
}

func (g *bodyGen) pick(vals ...int64) int64 { return vals[g.rnd.IntN(len(vals))] }

// anyLong is a random long: small, extreme, or any 64 bits.
func (g *bodyGen) anyLong() int64 {
	switch g.rnd.IntN(4) {
	case 0:
		return g.pick(0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt32, math.MinInt32, math.MaxInt32+1, math.MinInt32-1)
	case 1:
		return int64(g.rnd.IntN(2001)) - 1000
	case 2:
		return g.rnd.Int64() >> g.rnd.IntN(64)
	}
	return int64(g.rnd.Uint64())
}

func (g *bodyGen) anyInt() int32 {
	switch g.rnd.IntN(3) {
	case 0:
		return int32(g.pick(0, 1, -1, math.MaxInt32, math.MinInt32))
	case 1:
		return int32(g.rnd.IntN(2001)) - 1000
	}
	return int32(g.rnd.Uint32())
}

// timestamp is a random instant in unit (per second): around the edges of
// years 0 and 9999, the epoch, now, or anywhere.
func (g *bodyGen) timestamp(unit int64) int64 {
	day := int64(86400) * unit
	switch g.rnd.IntN(5) {
	case 0:
		return g.pick(dayYear0*day, dayYear10000*day) + int64(g.rnd.IntN(5)) - 2
	case 1:
		return int64(g.rnd.IntN(int(4*day))) - 2*day
	case 2:
		return 1714557600*unit + g.rnd.Int64N(1_000_000*unit)
	case 3:
		return (dayYear0-400)*day + g.rnd.Int64N((dayYear10000-dayYear0+800)*day)
	}
	return g.anyLong()
}

func (g *bodyGen) primitive(dst []byte, s *avro.PrimitiveSchema) []byte {
	var logical avro.LogicalType
	if l := logicalOf(s); l != nil {
		logical = l.Type()
	}
	switch s.Type() {
	case avro.Boolean:
		if g.invalid && g.chance(50) {
			return append(dst, 2)
		}
		return append(dst, byte(g.rnd.IntN(2)))
	case avro.Int:
		switch logical {
		case avro.Date:
			if g.chance(2) {
				return g.long(dst, g.pick(dayYear0, dayYear10000)+int64(g.rnd.IntN(5))-2)
			}
			return g.long(dst, int64(dayYear0-400)+g.rnd.Int64N(dayYear10000-dayYear0+800))
		case avro.TimeMillis:
			if g.chance(2) {
				return g.long(dst, g.pick(-1, 0, 86_400_000-1, 86_400_000))
			}
			return g.long(dst, g.rnd.Int64N(86_400_000))
		}
		return g.long(dst, int64(g.anyInt()))
	case avro.Long:
		switch logical {
		case avro.TimestampMillis, avro.LocalTimestampMillis:
			return g.long(dst, g.timestamp(1000))
		case avro.TimestampMicros, avro.LocalTimestampMicros:
			return g.long(dst, g.timestamp(1000_000))
		case avro.TimeMicros:
			if g.chance(2) {
				return g.long(dst, g.pick(-1, 0, 86_400_000_000-1, 86_400_000_000))
			}
			return g.long(dst, g.rnd.Int64N(86_400_000_000))
		}
		return g.long(dst, g.anyLong())
	case avro.Float:
		f := float32(g.float())
		if g.chance(3) {
			f = math.Float32frombits(g.rnd.Uint32())
		}
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
	case avro.Double:
		f := g.float()
		if g.chance(3) {
			f = math.Float64frombits(g.rnd.Uint64())
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	case avro.Bytes:
		if dec, ok := logicalOf(s).(*avro.DecimalLogicalSchema); ok {
			b := g.decimal(g.rnd.IntN(20), dec.Precision())
			return append(g.long(dst, int64(len(b))), b...)
		}
		b := make([]byte, g.rnd.IntN(20))
		for i := range b {
			b[i] = byte(g.rnd.Uint32())
		}
		return append(g.long(dst, int64(len(b))), b...)
	case avro.String:
		return g.str(dst)
	}
	return dst
}

func (g *bodyGen) float() float64 {
	specials := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 19.99, 1e-6, 1e-7, 9.99e-7, 1e20, 1e21, 123456789e13,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32, math.SmallestNonzeroFloat32, math.Inf(1), math.Inf(-1), math.NaN()}
	if g.chance(2) {
		return specials[g.rnd.IntN(len(specials))]
	}
	return (g.rnd.Float64() - 0.5) * math.Pow(10, float64(g.rnd.IntN(40)-20))
}

// decimal is a two's-complement unscaled value of n bytes: random, or a
// sign extension of a small value, or the edges of 64 bits.
func (g *bodyGen) decimal(n, precision int) []byte {
	b := make([]byte, n)
	if g.chance(2) {
		// Within the precision (and n bytes), as valid values are.
		limit := int64(1)
		for range min(precision, 18) {
			limit *= 10
		}
		if n > 0 && n < 8 {
			limit = min(limit, int64(1)<<(8*n-1))
		}
		v := int64(0)
		if n > 0 {
			v = g.rnd.Int64N(2*limit-1) - (limit - 1)
		}
		for i := range b {
			if shift := 8 * (n - 1 - i); shift < 64 {
				b[i] = byte(v >> shift)
			} else {
				b[i] = byte(v >> 63)
			}
		}
		return b
	}
	switch g.rnd.IntN(4) {
	case 0:
		for i := range b {
			b[i] = byte(g.rnd.Uint32())
		}
	case 1, 2:
		v := g.anyLong()
		if g.chance(2) {
			v = int64(g.rnd.IntN(200001)) - 100000
		}
		for i := range b {
			shift := 8 * (n - 1 - i)
			if shift >= 64 {
				b[i] = byte(v >> 63)
			} else {
				b[i] = byte(v >> shift)
			}
		}
	default:
		ext := byte(g.rnd.IntN(2) * 0xff)
		for i := range b {
			b[i] = ext
		}
		if n > 0 {
			b[max(0, n-8)] ^= 0x80 // just past 64 bits, or the edge of it
		}
	}
	return b
}

func (g *bodyGen) fixedBytes(dst []byte, t *avro.FixedSchema) []byte {
	if dec, ok := logicalOf(t).(*avro.DecimalLogicalSchema); ok {
		return append(dst, g.decimal(t.Size(), dec.Precision())...)
	}
	for range t.Size() {
		dst = append(dst, byte(g.rnd.Uint32()))
	}
	return dst
}

// str writes a string with a bit of everything appendJSONString escapes.
func (g *bodyGen) str(dst []byte) []byte {
	pieces := []string{"a", "order-42", " ", "\"", "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "/", "<>&",
		"é", "€", "\u2028", "\u2029", "\U0001F600", "\uFFFD", "\u00a0", "日本"}
	var s []byte
	for range g.rnd.IntN(6) {
		if g.chance(3) {
			s = append(s, "plain ascii text"[:g.rnd.IntN(16)]...)
			continue
		}
		s = append(s, pieces[g.rnd.IntN(len(pieces))]...)
	}
	if g.invalid && g.chance(30) {
		bad := []string{"\xff", "\xc3", "\xed\xa0\x80", "\xe2\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}
		at := g.rnd.IntN(len(s) + 1)
		s = append(s[:at:at], append([]byte(bad[g.rnd.IntN(len(bad))]), s[at:]...)...)
	}
	return append(g.long(dst, int64(len(s))), s...)
}

// TestRenderRandomRoundTrip renders random valid and broken bodies of every
// schema: errors are ValueErrors matching serde.ErrTruncated or serde.ErrInvalidValue,
// and what renders is JSON that encodes back to a body rendering the same.
func TestRenderRandomRoundTrip(t *testing.T) {
	schemas := renderSchemas(t)
	n := 1000
	if testing.Short() {
		n = 100
	}
	for _, name := range sortedNames(schemas) {
		s := &serde.Schema{ID: 9, Avro: schemas[name]}
		plan := Compile(s.Avro)
		t.Run(name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(5, uint64(len(name))))
			g := &bodyGen{rnd: rnd}
			rendered := 0
			for i := range n {
				g.invalid = i%3 == 0
				body := g.body(s.Avro)
				bodies := [][]byte{body, append(bytes.Clone(body), 0)}
				if len(body) > 0 {
					bodies = append(bodies, body[:rnd.IntN(len(body))])
				}
				for _, b := range bodies {
					js, err := plan.AppendJSON(nil, b)
					if err != nil {
						var ve *serde.ValueError
						if !errors.As(err, &ve) || !errors.Is(err, serde.ErrTruncated) && !errors.Is(err, serde.ErrInvalidValue) {
							t.Fatalf("body %x: error %v is not a ValueError for serde.ErrTruncated or serde.ErrInvalidValue", b, err)
						}
						continue
					}
					rendered++
					if !json.Valid(js) {
						t.Fatalf("body %x: invalid JSON %s", b, js)
					}
					framed, err := EncodeJSON(s, js)
					if err != nil {
						t.Fatalf("body %x: EncodeJSON(%s): %v", b, js, err)
					}
					again, err := plan.AppendJSON(nil, framed[serde.HeaderSize:])
					if err != nil || !bytes.Equal(again, js) {
						t.Fatalf("body %x: JSON changed on a round trip:\n%s\n%s (%v)", b, js, again, err)
					}
				}
			}
			if rendered < n/4 {
				t.Errorf("only %d of %d bodies rendered: the generator makes too few valid values", rendered, n)
			}
		})
	}
}
