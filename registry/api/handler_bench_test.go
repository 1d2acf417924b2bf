package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// BenchmarkHandlerSchemaByID measures the handler alone (no network) for
// GET /schemas/ids/{id}, to keep the hot path's own cost visible: with the
// access log off, buffered (as the CLI runs it) and through slog.
func BenchmarkHandlerSchemaByID(b *testing.B) {
	b.Run("log-off", func(b *testing.B) { benchHandlerSchemaByID(b, api.WithAccessLog(false)) })
	b.Run("log-buffered", func(b *testing.B) { benchHandlerSchemaByID(b, api.WithAccessLogOutput(io.Discard, "text")) })
	b.Run("log-slog", func(b *testing.B) {
		benchHandlerSchemaByID(b, api.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	})
}

func benchHandlerSchemaByID(b *testing.B, opt api.Option) {
	srv, err := api.Open(context.Background(), store.NewMemory(), nil, opt)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	res, err := srv.Registry.Register(context.Background(), "s", registry.RegisterRequest{Schema: `{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}`})
	if err != nil {
		b.Fatal(err)
	}
	want, err := srv.Registry.SchemaJSON(".", res.ID)
	if err != nil {
		b.Fatalf("no body for schema id %d: %v", res.ID, err)
	}
	req := httptest.NewRequest("GET", fmt.Sprintf("/schemas/ids/%d", res.ID), nil)
	w := &lastResponse{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status, w.body = 0, w.body[:0]
		srv.Handler.ServeHTTP(w, req)
	}
	if w.status != 200 || !bytes.Equal(w.body, want) {
		b.Fatalf("status %d, body %s; want 200, %s", w.status, w.body, want)
	}
}

// lastResponse is a ResponseWriter that keeps only the last response's
// status and body, in buffers reused across responses.
type lastResponse struct {
	h      http.Header
	status int
	body   []byte
}

func (d *lastResponse) Header() http.Header { return d.h }
func (d *lastResponse) WriteHeader(s int)   { d.status = s }
func (d *lastResponse) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = 200
	}
	d.body = append(d.body, p...)
	return len(p), nil
}
