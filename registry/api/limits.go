package api

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/edactl/edactl/registry"
)

// checkGate bounds the requests that parse or check schemas (register,
// lookup, compatibility): slots run at once, up to maxQueued wait for a slot
// for at most wait, and the rest are refused with 503 at once, so a burst of
// expensive requests queues with a bound instead of piling up goroutines,
// bodies and parse trees.
type checkGate struct {
	slots     chan struct{}
	maxQueued int64
	wait      time.Duration
	queued    atomic.Int64
	refused   atomic.Uint64
}

func newCheckGate(slots, maxQueued int, wait time.Duration) *checkGate {
	return &checkGate{slots: make(chan struct{}, slots), maxQueued: int64(maxQueued), wait: wait}
}

// enter takes a slot, waiting if need be; on success the caller must call
// leave.
func (g *checkGate) enter(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	if g.queued.Add(1) > g.maxQueued {
		g.queued.Add(-1)
		return g.refuse("%d are running and %d waiting, the most allowed", cap(g.slots), g.maxQueued)
	}
	defer g.queued.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-t.C:
		return g.refuse("none of the %d running finished within %v", cap(g.slots), g.wait)
	case <-ctx.Done():
		// The client is gone; the answer goes nowhere, but it is not an
		// internal error to log.
		return g.refuse("the request was cancelled while waiting")
	}
}

func (g *checkGate) leave() { <-g.slots }

func (g *checkGate) refuse(format string, args ...any) error {
	g.refused.Add(1)
	e := httpErr(http.StatusServiceUnavailable, "Server busy: too many schema checks (register, lookup, compatibility) at once: "+format+"; retry later", args...)
	e.retryAfter = true
	return e
}

// checkSubjectLength refuses a path subject longer than the limit with
// Confluent's invalid-subject error (42208), naming only its start.
func (h *Handler) checkSubjectLength(subject string) error {
	if len(subject) <= h.cfg.maxSubject {
		return nil
	}
	shown := clip(subject, 64)
	if len(shown) < len(subject) {
		shown += "…"
	}
	return &registry.Error{Code: registry.CodeInvalidSubject, Message: fmt.Sprintf("The specified subject '%s' is not valid: it is %d bytes long, the limit is %d", shown, len(subject), h.cfg.maxSubject)}
}

// checkRegisterLimits bounds the parts of a register, lookup or
// compatibility body besides the schema text (which the registry bounds
// with 42209): the number of references, the length of their names and
// subjects, and the size of the metadata. All are 42209, Confluent's code
// for a schema (the record holding its text, references and metadata) too
// large to store.
func (h *Handler) checkRegisterLimits(req *registry.RegisterRequest) error {
	tooLarge := func(format string, args ...any) error {
		return &registry.Error{Code: registry.CodeSchemaTooLarge, Message: fmt.Sprintf(format, args...)}
	}
	if n := len(req.References); n > h.cfg.maxReferences {
		return tooLarge("Too many references: %d, the limit is %d", n, h.cfg.maxReferences)
	}
	for i, ref := range req.References {
		if len(ref.Name) > h.cfg.maxSubject {
			return tooLarge("references[%d].name is %d bytes long, the limit is %d", i, len(ref.Name), h.cfg.maxSubject)
		}
		if len(ref.Subject) > h.cfg.maxSubject {
			return tooLarge("references[%d].subject is %d bytes long, the limit is %d", i, len(ref.Subject), h.cfg.maxSubject)
		}
	}
	if n := metadataBytes(req.Metadata); n > h.cfg.maxMetadata {
		return tooLarge("Metadata too large: %d bytes of tags, properties and sensitive names, the limit is %d", n, h.cfg.maxMetadata)
	}
	return nil
}

// metadataBytes counts the bytes of md's names and values.
func metadataBytes(md *registry.Metadata) int {
	if md == nil {
		return 0
	}
	n := 0
	for k, vs := range md.Tags {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	for k, v := range md.Properties {
		n += len(k) + len(v)
	}
	for _, s := range md.Sensitive {
		n += len(s)
	}
	return n
}

// clip returns at most n bytes of s, cut at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
