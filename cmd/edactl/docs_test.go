package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/registrytest"
)

// copySample copies the sample catalogue (schemas/examples) into a new
// directory and returns it.
func copySample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "schemas", "examples")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasSuffix(rel, ".go") {
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDocsWriteAndCheck: edactl docs writes the catalogue next to
// edactl.yaml; --check passes on it, then fails (exit 1) naming each stale
// file once a schema changes, and passes again after a regeneration.
func TestDocsWriteAndCheck(t *testing.T) {
	dir := copySample(t)
	code, out, errOut := runMain(t, dir, "docs")
	if code != 0 || !strings.Contains(out, "wrote the catalogue of 9 event(s) to catalogue: 12 file(s)") {
		t.Fatalf("docs: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{"asyncapi.yaml", "index.html", "style.css", "events/orders/order-placed.html"} {
		if _, err := os.Stat(filepath.Join(dir, "catalogue", filepath.FromSlash(f))); err != nil {
			t.Errorf("docs did not write %s: %v", f, err)
		}
	}
	if code, out, _ := runMain(t, dir, "docs", "--check"); code != 0 || !strings.Contains(out, "catalogue is up to date (12 file(s))") {
		t.Fatalf("docs --check on a fresh catalogue: exit %d\n%s", code, out)
	}

	v3 := filepath.Join(dir, "schemas", "orders", "order-placed", "v3.avsc")
	data, _ := os.ReadFile(v3)
	os.WriteFile(v3, []byte(strings.Replace(string(data), "A customer placed an order at checkout.", "A customer placed an order.", 1)), 0o644)
	code, out, _ = runMain(t, dir, "docs", "--check")
	if code != 1 {
		t.Fatalf("docs --check after a schema change: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"catalogue is stale: 3 file(s) differ from the schema tree; run `edactl docs --out catalogue`",
		"  catalogue/asyncapi.yaml: differs\n",
		"  catalogue/events/orders/order-placed.html: differs\n",
		"  catalogue/index.html: differs\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("docs --check output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runMain(t, dir, "docs", "--check", "-o", "json")
	if code != 1 || !strings.Contains(out, `"path": "asyncapi.yaml",`) || !strings.Contains(out, `"reason": "differs"`) {
		t.Errorf("docs --check -o json: exit %d\n%s", code, out)
	}
	if code, _, _ := runMain(t, dir, "docs"); code != 0 {
		t.Fatalf("docs: exit %d", code)
	}
	if code, out, _ := runMain(t, dir, "docs", "--check"); code != 0 {
		t.Fatalf("docs --check after regenerating: exit %d\n%s", code, out)
	}
	if code, _, errOut := runMain(t, dir, "docs", "extra"); code != 2 {
		t.Errorf("docs with an argument: exit %d, want 2 (%s)", code, errOut)
	}
}

// TestDocsRegistry: with --registry, every version says where the
// registry holds it; a version not pushed says so.
func TestDocsRegistry(t *testing.T) {
	dir := copySample(t)
	srv := registrytest.Start(t, registrytest.InMemory())
	if code, out, errOut := runMain(t, dir, "push", "--registry", srv.URL); code != 0 {
		t.Fatalf("push: exit %d\n%s%s", code, out, errOut)
	}
	v1 := filepath.Join(dir, "schemas", "orders", "order-placed", "v3.avsc")
	data, _ := os.ReadFile(v1)
	os.WriteFile(filepath.Join(dir, "schemas", "orders", "order-placed", "v4.avsc"),
		[]byte(strings.Replace(string(data), "A customer placed an order at checkout.", "A customer placed an order at checkout (v4).", 1)), 0o644)
	code, out, errOut := runMain(t, dir, "docs", "--out", "site", "--registry", srv.URL)
	if code != 0 {
		t.Fatalf("docs --registry: exit %d\n%s%s", code, out, errOut)
	}
	api, _ := os.ReadFile(filepath.Join(dir, "site", "asyncapi.yaml"))
	page, _ := os.ReadFile(filepath.Join(dir, "site", "events", "orders", "order-placed.html"))
	for _, want := range []string{"x-edactl-registry:\n        subject: orders.placed-value\n        version: 3\n        id: ", "registered: false"} {
		if !strings.Contains(string(api), want) {
			t.Errorf("asyncapi.yaml lacks %q", want)
		}
	}
	for _, want := range []string{"registered as version 3 of orders.placed-value, id ", "v4 <span class=\"dim\">· not registered</span>", "registry " + srv.URL} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the event page lacks %q", want)
		}
	}
	// Without --registry (edactl.yaml names one), no registry is asked and
	// the output stays the same wherever it is generated.
	if code, _, errOut := runMain(t, dir, "docs", "--out", "plain"); code != 0 {
		t.Fatalf("docs: exit %d %s", code, errOut)
	}
	plain, _ := os.ReadFile(filepath.Join(dir, "plain", "asyncapi.yaml"))
	if strings.Contains(string(plain), "x-edactl-registry") {
		t.Errorf("docs without --registry mentions the registry")
	}
}

// TestCheckMarkdown: edactl check -o markdown against git prints the
// pull-request report and exits 1 on a breaking change.
func TestCheckMarkdown(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := copySample(t)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."},
		{"-c", "user.name=edactl", "-c", "user.email=edactl@example.com", "commit", "-q", "-m", "base"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	v1, _ := os.ReadFile(filepath.Join(dir, "schemas", "orders", "order-placed", "v1.avsc"))
	os.WriteFile(filepath.Join(dir, "schemas", "orders", "order-placed", "v4.avsc"), v1, 0o644)
	code, out, errOut := runMain(t, dir, "check", "--against", "git:main", "-o", "markdown")
	if code != 1 {
		t.Fatalf("check -o markdown: exit %d, want 1\n%s%s", code, out, errOut)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, "❌ **edactl check: failed** · 1 changed event(s): 1 breaking") {
		t.Errorf("summary line: %s", first)
	}
	for _, want := range []string{"| `orders/order-placed` | v3 → v4 | BACKWARD | ❌ breaking | checkout | payments, inventory, shipping, analytics |",
		"`OrderPlaced.totalCents: TYPE_CHANGED: long → int`"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := runMain(t, dir, "check", "-o", "markdwn"); code != 2 || !strings.Contains(errOut, "markdown") {
		t.Errorf("check -o markdwn: exit %d, %s", code, errOut)
	}
}
