package api_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// kafkajsDir holds the Node fixture: package.json, package-lock.json and
// interop.js. `npm ci` there installs @kafkajs/confluent-schema-registry
// (.ci/run does it when node and npm are present).
const kafkajsDir = "testdata/kafkajs"

// TestKafkaJSInterop runs the npm client @kafkajs/confluent-schema-registry
// (testdata/kafkajs/interop.js) against a real registry. That client
// detects a first registration by GET /config/{subject} answering 404, then
// PUTs the subject's compatibility; it URL-encodes subjects
// (orders/eu-value is orders%2Feu-value) and decodes the Confluent wire
// format itself. The test then checks with franz-go what the client left on
// the server, and decodes the record the client encoded with edactl's serde.
func TestKafkaJSInterop(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the npm client @kafkajs/confluent-schema-registry is not tested")
	}
	if _, err := os.Stat(filepath.Join(kafkajsDir, "node_modules", "@kafkajs", "confluent-schema-registry", "package.json")); err != nil {
		t.Skipf("@kafkajs/confluent-schema-registry is not installed (run `npm ci` in registry/api/%s): %v", kafkajsDir, err)
	}

	var reg *registry.Registry
	srv := registrytest.Start(t, registrytest.WithServer(func(s *api.Server) { reg = s.Registry }))
	fr, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	// A global level other than the client's BACKWARD: had GET
	// /config/{subject} fallen back to it, the client would refuse to
	// register ("Compatibility does not match the configuration").
	if r := fr.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	// A record edactl encodes, for the client to decode.
	const seedJSON = `{"sku":"s-1","qty":3,"tags":["a","b"]}`
	seeded, err := fr.CreateSchema(ctx, "seed-value", sr.Schema{Schema: `{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"long"},{"name":"tags","type":{"type":"array","items":"string"}}]}`})
	if err != nil {
		t.Fatal(err)
	}
	codec := serde.NewRegistry(fr)
	s, err := codec.SchemaByID(ctx, seeded.ID)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := serde.EncodeJSON(s, []byte(seedJSON))
	if err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, "interop.js", srv.URL)
	cmd.Dir = kafkajsDir
	cmd.Env = append(os.Environ(),
		"EDACTL_FRAMED="+hex.EncodeToString(framed),
		"EDACTL_FRAMED_ID="+strconv.Itoa(seeded.ID),
		"EDACTL_FRAMED_JSON="+seedJSON,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node interop.js: %v\n%s", err, stderr.String())
	}
	var res struct {
		Subject string `json:"subject"`
		ID1     int    `json:"id1"`
		ID2     int    `json:"id2"`
		Framed  string `json:"framed"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node output %q: %v", stdout.String(), err)
	}

	// The first registration set a subject-level BACKWARD (the client PUTs
	// it only after GET /config/{subject} was a 404). Read from the
	// registry itself, not through the GET the client relied on.
	cfg, err := reg.Config(res.Subject, false)
	if err != nil || cfg.Compatibility != compat.Backward {
		t.Fatalf("subject config after the client's first registration = %+v, %v", cfg, err)
	}
	versions, err := fr.SubjectVersions(ctx, res.Subject)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions of %q = %v, %v", res.Subject, versions, err)
	}
	for v, id := range map[int]int{1: res.ID1, 2: res.ID2} {
		ss, err := fr.SchemaByVersion(ctx, res.Subject, v)
		if err != nil || ss.ID != id {
			t.Fatalf("version %d = %+v, %v; the client saw id %d", v, ss, err, id)
		}
	}
	clientFramed, err := hex.DecodeString(res.Framed)
	if err != nil {
		t.Fatal(err)
	}
	js, _, err := codec.DecodeJSON(ctx, clientFramed)
	if err != nil || !jsonEqual(string(js), `{"id":"o-1"}`) {
		t.Fatalf("edactl DecodeJSON of the client's record = %s, %v", js, err)
	}
}
