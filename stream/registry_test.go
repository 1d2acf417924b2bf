package stream

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// testRegistry is edactl's registry (registrytest: the real service and
// Confluent-compatible API over HTTP) with a franz-go pkg/sr client.
type testRegistry struct {
	url string
	cl  *sr.Client
}

func startRegistry(t testing.TB) *testRegistry {
	t.Helper()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{url: srv.URL, cl: cl}
}

func (r *testRegistry) register(t testing.TB, subject, schema string) int {
	t.Helper()
	ss, err := r.cl.CreateSchema(context.Background(), subject, sr.Schema{Schema: schema})
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return ss.ID
}

func (r *testRegistry) serde() *serde.Registry { return serde.NewRegistry(r.cl) }

// encode frames a JSON value with the schema registered under id.
func (r *testRegistry) encode(t testing.TB, id int, js string) []byte {
	t.Helper()
	s, err := r.serde().SchemaByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := avrojson.EncodeJSON(s, []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
