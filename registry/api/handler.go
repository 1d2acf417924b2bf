package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/edactl/edactl/registry"
)

// Option configures New.
type Option func(*config)

type config struct {
	logger       *slog.Logger
	maxBody      int64
	auth         *Auth
	version      string
	accessLog    bool
	schemaSearch int
}

// WithLogger sets the logger for errors and access logs, overriding the
// default of discarding them.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodyBytes sets the request body limit, overriding the default of
// 16 MiB; larger bodies get 413 with error_code 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithAuth requires authentication with the given users and tokens,
// overriding the default of an open server.
func WithAuth(a *Auth) Option { return func(c *config) { c.auth = a } }

// WithVersion sets the version GET /v1/metadata/version reports, overriding
// the default "dev".
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithAccessLog turns the per-request access log (at Info level) on or off,
// overriding the default of on.
func WithAccessLog(on bool) Option { return func(c *config) { c.accessLog = on } }

func (c *config) validate() error {
	if c.logger == nil {
		return errors.New("api: nil logger")
	}
	if c.maxBody < 1 {
		return errors.New("api: body limit must be positive")
	}
	return nil
}

// Handler is the registry's HTTP handler.
type Handler struct {
	reg     *registry.Registry
	cfg     config
	log     *slog.Logger
	metrics *metrics
}

// New returns the HTTP handler for reg.
func New(reg *registry.Registry, opts ...Option) (*Handler, error) {
	cfg := config{logger: slog.New(slog.DiscardHandler), maxBody: 16 << 20, version: "dev", accessLog: true, schemaSearch: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Handler{reg: reg, cfg: cfg, log: cfg.logger, metrics: newMetrics()}, nil
}

// Content types, as shared header values (never modified).
const (
	ctV1      = "application/vnd.schemaregistry.v1+json"
	ctGeneric = "application/vnd.schemaregistry+json"
	ctJSON    = "application/json"
)

var (
	hdrV1      = []string{ctV1}
	hdrGeneric = []string{ctGeneric}
	hdrJSON    = []string{ctJSON}
	hdrText    = []string{"text/plain; version=0.0.4; charset=utf-8"}
)

// negotiate picks the response content type from Accept the way Jersey does
// with Confluent's quality factors (v1 1.0, generic 0.9, json 0.5).
func negotiate(accept string) ([]string, bool) {
	if accept == "" || accept == ctV1 || accept == "*/*" {
		return hdrV1, true
	}
	best, bestQ := []string(nil), 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if qs, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(qs, 64); err == nil {
				q = f
			}
		}
		try := func(h []string, serverQ float64) {
			if s := q * serverQ; s > bestQ {
				best, bestQ = h, s
			}
		}
		switch mt {
		case ctV1, "*/*", "application/*":
			try(hdrV1, 1)
		case ctGeneric:
			try(hdrGeneric, 0.9)
		case ctJSON:
			try(hdrJSON, 0.5)
		}
	}
	if best == nil {
		return hdrV1, false
	}
	return best, true
}

// request is what a route handler gets.
type request struct {
	r       *http.Request
	ctx     string // schema context from a /contexts/{ctx} prefix, "" if none
	subject string // the {subject} path segment, qualified with ctx
	version string // the {version} path segment
	id      string // the {id} path segment
	query   url.Values
}

func (rq *request) q() url.Values {
	if rq.query == nil {
		rq.query = rq.r.URL.Query()
	}
	return rq.query
}

func (rq *request) flag(name string) bool {
	if rq.r.URL.RawQuery == "" {
		return false
	}
	return strings.EqualFold(rq.q().Get(name), "true")
}

func (rq *request) str(name string) string {
	if rq.r.URL.RawQuery == "" {
		return ""
	}
	return rq.q().Get(name)
}

func (rq *request) intParam(name string, def int) (int, error) {
	s := rq.str(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, httpErr(400, "Invalid query parameter %s=%q: not an integer", name, s)
	}
	return n, nil
}

