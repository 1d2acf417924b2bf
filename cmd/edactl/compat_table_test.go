package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompatCommandReproducesTheTable runs `edactl compat` on every case of
// registry/compat's resolution table (checked against Apache Avro) in both
// directions: BACKWARD with the reader as the new schema, FORWARD with the
// writer as the new schema. The exit code must give Avro's verdict and the
// output must name every expected path and rule.
func TestCompatCommandReproducesTheTable(t *testing.T) {
	data, err := os.ReadFile("../../testdata/compat/resolution-table.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name, Reader, Writer string
		Compatible           bool
		Want                 []string
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reader, writer := filepath.Join(dir, "reader.avsc"), filepath.Join(dir, "writer.avsc")
	for _, c := range cases {
		if err := os.WriteFile(reader, []byte(c.Reader), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(writer, []byte(c.Writer), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, run := range []struct{ level, candidate, old string }{
			{"BACKWARD", reader, writer},
			{"FORWARD", writer, reader},
		} {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), []string{"compat", "--level", run.level, run.candidate, run.old},
				Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, func(string) string { return "" })
			want := 0
			if !c.Compatible {
				want = 1
			}
			if code != want {
				t.Errorf("%s %s: exit %d, want %d\n%s%s", run.level, c.Name, code, want, out.String(), errOut.String())
				continue
			}
			for _, w := range c.Want {
				if !strings.Contains(out.String(), w+": ") {
					t.Errorf("%s %s: output lacks %q\n%s", run.level, c.Name, w, out.String())
				}
			}
		}
	}
}
