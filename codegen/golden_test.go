package codegen

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

var update = flag.Bool("update", false, "rewrite the golden directories under testdata/gen")

// goldens are the schema trees generated into testdata/gen/<name>, with the
// package name from their edactl.yaml: the sample catalogue, and the
// feature tree in the repository's top-level testdata/features (the JSON
// form's tests render its schemas too).
var goldens = []struct {
	name string
	fsys func(testing.TB) fs.FS
}{
	{"examples", func(testing.TB) fs.FS { return examples.FS() }},
	{"features", func(tb testing.TB) fs.FS { return os.DirFS(testenv.Path(tb, "features")) }},
}

func generate(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	tree, err := schemas.LoadFS(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	in, err := FromTree(tree, tree.Config.Gen.Go.Package)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Go(in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden generates each tree, compares the result with its golden
// directory (-update rewrites it), checks that generating twice gives the
// same bytes, and compiles and vets the golden packages.
func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			out := generate(t, g.fsys(t))
			again := generate(t, g.fsys(t))
			for name, src := range out {
				if !bytes.Equal(src, again[name]) {
					t.Errorf("%s differs between two runs", name)
				}
				if !bytes.HasPrefix(src, []byte(Header+"\n")) {
					t.Errorf("%s does not start with %q", name, Header)
				}
			}
			dir := filepath.Join("testdata", "gen", g.name)
			if *update {
				writeGolden(t, dir, out)
			}
			onDisk := map[string][]byte{}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("%v (run go test ./codegen -update)", err)
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".go") {
					data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
					if bytes.HasPrefix(data, []byte(Header+"\n")) { // not the user's own files (hooks)
						onDisk[e.Name()] = data
					}
				}
			}
			for name, src := range out {
				if !bytes.Equal(onDisk[name], src) {
					t.Errorf("%s/%s is stale (run go test ./codegen -update)", dir, name)
				}
			}
			for name := range onDisk {
				if _, ok := out[name]; !ok {
					t.Errorf("%s/%s is no longer generated (run go test ./codegen -update)", dir, name)
				}
			}
		})
	}
	if t.Failed() {
		return
	}
	// The goldens are real packages of this module: build and vet them.
	var pkgs []string
	for _, g := range goldens {
		pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join("testdata", "gen", g.name)))
	}
	for _, args := range [][]string{append([]string{"build"}, pkgs...), append([]string{"vet"}, pkgs...)} {
		cmd := exec.Command("go", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func writeGolden(t *testing.T, dir string, out map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := out[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".go") {
			if data, _ := os.ReadFile(filepath.Join(dir, e.Name())); bytes.HasPrefix(data, []byte(Header+"\n")) {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), out[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
