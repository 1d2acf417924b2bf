package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"
)

// FuzzParseConfig: any edactl.yaml gives a config or a *ConfigError, never
// a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("registry: http://x\nevents:\n  a/b:\n    consumers: [x, y]\nlint:\n  disable: [missing-doc]\n"))
	f.Add([]byte("registy: 1\n"))
	f.Add([]byte("events: &a\n  a/b: *a\n"))
	f.Add([]byte("- 1\n"))
	f.Add([]byte("gen: {go: {out: x, package: y, z: 1}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 || err.Error() == "" {
				t.Fatalf("want a *ConfigError with problems, got %T %v", err, err)
			}
			return
		}
		_ = cfg.Strategy()
		_ = cfg.Level("a/b")
		_ = cfg.Dir()
	})
}

// FuzzLocate: locating pointers and paths in any text never panics and
// always gives a line inside the file.
func FuzzLocate(f *testing.F) {
	f.Add([]byte(located), "/fields/1/type/items/fields/1/type/1", "OrderPlaced.lines[].price")
	f.Add([]byte(`{"type":"record","name":"A","fields":[{"name":"b","type":"B"}]}`), "/fields/0/type/fields/0", "A.b.c")
	f.Add([]byte(`[{"type":"record","name":"B","fields":[]}, "B"]`), "/1/fields", "B{}[]..")
	f.Add([]byte(`{"a":"\ud800"}`), "/a/~1/~0", "")
	f.Fuzz(func(t *testing.T, src []byte, ptr, path string) {
		v := &Version{Source: src}
		lines := bytes.Count(src, []byte("\n")) + 1
		if l := v.LineOfPointer(ptr); l < 1 || l > lines {
			t.Fatalf("LineOfPointer(%q) = %d outside 1..%d", ptr, l, lines)
		}
		if l := v.LineOfPath(path); l < 1 || l > lines {
			t.Fatalf("LineOfPath(%q) = %d outside 1..%d", path, l, lines)
		}
	})
}

// FuzzLoadVersion: whatever a version file holds, loading, checking and
// linting report problems and never panic.
func FuzzLoadVersion(f *testing.F) {
	f.Add([]byte(`{"type":"record","name":"OrderPlaced","x-eda-key":"id","fields":[{"name":"id","type":"long"},{"name":"x","type":["null","string"]}]}`))
	f.Add([]byte(`{"type":"record","name":"OrderPlaced","x-eda-kind":7,"x-eda-key":"a.b.c","fields":[]}`))
	f.Add([]byte(`{"type":"record","name":"OrderPlaced","fields":[{"name":"r","type":{"type":"record","name":"R","fields":[{"name":"r","type":["null","R"]}]}}]}`))
	f.Add([]byte(`"string"`))
	f.Add([]byte(`{"type":`))
	f.Fuzz(func(t *testing.T, src []byte) {
		v1 := []byte(`{"type":"record","name":"OrderPlaced","fields":[{"name":"id","type":"int"}]}`)
		fsys := fstest.MapFS{
			"edactl.yaml":                         {Data: []byte("compatibility: FULL_TRANSITIVE\nevents:\n  orders/order-placed:\n    consumers: [a, b]\n")},
			"schemas/orders/order-placed/v1.avsc": {Data: v1},
			"schemas/orders/order-placed/v2.avsc": {Data: src},
		}
		ctx := context.Background()
		tree, err := LoadFS(ctx, fsys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CheckHistory(ctx, tree); err != nil {
			t.Fatal(err)
		}
		for _, f := range append(Lint(tree), tree.Problems...) {
			if f.Line < 0 || f.Rule == "" || f.Message == "" {
				t.Fatalf("bad finding %+v", f)
			}
		}
	})
}

// FuzzFix: for any pair of versions, every suggested fix lies inside its
// file and applying it leaves valid JSON.
func FuzzFix(f *testing.F) {
	f.Add([]byte(`{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}`),
		[]byte(`{"type":"record","name":"R","fields":[{"name":"b","type":"long"},{"name":"n","type":"int"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}]}`))
	f.Add([]byte(`{"type":"record","name":"R","fields":[{"name":"c","type":{"type":"record","name":"C","fields":[]}},{"name":"x","type":"string"}]}`),
		[]byte(`{"type":"record","name":"R","fields":[{"name":"c","type":{"type":"record","name":"D","fields":[]}}, {"name":"m","type":{"type":"map","values":"long"}}]}`))
	f.Add([]byte(`{"type":"record","name":"R","fields":[{"name":"l","type":{"type":"array","items":"long"}}]}`),
		[]byte(`{"type":"record","name":"R","fields":[{"name":"l","type":{"type":"array","items":"int"}},{"name":"r","type":["null","R"]}]}`))
	f.Fuzz(func(t *testing.T, old, new []byte) {
		fsys := fstest.MapFS{
			"edactl.yaml":                 {Data: []byte("compatibility: FULL_TRANSITIVE\n")},
			"schemas/a/r/v1.avsc":         {Data: old},
			"schemas/a/r/v2.avsc":         {Data: new},
			"schemas/a/r/not-a-file.json": {Data: []byte("{}")},
		}
		ctx := context.Background()
		tree, err := LoadFS(ctx, fsys)
		if err != nil {
			t.Fatal(err)
		}
		findings, err := CheckHistory(ctx, tree)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range findings {
			for fx := fd.Fix; fx != nil; fx = fx.Alternative {
				out, err := ApplyFixes(new, []*Fix{fx})
				if err != nil {
					t.Fatalf("fix %+v: %v", fx, err)
				}
				if !json.Valid(out) {
					t.Fatalf("fix %+v gives invalid JSON:\n%s", fx, out)
				}
			}
		}
	})
}
