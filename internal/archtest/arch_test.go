// Package archtest holds the one test that keeps edactl's import arrows
// pointing one way, as docs/architecture.md draws them: cmd → features →
// registry/stream → libraries. Nothing imports cmd, and the packages that
// generated code imports (serde) depend on a short list of libraries only.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/edactl/edactl"

// layers ranks every package of the module. A package may import only
// packages of a lower rank. A new package must be given a rank here (the test
// fails until it is), which is the moment to decide where it belongs.
var layers = map[string]int{
	"internal/atomicfile":   0,
	"internal/avroschema":   0,
	"internal/connect":      0,
	"internal/avrovalue":    0,
	"internal/jsontree":     -1, // below the Avro leaves: internal/avroschema parses schema text from it
	"internal/termtext":     0,
	"internal/tlsgen":       0,
	"internal/testenv":      0,
	"registry/compat":       0,
	"registry/store":        0,
	"schemas/examples":      0,
	"serde":                 1,
	"schemas":               1,
	"registry":              1,
	"internal/avrojson":     2,
	"schemas/gate":          2,
	"registry/api":          2,
	"internal/regmigrate":   2,
	"codegen":               2,
	"processor":             2,
	"processortest":         3,
	"stream":                3,
	"internal/catalogue":    3,
	"codegen/gentest":       4,
	"registry/registrytest": 4,
	"tui":                   4,
	"dev/demo":              4,
	"dev":                   5,
	"internal/archtest":     9,
	"cmd/edactl":            9,
}

// depRules bound the whole dependency closure (edactl's own packages and
// third-party modules, not the standard library) of the packages whose size
// is a promise: serde and the generated code that imports it, and the leaf
// packages. A dependency is allowed when it starts with one of the
// prefixes.
var depRules = map[string][]string{
	// Generated code and the stream tools import serde: the wire format,
	// the schema cache, the codec and the resolver, never the compatibility
	// engine, the JSON form for tools (internal/avrojson), or anything else
	// of edactl's but the leaves it shares with them (the schema parser
	// reads the JSON tree, which is the standard library only).
	"serde": {
		module + "/serde", module + "/internal/avroschema", module + "/internal/avrovalue", module + "/internal/jsontree",
		"github.com/hamba/avro/v2", "github.com/twmb/franz-go/pkg/sr",
		// hamba/avro's own dependencies
		"github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2",
		"golang.org/x/",
	},
	// The sample package generated from the catalogue stands for every
	// user's generated package: serde and what serde needs, nothing more.
	"codegen/testdata/gen/examples": {
		module + "/codegen/testdata/gen/examples", module + "/serde", module + "/internal/avroschema", module + "/internal/avrovalue", module + "/internal/jsontree",
		"github.com/hamba/avro/v2", "github.com/twmb/franz-go/pkg/sr",
		"github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2",
		"golang.org/x/",
	},
	// The compatibility engine and the Avro leaves use hamba/avro only
	// (and the schema parser the JSON tree).
	"registry/compat":     {module + "/registry/compat", "github.com/hamba/avro/v2", "github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2", "golang.org/x/"},
	"internal/avroschema": {module + "/internal/avroschema", module + "/internal/jsontree", "github.com/hamba/avro/v2", "github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2", "golang.org/x/"},
	"internal/avrovalue":  {module + "/internal/avrovalue", "github.com/hamba/avro/v2", "github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2", "golang.org/x/"},
	// The JSON form for tools sits on serde and the JSON tree, nothing
	// else of edactl's.
	"internal/avrojson": {
		module + "/internal/avrojson", module + "/internal/jsontree", module + "/serde", module + "/internal/avroschema", module + "/internal/avrovalue",
		"github.com/hamba/avro/v2", "github.com/twmb/franz-go/pkg/sr",
		"github.com/json-iterator/go", "github.com/modern-go/", "github.com/go-viper/mapstructure/v2",
		"golang.org/x/",
	},
	// The one JSON tree is the standard library only.
	"internal/jsontree": {module + "/internal/jsontree"},
	// The sample catalogue is embedded files and the standard library.
	"schemas/examples": {module + "/schemas/examples"},
}

