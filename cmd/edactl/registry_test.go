package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
)

// run runs edactl in-process and returns its exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	code := Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestRegistryClientCommands(t *testing.T) {
	srv := registrytest.Start(t)
	env := map[string]string{"EDACTL_REGISTRY": srv.URL}
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.avsc")
	v2 := filepath.Join(dir, "v2.avsc")
	bad := filepath.Join(dir, "bad.avsc")
	os.WriteFile(v1, []byte(`{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`), 0o600)
	os.WriteFile(v2, []byte(`{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"note","type":"string"}]}`), 0o600)
	os.WriteFile(bad, []byte(`{"type":`), 0o600)

	expect := func(wantCode int, wantOut string, args ...string) string {
		t.Helper()
		code, out, errOut := run(t, env, args...)
		if code != wantCode || !strings.Contains(out+errOut, wantOut) {
			t.Fatalf("edactl %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(args, " "), code, out, errOut, wantCode, wantOut)
		}
		return out
	}
	expect(0, "registered orders-value version 1 id 1", "registry", "register", "orders-value", v1)
	expect(0, "registered orders-value version 1 id 1", "registry", "register", "orders-value", v1)
	expect(1, "incompatible with an earlier schema", "registry", "register", "orders-value", v2)
	expect(1, "HTTP 409, error_code 409", "registry", "register", "orders-value", v2)
	expect(2, "bad.avsc", "registry", "register", "orders-value", bad)
	expect(2, "accepts 2 arg", "registry", "register", "orders-value")
	expect(0, "orders-value\n", "registry", "subjects")
	out := expect(0, "", "registry", "subjects", "-o", "json")
	var subjects []string
	if err := json.Unmarshal([]byte(out), &subjects); err != nil || len(subjects) != 1 {
		t.Fatalf("subjects -o json = %q", out)
	}
	expect(1, "Cannot import since found existing subjects", "registry", "mode", "--set", "IMPORT")
	expect(0, "1\n", "registry", "versions", "orders-value")
	expect(0, "[\n  1\n]", "registry", "versions", "orders-value", "-o", "json")
	expect(0, "subject orders-value version 1 id 1\n{\n  \"type\": \"record\"", "registry", "get", "orders-value")
	out = expect(0, `"schema": {`, "registry", "get", "orders-value", "1", "-o", "json")
	if !strings.Contains(out, `"id": 1`) {
		t.Fatalf("get -o json = %s", out)
	}
	expect(1, "error_code 40401", "registry", "get", "nope")
	expect(2, "invalid version", "registry", "get", "orders-value", "zero")
	expect(0, "(global) BACKWARD", "registry", "config")
	expect(0, "orders-value NONE", "registry", "config", "orders-value", "--set", "none")
	expect(0, `"compatibility": "NONE"`, "registry", "config", "orders-value", "-o", "json")
	expect(2, "invalid compatibility level", "registry", "config", "--set", "SIDEWAYS")
	expect(0, "registered orders-value version 2 id 2", "registry", "register", "orders-value", v2)
	expect(0, "(global) READWRITE", "registry", "mode")
	expect(0, "orders-value READONLY", "registry", "mode", "orders-value", "--set", "READONLY")
	expect(1, "error_code 42205", "registry", "delete", "orders-value")
	expect(0, `"mode": "READWRITE"`, "registry", "mode", "orders-value", "--set", "readwrite", "-o", "json")
	expect(0, "soft deleted orders-value versions 2", "registry", "delete", "orders-value", "--version", "latest")
	expect(0, "soft deleted orders-value versions 1", "registry", "delete", "orders-value")
	expect(1, "error_code 40404", "registry", "delete", "orders-value")
	expect(0, "orders-value", "registry", "subjects", "--deleted")
	expect(0, `"deleted": [`, "registry", "delete", "orders-value", "--permanent", "-o", "json")
	expect(0, "[]", "registry", "subjects", "-o", "json")
	expect(0, "(global) IMPORT", "registry", "mode", "--set", "IMPORT", "--registry", srv.URL+"/", "--no-color")
}

func TestRegistryClientReferences(t *testing.T) {
	srv := registrytest.Start(t)
	env := map[string]string{"EDACTL_REGISTRY": srv.URL}
	dir := t.TempDir()
	money := filepath.Join(dir, "money.avsc")
	order := filepath.Join(dir, "order.avsc")
	os.WriteFile(money, []byte(`{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`), 0o600)
	os.WriteFile(order, []byte(`{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`), 0o600)
	if code, out, e := run(t, env, "registry", "register", "shop/money", money); code != 0 {
		t.Fatalf("register money: %d %s %s", code, out, e)
	}
	code, out, e := run(t, env, "registry", "register", "order-value", order, "--reference", "shop.Money=shop/money:1")
	if code != 0 || !strings.Contains(out, "id 2") {
		t.Fatalf("register with reference: %d %s %s", code, out, e)
	}
	code, out, _ = run(t, env, "registry", "get", "order-value")
	if code != 0 || !strings.Contains(out, "reference shop.Money -> shop/money version 1") {
		t.Fatalf("get shows references: %d %s", code, out)
	}
	if code, _, e := run(t, env, "registry", "register", "x", order, "--reference", "nonsense"); code != 2 || !strings.Contains(e, "NAME=SUBJECT:VERSION") {
		t.Fatalf("bad --reference: %d %s", code, e)
	}
}

func TestRegistryUnreachable(t *testing.T) {
	code, _, e := run(t, map[string]string{"EDACTL_REGISTRY": "http://127.0.0.1:1"}, "registry", "subjects")
	if code != 1 || !strings.Contains(e, "registry http://127.0.0.1:1") {
		t.Fatalf("unreachable registry: %d %s", code, e)
	}
}

// Subjects and schemas come from whoever registered them: text output
// quotes or escapes what a terminal would act on.
func TestRegistryClientEscapes(t *testing.T) {
	srv := registrytest.Start(t)
	env := map[string]string{"EDACTL_REGISTRY": srv.URL}
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	// The doc holds a raw U+202E and U+009B (valid in a JSON string).
	schema := "{\"type\":\"record\",\"name\":\"R\",\"doc\":\"safe\u202eevil \u009b31m\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}"
	if _, err := cl.CreateSchema(context.Background(), "evil\u202ename", sr.Schema{Schema: schema}); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, env, "registry", "subjects")
	if code != 0 || !strings.Contains(out, `"evil\u202ename"`) || strings.Contains(out, "\u202e") {
		t.Errorf("subjects: %d %q", code, out)
	}
	code, out, _ = run(t, env, "registry", "get", "evil\u202ename")
	if code != 0 || !strings.Contains(out, `subject "evil\u202ename" version 1`) || !strings.Contains(out, `safe\u202eevil \u009b31m`) ||
		strings.ContainsAny(out, "\x1b\u202e\u009b") {
		t.Errorf("get: %d %q", code, out)
	}
}
