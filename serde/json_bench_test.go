package serde

import (
	"os"
	"testing"

	"github.com/edactl/edactl/internal/testenv"
)

// benchOrderSchema is a typical event (testdata/schemas/bench-order.avsc):
// strings, a timestamp, a decimal, an enum, an array of records, an optional
// field and a map, the same as the stream and consume benchmarks use.
func benchOrderSchema(tb testing.TB) string {
	return string(testenv.ReadFile(tb, "schemas/bench-order.avsc"))
}

const benchOrderJSON = `{"order_id":"ord-00000042","customer_id":"cust-00042","placed_at":"2024-05-01T10:00:00.000Z","total":123.45,"currency":"EUR",` +
	`"items":[{"sku":"SKU-1","qty":2,"price":19.99},{"sku":"SKU-2","qty":1,"price":5.5}],"coupon":null,"attrs":{"channel":"web","region":"eu-west"}}`

// BenchmarkAppendJSON measures rendering one Avro body as JSON with a
// schema fetched once (the per-record work of consume -o json and
// DecodeJSON), into a reused buffer.
func BenchmarkAppendJSON(b *testing.B) {
	everythingText, err := os.ReadFile("testdata/everything.avsc")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, schema, value string }{
		{"order", benchOrderSchema(b), benchOrderJSON},
		{"everything", string(everythingText), everythingJSON},
		{"flat", `{"type":"record","name":"Flat","fields":[{"name":"a","type":"int"},{"name":"s","type":"string"},{"name":"f","type":"float"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}`,
			`{"a":123456,"s":"hello, world","f":1.5,"e":"Y"}`},
	} {
		s := &Schema{ID: 1, Text: bc.schema, Avro: mustParse(b, bc.schema)}
		framed, err := EncodeJSON(s, []byte(bc.value))
		if err != nil {
			b.Fatal(err)
		}
		body := framed[HeaderSize:]
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var out []byte
			for b.Loop() {
				if out, err = benchRender(out[:0], s, body); err != nil {
					b.Fatal(err)
				}
			}
			if string(out) != bc.value {
				b.Fatalf("rendered %s, want %s", out, bc.value)
			}
		})
	}
}

func benchRender(dst []byte, s *Schema, body []byte) ([]byte, error) {
	return s.AppendJSON(dst, body)
}
