package serde

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"

	"github.com/edactl/edactl/registry/registrytest"
)

// mustParse parses a schema text with a fresh cache, failing the test.
func mustParse(t testing.TB, text string) avro.Schema {
	t.Helper()
	s, err := avroschema.Parse(text)
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	return s
}

// frame encodes v, a generic value as hamba/avro takes it (a map for a
// record), with s and frames it with s.ID: a record of a writer version the
// tests have no Go type for.
func frame(t testing.TB, s *Schema, v map[string]any) []byte {
	t.Helper()
	body, err := NewAPI().Marshal(s.Avro, v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return append(AppendHeader(nil, s.ID), body...)
}

// countingTransport counts the requests a client sends, by method and path.
type countingTransport struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls[req.Method+" "+req.URL.EscapedPath()]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *countingTransport) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[key]
}

// testRegistry is edactl's schema registry over real HTTP, a pkg/sr client
// talking to it with request counting (cl), and one without, for test setup
// (admin).
type testRegistry struct {
	cl, admin *sr.Client
	calls     *countingTransport
}

func startRegistry(t testing.TB) *testRegistry {
	t.Helper()
	srv := registrytest.Start(t, registrytest.InMemory())
	calls := &countingTransport{calls: map[string]int{}}
	cl, err := sr.NewClient(sr.URLs(srv.URL), sr.HTTPClient(&http.Client{Transport: calls}))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{cl: cl, admin: admin, calls: calls}
}

// register registers text under subject and returns its id and version.
func (r *testRegistry) register(t testing.TB, subject, text string, refs ...sr.SchemaReference) (id, version int) {
	t.Helper()
	ss, err := r.admin.CreateSchema(context.Background(), subject, sr.Schema{Schema: text, References: refs})
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return ss.ID, ss.Version
}
