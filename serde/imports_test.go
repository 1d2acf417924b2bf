package serde

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps serde small: generated code and the stream tools import
// it, so besides the standard library it may only use hamba/avro, franz-go's
// pkg/sr and registry/compat.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{
		"github.com/edactl/edactl/serde",
		"github.com/edactl/edactl/registry/compat",
		"github.com/hamba/avro/v2",
		"github.com/twmb/franz-go/pkg/sr",
		// hamba/avro's own dependencies
		"github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2",
		"golang.org/x/", "internal/", "vendor/",
	}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			if strings.HasPrefix(pkg, a) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("serde depends on %s", pkg)
		}
	}
}