type handlerFunc func(h *Handler, rq *request) (int, []byte, error)

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rt, status, n := h.serve(w, r)
	d := time.Since(start)
	h.metrics.observe(rt, status, d)
	if h.cfg.accessLog && h.log.Enabled(r.Context(), slog.LevelInfo) {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
			slog.Int("status", status), slog.Int("bytes", n), slog.Duration("duration", d),
			slog.String("remote", r.RemoteAddr), slog.String("route", rt.name))
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (rt *route, status, n int) {
	rt = routeUnmatched
	hdr, acceptable := negotiate(r.Header.Get("Accept"))
	write := func(status int, body []byte) (int, int) {
		w.Header()["Content-Type"] = hdr
		w.WriteHeader(status)
		n, _ := w.Write(body)
		return status, n
	}
	fail := func(err error) (int, int) {
		st, body, internal := mapError(err)
		if internal {
			h.log.Error("request failed", "method", r.Method, "path", r.URL.RequestURI(), "error", err)
		}
		return write(st, body)
	}
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic serving request", "method", r.Method, "path", r.URL.RequestURI(), "panic", p, "stack", string(debug.Stack()))
			status, n = fail(errors.New("panic"))
		}
	}()

	rq := request{r: r}
	rt, ep, err := match(r.Method, r.URL.EscapedPath(), &rq)
	if rt.name == "/healthz" || rt.name == "/metrics" {
		if h.cfg.auth != nil && rt.name == "/metrics" {
			if err := h.cfg.auth.authorize(r, roleRead); err != nil {
				w.Header().Set("WWW-Authenticate", `Basic realm="edactl registry"`)
				status, n = fail(err)
				return rt, status, n
			}
		}
		body := []byte("ok\n")
		if rt.name == "/metrics" {
			body = h.metrics.render(h.reg)
		}
		w.Header()["Content-Type"] = hdrText
		w.WriteHeader(http.StatusOK)
		n, _ = w.Write(body)
		return rt, http.StatusOK, n
	}
	if h.cfg.auth != nil {
		need := ep.role
		if need == roleNone {
			need = roleRead
		}
		if err := h.cfg.auth.authorize(r, need); err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="edactl registry"`)
			status, n = fail(err)
			return rt, status, n
		}
	}
	if err != nil {
		if err == errMethodNotAllowed {
			w.Header().Set("Allow", rt.allow)
		}
		status, n = fail(err)
		return rt, status, n
	}
	if !acceptable {
		status, n = fail(errNotAcceptable)
		return rt, status, n
	}
	if r.ContentLength > h.cfg.maxBody {
		status, n = fail(httpErr(http.StatusRequestEntityTooLarge, "Request body of %d bytes is larger than the limit of %d bytes", r.ContentLength, h.cfg.maxBody))
		return rt, status, n
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.maxBody)
	}
	st, body, err := ep.fn(h, &rq)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = &registry.Error{Code: registry.CodeOperationTimeout, Message: "Operation timed out"}
		}
		status, n = fail(err)
		return rt, status, n
	}
	status, n = write(st, body)
	return rt, status, n
}

// readBody reads and decodes a JSON request body into v. A missing body is
// 422, malformed JSON 400, a body over the limit 413, an unsupported content
// type 415.
func readBody(rq *request, v any, decode func([]byte, any) error) error {
	if ct := rq.r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedRequestType(mt) {
			return httpErr(http.StatusUnsupportedMediaType, "HTTP 415 Unsupported Media Type: %q is not a JSON content type", ct)
		}
	}
	if rq.r.Body == nil {
		return httpErr(422, "Request body is required")
	}
	data, err := io.ReadAll(rq.r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return httpErr(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes", mbe.Limit)
	}
	if err != nil {
		return httpErr(400, "Could not read the request body: %v", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return httpErr(422, "Request body is required")
	}
	return decode(data, v)
}

// acceptedRequestType: Confluent's four request types, anything JSON, and
// curl's default form type (whose body is JSON all the same).
func acceptedRequestType(mt string) bool {
	switch mt {
	case ctV1, ctGeneric, ctJSON, "application/octet-stream", "application/x-www-form-urlencoded":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json")
}
