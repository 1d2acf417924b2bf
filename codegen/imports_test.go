package codegen

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports checks the arrows of ARCHITECTURE.md: codegen reads schemas
// (and registry/compat, hamba/avro), never the registry service, the stream
// tools or the CLI, and not serde (generated code imports serde; the
// generator does not).
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if !strings.HasPrefix(pkg, "github.com/edactl/edactl/") {
			continue
		}
		switch strings.TrimPrefix(pkg, "github.com/edactl/edactl/") {
		case "codegen", "schemas", "registry/compat":
		default:
			t.Errorf("codegen depends on %s", pkg)
		}
	}
}
