package compat

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/edactl/edactl/internal/avroschema"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/golden")

// TestGoldenReports renders the human-readable report of every scenario in
// testdata/golden/*.txtar. An archive holds "level", "new.avsc", the history
// as "old1.avsc", "old2.avsc", ... (newest first) and the expected report as
// "report.txt"; go test -run TestGoldenReports -update rewrites the latter.
func TestGoldenReports(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			get := func(name string) (string, bool) {
				for _, f := range ar.Files {
					if f.Name == name {
						return string(f.Data), true
					}
				}
				return "", false
			}
			lv, _ := get("level")
			level, err := ParseLevel(lv)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := get("new.avsc")
			candidate, err := avroschema.Parse(text)
			if err != nil {
				t.Fatalf("new.avsc: %v", err)
			}
			var history []avro.Schema
			var names []string
			for i := 1; ; i++ {
				name := "old" + string(rune('0'+i)) + ".avsc"
				text, ok := get(name)
				if !ok {
					break
				}
				s, err := avroschema.Parse(text)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				history = append(history, s)
				names = append(names, name)
			}
			var buf bytes.Buffer
			if err := Check(level, candidate, history).WriteText(&buf, "new.avsc", names); err != nil {
				t.Fatal(err)
			}
			if *update {
				found := false
				for i := range ar.Files {
					if ar.Files[i].Name == "report.txt" {
						ar.Files[i].Data, found = buf.Bytes(), true
					}
				}
				if !found {
					ar.Files = append(ar.Files, txtar.File{Name: "report.txt", Data: buf.Bytes()})
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := get("report.txt")
			if !ok {
				t.Fatal("no report.txt: run go test -run TestGoldenReports -update")
			}
			if buf.String() != want {
				t.Errorf("report differs from %s\n got:\n%s\nwant:\n%s", file, buf.String(), want)
			}
		})
	}
}
