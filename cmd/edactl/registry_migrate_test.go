package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// TestRegistryExportImportVerify runs export, import (file, --from,
// --dry-run, a re-run) and verify as a user does, with their exit codes.
func TestRegistryExportImportVerify(t *testing.T) {
	src := registrytest.Start(t)
	dst := registrytest.Start(t)
	env := map[string]string{"EDACTL_REGISTRY": src.URL}
	expect := func(wantCode int, want string, args ...string) string {
		t.Helper()
		code, out, errOut := run(t, env, args...)
		if code != wantCode || !strings.Contains(out+errOut, want) {
			t.Fatalf("edactl %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(args, " "), code, out, errOut, wantCode, want)
		}
		return out
	}
	dir := t.TempDir()
	schema := filepath.Join(dir, "v1.avsc")
	os.WriteFile(schema, []byte(`{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`), 0o600)
	expect(0, "", "registry", "register", "orders-value", schema)
	expect(0, "", "registry", "register", "gone-value", schema)
	expect(0, "", "registry", "delete", "gone-value")
	file := filepath.Join(dir, "export.jsonl")
	expect(0, "exported 2 version(s) (1 soft deleted)", "registry", "export", "--out", file)
	expect(0, "would make 4 change(s)", "registry", "import", file, "--registry", dst.URL, "--dry-run")
	expect(0, "made 4 change(s)", "registry", "import", file, "--registry", dst.URL)
	expect(0, `"actions": []`, "registry", "import", "--from", src.URL, "--registry", dst.URL, "-o", "json")
	expect(2, "name one source", "registry", "import", file, "--from", src.URL, "--registry", dst.URL)
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("{\"type\":\"header\",\"format\":\"edactl-registry-export\",\"formatVersion\":1}\n{\"type\":\"schema\",\"subject\":\"s\",\"version\":1}\n"), 0o600)
	expect(2, "bad.jsonl:2: schema entry s version 1: field id is 0", "registry", "import", filepath.Join(dir, "bad.jsonl"), "--registry", dst.URL)

	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	env["EDACTL_BROKERS"] = c.ListenAddrs()[0]
	pcl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	if err := pcl.ProduceSync(context.Background(), &kgo.Record{Topic: "orders", Value: serde.AppendHeader(nil, 1)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	expect(0, "1 distinct schema id(s), 0 missing", "registry", "verify", "--topics", "orders", "--registry", dst.URL, "--since", "7d")
	empty := registrytest.Start(t)
	expect(1, "missing schema id 1: 1 record(s), first at orders[0] offset 0 value", "registry", "verify", "--topics", "orders", "--registry", empty.URL)
	expect(2, "--since", "registry", "verify", "--topics", "orders", "--since", "7x")
}
