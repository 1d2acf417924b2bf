package registry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirections fails if an import arrow of the registry packages
// points backwards (see ARCHITECTURE.md).
func TestImportDirections(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/edactl/edactl/"
	allowed := map[string][]string{
		"registry/store":        {},
		"registry/compat":       {},
		"registry":              {"registry/compat", "registry/store"},
		"registry/api":          {"registry", "registry/compat", "registry/store"},
		"registry/registrytest": {"registry", "registry/compat", "registry/store", "registry/api"},
		"dev":                   {"registry", "registry/compat", "registry/store", "registry/api"},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for dep := range strings.FieldsSeq(string(out)) {
			rel, own := strings.CutPrefix(dep, mod)
			if !own || rel == pkg {
				continue
			}
			found := false
			for _, a := range ok {
				found = found || a == rel
			}
			if !found {
				t.Errorf("%s imports %s: the arrow points the wrong way", pkg, rel)
			}
		}
	}
}
