package api_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/registry/store"
)

// Regression tests of the HTTP layer's limits, auth and Confluent shapes
// (docs/registry.md, "Limits").

// Metadata beyond the limit (1 MiB by default) is 42209, like a schema text
// beyond the registry's limit, though the body is well under its own.
func TestLimitMetadataSize(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	props := map[string]string{}
	for i := range 17 {
		props[fmt.Sprintf("k%d", i)] = strings.Repeat("v", 64<<10)
	}
	md, _ := json.Marshal(map[string]any{"properties": props})
	r := c.expectErr("POST", "/subjects/md/versions", body(record("M", fID), `"metadata":`+string(md)), 422, 42209)
	if !strings.Contains(r.body, "Metadata too large") {
		t.Fatalf("message: %s", r.body)
	}
	c.expectErr("POST", "/subjects/md", body(record("M", fID), `"metadata":`+string(md)), 422, 42209)
	c.expectErr("POST", "/compatibility/subjects/md/versions", body(record("M", fID), `"metadata":`+string(md)), 422, 42209)
	c.expect("POST", "/subjects/md/versions", body(record("M", fID), `"metadata":{"properties":{"owner":"team-a"}}`), 200, `{"id":1}`)
}

// More references than the limit (1,000), or a reference subject longer
// than the subject limit, is 42209 before any reference is resolved.
func TestLimitReferences(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	refs := make([]string, 1001)
	for i := range refs {
		refs[i] = fmt.Sprintf(`{"name":"n.T%d","subject":"s%d","version":1}`, i, i)
	}
	r := c.expectErr("POST", "/subjects/refs/versions", body(record("R", fID), `"references":[`+strings.Join(refs, ",")+`]`), 422, 42209)
	if !strings.Contains(r.body, "Too many references: 1001") {
		t.Fatalf("message: %s", r.body)
	}
	long := strings.Repeat("s", 5000)
	c.expectErr("POST", "/subjects/refs/versions", body(record("R", fID), `"references":[{"name":"n.T","subject":"`+long+`","version":1}]`), 422, 42209)
}

// A subject name longer than the limit (4 KiB) is refused for writes and
// checks with 42208, naming only its start; reads are not limited.
func TestLimitSubjectLength(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	long := strings.Repeat("a", 5000)
	for _, rq := range []struct{ method, path, body string }{
		{"POST", "/subjects/" + long + "/versions", body(record("L", fID))},
		{"POST", "/subjects/" + long, body(record("L", fID))},
		{"POST", "/compatibility/subjects/" + long + "/versions", body(record("L", fID))},
		{"PUT", "/config/" + long, `{"compatibility":"NONE"}`},
		{"PUT", "/mode/" + long, `{"mode":"READONLY"}`},
	} {
		r := c.expectErr(rq.method, rq.path, rq.body, 422, 42208)
		if len(r.body) > 300 || !strings.Contains(r.body, "5000 bytes long, the limit is 4096") {
			t.Fatalf("%s %s…: %s", rq.method, rq.path[:20], r.body)
		}
	}
	c.expectErr("GET", "/subjects/"+long+"/versions", "", 404, 40401)
	c.expect("POST", "/subjects/"+strings.Repeat("a", 4096)+"/versions", body(record("L", fID)), 200, `{"id":1}`)
}

// GET /schemas answers at most 1,000 versions (Confluent's
// schema.search.max.limit): ?limit= beyond it, or not positive, gives the
// default page, as Confluent's normalizeLimit does.
func TestLimitSchemasPage(t *testing.T) {
	c, _ := start(t, registrytest.InMemory(), registrytest.WithServer(func(s *api.Server) {
		for i := range 1003 {
			if _, err := s.Registry.Register(ctx, fmt.Sprintf("s%04d", i), registry.RegisterRequest{Schema: `"string"`}); err != nil {
				t.Fatal(err)
			}
		}
	}))
	for q, want := range map[string]int{"": 1000, "?limit=0": 1000, "?limit=-1": 1000, "?limit=5000": 1000, "?limit=7": 7, "?offset=1000": 3, "?offset=999&limit=2": 2} {
		r := c.expect("GET", "/schemas"+q, "", 200, "")
		var list []json.RawMessage
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || len(list) != want {
			t.Fatalf("GET /schemas%s: %d items (%v), want %d", q, len(list), err, want)
		}
	}
}

