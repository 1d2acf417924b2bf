package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas/examples"
)

// TestInitNextToTheCatalogue is a newcomer's first steps next to edactl
// dev: the registry holds the sample catalogue; edactl init, then check
// (against that registry) passes, gen go writes a package with no flag,
// and the package builds in a module that requires edactl (through a
// replace directive, as from a clone).
func TestInitNextToTheCatalogue(t *testing.T) {
	srv := registrytest.Start(t, registrytest.InMemory())
	shop := t.TempDir()
	if err := os.CopyFS(shop, examples.FS()); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runMain(t, shop, "push", "--registry", srv.URL); code != exitOK || !strings.Contains(out, "orders.placed-value: registered v1") {
		t.Fatalf("push the catalogue: exit %d: %s%s", code, out, errOut)
	}

	dir := t.TempDir()
	if code, out, errOut := runMain(t, dir, "init"); code != exitOK {
		t.Fatalf("init: exit %d: %s%s", code, out, errOut)
	}
	code, out, errOut := runMain(t, dir, "check", "--registry", srv.URL, "--strict")
	if code != exitOK || !strings.HasPrefix(out, "ok: 1 event(s), 1 version(s), against local, registry "+srv.URL) {
		t.Fatalf("check next to the catalogue: exit %d:\n%s%s", code, out, errOut)
	}
	code, out, errOut = runMain(t, dir, "gen", "go")
	if code != exitOK || !strings.Contains(out, "generated package events for 1 event(s) in internal/events") {
		t.Fatalf("gen go after init: exit %d:\n%s%s", code, out, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "internal", "events", "customer_registered.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "type CustomerRegistered = CustomerRegisteredV1") {
		t.Errorf("generated code lacks the event type:\n%s", src)
	}

	if testing.Short() {
		t.Skip("builds a module")
	}
	root := testenv.Root(t)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/shop\n\ngo 1.26\n\nrequire github.com/edactl/edactl v0.0.0\n\nreplace github.com/edactl/edactl => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "vet", "./internal/events")
	build.Dir = dir
	// The environment\'s module proxy: a fresh module cache lacks go.mod
	// files of the graph that the scratch module needs (a warm one needs no
	// network).
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated package: %v\n%s", err, b)
	}
}