// ownRules bound which of edactl's own packages a package may reach,
// directly or not (third-party modules are not restricted here). internal/
// packages are allowed everywhere their layer permits.
var ownRules = map[string][]string{
	// The stream tools sit on serde and franz-go: never the registry
	// server, the schema tree, the generator, the TUI or the CLI.
	"stream": {"serde"},
	// The processor runtime that generated services import sits on serde
	// and franz-go: never the registry, the schema tree, the generator or
	// the stream tools. Its in-memory tester adds only the runtime.
	"processor":     {"serde"},
	"processortest": {"processor", "serde"},
	// The generator reads the schema tree; generated code imports serde,
	// the generator does not.
	"codegen": {"schemas", "registry/compat"},
	// The schema tree and the gate use the compatibility rules and nothing
	// of the registry service or the stream tools.
	"schemas":      {"registry/compat"},
	"schemas/gate": {"schemas", "registry/compat"},
	// The catalogue documents the schema tree: the tree, the gate's view of
	// a registry and the compatibility rules, nothing of the stream tools.
	"internal/catalogue": {"schemas", "schemas/gate", "registry/compat"},
	// The registry's layers.
	"registry/store":        {},
	"registry":              {"registry/compat", "registry/store"},
	"registry/api":          {"registry", "registry/compat", "registry/store"},
	"registry/registrytest": {"registry", "registry/compat", "registry/store", "registry/api"},
	"dev":                   {"registry", "registry/compat", "registry/store", "registry/api"},
	// Export and import talk to registries over their REST API only, so
	// they work with any Confluent-API registry: never the registry
	// service itself.
	"internal/regmigrate": {"serde"},
}

type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

func list(t *testing.T, patterns ...string) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-json"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func TestImportArrowsPointOneWay(t *testing.T) {
	for path, p := range list(t, module+"/...") {
		r := rel(path)
		if strings.HasPrefix(r, "testdata") || strings.Contains(r, "/testdata/") {
			continue // generated golden code: see TestDependencyClosures
		}
		rank, ok := layers[r]
		if !ok {
			t.Errorf("package %s has no layer: add it to internal/archtest and docs/architecture.md", r)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := rel(imp)
			if dep == "cmd/edactl" {
				t.Errorf("%s imports cmd/edactl: nothing may", r)
				continue
			}
			if dr, ok := layers[dep]; ok && dr >= rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): arrows must point down", r, rank, dep, dr)
			}
		}
	}
}

func TestDependencyClosures(t *testing.T) {
	var patterns []string
	for p := range depRules {
		patterns = append(patterns, module+"/"+p)
	}
	slices.Sort(patterns)
	pkgs := list(t, patterns...)
	std := map[string]bool{}
	for _, p := range list(t, "std") {
		std[p.ImportPath] = true
	}
	for r, allowed := range depRules {
		p, ok := pkgs[module+"/"+r]
		if !ok {
			t.Errorf("go list did not describe %s", r)
			continue
		}
		for _, dep := range p.Deps {
			if std[dep] || strings.HasPrefix(dep, "vendor/") || strings.HasPrefix(dep, "internal/") {
				continue
			}
			if !slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(dep, a) }) {
				t.Errorf("%s depends on %s, which its rule does not allow", r, dep)
			}
		}
	}
}

func TestOwnDependencies(t *testing.T) {
	var patterns []string
	for p := range ownRules {
		patterns = append(patterns, module+"/"+p)
	}
	slices.Sort(patterns)
	pkgs := list(t, patterns...)
	for r, allowed := range ownRules {
		p, ok := pkgs[module+"/"+r]
		if !ok {
			t.Errorf("go list did not describe %s", r)
			continue
		}
		for _, dep := range p.Deps {
			d, own := strings.CutPrefix(dep, module+"/")
			if !own || d == r || strings.HasPrefix(d, "internal/") {
				continue
			}
			if !slices.Contains(allowed, d) {
				t.Errorf("%s depends on %s: the arrow points the wrong way", r, d)
			}
		}
	}
}
