package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// BenchmarkHandlerSchemaByID measures the handler alone (no network) for
// GET /schemas/ids/{id}, to keep the hot path's own cost visible.
func BenchmarkHandlerSchemaByID(b *testing.B) {
	srv, err := api.Open(context.Background(), store.NewMemory(), nil, api.WithAccessLog(false))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Registry.Register(context.Background(), "s", registry.RegisterRequest{Schema: `{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}`}); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/schemas/ids/1", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		srv.Handler.ServeHTTP(w, req)
	}
	if w.status != 200 {
		b.Fatalf("status %d", w.status)
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
