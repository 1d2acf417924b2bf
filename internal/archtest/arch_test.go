// Package archtest holds the test that keeps edactl's import arrows
// pointing one way, as ARCHITECTURE.md draws them: cmd → features →
// registry/stream → libraries. Nothing imports cmd.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/edactl/edactl"

// layers ranks every package of the module. A package may import only
// packages of a lower rank. A new package must be given a rank here (the test
// fails until it is), which is the moment to decide where it belongs.
var layers = map[string]int{
	"registry/compat":       0,
	"registry/store":        0,
	"serde":                 1,
	"schemas":               1,
	"schemas/examples":      0,
	"schemas/gate":          2,
	"codegen/gentest":       3,
	"registry":              1,
	"registry/api":          2,
	"registry/registrytest": 3,
	"codegen":               2,
	"stream":                2,
	"tui":                   3,
	"dev":                   4,
	"dev/demo":              3,
	"internal/archtest":     9,
	"cmd/edactl":            9,
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportArrowsPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if strings.HasPrefix(rel, "testdata") || strings.Contains(rel, "/testdata/") {
			continue // generated golden code is a module of its own
		}
		rank, ok := layers[rel]
		if !ok {
			t.Errorf("package %s has no layer: add it to internal/archtest and ARCHITECTURE.md's table", rel)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if dep == "cmd/edactl" {
				t.Errorf("%s imports cmd/edactl: nothing may", rel)
				continue
			}
			dr, ok := layers[dep]
			if ok && dr >= rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): arrows must point down", rel, rank, dep, dr)
			}
		}
	}
}
