package main

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
)

const (
	authUser     = "ci"
	authPassword = "s3cret-Pa55"
	authToken    = "t0ken-for-ci"
)

// registryRequest is what the recording proxy saw of one request.
type registryRequest struct {
	method, path, userAgent string
	user                    string // basic auth user, "" if none
	bearer                  bool
	status                  int
}

// authRegistry is a real edactl registry that requires credentials (user
// authUser with authPassword, or bearer authToken; role admin), behind a
// proxy that records every request.
type authRegistry struct {
	URL string
	// seen is closed at the first request that carries credentials.
	seen chan struct{}

	mu      sync.Mutex
	reqs    []registryRequest
	waiters []chan struct{}
	once    sync.Once
}

// next returns a channel closed at the next request that carries
// credentials.
func (ar *authRegistry) next() <-chan struct{} {
	ar.mu.Lock()
	defer ar.mu.Unlock()
	ch := make(chan struct{})
	ar.waiters = append(ar.waiters, ch)
	return ch
}

// startAuthRegistry starts the registry; with serverTLS, the front serves
// HTTPS with that configuration (which may require client certificates).
func startAuthRegistry(t *testing.T, serverTLS ...*tls.Config) *authRegistry {
	t.Helper()
	auth, err := api.ParseAuth([]byte("users:\n  - {name: " + authUser + ", password: " + authPassword + ", role: admin}\n" +
		"tokens:\n  - {name: ci-token, token: " + authToken + ", role: admin}\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv := registrytest.Start(t, registrytest.InMemory(), registrytest.WithAPIOptions(api.WithAuth(auth)))
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	ar := &authRegistry{seen: make(chan struct{})}
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := registryRequest{method: r.Method, path: r.URL.Path, userAgent: r.UserAgent()}
		req.user, _, _ = r.BasicAuth()
		req.bearer = strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(rec, r)
		req.status = rec.status
		ar.mu.Lock()
		ar.reqs = append(ar.reqs, req)
		ar.mu.Unlock()
		if req.user != "" || req.bearer {
			ar.once.Do(func() { close(ar.seen) })
			ar.mu.Lock()
			for _, w := range ar.waiters {
				close(w)
			}
			ar.waiters = nil
			ar.mu.Unlock()
		}
	}))
	if len(serverTLS) > 0 {
		front.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what the tests cause
		front.TLS = serverTLS[0]
		front.StartTLS()
	} else {
		front.Start()
	}
	t.Cleanup(front.Close)
	ar.URL = front.URL
	return ar
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// requests returns the requests seen since the last call.
func (ar *authRegistry) requests() []registryRequest {
	ar.mu.Lock()
	defer ar.mu.Unlock()
	reqs := ar.reqs
	ar.reqs = nil
	return reqs
}

// client is a Go client with the credentials, for arranging tests.
func (ar *authRegistry) client(t *testing.T) *sr.Client {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(ar.URL), sr.BasicAuth(authUser, authPassword))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// checkRequests fails unless reqs is not empty and every request carried
// the credentials (basic auth, or the bearer token when bearer), was
// admitted, and named edactl/<version> as its user agent.
func checkRequests(t *testing.T, what string, reqs []registryRequest, bearer bool) {
	t.Helper()
	if len(reqs) == 0 {
		t.Errorf("%s: sent no registry request", what)
	}
	for _, r := range reqs {
		switch {
		case bearer && !r.bearer, !bearer && r.user != authUser:
			t.Errorf("%s: %s %s without the credentials (user %q, bearer %v)", what, r.method, r.path, r.user, r.bearer)
		case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
			t.Errorf("%s: %s %s: HTTP %d", what, r.method, r.path, r.status)
		}
		if want := "edactl/" + currentBuild().Version; r.userAgent != want {
			t.Errorf("%s: %s %s: User-Agent %q, want %q", what, r.method, r.path, r.userAgent, want)
		}
	}
}

// wireValue frames Avro binary in the Confluent wire format.
func wireValue(id int, avro []byte) []byte {
	b := []byte{0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(id))
	return append(b, avro...)
}

