package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/edactl/edactl/registry/store"
)

// fold decodes the log record at offset off and executes it on st, which
// then stands at offset off+1. refused is the error the rules gave the
// record (a command that lost a race, a fact that breaks a rule): st is
// unchanged by it, as on every instance. err is a record this edactl cannot
// fold at all (corrupt, or a newer format), which must stop the fold rather
// than let this instance diverge.
func (r *Registry) fold(st *state, off uint64, data []byte, pending func(origin string) *command) (rec record, res any, refused, err error) {
	rec, err = decodeRecord(data)
	if err != nil {
		return rec, nil, nil, fmt.Errorf("log record at offset %d: %w", off, err)
	}
	var cand *candidate
	if pending != nil {
		if c := pending(rec.Origin); c != nil {
			cand = c.cand
		}
	}
	res, refused = r.execute(st, &rec, cand)
	st.next = off + 1
	return rec, res, refused, nil
}

// follow is the reader of a shared log: it folds every record appended
// after the replay, publishes the state after each, and answers this
// instance's writer of a command once the state that includes it is
// published.
func (r *Registry) follow(ctx context.Context, log store.Shared) {
	defer close(r.followed)
	err := log.Follow(ctx, r.snapshot().next, func(off uint64, data []byte) error {
		work := r.snapshot().copy()
		rec, res, refused, err := r.fold(work, off, data, r.peekPending)
		if err != nil {
			return err
		}
		if refused != nil && !rec.Kind.isCommand() {
			r.logger.Warn("log record rejected by the fold (skipped, as every replica does)", "offset", off, "error", refused)
		}
		r.noteHash(data)
		r.pub.Store(work)
		r.progress.advance(work.next)
		r.maybeSnapshot(work)
		if c := r.takePending(rec.Origin); c != nil {
			c.res, c.err = res, refused
			c.answer()
		}
		return nil
	})
	if err == nil || ctx.Err() != nil {
		return
	}
	r.logger.Error("the registry stopped following its log; writes and consistent reads fail until it is restarted", "error", err)
	fail := fmt.Errorf("registry: the log cannot be followed: %w", err)
	r.failure.Store(&fail)
	r.progress.advance(^uint64(0)) // release waiters: they see the failure
	r.pendMu.Lock()
	for o, c := range r.pending {
		delete(r.pending, o)
		c.err = errStore(fail)
		c.answer()
	}
	r.pendMu.Unlock()
}

// peekPending returns this instance's command with origin origin that
// waits for its answer, nil if none does, leaving it pending.
func (r *Registry) peekPending(origin string) *command {
	if origin == "" {
		return nil
	}
	r.pendMu.Lock()
	defer r.pendMu.Unlock()
	return r.pending[origin]
}

// broken returns the error the reader stopped with, nil while it follows.
func (r *Registry) broken() error {
	if p := r.failure.Load(); p != nil {
		return errStore(*p)
	}
	return nil
}

// Sync waits until this instance has folded every record the log held
// when Sync was called (on a shared log, its end offset as the brokers
// report it), so that what follows reads every write acknowledged before,
// by any instance. On a log only this process writes it returns at once.
func (r *Registry) Sync(ctx context.Context) error {
	if r.shared == nil {
		return nil
	}
	if err := r.broken(); err != nil {
		return err
	}
	end, err := r.shared.Next(ctx)
	if err != nil {
		return errStore(err)
	}
	if err := r.progress.wait(ctx, end); err != nil {
		return err
	}
	return r.broken()
}

// Offset returns the log offset up to which the state this instance serves
// has folded the log.
func (r *Registry) Offset() uint64 { return r.snapshot().next }

// progress tells waiters when the published state has folded the log up to
// an offset.
type progress struct {
	mu sync.Mutex
	at uint64
	ch chan struct{} // closed and replaced when at grows
}

func (p *progress) advance(n uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n > p.at {
		p.at = n
		close(p.ch)
		p.ch = make(chan struct{})
	}
}

func (p *progress) wait(ctx context.Context, n uint64) error {
	for {
		p.mu.Lock()
		at, ch := p.at, p.ch
		p.mu.Unlock()
		if at >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return newErr(CodeOperationTimeout, "Timed out waiting for the registry to catch up with its log (at offset %d of %d)", at, n)
			}
			return ctx.Err()
		}
	}
}

// newInstanceID returns a random name for this Registry's commands.
func newInstanceID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails: it crashes the program instead
	return hex.EncodeToString(b[:])
}
