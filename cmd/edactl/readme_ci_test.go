package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
)

// TestREADMECIPush runs the push step of the README's GitHub Actions
// example as written (its command line and the names of its environment
// variables, read from README.md) against a registry that accepts only a
// bearer token: with EDACTL_REGISTRY_TOKEN set, edactl push registers the
// project's schemas, and a second run has nothing to do.
func TestREADMECIPush(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n# .github/workflows/schemas.yml\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no .github/workflows/schemas.yml example")
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(m[1], &wf); err != nil {
		t.Fatalf("README's workflow: %v", err)
	}
	var line string
	var env map[string]string
	for _, s := range wf.Jobs["push"].Steps {
		if strings.HasPrefix(s.Run, "edactl push") {
			line, env = s.Run, s.Env
		}
	}
	if line == "" || env == nil {
		t.Fatalf("README's workflow has no push job running edactl push with env: %+v", wf.Jobs["push"])
	}
	const token = "ci-Bearer-t0ken-2f9d"
	auth, err := api.ParseAuth([]byte("tokens:\n  - {name: ci, token: " + token + ", role: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registrytest.Start(t, registrytest.InMemory(), registrytest.WithAPIOptions(api.WithAuth(auth)))
	vars := map[string]string{}
	for k, v := range env {
		switch {
		case strings.Contains(v, "SCHEMA_REGISTRY_URL"):
			vars[k] = reg.URL
		case strings.Contains(v, "SCHEMA_REGISTRY_TOKEN"):
			vars[k] = token
		default:
			t.Fatalf("README's push step sets %s=%s, which this test does not know", k, v)
		}
	}
	if vars["EDACTL_REGISTRY_TOKEN"] != token {
		t.Fatalf("README's push step does not set EDACTL_REGISTRY_TOKEN: %v", env)
	}

	dir := t.TempDir()
	if code, out, errOut := run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	t.Chdir(dir) // the workflow runs in the checkout, where edactl.yaml is
	args := strings.Fields(line)[1:]
	code, out, errOut := runEnv(t, vars, args...)
	if code != 0 || !strings.Contains(out, "registered") {
		t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", line, code, out, errOut)
	}
	checkNoSecret(t, line, out+errOut, []string{token})
	if code, out, errOut := runEnv(t, vars, args...); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("%s again: exit %d\nstdout: %s\nstderr: %s", line, code, out, errOut)
	}
	// Without the token the registry refuses, and push says so.
	delete(vars, "EDACTL_REGISTRY_TOKEN")
	if code, _, errOut := runEnv(t, vars, args...); code == 0 || !strings.Contains(errOut, "Unauthorized") {
		t.Errorf("%s without the token: exit %d, stderr %s", line, code, errOut)
	}
}
