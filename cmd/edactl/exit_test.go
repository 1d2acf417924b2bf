package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes pins the meaning of edactl's exit codes: 0 ok, 1 a check
// failed, 2 usage or configuration error; errors are one line on stderr.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1 := write("v1.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`)
	v2 := write("v2.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`)
	bad := write("bad.avsc", `{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}`)
	cfg := write("bad.yaml", "unknown_key: 1\n")

	cases := []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"compat", "--level", "FULL", v1, v1}, 0},
		{[]string{"compat", "--level", "BACKWARD", v2, v1}, 1},
		{[]string{"compat", v2}, 2},
		{[]string{"compat", "--level", "WRONG", v2, v1}, 2},
		{[]string{"compat", "--nope", v2, v1}, 2},
		{[]string{"compat", bad, v1}, 2},
		{[]string{"compat", filepath.Join(dir, "missing.avsc"), v1}, 2},
		{[]string{"nosuch"}, 2},
		{[]string{"version", "-o", "xml"}, 2},
		{[]string{"--config", cfg, "version"}, 2},
		{[]string{"rewind", "", "--topic", "orders", "--to-earliest"}, 2},
		{[]string{"compat", filepath.Join(dir, "evil\x1b[2J\r.avsc"), v1}, 2},
		{[]string{"rewind", "bad\x1b[2J", "--topic", "orders", "--to-group", "bad\x1b[2J"}, 2},
		{[]string{"rewind", "billing", "--topic", "orders", "--to-group", ""}, 2},
		{[]string{"rewind", "billing", "--topic", "orders", "--to-group", "billing"}, 2},
		{[]string{"rewind", "billing", "--topic", ":0", "--to-earliest"}, 2},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), c.args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, func(string) string { return "" })
		if code != c.code {
			t.Errorf("edactl %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.code, out.String(), errOut.String())
		}
		if c.code == 2 && strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
			t.Errorf("edactl %s: error is not one line: %q", strings.Join(c.args, " "), errOut.String())
		}
		if strings.ContainsAny(errOut.String(), "\x1b\r\u009b") {
			t.Errorf("edactl %q: control characters on stderr: %q", c.args, errOut.String())
		}
		if strings.Contains(errOut.String(), "goroutine ") {
			t.Errorf("edactl %s: stack trace on stderr", strings.Join(c.args, " "))
		}
	}
}
