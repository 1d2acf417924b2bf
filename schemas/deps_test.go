package schemas_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The schemas packages sit below the commands and beside the registry: they
// may use registry/compat (the one home of the compatibility rules) but no
// other edactl package, and only the libraries their docs name.
func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	allowed := map[string][]string{
		"github.com/edactl/edactl/schemas":          {"github.com/edactl/edactl/registry/compat", "github.com/edactl/edactl/schemas"},
		"github.com/edactl/edactl/schemas/gate":     {"github.com/edactl/edactl/registry/compat", "github.com/edactl/edactl/schemas", "github.com/edactl/edactl/schemas/gate"},
		"github.com/edactl/edactl/schemas/examples": {"github.com/edactl/edactl/schemas/examples"},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if !strings.HasPrefix(dep, "github.com/edactl/edactl") {
				if pkg == "github.com/edactl/edactl/schemas/examples" && strings.Contains(dep, ".") {
					t.Errorf("%s imports %s: the catalogue needs only the standard library", pkg, dep)
				}
				continue
			}
			found := false
			for _, a := range ok {
				found = found || dep == a
			}
			if !found {
				t.Errorf("%s imports %s: imports must point from cmd to features to registry/compat", pkg, dep)
			}
		}
	}
}
