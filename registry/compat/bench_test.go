package compat

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
)

// benchHistory builds 101 versions of a 50-field record: the candidate
// (version 100) and its history, newest first (versions 99 to 0). Each
// version adds a string field with a default, and version v declares the
// int fields f<i> with i < v%50 as long, the way real event schemas grow;
// the count wraps at 50, so the candidate declares them all int again and
// cannot read the longs of 98 of the versions before it (see
// benchMismatches).
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

// benchMismatches are the paths benchHistory's candidate cannot read, as
// the reader, in history version v: the fields it declares int that v
// declares long.
func benchMismatches(v int) []string {
	var paths []string
	for i := 0; i < v%50; i++ {
		if i%5 == 0 || i%5 == 4 {
			paths = append(paths, fmt.Sprintf("OrderPlaced.f%d", i))
		}
	}
	return paths
}

// BenchmarkCheckFullTransitive checks a 50-field record against 100 history
// versions under FULL_TRANSITIVE (200 reader/writer walks). Target: < 20 ms.
// It fails unless the check reports every problem there is: a
// TYPE_MISMATCH for each long the candidate reads as int (980 in all), in
// the BACKWARD comparisons, and nothing FORWARD.
func BenchmarkCheckFullTransitive(b *testing.B) {
	candidate, history := benchHistory(b)
	want := 0
	for k := range history {
		want += len(benchMismatches(99 - k))
	}
	r := Check(FullTransitive, candidate, history)
	if len(r.Comparisons) != 200 || r.Compatible {
		b.Fatalf("%d comparisons, compatible %v: want 200, incompatible", len(r.Comparisons), r.Compatible)
	}
	for _, c := range r.Comparisons {
		var paths []string
		for _, in := range c.Incompatibilities {
			if in.Rule != TypeMismatch {
				b.Fatalf("%s against history[%d]: %s at %s, want only %s", c.Direction, c.Against, in.Rule, in.Path, TypeMismatch)
			}
			paths = append(paths, in.Path)
		}
		var wantPaths []string
		if c.Direction == DirBackward {
			wantPaths = benchMismatches(99 - c.Against)
		}
		if !slices.Equal(paths, wantPaths) {
			b.Fatalf("%s against history[%d] found %v, want %v", c.Direction, c.Against, paths, wantPaths)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		r = Check(FullTransitive, candidate, history)
	}
	if len(r.Comparisons) != 200 || r.Compatible || len(r.Incompatibilities()) != want {
		b.Fatalf("%d comparisons with %d problems, want 200 with %d", len(r.Comparisons), len(r.Incompatibilities()), want)
	}
}

// BenchmarkParse parses a 50-field record with a fresh cache, and checks
// the last parse has the 50 fields.
func BenchmarkParse(b *testing.B) {
	var fields []string
	for i := 0; i < 50; i++ {
		fields = append(fields, fmt.Sprintf(`{"name":"f%d","type":"string","doc":"field %d"}`, i, i))
	}
	text := `{"type":"record","name":"R","fields":[` + strings.Join(fields, ",") + `]}`
	b.ReportAllocs()
	var s avroSchema
	var err error
	for b.Loop() {
		if s, err = avroschema.Parse(text); err != nil {
			b.Fatal(err)
		}
	}
	if rec, ok := s.(*avro.RecordSchema); !ok || len(rec.Fields()) != 50 || rec.Fields()[49].Name() != "f49" {
		b.Fatalf("parsed %s, want the 50-field record", s)
	}
}

// BenchmarkCheckLongHistory checks version 61 of a record against its 60
// earlier versions under BACKWARD_TRANSITIVE, each version adding an
// optional field: with plain schemas (CheckBounded) and prepared ones
// (CheckPrepared, the history prepared once, the candidate at every check
// as the registry does), in the same run. It fails unless every check
// compares with the 60 versions and finds them compatible.
//
//	go test -run '^$' -bench CheckLongHistory -count 8 ./registry/compat/
func BenchmarkCheckLongHistory(b *testing.B) {
	version := func(v int) string {
		var sb strings.Builder
		sb.WriteString(`{"type":"record","name":"Event","namespace":"bench","fields":[{"name":"id","type":"string"}`)
		for f := 1; f < v; f++ {
			fmt.Fprintf(&sb, `,{"name":"f%d","type":["null","string"],"default":null}`, f)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	candidate, err := avroschema.Parse(version(61))
	if err != nil {
		b.Fatal(err)
	}
	var history []avro.Schema
	var prepared []*Prepared
	for v := 60; v >= 1; v-- {
		s, err := avroschema.Parse(version(v))
		if err != nil {
			b.Fatal(err)
		}
		history = append(history, s)
		prepared = append(prepared, Prepare(s))
	}
	check := func(b *testing.B, r Report, err error) {
		if err != nil || !r.Compatible || len(r.Comparisons) != 60 {
			b.Fatalf("compatible %v with %d comparisons (%v), want compatible with 60", r.Compatible, len(r.Comparisons), err)
		}
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := CheckBounded(BackwardTransitive, candidate, history, DefaultBudget)
			check(b, r, err)
		}
	})
	b.Run("prepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := CheckPrepared(BackwardTransitive, Prepare(candidate), prepared, DefaultBudget)
			check(b, r, err)
		}
	})
}
