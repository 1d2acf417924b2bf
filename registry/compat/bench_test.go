package compat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// benchHistory builds 100 versions of a 50-field record: each version adds a
// field with a default and widens an int to a long, the way real event
// schemas grow.
func benchHistory(tb testing.TB) (candidate avroSchema, history []avroSchema) {
	version := func(v int) string {
		var b strings.Builder
		b.WriteString(`{"type":"record","name":"OrderPlaced","namespace":"shop.orders","fields":[`)
		for i := 0; i < 50; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			typ := `"int"`
			if i < v%50 {
				typ = `"long"`
			}
			switch i % 5 {
			case 1:
				typ = `"string"`
			case 2:
				typ = `["null","string"],"default":null`
			case 3:
				typ = `{"type":"array","items":{"type":"record","name":"Item` + fmt.Sprint(i) + `","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}`
			}
			fmt.Fprintf(&b, `{"name":"f%d","type":%s}`, i, typ)
		}
		for e := 0; e < v; e++ {
			fmt.Fprintf(&b, `,{"name":"extra%d","type":"string","default":""}`, e)
		}
		b.WriteString("]}")
		return b.String()
	}
	var err error
	if candidate, err = avroschema.Parse(version(100)); err != nil {
		tb.Fatal(err)
	}
	for v := 99; v >= 0; v-- {
		s, err := avroschema.Parse(version(v))
		if err != nil {
			tb.Fatal(err)
		}
		history = append(history, s)
	}
	return candidate, history
}

// BenchmarkCheckFullTransitive checks a 50-field record against 100 history
// versions under FULL_TRANSITIVE (200 reader/writer walks). Target: < 20 ms.
func BenchmarkCheckFullTransitive(b *testing.B) {
	candidate, history := benchHistory(b)
	b.ReportAllocs()
	for b.Loop() {
		r := Check(FullTransitive, candidate, history)
		if len(r.Comparisons) != 200 {
			b.Fatal("wrong comparison count")
		}
	}
}

// BenchmarkParse parses a 50-field record with a fresh cache.
func BenchmarkParse(b *testing.B) {
	var fields []string
	for i := 0; i < 50; i++ {
		fields = append(fields, fmt.Sprintf(`{"name":"f%d","type":"string","doc":"field %d"}`, i, i))
	}
	text := `{"type":"record","name":"R","fields":[` + strings.Join(fields, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := avroschema.Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}
