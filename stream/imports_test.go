package stream

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows keeps the package's dependencies pointing one way: stream
// may use serde (and what serde needs) and franz-go, never the command
// tree, the TUI, the registry server or the code generator.
func TestImportArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	allowed := map[string]bool{
		"github.com/edactl/edactl/stream":          true,
		"github.com/edactl/edactl/serde":           true,
		"github.com/edactl/edactl/registry/compat": true, // through serde
	}
	for dep := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(dep, "github.com/edactl/edactl/") && !allowed[dep] {
			t.Errorf("stream depends on %s; it may only use serde and franz-go", dep)
		}
	}
}
