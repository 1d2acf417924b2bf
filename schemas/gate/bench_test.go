package gate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/gate"
)

// writeTree writes a tree of events × versions realistic schemas: each
// event has a nested record, an enum, a nullable field and documentation;
// each version adds a field with a default and grows the enum. One change
// breaks compatibility, so that a check that compares nothing cannot pass:
// the last version of the last event makes lines[].quantity a string
// (benchBreak).
func writeTree(tb testing.TB, dir string, events, versions int, level string) {
	tb.Helper()
	cfg := "compatibility: " + level + "\n"
	if err := os.WriteFile(filepath.Join(dir, "edactl.yaml"), []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	for e := range events {
		domain := fmt.Sprintf("domain%02d", e%20)
		name := fmt.Sprintf("Thing%dHappened", e)
		evDir := filepath.Join(dir, "schemas", domain, name)
		if err := os.MkdirAll(evDir, 0o755); err != nil {
			tb.Fatal(err)
		}
		for v := 1; v <= versions; v++ {
			var b strings.Builder
			fmt.Fprintf(&b, `{
  "type": "record",
  "name": %q,
  "namespace": "bench.%s",
  "doc": "Something happened to thing %d.",
  "x-eda-kind": "event",
  "x-eda-key": "thingId",
  "x-eda-topic": "bench.%s.%d",
  "fields": [
    {"name": "thingId", "type": "string", "doc": "The thing."},
    {"name": "amount", "type": %q, "doc": "How much."},
    {"name": "note", "type": ["null", "string"], "default": null, "doc": "A note."},
    {"name": "status", "doc": "Status.", "type": {"type": "enum", "name": "Status", "doc": "States.", "default": "UNKNOWN",
      "symbols": ["UNKNOWN", "NEW"`, name, domain, e, domain, e, map[bool]string{true: "int", false: "long"}[v < 3 && level == "BACKWARD"])
			for s := 2; s <= v; s++ {
				fmt.Fprintf(&b, `, "S%d"`, s)
			}
			quantity := "int"
			if e == events-1 && v == versions {
				quantity = "string"
			}
			b.WriteString(`]}},
    {"name": "lines", "doc": "Lines.", "type": {"type": "array", "items": {"type": "record", "name": "Line", "doc": "A line.", "fields": [
      {"name": "sku", "type": "string", "doc": "Product."},
      {"name": "quantity", "type": "` + quantity + `", "doc": "Units."},
      {"name": "attributes", "type": {"type": "map", "values": "string"}, "doc": "Attributes."}
    ]}}}`)
			for f := 2; f <= v; f++ {
				fmt.Fprintf(&b, `,
    {"name": "added%d", "type": "string", "default": "", "doc": "Added in v%d."}`, f, f)
			}
			b.WriteString("\n  ]\n}\n")
			if err := os.WriteFile(filepath.Join(evDir, fmt.Sprintf("v%d.avsc", v)), []byte(b.String()), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// benchmarkCheck measures what `edactl check --against local` does: load
// the tree from disk, check every history, lint. It fails unless the check
// covered the 5000 versions and found exactly the tree's one break, in
// wantErrors comparisons, and nothing else.
func benchmarkCheck(b *testing.B, level string, wantErrors int) {
	dir := b.TempDir()
	writeTree(b, dir, 1000, 5, level)
	ctx := context.Background()
	cfgPath := filepath.Join(dir, "edactl.yaml")
	b.ReportAllocs()
	for b.Loop() {
		tree, err := schemas.Load(ctx, cfgPath)
		if err != nil {
			b.Fatal(err)
		}
		r, err := gate.Check(ctx, tree, gate.Options{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if r.OK || r.Events != 1000 || r.Versions != 5000 || r.Errors != wantErrors || r.Warnings != 0 || len(r.Findings) != wantErrors {
			b.Fatalf("want 5000 versions with %d errors, got %s: %v", wantErrors, r.Summary(), r.Findings[:min(3, len(r.Findings))])
		}
		for _, f := range r.Findings {
			if f.Rule != "TYPE_MISMATCH" || f.Event != "domain19/Thing999Happened" || f.Version != 5 || f.Path != "Thing999Happened.lines[].quantity" {
				b.Fatalf("want only the break of Thing999Happened v5, got %v", f)
			}
		}
	}
}

// BenchmarkCheck1000x5 is the acceptance figure: 1,000 events × 5
// versions, BACKWARD, must check in well under 2 s.
func BenchmarkCheck1000x5(b *testing.B) { benchmarkCheck(b, "BACKWARD", 1) }

// BenchmarkCheck1000x5FullTransitive is the worst case: every version
// against every predecessor, both directions (the break is found in each
// of the 8 comparisons of the last version).
func BenchmarkCheck1000x5FullTransitive(b *testing.B) {
	benchmarkCheck(b, "FULL_TRANSITIVE", 8)
}
