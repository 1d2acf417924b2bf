package registrytest_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
)

func TestStartServesConfluentAPI(t *testing.T) {
	srv := registrytest.Start(t)
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema := sr.Schema{Schema: `{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}`}
	ss, err := cl.CreateSchema(ctx, "orders-value", schema)
	if err != nil {
		t.Fatal(err)
	}
	if ss.ID != 1 || ss.Version != 1 || ss.Subject != "orders-value" {
		t.Fatalf("CreateSchema = %+v", ss)
	}
	got, err := cl.SchemaByID(ctx, ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}`; got.Schema != want {
		t.Fatalf("SchemaByID = %s, want %s", got.Schema, want)
	}
	subjects, err := cl.Subjects(ctx)
	if err != nil || len(subjects) != 1 || subjects[0] != "orders-value" {
		t.Fatalf("Subjects = %v, %v", subjects, err)
	}
}

func TestStartInMemoryAndSeparateInstances(t *testing.T) {
	a := registrytest.Start(t, registrytest.InMemory())
	b := registrytest.Start(t)
	for _, srv := range []string{a.URL, b.URL} {
		cl, _ := sr.NewClient(sr.URLs(srv))
		if s, err := cl.Subjects(context.Background()); err != nil || len(s) != 0 {
			t.Fatalf("fresh registry has subjects %v, %v", s, err)
		}
	}
}
