package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/edactl/edactl/registry"
)

// Handler is the registry's HTTP handler.
type Handler struct {
	reg     *registry.Registry
	cfg     config
	log     *slog.Logger
	metrics *metrics
	alog    *accessLog // nil: access log records go to log
	checks  *checkGate
	conns   atomic.Pointer[listener] // set by Server.Serve, for metrics
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
	h := &Handler{reg: reg, cfg: cfg, log: cfg.logger, metrics: newMetrics(), checks: newCheckGate(cfg.maxChecks, cfg.maxQueuedChecks, cfg.checkQueueWait)}
	if cfg.accessLog && cfg.logOut != nil {
		h.alog = newAccessLog(cfg.logOut, cfg.logFormat)
	}
	return h, nil
}

// Close flushes the buffered access log (WithAccessLogOutput); lines of
// requests served after Close are written at once. Server.Close calls it.
func (h *Handler) Close() error {
	if h.alog != nil {
		h.alog.close()
	}
	return nil
}

// handlerFunc serves one endpoint: it returns the status and body of a
// success, or an error that mapError turns into a Confluent error body. An
// endpoint whose answer is long sets rq.stream instead of a body.
type handlerFunc func(h *Handler, rq *request) (int, []byte, error)

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rt, status, n := h.serve(w, r)
	d := time.Since(start)
	h.metrics.observe(rt, status, d)
	if !h.cfg.accessLog {
		return
	}
	if h.alog != nil {
		h.alog.log(start.Add(d), r, status, n, d, rt.name)
	} else if h.log.Enabled(r.Context(), slog.LevelInfo) {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, accessLogMsg,
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
	head := r.Method == http.MethodHead
	hdr, acceptable := negotiate(r.Header.Get("Accept"))
	write := func(status int, body []byte) (int, int) {
		w.Header()["Content-Type"] = hdr
		if head {
			// HEAD is GET without the body: the length it would have.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			return status, 0
		}
		w.WriteHeader(status)
		n, _ := w.Write(body)
		return status, n
	}
	fail := func(err error) (int, int) {
		st, body, internal := mapError(err)
		if internal {
			h.log.Error("request failed", "method", r.Method, "path", r.URL.RequestURI(), "error", err)
		}
		var ae *apiError
		if errors.As(err, &ae) && ae.retryAfter {
			w.Header().Set("Retry-After", "1")
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
			if err := h.authorize(w, r, roleRead); err != nil {
				status, n = fail(err)
				return rt, status, n
			}
		}
		body, ctype := []byte("ok\n"), hdrPlain
		if rt.name == "/metrics" {
			body, ctype = h.metrics.render(h), hdrText
		}
		w.Header()["Content-Type"] = ctype
		w.WriteHeader(http.StatusOK)
		n, _ = w.Write(body)
		return rt, http.StatusOK, n
	}
	if h.cfg.auth != nil {
		need := ep.role
		if need == roleNone {
			need = roleRead
		}
		if err := h.authorize(w, r, need); err != nil {
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
	if r.Method == http.MethodOptions {
		// As Jersey answers OPTIONS for a resource: its methods in Allow,
		// no body.
		w.Header().Set("Allow", rt.allow)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return rt, http.StatusOK, 0
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
	if (r.Method == http.MethodPost || r.Method == http.MethodPut) && rq.subject != "" {
		if err := h.checkSubjectLength(rq.subject); err != nil {
			status, n = fail(err)
			return rt, status, n
		}
	}
	if wantsLatest(r) {
		ctx, cancel := context.WithTimeout(r.Context(), SyncTimeout)
		err := h.reg.Sync(ctx)
		cancel()
		if err != nil {
			status, n = fail(err)
			return rt, status, n
		}
	}
	st, body, err := ep.fn(h, &rq)
	if err != nil {
		status, n = fail(err)
		return rt, status, n
	}
	if rq.stream != nil {
		w.Header()["Content-Type"] = hdr
		w.WriteHeader(st)
		if head {
			return rt, st, 0
		}
		return rt, st, rq.stream(w)
	}
	status, n = write(st, body)
	return rt, status, n
}

// authorize checks r's credentials; a refusal asks for them.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, need role) error {
	err := h.cfg.auth.authorize(r, need, h.cfg.maxAuthorization)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="edactl registry"`)
	}
	return err
}

// streamJSONArray returns a stream that writes items, each already JSON, as
// one JSON array, item by item, so a long list is never copied into one
// buffer.
func streamJSONArray(items [][]byte) func(io.Writer) int {
	return func(w io.Writer) int {
		bw := bufio.NewWriterSize(w, 32<<10)
		total := 1
		bw.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				bw.WriteByte(',')
				total++
			}
			if _, err := bw.Write(it); err != nil {
				return 0 // the client is gone
			}
			total += len(it)
		}
		bw.WriteByte(']')
		if bw.Flush() != nil {
			return 0
		}
		return total + 1
	}
}

// ConsistencyHeader is the request header (and ConsistencyParam the query
// parameter) with which a request asks to see every write acknowledged
// before it, by any instance sharing the log: with the value "latest", the
// instance first catches up to the log's end (Registry.Sync), for at most
// SyncTimeout (then 50002). Without it a request reads what the instance
// has folded, which includes every write it acknowledged itself.
const (
	ConsistencyHeader = "Edactl-Consistency"
	ConsistencyParam  = "consistency"
	ConsistencyLatest = "latest"
)

// SyncTimeout bounds how long a request asking for the latest state waits
// for its instance to catch up.
const SyncTimeout = 10 * time.Second

// wantsLatest reports whether r asks for the latest state.
func wantsLatest(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get(ConsistencyHeader), ConsistencyLatest) {
		return true
	}
	return r.URL.RawQuery != "" && strings.EqualFold(r.URL.Query().Get(ConsistencyParam), ConsistencyLatest)
}
