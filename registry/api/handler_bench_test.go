package api_test

import (
	"context"
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
