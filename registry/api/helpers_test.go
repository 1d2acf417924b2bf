package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
)

// client talks raw HTTP to one registry.
type client struct {
	t   testing.TB
	url string
}

func start(t *testing.T, opts ...registrytest.Option) (*client, *sr.Client) {
	t.Helper()
	srv := registrytest.Start(t, opts...)
	return newClients(t, srv)
}

func newClients(t *testing.T, srv *httptest.Server) (*client, *sr.Client) {
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, url: srv.URL}, cl
}

type response struct {
	status int
	body   string
	header http.Header
}

// errorCode returns the error_code of an error body (0 if none).
func (r response) errorCode() int {
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if json.Unmarshal([]byte(r.body), &e) != nil {
		return 0
	}
	return e.ErrorCode
}

func (c *client) do(method, path, body string, hdr ...string) response {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(b), resp.Header}
}

// expect checks status and body (exact JSON equality when want starts with
// '{' or '[', else substring).
func (c *client) expect(method, path, body string, status int, want string) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, status, r.body)
	}
	if want != "" && !jsonEqual(r.body, want) && !strings.Contains(r.body, want) {
		c.t.Fatalf("%s %s: body %s, want %s", method, path, r.body, want)
	}
	return r
}

// expectErr checks a Confluent error: HTTP status and error_code.
func (c *client) expectErr(method, path, body string, status, code int) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status || r.errorCode() != code {
		c.t.Fatalf("%s %s: got %d %s, want %d with error_code %d", method, path, r.status, r.body, status, code)
	}
	return r
}

func jsonEqual(a, b string) bool {
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// body builds a register body for an Avro schema text.
func body(schema string, extra ...string) string {
	b, _ := json.Marshal(schema)
	s := `{"schema":` + string(b)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func record(name string, fields ...string) string {
	return `{"type":"record","name":"` + name + `","fields":[` + strings.Join(fields, ",") + `]}`
}

var ctx = context.Background()