// TestEveryCommandSendsRegistryCredentials runs each command that talks to
// a registry against one that refuses anonymous requests: with the
// credentials in EDACTL_REGISTRY_USER and EDACTL_REGISTRY_PASSWORD (or
// EDACTL_REGISTRY_TOKEN) every request carries them, and the secrets never
// show in the output.
func TestEveryCommandSendsRegistryCredentials(t *testing.T) {
	reg := startAuthRegistry(t)
	ctx := context.Background()
	const schema = `{"type":"record","name":"Payment","namespace":"shop","fields":[{"name":"id","type":"string"}]}`
	ss, err := reg.client(t).CreateSchema(ctx, "payments-value", sr.Schema{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}

	kf, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "payments", "produced"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	brokers := strings.Join(kf.ListenAddrs(), ",")
	kcl, err := kgo.NewClient(kgo.SeedBrokers(kf.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kcl.Close)
	// {"id": "p-1"}: a string is its zigzag length, then its bytes.
	value := wireValue(ss.ID, append([]byte{2 * 3}, "p-1"...))
	if err := kcl.ProduceSync(ctx, &kgo.Record{Topic: "payments", Key: []byte("p-1"), Value: value,
		Headers: []kgo.RecordHeader{{Key: "ce_correlationid", Value: []byte("flow-1")}}}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	reg.requests()

	dir := t.TempDir()
	if code, out, errOut := run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	config := filepath.Join(dir, "edactl.yaml")
	basic := map[string]string{"EDACTL_REGISTRY": reg.URL, "EDACTL_BROKERS": brokers,
		"EDACTL_REGISTRY_USER": authUser, "EDACTL_REGISTRY_PASSWORD": authPassword}
	token := map[string]string{"EDACTL_REGISTRY": reg.URL, "EDACTL_BROKERS": brokers, "EDACTL_REGISTRY_TOKEN": authToken}

	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		stdin  string
		want   string // in stdout
		bearer bool
	}{
		{name: "push", env: basic, args: []string{"--config", config, "push"}, want: "registered v1 as version 1"},
		{name: "check --against registry", env: basic, args: []string{"--config", config, "check", "--against", "registry"}, want: "against local, registry " + reg.URL},
		{name: "check (auto)", env: basic, args: []string{"--config", config, "check"}, want: "against local, registry " + reg.URL},
		{name: "gen go --from-registry", env: basic, args: []string{"gen", "go", "--from-registry", "payments-value", "--out", filepath.Join(dir, "events")}, want: "generated package events"},
		{name: "consume", env: basic, args: []string{"consume", "payments", "-o", "json"}, want: `"id":"p-1"`},
		{name: "trace", env: basic, args: []string{"trace", "flow-1", "--topics", "payments", "-o", "json"}, want: `"subject": "payments-value"`},
		{name: "produce", env: basic, args: []string{"produce", "produced", "--subject", "payments-value"}, stdin: `{"key":"p-2","value":{"id":"p-2"}}` + "\n",
			want: "values: payments-value v1"},
		{name: "registry subjects", env: basic, args: []string{"registry", "subjects"}, want: "payments-value"},
		{name: "registry subjects (flags)", env: map[string]string{"EDACTL_REGISTRY": reg.URL, "EDACTL_REGISTRY_USER": "someone-else", "EDACTL_REGISTRY_PASSWORD": "wrong"},
			args: []string{"registry", "subjects", "--user", authUser, "--password", authPassword}, want: "payments-value"},
		{name: "push (token)", env: token, args: []string{"--config", config, "push"}, want: "nothing to do", bearer: true},
		{name: "gen go --from-registry (token)", env: token, args: []string{"gen", "go", "--from-registry", "payments-value", "--out", filepath.Join(dir, "events"), "--check"},
			want: "up to date", bearer: true},
		{name: "consume (token)", env: token, args: []string{"consume", "payments", "-o", "json"}, want: `"id":"p-1"`, bearer: true},
	}
	for _, c := range cases {
		var out, errOut strings.Builder
		code := Main(ctx, c.args, Stdio{In: strings.NewReader(c.stdin), Out: &out, Err: &errOut}, func(k string) string { return c.env[k] })
		if code != 0 || !strings.Contains(out.String(), c.want) {
			t.Errorf("%s: exit %d, want 0 and %q in stdout\nstdout: %s\nstderr: %s", c.name, code, c.want, out.String(), errOut.String())
		}
		checkRequests(t, c.name, reg.requests(), c.bearer)
		if s := out.String() + errOut.String(); strings.Contains(s, authPassword) || strings.Contains(s, authToken) {
			t.Errorf("%s: a secret is in the output: %s", c.name, s)
		}
	}

	// Wrong credentials are refused, and the error does not repeat them.
	code, out, errOut := run(t, map[string]string{"EDACTL_REGISTRY": reg.URL, "EDACTL_REGISTRY_USER": authUser, "EDACTL_REGISTRY_PASSWORD": "not-" + authPassword},
		"--config", config, "check", "--against", "registry")
	if code == 0 || strings.Contains(out+errOut, "not-"+authPassword) {
		t.Errorf("wrong password: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// blockingInput yields "q" (quit) once ready is closed, or after a
// deadline so a test that fails does not hang.
type blockingInput struct {
	ready <-chan struct{}
	sent  bool
}

func (b *blockingInput) Read(p []byte) (int, error) {
	if b.sent {
		return 0, io.EOF
	}
	select {
	case <-b.ready:
	case <-time.After(15 * time.Second):
	}
	b.sent = true
	return copy(p, "q"), nil
}

// TestTUISendsRegistryCredentials opens the TUI against a registry that
// requires credentials: its requests (the health check at start) carry the
// ones from EDACTL_REGISTRY_USER and EDACTL_REGISTRY_PASSWORD.
func TestTUISendsRegistryCredentials(t *testing.T) {
	reg := startAuthRegistry(t)
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	env := map[string]string{"EDACTL_REGISTRY": reg.URL, "EDACTL_BROKERS": strings.Join(kf.ListenAddrs(), ","),
		"EDACTL_REGISTRY_USER": authUser, "EDACTL_REGISTRY_PASSWORD": authPassword, "GOMEMLIMIT": "off"}
	var out, errOut strings.Builder
	code := Main(context.Background(), []string{"tui"}, Stdio{In: &blockingInput{ready: reg.seen}, Out: &out, Err: &errOut},
		func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("tui: exit %d\nstderr: %s", code, errOut.String())
	}
	checkRequests(t, "tui", reg.requests(), false)
}

// TestClientConstructors: the Kafka client has stream's options with the
// role's extra ones on top; missing addresses are usage errors.
func TestClientConstructors(t *testing.T) {
	cl, err := newKafkaClient(kafkaOptions{Brokers: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := cl.OptValue(kgo.ClientID).(string); id != "edactl" {
		t.Errorf("client id %q, want edactl", id)
	}
	cl.Close()
	cl, err = newKafkaClient(kafkaOptions{Brokers: []string{"127.0.0.1:1"}}, kgo.ClientID("edactl-tui-admin"))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := cl.OptValue(kgo.ClientID).(string); id != "edactl-tui-admin" {
		t.Errorf("client id %q, want the role's", id)
	}
	cl.Close()

	var ue *usageError
	if _, err := newKafkaClient(kafkaOptions{}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "no Kafka brokers") {
		t.Errorf("no brokers: %v", err)
	}
	if _, err := newRegistryClient(registryOptions{}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "no schema registry") {
		t.Errorf("no registry: %v", err)
	}
	urls := []string{"127.0.0.1:8081"}
	if _, err := newRegistryClient(registryOptions{URLs: urls}); err != nil || urls[0] != "127.0.0.1:8081" {
		t.Errorf("registry client: %v; the options' URLs became %q", err, urls)
	}
}

// TestEmptyRegistryURL: a command that needs a registry refuses an empty
// --registry as a configuration error before sending anything; check's
// default baseline takes it as naming no registry.
func TestEmptyRegistryURL(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	config := filepath.Join(dir, "edactl.yaml")
	for _, args := range [][]string{
		{"registry", "subjects", "--registry", ""},
		{"--config", config, "push", "--registry", ""},
		{"--config", config, "check", "--against", "registry", "--registry", ""},
		{"gen", "go", "--from-registry", "s", "--out", filepath.Join(dir, "events"), "--registry", ""},
		{"tui", "--registry", ""},
	} {
		code, _, errOut := run(t, nil, args...)
		if code != exitUsage || !strings.Contains(errOut, "no schema registry: set --registry or EDACTL_REGISTRY") {
			t.Errorf("edactl %q: exit %d, stderr %q", args, code, errOut)
		}
	}
	code, out, errOut := run(t, nil, "--config", config, "check", "--registry", "")
	if code != exitOK || !strings.HasSuffix(strings.TrimSpace(out), "against local") || errOut != "" {
		t.Errorf("check --registry '': exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
