package avrojson

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/serde"
)

// benchOrderSchema is a typical event (testdata/schemas/bench-order.avsc):
// strings, a timestamp, a decimal, an enum, an array of records, an optional
// field and a map, the same as the stream and consume benchmarks use.
func benchOrderSchema(tb testing.TB) string {
	return string(testenv.ReadFile(tb, "schemas/bench-order.avsc"))
}

const benchOrderJSON = `{"order_id":"ord-00000042","customer_id":"cust-00042","placed_at":"2024-05-01T10:00:00.000Z","total":123.45,"currency":"EUR",` +
	`"items":[{"sku":"SKU-1","qty":2,"price":19.99},{"sku":"SKU-2","qty":1,"price":5.5}],"coupon":null,"attrs":{"channel":"web","region":"eu-west"}}`

// benchCase is a schema and a value of it in the JSON form.
type benchCase struct{ name, schema, value string }

func benchCases(b *testing.B) []benchCase {
	everythingText, err := os.ReadFile("testdata/everything.avsc")
	if err != nil {
		b.Fatal(err)
	}
	return []benchCase{
		{"order", benchOrderSchema(b), benchOrderJSON},
		{"everything", string(everythingText), everythingJSON},
		{"flat", `{"type":"record","name":"Flat","fields":[{"name":"a","type":"int"},{"name":"s","type":"string"},{"name":"f","type":"float"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}`,
			`{"a":123456,"s":"hello, world","f":1.5,"e":"Y"}`},
	}
}

// BenchmarkAppendJSON measures rendering one Avro body as JSON with a
// schema compiled once (the per-record work of consume -o json), into a
// reused buffer.
func BenchmarkAppendJSON(b *testing.B) {
	for _, bc := range benchCases(b) {
		s := &serde.Schema{ID: 1, Text: bc.schema, Avro: mustParse(b, bc.schema)}
		framed, err := EncodeJSON(s, []byte(bc.value))
		if err != nil {
			b.Fatal(err)
		}
		body := framed[serde.HeaderSize:]
		plan := Compile(s.Avro)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var out []byte
			cpu0, n := testenv.CPUTime(b), 0
			for b.Loop() {
				if out, err = plan.AppendJSON(out[:0], body); err != nil {
					b.Fatal(err)
				}
				n++
			}
			// CPU time per value: on a shared machine it moves less than
			// the wall time.
			b.ReportMetric(float64((testenv.CPUTime(b)-cpu0).Nanoseconds())/float64(n), "cpu-ns/op")
			if string(out) != bc.value {
				b.Fatalf("rendered %s, want %s", out, bc.value)
			}
		})
	}
}

// BenchmarkAppendJSONVaried measures rendering the bodies of the consume
// benchmark's orders (cmd/edactl, BenchmarkConsumeJSON): 1,000 distinct
// values with varied ids, timestamps, totals and quantities, in turn, so
// that no value's rendering is the last one repeated. It fails unless the
// last round rendered every value as the JSON it was encoded from.
func BenchmarkAppendJSONVaried(b *testing.B) {
	s := &serde.Schema{ID: 1, Text: benchOrderSchema(b), Avro: mustParse(b, benchOrderSchema(b))}
	const n = 1000
	bodies, want := make([][]byte, n), make([]string, n)
	for i := range n {
		coupon := "null"
		if i%4 == 0 {
			coupon = `"SPRING"`
		}
		ts := time.UnixMilli(1714557600000 + int64(i)*1000).UTC().Format("2006-01-02T15:04:05.000Z")
		want[i] = fmt.Sprintf(`{"order_id":"ord-%08d","customer_id":"cust-%05d","placed_at":"%s","total":%d.%02d,"currency":"EUR",`+
			`"items":[{"sku":"SKU-%d","qty":%d,"price":19.99},{"sku":"SKU-%d","qty":1,"price":5.5}],`+
			`"coupon":%s,"attrs":{"channel":"web","region":"eu-west"}}`,
			i, i%977, ts, i%500, i%100, i%50, 1+i%3, i%70, coupon)
		framed, err := EncodeJSON(s, []byte(want[i]))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = framed[serde.HeaderSize:]
	}
	// The bodies one after another in one buffer, as a fetched batch
	// holds them, each with its capacity cut at its end, as franz-go's
	// record values are.
	var batch []byte
	for _, body := range bodies {
		batch = append(batch, body...)
	}
	for i, off := 0, 0; i < n; i++ {
		end := off + len(bodies[i])
		bodies[i], off = batch[off:end:end], end
	}
	plan := Compile(s.Avro)
	b.ReportAllocs()
	outs := make([][]byte, n)
	for i := range outs {
		outs[i] = make([]byte, 0, 512)
	}
	var err error
	cpu0, ops := testenv.CPUTime(b), 0
	for b.Loop() {
		i := ops % n
		if outs[i], err = plan.AppendJSON(outs[i][:0], bodies[i]); err != nil {
			b.Fatal(err)
		}
		ops++
	}
	b.ReportMetric(float64((testenv.CPUTime(b)-cpu0).Nanoseconds())/float64(ops), "cpu-ns/op")
	for i := range min(ops, n) {
		if string(outs[i]) != want[i] {
			b.Fatalf("value %d rendered %s, want %s", i, outs[i], want[i])
		}
	}
}

// BenchmarkAppendAvro measures encoding one JSON value as an Avro body (the
// per-line work of produce), into a reused buffer.
func BenchmarkAppendAvro(b *testing.B) {
	for _, bc := range benchCases(b) {
		schema := mustParse(b, bc.schema)
		value := []byte(bc.value)
		want, err := AppendAvro(nil, schema, value)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(value)))
			var out []byte
			for b.Loop() {
				if out, err = AppendAvro(out[:0], schema, value); err != nil {
					b.Fatal(err)
				}
			}
			if string(out) != string(want) {
				b.Fatalf("encoded %x, want %x", out, want)
			}
		})
	}
}

// BenchmarkAppendJSONString measures writing text as a JSON string: a
// header value or key, a sentence, and text with characters to escape.
func BenchmarkAppendJSONString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"header", "shop.orders.OrderPlaced"},
		{"sentence", "Please leave the parcel with the neighbour at number 12, thanks"},
		{"escapes", "line one\nline \"two\"\tend"},
	} {
		s := c.s
		b.Run(c.name, func(b *testing.B) {
			in := []byte(s)
			var out []byte
			for b.Loop() {
				out = AppendJSONString(out[:0], in)
			}
			if len(out) < len(s)+2 {
				b.Fatalf("wrote %q", out)
			}
		})
	}
}
