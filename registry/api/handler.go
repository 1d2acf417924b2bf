package api

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/edactl/edactl/registry"
)

// Handler is the registry's HTTP handler.
type Handler struct {
	reg     *registry.Registry
	cfg     config
	log     *slog.Logger
	metrics *metrics
}

// newHandler returns the HTTP handler for reg.
func newHandler(reg *registry.Registry, opts ...Option) (*Handler, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Handler{reg: reg, cfg: cfg, log: cfg.logger, metrics: newMetrics()}, nil
}

// handlerFunc serves one endpoint: it returns the status and body of a
// success, or an error that mapError turns into a Confluent error body.
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

// serve routes, authorizes and checks a request, runs its endpoint and
// writes the answer. It returns the route (for metrics), the status and the
// body length.
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
		if errors.Is(err, errMethodNotAllowed) {
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
		status, n = fail(err)
		return rt, status, n
	}
	status, n = write(st, body)
	return rt, status, n
}
