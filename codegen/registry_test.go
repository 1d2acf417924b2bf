package codegen

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/codegen/testdata/refschemas"
	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// TestGoldenFromRegistry generates from a subject whose versions use schema
// references (a record from another subject, itself referencing an enum
// from a third): the golden package testdata/gen/refunds is compared
// (-update rewrites it), built and vetted, and every embedded schema is
// self-contained with the registered schema's fingerprint.
func TestGoldenFromRegistry(t *testing.T) {
	ctx := context.Background()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := refschemas.Register(ctx, cl); err != nil {
		t.Fatal(err)
	}
	in, err := FromRegistry(ctx, cl, "refunds", []string{refschemas.Subject})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Events) != 1 || len(in.Events[0].Versions) != 2 {
		t.Fatalf("input %+v, want one event with two versions", in)
	}
	reg := serde.NewRegistry(cl)
	for _, v := range in.Events[0].Versions {
		// Self-contained: parses on its own, docs and attributes kept.
		own, err := avroschema.Parse(v.Schema)
		if err != nil {
			t.Fatalf("version %d: the inlined schema does not parse alone: %v\n%s", v.Number, err, v.Schema)
		}
		for _, want := range []string{`"doc":"An amount in minor units."`, `"x-eda-key":"orderId"`, `"symbols":["EUR","USD","GBP","OTHER"]`} {
			if !strings.Contains(v.Schema, want) {
				t.Errorf("version %d: inlined schema lacks %s:\n%s", v.Number, want, v.Schema)
			}
		}
		if !strings.Contains(v.Source, "references inlined: shop.Money from shop.Money version 1") {
			t.Errorf("version %d: source %q does not name the reference", v.Number, v.Source)
		}
		registered, err := reg.SchemaBySubject(ctx, refschemas.Subject, v.Number)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := avroschema.FingerprintCRC64(own), avroschema.FingerprintCRC64(registered.Avro); a != b {
			t.Errorf("version %d: fingerprint %016x, registered %016x", v.Number, a, b)
		}
		if !json.Valid([]byte(v.Schema)) {
			t.Errorf("version %d: not JSON", v.Number)
		}
	}
	out, err := Go(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "gen", "refunds")
	if *update {
		writeGolden(t, dir, out)
	}
	for name, src := range out {
		onDisk, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(onDisk, src) {
			t.Errorf("%s/%s is stale (run go test ./codegen -update): %v", dir, name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := out[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".go") {
			t.Errorf("%s/%s is no longer generated (run go test ./codegen -update)", dir, e.Name())
		}
	}
	if t.Failed() {
		return
	}
	for _, verb := range []string{"build", "vet"} {
		if out, err := exec.Command("go", verb, "./testdata/gen/refunds").CombinedOutput(); err != nil {
			t.Errorf("go %s: %v\n%s", verb, err, out)
		}
	}
}