// A page of large schemas is streamed from the stored JSON of each version
// instead of being copied into one response buffer.
func TestSchemasListIsStreamed(t *testing.T) {
	srv, err := api.Open(ctx, store.NewMemory(), []registry.Option{registry.WithCommitDelay(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	doc := strings.Repeat("d", 16<<10)
	for i := range 200 {
		schema := fmt.Sprintf(`{"type":"record","name":"R%d","doc":%q,"fields":[]}`, i, doc)
		if _, err := srv.Registry.Register(ctx, fmt.Sprintf("s%d", i), registry.RegisterRequest{Schema: schema}); err != nil {
			t.Fatal(err)
		}
	}
	w := &countingWriter{h: http.Header{}}
	req := httptest.NewRequest("GET", "/schemas", nil)
	srv.Handler.ServeHTTP(w, req) // warm up
	w.n = 0
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	srv.Handler.ServeHTTP(w, req)
	runtime.ReadMemStats(&after)
	if w.n < 200*16<<10 {
		t.Fatalf("answer of %d bytes, want all 200 schemas", w.n)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(w.n)/4 {
		t.Fatalf("serving a %d-byte list allocated %d bytes: the answer was built in memory", w.n, alloc)
	}
}

type countingWriter struct {
	h http.Header
	n int
}

func (c *countingWriter) Header() http.Header         { return c.h }
func (c *countingWriter) WriteHeader(int)             {}
func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// holdLog blocks every Append until release is closed.
type holdLog struct {
	store.Log
	release chan struct{}
	entered atomic.Int64
}

func (h *holdLog) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	h.entered.Add(1)
	<-h.release
	return h.Log.Append(ctx, recs)
}

// With the default limits (32 checks at once, 1,024 waiting), a burst of
// registrations stuck behind a slow commit fills the slots and the queue,
// and the rest are refused at once with 503 and Retry-After instead of
// piling up; when the commit goes through, every admitted one succeeds.
func TestLimitConcurrentChecks(t *testing.T) {
	log := &holdLog{Log: store.NewMemory(), release: make(chan struct{})}
	srv, err := api.Open(ctx, log, []registry.Option{registry.WithCommitDelay(0), registry.WithWriteTimeout(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const n = 32 + 1024 + 50
	statuses := make([]int, n)
	retryAfter := make([]string, n)
	var wg sync.WaitGroup
	var refused atomic.Int64
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest("POST", fmt.Sprintf("/subjects/burst-%d/versions", i), strings.NewReader(body(record(fmt.Sprintf("B%d", i), fID))))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			srv.Handler.ServeHTTP(w, req)
			statuses[i], retryAfter[i] = w.Code, w.Header().Get("Retry-After")
			if w.Code == 503 {
				var e struct {
					ErrorCode int `json:"error_code"`
				}
				if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.ErrorCode != 503 {
					t.Errorf("503 body: %s", w.Body)
				}
				refused.Add(1)
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for refused.Load() < n-32-1024 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(log.release)
	wg.Wait()
	ok := 0
	for i, s := range statuses {
		switch s {
		case 200:
			ok++
		case 503:
			if retryAfter[i] != "1" {
				t.Errorf("503 without Retry-After: 1")
			}
		default:
			t.Errorf("status %d", s)
		}
	}
	if ok != 32+1024 || refused.Load() != n-32-1024 {
		t.Fatalf("%d succeeded, %d refused; want %d and %d", ok, refused.Load(), 32+1024, n-32-1024)
	}
}

// A connection over the limit gets 503 in Confluent's shape and is
// closed; the connections under it are served, and a slot frees when one
// closes.
func TestLimitConnections(t *testing.T) {
	srv, err := api.Open(ctx, store.NewMemory(), nil, api.WithMaxConnections(2))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := serve(t, func(ctx context.Context, ln net.Listener) error { return srv.Serve(ctx, ln) })
	addr := strings.TrimPrefix(url, "http://")
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	get := func(c net.Conn, br *bufio.Reader) (*http.Response, string) {
		if _, err := io.WriteString(c, "GET /subjects HTTP/1.1\r\nHost: registry\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	c1, r1 := dial()
	c2, r2 := dial()
	if resp, _ := get(c1, r1); resp.StatusCode != 200 {
		t.Fatalf("first connection: %d", resp.StatusCode)
	}
	if resp, _ := get(c2, r2); resp.StatusCode != 200 {
		t.Fatalf("second connection: %d", resp.StatusCode)
	}
	c3, r3 := dial()
	resp, b := get(c3, r3)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(b, `"error_code":503`) || !strings.Contains(b, "Too many open connections") {
		t.Fatalf("third connection: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	if _, err := r3.ReadByte(); err != io.EOF {
		t.Fatalf("the refused connection stays open: %v", err)
	}
	c1.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c4, r4 := dial()
		resp, _ := get(c4, r4)
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a close, a new connection still gets %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r, _ := get(c2, r2); r.StatusCode != 200 {
		t.Fatalf("a kept-alive connection under the limit: %d", r.StatusCode)
	}
}

// serve runs fn on a loopback listener until the test ends and returns the
// URL.
func serve(t *testing.T, fn func(context.Context, net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(sctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// Requests net/http rejects before any handler runs (a bad %-escape in the
// path, headers over the limit) get Confluent's JSON error body, not Go's
// plain text.
func TestMalformedRequestsGetConfluentErrors(t *testing.T) {
	srv, err := api.Open(ctx, store.NewMemory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := serve(t, func(ctx context.Context, ln net.Listener) error {
		return api.Serve(ctx, ln, srv.Handler, slog.New(slog.DiscardHandler))
	})
	for _, tc := range []struct {
		name, req string
		status    int
	}{
		{"bad escape", "GET /subjects/%zz/versions HTTP/1.1\r\nHost: registry\r\n\r\n", 400},
		{"bad escape in a POST", "POST /subjects/a%G1/versions HTTP/1.1\r\nHost: registry\r\nContent-Length: 2\r\n\r\n{}", 400},
		{"no Host", "GET /subjects HTTP/1.1\r\n\r\n", 400},
		{"huge header", "GET /subjects HTTP/1.1\r\nHost: registry\r\nX-Big: " + strings.Repeat("b", 1<<20+4096) + "\r\n\r\n", 431},
	} {
		c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		go io.WriteString(c, tc.req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		c.Close()
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		if resp.StatusCode != tc.status || json.Unmarshal(b, &e) != nil || e.ErrorCode != tc.status || !strings.HasPrefix(e.Message, fmt.Sprintf("HTTP %d", tc.status)) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.schemaregistry.v1+json") {
			t.Fatalf("%s: %d %q %s", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	// The wrapper leaves well-formed answers alone, 4xx ones included.
	r := (&client{t: t, url: url}).expectErr("GET", "/subjects/nope/versions", "", 404, 40401)
	if r.header.Get("Date") == "" {
		t.Fatalf("a handler's answer lost its headers: %v", r.header)
	}
}

// PUT /config/:.ctx: and PUT /mode/:.ctx: set the context's scope, which
// GET and DELETE on the same paths read and remove.
func TestPutConfigAndModeOfAContext(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	c.expect("PUT", "/config/:.team:", `{"compatibility":"FULL"}`, 200, `{"compatibility":"FULL"}`)
	c.expect("GET", "/config/:.team:", "", 200, `"compatibilityLevel":"FULL"`)
	c.expect("GET", "/contexts/.team/config", "", 200, `"compatibilityLevel":"FULL"`)
	c.expect("DELETE", "/config/:.team:", "", 200, `"compatibilityLevel":"FULL"`)
	c.expect("PUT", "/mode/:.team:", `{"mode":"READONLY"}`, 200, `{"mode":"READONLY"}`)
	c.expect("GET", "/mode/:.team:", "", 200, `{"mode":"READONLY"}`)
	c.expectErr("POST", "/subjects/:.team:s/versions", body(record("T", fID)), 422, 42205)
	c.expect("DELETE", "/mode/:.team:", "", 200, `{"mode":"READONLY"}`)
	c.expect("PUT", "/config/:.:", `{"compatibility":"NONE"}`, 200, `{"compatibility":"NONE"}`)
	c.expect("GET", "/config", "", 200, `"compatibilityLevel":"NONE"`)
	c.expectErr("PUT", "/config/__GLOBAL", `{"compatibility":"NONE"}`, 422, 42208)
}

// HEAD is answered like GET without the body (with the length it would
// have); OPTIONS with the resource's methods in Allow, as Jersey does.
func TestHeadAndOptions(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	c.expect("POST", "/subjects/h/versions", body(record("H", fID)), 200, `{"id":1}`)
	get := c.do("GET", "/schemas/ids/1", "")
	head := c.do("HEAD", "/schemas/ids/1", "")
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") != fmt.Sprint(len(get.body)) || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
		t.Fatalf("HEAD: %d %v %q; GET body %d bytes", head.status, head.header, head.body, len(get.body))
	}
	for _, p := range []string{"/schemas", "/subjects/h/versions/1", "/config"} {
		if r := c.do("HEAD", p, ""); r.status != 200 || r.body != "" {
			t.Fatalf("HEAD %s: %d %q", p, r.status, r.body)
		}
	}
	if r := c.do("HEAD", "/subjects/nope/versions", ""); r.status != 404 || r.body != "" {
		t.Fatalf("HEAD of a missing subject: %d %q", r.status, r.body)
	}
	if r := c.do("HEAD", "/subjects/h", ""); r.status != 405 || r.header.Get("Allow") != "POST, DELETE, OPTIONS" {
		t.Fatalf("HEAD where there is no GET: %d %v", r.status, r.header)
	}
	for path, allow := range map[string]string{
		"/subjects/h/versions": "GET, HEAD, POST, OPTIONS",
		"/config/h":            "GET, HEAD, PUT, DELETE, OPTIONS",
		"/subjects/h":          "POST, DELETE, OPTIONS",
	} {
		r := c.do("OPTIONS", path, "")
		if r.status != 200 || r.header.Get("Allow") != allow || r.body != "" {
			t.Fatalf("OPTIONS %s: %d Allow %q body %q", path, r.status, r.header.Get("Allow"), r.body)
		}
	}
	c.expectErr("OPTIONS", "/nope", "", 404, 404)
}

// failLog fails every append as a full disk does, with the file's path in
// the error, as bbolt reports it.
type failLog struct{ store.Log }

func (failLog) Append(context.Context, [][]byte) (uint64, error) {
	return 0, fmt.Errorf("bolt: commit: %w", &fs.PathError{Op: "write", Path: "/var/lib/secret-dir/registry.db", Err: syscall.ENOSPC})
}

// A store error is 50001 without the data directory in the message; the
// log has all of it.
func TestStoreErrorHidesThePath(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	srv, err := api.Open(ctx, failLog{store.NewMemory()}, []registry.Option{registry.WithCommitDelay(0)}, api.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()
	c := &client{t: t, url: ts.URL}
	r := c.expectErr("POST", "/subjects/s/versions", body(record("S", fID)), 500, 50001)
	if strings.Contains(r.body, "secret-dir") || strings.Contains(r.body, "registry.db") || !strings.Contains(r.body, "no space left on device") {
		t.Fatalf("50001 message: %s", r.body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "/var/lib/secret-dir/registry.db") {
		t.Fatalf("the log lacks the detail:\n%s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// The Basic and Bearer schemes are case-insensitive (RFC 7235), and an
// Authorization header over the limit (8 KiB) is 431 before it is decoded.
func TestAuthSchemesAndHeaderLimit(t *testing.T) {
	auth, err := api.ParseAuth([]byte("users:\n  - {name: u, password: p, role: read}\ntokens:\n  - {name: ci, token: tok, role: read}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := start(t, registrytest.InMemory(), registrytest.WithAPIOptions(api.WithAuth(auth)))
	b64 := base64.StdEncoding.EncodeToString([]byte("u:p"))
	for _, h := range []string{"Bearer tok", "bearer tok", "BEARER  tok", "Basic " + b64, "basic " + b64, "BASIC " + b64} {
		if r := c.do("GET", "/subjects", "", "Authorization", h); r.status != 200 {
			t.Fatalf("Authorization %q: %d %s", h, r.status, r.body)
		}
	}
	for _, h := range []string{"Bearer nope", "Bearertok", "Token tok", "Basic !!!"} {
		if r := c.do("GET", "/subjects", "", "Authorization", h); r.status != 401 || r.errorCode() != 401 {
			t.Fatalf("Authorization %q: %d %s", h, r.status, r.body)
		}
	}
	r := c.do("GET", "/subjects", "", "Authorization", "Bearer "+strings.Repeat("t", 9000))
	if r.status != 431 || r.errorCode() != 431 {
		t.Fatalf("a 9 KB Authorization header: %d %s", r.status, r.body)
	}
}

// An auth file entry with an empty secret, as text or as the SHA-256 of the
// empty string, is refused at load, naming the entry, its name and its line.
func TestParseAuthRefusesEmptySecrets(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"users:\n  - {name: alice, password: a, role: read}\n  - {name: bob, password_sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, role: admin}\n",
			`users[1] ("bob") at line 3: the password is empty`},
		{"users:\n  - name: carol\n    password: \"\"\n    role: read\n", `users[0] ("carol") at line 2: no password`},
		{"tokens:\n  - {name: ci, token_sha256: E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855, role: write}\n",
			`tokens[0] ("ci") at line 2: the token is empty`},
	} {
		_, err := api.ParseAuth([]byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("ParseAuth(%q) = %v, want an error containing %q", tc.file, err, tc.want)
		}
	}
}

// DELETE on a name no subject can have (invalid UTF-8, a control
// character, a reserved name) is 40401, as for any subject that does not
// exist, and the registry keeps working: such a name once reached the log's
// validation and came back as a 500.
func TestDeleteOfANameNoSubjectCanHave(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	for _, subject := range []string{"%DA", "a%01", "__GLOBAL", "__EMPTY", ":.ctx:%DA"} {
		for _, path := range []string{"/subjects/" + subject, "/subjects/" + subject + "/versions/1", "/subjects/" + subject + "/versions/latest"} {
			for _, q := range []string{"", "?permanent=true"} {
				c.expectErr("DELETE", path+q, "", 404, 40401)
			}
		}
	}
	c.expect("POST", "/subjects/ok/versions", `{"schema":"\"string\""}`, 200, `{"id":1}`)
	c.expect("DELETE", "/subjects/ok", "", 200, `[1]`)
}

// Register bodies are read into reused buffers: what the registry keeps of
// one (schema, metadata, references) must not change when its buffer reads
// the next. Registrations from several clients at once, read back after.
func TestRegisterBodiesDoNotShareBuffers(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	const n = 240
	body := func(i int) string {
		schema := fmt.Sprintf(`{\"type\":\"record\",\"name\":\"R%d\",\"fields\":[{\"name\":\"f%d\",\"type\":\"string\"}]}`, i, i)
		if i%2 == 0 {
			return `{"schema":"` + schema + `"}` // the one-pass path
		}
		return `{"schemaType":"AVRO","schema":"` + schema + `","metadata":{"properties":{"owner":"team-` + strconv.Itoa(i) + `"}}}`
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				c.expect("POST", fmt.Sprintf("/subjects/s%d/versions", i), body(i), 200, "")
			}
		})
	}
	wg.Wait()
	for i := range n {
		r := c.expect("GET", fmt.Sprintf("/subjects/s%d/versions/1", i), "", 200, "")
		var v struct {
			Schema   string `json:"schema"`
			Metadata *struct {
				Properties map[string]string `json:"properties"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(r.body), &v); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"f%d","type":"string"}]}`, i, i)
		if v.Schema != want {
			t.Fatalf("s%d holds %s, want %s", i, v.Schema, want)
		}
		if owner := ""; i%2 == 1 {
			if v.Metadata != nil {
				owner = v.Metadata.Properties["owner"]
			}
			if owner != "team-"+strconv.Itoa(i) {
				t.Fatalf("s%d has owner %q", i, owner)
			}
		}
	}
}

// Schemas whose defaults hamba/avro's parser would convert at a cost far
// beyond their size (a 2 GiB array for the default of a large fixed; work
// exponential in the nesting of record defaults) are 42201 at once, on
// every path that parses a schema, and leave the registry serving.
func TestCostlyDefaultsAre42201(t *testing.T) {
	c, _ := start(t, registrytest.InMemory())
	elems := strings.TrimSuffix(strings.Repeat("{},", 30), ",")
	nested := `{"type":"record","name":"L0","fields":[{"name":"x","type":"int","default":1}]}`
	for i := 1; i <= 8; i++ {
		nested = fmt.Sprintf(`{"type":"record","name":"L%d","fields":[{"name":"f","type":{"type":"array","items":%s},"default":[%s]}]}`, i, nested, elems)
	}
	c.expect("POST", "/subjects/costly/versions", body(record("C", fID)), 200, `{"id":1}`)
	for _, s := range []string{
		`{"type":"record","name":"Big","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2147483647},"default":""}]}`,
		nested,
	} {
		for _, path := range []string{"/subjects/costly/versions", "/subjects/costly", "/compatibility/subjects/costly/versions/latest"} {
			start := time.Now()
			r := c.expectErr("POST", path, body(s), 422, 42201)
			if !strings.Contains(r.body, "defaults") {
				t.Errorf("%s: message %s", path, r.body)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("%s: refusing took %v", path, took)
			}
		}
	}
	c.expect("POST", "/subjects/costly/versions", body(record("C", fID, `{"name":"n","type":"int","default":1}`)), 200, `{"id":2}`)
}
