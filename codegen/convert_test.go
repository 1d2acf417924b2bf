package codegen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/testenv"
)

// hookInput is an event whose v2 adds a required field without a default:
// the upcast needs a hook, the downcast does not.
var hookInput = Input{Package: "events", Events: []Event{{
	ID: "shop/thing", Subject: "shop.thing-value",
	Versions: []Version{
		{Number: 1, Schema: `{"type":"record","name":"Thing","namespace":"shop","fields":[{"name":"id","type":"string"}]}`},
		{Number: 2, Schema: `{"type":"record","name":"Thing","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"quantity","type":"int"}]}`},
	},
}}}

func TestHooksNameTheField(t *testing.T) {
	hooks, err := Hooks(hookInput)
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("hooks %+v, want one", hooks)
	}
	h := hooks[0]
	if h.Func != "upcastThingV1ToV2" || h.Signature != "func upcastThingV1ToV2(in *ThingV1, out *ThingV2) error" ||
		len(h.Fields) != 1 || h.Fields[0].Path != "quantity" || !strings.Contains(h.Fields[0].Why, "no default") {
		t.Fatalf("hook %+v", h)
	}
}

// TestMissingHookIsACompileError builds the generated package in a scratch
// module: without the hook it does not compile and the compiler names the
// hook; with the user's file it compiles, and the upcast runs the hook.
func TestMissingHookIsACompileError(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	files, err := Go(hookInput)
	if err != nil {
		t.Fatal(err)
	}
	root := testenv.Root(t)
	dir := t.TempDir()
	pkg := filepath.Join(dir, "events")
	if _, err := Write(pkg, files); err != nil {
		t.Fatal(err)
	}
	gomod := "module scratch\n\ngo 1.26\n\nrequire github.com/edactl/edactl v0.0.0\n\nreplace github.com/edactl/edactl => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", gomod)
	write("go.sum", string(sum))
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// The environment\'s module proxy: a fresh module cache lacks go.mod
		// files of the graph that the scratch module needs (a warm one needs no
		// network).
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := goCmd("build", "./events")
	if err == nil {
		t.Fatal("the package compiled without its hook")
	}
	if !strings.Contains(out, "undefined: upcastThingV1ToV2") {
		t.Fatalf("go build failed, but not naming the hook:\n%s", out)
	}
	write("events/hooks.go", `package events

func upcastThingV1ToV2(in *ThingV1, out *ThingV2) error {
	out.Quantity = int32(len(in.ID))
	return nil
}
`)
	write("main_test.go", `package scratch

import (
	"testing"

	"scratch/events"
)

func TestHook(t *testing.T) {
	got, err := events.UpcastThing(&events.ThingV1{ID: "abc"})
	if err != nil || got.ID != "abc" || got.Quantity != 3 {
		t.Fatalf("UpcastThing = %+v, %v; want id abc and the hook's quantity 3", got, err)
	}
	back, err := events.DowncastThing(got, 1)
	if err != nil || back.(*events.ThingV1).ID != "abc" {
		t.Fatalf("DowncastThing = %+v, %v", back, err)
	}
}
`)
	if out, err := goCmd("test", "."); err != nil {
		t.Fatalf("with the hook: %v\n%s", err, out)
	}
}
