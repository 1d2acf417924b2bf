package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/registry/store"
)

func TestHealthzMetricsAndAccessLog(t *testing.T) {
	var logs bytes.Buffer
	c, _ := start(t, registrytest.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	r := c.do("GET", "/healthz", "")
	if r.status != 200 || r.body != "ok\n" {
		t.Fatalf("healthz: %d %q", r.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Fatalf("healthz Content-Type %q, want text/plain; charset=utf-8", got)
	}
	c.expect("POST", "/subjects/m/versions", body(record("M", fID)), 200, "")
	c.expect("GET", "/schemas/ids/1", "", 200, "")
	c.do("GET", "/nope", "")
	r = c.do("GET", "/metrics", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`edactl_http_requests_total{route="/schemas/ids/{id}",code="200"} 1`,
		`edactl_http_requests_total{route="unmatched",code="404"} 1`,
		`edactl_http_request_duration_seconds_count{route="/subjects/{subject}/versions"} 1`,
		"edactl_registry_subjects 1", "edactl_registry_schemas 1", "edactl_registry_log_commits_total 1",
	} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("metrics lack %q:\n%s", want, r.body)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"http request","method":"GET","path":"/schemas/ids/1","status":200`) {
		t.Fatalf("no access log line for GET /schemas/ids/1:\n%s", logs.String())
	}
}

func TestAuth(t *testing.T) {
	auth, err := api.ParseAuth([]byte(`
users:
  - {name: reader, password: r, role: read}
  - {name: admin, password_sha256: 8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918, role: admin}
tokens:
  - {name: ci, token: tok, role: write}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := registrytest.Start(t, registrytest.WithAPIOptions(api.WithAuth(auth)))
	c := &client{t: t, url: srv.URL}
	r := c.do("GET", "/subjects", "")
	if r.status != 401 || r.errorCode() != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no credentials: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/healthz", ""); r.status != 200 {
		t.Fatalf("healthz needs no auth: %d", r.status)
	}
	if r := c.do("GET", "/metrics", ""); r.status != 401 {
		t.Fatalf("metrics without auth: %d", r.status)
	}
	reader, _ := sr.NewClient(sr.URLs(srv.URL), sr.BasicAuth("reader", "r"))
	writer, _ := sr.NewClient(sr.URLs(srv.URL), sr.BearerToken("tok"))
	admin, _ := sr.NewClient(sr.URLs(srv.URL), sr.BasicAuth("admin", "admin"))
	wrong, _ := sr.NewClient(sr.URLs(srv.URL), sr.BasicAuth("reader", "nope"))

	if _, err := reader.Subjects(ctx); err != nil {
		t.Fatalf("reader cannot list: %v", err)
	}
	_, err = wrong.Subjects(ctx)
	srErr(t, err, 401, 401)
	_, err = reader.RegisterSchema(ctx, "a", sr.Schema{Schema: record("A", fID)}, -1, -1)
	srErr(t, err, 403, 403)
	if _, err := writer.RegisterSchema(ctx, "a", sr.Schema{Schema: record("A", fID)}, -1, -1); err != nil {
		t.Fatalf("writer cannot register: %v", err)
	}
	if _, err := reader.LookupSchema(ctx, "a", sr.Schema{Schema: record("A", fID)}); err != nil {
		t.Fatalf("reader cannot look up: %v", err)
	}
	res := writer.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone})
	srErr(t, res[0].Err, 403, 403)
	if res := admin.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone}); res[0].Err != nil {
		t.Fatalf("admin cannot set config: %v", res[0].Err)
	}
}

func TestAuthFileErrors(t *testing.T) {
	for _, bad := range []string{
		``,
		`users: [{name: a, role: read}]`,
		`users: [{name: a, password: x, role: boss}]`,
		`users: [{name: a, password: x, password_sha256: ab, role: read}]`,
		`tokens: [{token_sha256: zz, role: read}]`,
		`unknown: 1`,
	} {
		if _, err := api.ParseAuth([]byte(bad)); err == nil {
			t.Errorf("ParseAuth(%q) accepted", bad)
		}
	}
}

func TestSchemaTooLarge(t *testing.T) {
	c, _ := start(t, registrytest.WithRegistryOptions(registry.WithMaxSchemaBytes(100)))
	c.expectErr("POST", "/subjects/big/versions", body(record("Big", fID, fAmount, fNoDef)), 422, 42209)
}

// slowLog delays every Append: a real log, slowed down, to provoke timeouts.
type slowLog struct {
	store.Log
	delay time.Duration
}

func (s slowLog) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	time.Sleep(s.delay)
	return s.Log.Append(ctx, recs)
}

func TestStoreFailuresAre500s(t *testing.T) {
	t.Run("50002 when the commit takes too long", func(t *testing.T) {
		srv, err := api.Open(ctx, slowLog{store.NewMemory(), 300 * time.Millisecond},
			[]registry.Option{registry.WithWriteTimeout(50 * time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler)
		defer func() { hs.Close(); srv.Close() }()
		c := &client{t: t, url: hs.URL}
		c.expectErr("POST", "/subjects/slow/versions", body(record("S", fID)), 500, 50002)
	})
	t.Run("50001 when the log fails", func(t *testing.T) {
		var s *api.Server
		c, _ := start(t, registrytest.WithServer(func(srv *api.Server) { s = srv }))
		c.expect("POST", "/subjects/ok/versions", body(record("S", fID)), 200, `{"id":1}`)
		s.Log.Close()
		c.expectErr("POST", "/subjects/ok/versions", body(record("S", fID, fAmount)), 500, 50001)
		c.expect("GET", "/schemas/ids/1", "", 200, "") // reads keep working
		c.expectErr("GET", "/schemas/ids/2", "", 404, 40403)
	})
}
