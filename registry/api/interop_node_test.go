package api_test

// Interoperability with npm schema registry clients, run with node on the
// scripts in testdata/npm against a real registry. `npm ci` in testdata/npm
// installs the clients from its package-lock.json (.ci/run does it when node
// and npm are present); without them the tests skip, saying why.

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

const npmDir = "testdata/npm"

// nodeFixture skips the test unless node and the npm package pkg are
// installed, and returns node's path.
func nodeFixture(t *testing.T, pkg string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skipf("node is not installed; the npm client %s is not tested", pkg)
	}
	if _, err := os.Stat(filepath.Join(npmDir, "node_modules", pkg, "package.json")); err != nil {
		t.Skipf("%s is not installed (run `npm ci` in registry/api/%s): %v", pkg, npmDir, err)
	}
	return node
}

// seedRecord registers a schema under topic-value with franz-go and encodes
// value with edactl's serde, for a client to decode: it returns the
// environment that passes the record to the scripts.
func seedRecord(t *testing.T, fr *sr.Client, topic, schema, value string) []string {
	t.Helper()
	ss, err := fr.CreateSchema(ctx, topic+"-value", sr.Schema{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	s, err := serde.NewRegistry(fr).SchemaByID(ctx, ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := avrojson.EncodeJSON(s, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		"EDACTL_FRAMED=" + hex.EncodeToString(framed),
		"EDACTL_FRAMED_ID=" + strconv.Itoa(ss.ID),
		"EDACTL_FRAMED_JSON=" + value,
		"EDACTL_FRAMED_TOPIC=" + topic,
	}
}

// runNode runs script against url and decodes the JSON line it prints into
// out.
func runNode(t *testing.T, node, script, url string, env []string, out any) {
	t.Helper()
	runCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, script, url)
	cmd.Dir = npmDir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node %s printed %q: %v", script, stdout.String(), err)
	}
}

// decodesTo checks that edactl's serde decodes a client's hex record to
// want.
func decodesTo(t *testing.T, fr *sr.Client, hexFramed, want string) {
	t.Helper()
	framed, err := hex.DecodeString(hexFramed)
	if err != nil {
		t.Fatal(err)
	}
	js, _, err := avrojson.DecodeJSON(ctx, serde.NewRegistry(fr), framed)
	if err != nil || !jsonEqual(string(js), want) {
		t.Fatalf("edactl DecodeJSON of the client's record = %s, %v; want %s", js, err, want)
	}
}

const lineSchema = `{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"long"},{"name":"tags","type":{"type":"array","items":"string"}}]}`

// TestKafkaJSInterop runs @kafkajs/confluent-schema-registry
// (testdata/npm/kafkajs.js). That client detects a first registration by
// GET /config/{subject} answering 404, then PUTs the subject's
// compatibility; it URL-encodes subjects (orders/eu-value is
// orders%2Feu-value) and reads the Confluent wire format itself.
func TestKafkaJSInterop(t *testing.T) {
	node := nodeFixture(t, "@kafkajs/confluent-schema-registry")
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
	env := seedRecord(t, fr, "seed", lineSchema, `{"sku":"s-1","qty":3,"tags":["a","b"]}`)

	var res struct {
		Subject  string `json:"subject"`
		ID1, ID2 int
		Framed   string `json:"framed"`
	}
	runNode(t, node, "kafkajs.js", srv.URL, env, &res)

	// The first registration set a subject-level BACKWARD (the client PUTs
	// it only after GET /config/{subject} was a 404). Read from the
	// registry itself, not through the GET the client relied on.
	cfg, err := reg.Config(res.Subject, registry.NoFallback)
	if err != nil || cfg.Compatibility != compat.Backward {
		t.Fatalf("subject config after the client's first registration = %+v, %v", cfg, err)
	}
	checkVersions(t, fr, res.Subject, res.ID1, res.ID2)
	decodesTo(t, fr, res.Framed, `{"id":"o-1"}`)
}

// TestConfluentJSInterop runs Confluent's JavaScript client,
// @confluentinc/schemaregistry (testdata/npm/confluent.js): the client
// calls, the Avro serdes, and the serializers' default subject name
// strategy, which first asks GET /associations/resources/-/{topic} and falls
// back to the topic strategy only on a 404.
func TestConfluentJSInterop(t *testing.T) {
	node := nodeFixture(t, "@confluentinc/schemaregistry")
	log := &accessLog{}
	srv := registrytest.Start(t, registrytest.WithLogger(slog.New(log)))
	fr, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	env := seedRecord(t, fr, "seed/lines", lineSchema, `{"sku":"s-1","qty":3,"tags":["a","b"]}`)

	var res struct {
		Subject, Topic string
		ID1, ID2       int
		Framed         string
	}
	runNode(t, node, "confluent.js", srv.URL, env, &res)
	checkVersions(t, fr, res.Subject, res.ID1, res.ID2)
	decodesTo(t, fr, res.Framed, `{"id":"o-2","qty":4,"note":"n"}`)

	// The serializers probed the associations API and went on after its
	// 404; the body must be Confluent's, whose error_code newer clients
	// check ("404…") before falling back.
	probe := "/associations/resources/-/" + strings.ReplaceAll(res.Topic, "/", "%2F")
	var probed []string
	for _, p := range log.paths() {
		if strings.HasPrefix(p, probe+"?") || p == probe {
			probed = append(probed, p)
		}
	}
	if len(probed) == 0 {
		t.Fatalf("the client never asked %s; requests: %v", probe, log.paths())
	}
	c := &client{t: t, url: srv.URL}
	r := c.expectErr("GET", probed[0], "", 404, 404)
	var re rest.Error
	if err := json.Unmarshal([]byte(r.body), &re); err != nil || !strings.HasPrefix(strconv.Itoa(re.Code), "404") {
		t.Fatalf("GET %s: body %s decodes to %+v, %v", probed[0], r.body, re, err)
	}
}

// checkVersions checks with franz-go that subject has versions 1 and 2 with
// the ids a client saw.
func checkVersions(t *testing.T, fr *sr.Client, subject string, id1, id2 int) {
	t.Helper()
	for v, id := range map[int]int{1: id1, 2: id2} {
		ss, err := fr.SchemaByVersion(ctx, subject, v)
		if err != nil || ss.ID != id {
			t.Fatalf("%s version %d = %+v, %v; the client saw id %d", subject, v, ss, err, id)
		}
	}
}

// accessLog is a slog.Handler that keeps the path of every access-log
// record.
type accessLog struct {
	mu sync.Mutex
	ps []string
}

func (l *accessLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *accessLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *accessLog) WithGroup(string) slog.Handler            { return l }

func (l *accessLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "http request" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "path" {
			l.mu.Lock()
			l.ps = append(l.ps, a.Value.String())
			l.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (l *accessLog) paths() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ps...)
}
