package registry

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// command is one queued write: its command record, and once it is done
// the answer the fold decided (res) or the error.
type command struct {
	rec  record
	cand *candidate // the registration's prepared candidate, if any
	res  any
	err  error
	// done receives one value when the command is answered (see answer):
	// a buffered channel rather than a closed one, so that a command can
	// be used again.
	done  chan struct{}
	timer *time.Timer // the writer's write timeout
}

// answer tells the command's writer that res and err are set. Every
// command is answered once.
func (c *command) answer() {
	select {
	case c.done <- struct{}{}:
	default: // already answered: a bug, but not one to block on
	}
}

// commands keeps the commands of answered writes for reuse, on a log
// only this process writes: a registration is then one allocation fewer
// for the collector, and so is its timer. On a shared log a command can
// still be held by an append in flight after its writer was answered
// (commitShared), so those are never reused.
var commands = sync.Pool{New: func() any { return &command{done: make(chan struct{}, 1)} }}

// submit queues the command rec (cand: the candidate a Register command was
// prepared from) and waits until the sequencer has committed (or refused)
// it, returning the answer the fold decided at its place in the log.
func submit[T any](ctx context.Context, r *Registry, rec record, cand *candidate) (T, error) {
	var zero T
	if err := r.broken(); err != nil {
		return zero, err
	}
	reuse := r.shared == nil
	var c *command
	if reuse {
		c = commands.Get().(*command)
	} else {
		c = &command{done: make(chan struct{}, 1)}
	}
	c.rec, c.cand = rec, cand
	if c.timer == nil {
		c.timer = time.NewTimer(r.cfg.writeTimeout)
	} else {
		c.timer.Reset(r.cfg.writeTimeout)
	}
	timer := c.timer
	select {
	case r.cmds <- c:
	case <-r.stop:
		timer.Stop()
		return zero, ErrClosed
	case <-ctx.Done():
		timer.Stop()
		return zero, ctx.Err()
	case <-timer.C:
		return zero, newErr(CodeOperationTimeout, "Write timed out after %v waiting to be queued", r.cfg.writeTimeout)
	}
	// From here the sequencer holds c: only its answer gives it back.
	select {
	case <-c.done:
		timer.Stop()
		res, err := c.res, c.err
		if reuse {
			*c = command{done: c.done, timer: timer}
			commands.Put(c)
		}
		if err != nil {
			return zero, err
		}
		v, _ := res.(T)
		return v, nil
	case <-ctx.Done():
		timer.Stop()
		return zero, ctx.Err()
	case <-timer.C:
		return zero, newErr(CodeOperationTimeout, "Write was not acknowledged within %v; it may still be applied", r.cfg.writeTimeout)
	}
}

// sequence is the sequencer goroutine: it takes batches of queued commands
// and commits each batch with one Log.Append.
func (r *Registry) sequence() {
	defer close(r.stopped)
	batch := make([]*command, 0, r.cfg.maxBatch)
	last := 1 // writers in the previous batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case c := <-r.cmds:
			batch = append(batch, c)
		case <-r.stop:
			r.drainClosed()
			return
		}
	fill:
		for len(batch) < r.cfg.maxBatch {
			select {
			case c := <-r.cmds:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		// Group commit: the writers the last commit released are on their
		// way back, and those that queued up during it are here; wait
		// briefly for all of them so one fsync serves them all instead of
		// two alternating halves.
		// On a shared log appends overlap (commitShared does not wait for
		// them), so there is no commit to share by waiting.
		if target := min(last+r.queuedAtRelease, r.cfg.maxBatch); len(batch) < target && r.cfg.commitDelay > 0 && r.shared == nil {
			timer.Reset(r.cfg.commitDelay)
		wait:
			for len(batch) < target {
				select {
				case c := <-r.cmds:
					batch = append(batch, c)
				case <-timer.C:
					break wait
				}
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		last = len(batch)
		r.commit(batch)
	}
}

func (r *Registry) drainClosed() {
	for {
		select {
		case c := <-r.cmds:
			c.err = ErrClosed
			c.answer()
		default:
			return
		}
	}
}

// commit commits a batch of commands with one Log.Append.
//
// On a log only this process writes, it executes each command against a
// working copy of the published state (so later commands in the batch see
// earlier ones), appends the commands that change something, publishes the
// copy once the append is durable and answers the writers: the copy is, by
// construction, what folding the appended commands gives. The copy is O(1)
// (the state is persistent), and a command that fails leaves it as it was.
//
// On a shared log it appends the commands as they are; the reader (follow)
// answers each writer when it folds the writer's command.
func (r *Registry) commit(batch []*command) {
	if r.shared != nil {
		r.commitShared(batch)
		return
	}
	// One edit for the batch: its commands change in place the map nodes
	// that earlier commands of the batch copied (see pmap.setIn).
	work := r.snapshot().copy()
	work.edit = newEdit()
	var encoded [][]byte
	var appended []*command
	for _, c := range batch {
		c.rec.Format = recordFormat
		if err := c.rec.validate(); err != nil {
			r.logger.Error("write produced an invalid command", "kind", c.rec.Kind, "subject", c.rec.Subject, "error", err)
			c.err = fmt.Errorf("internal error: %w", err)
			continue
		}
		before, changes := *work, work.edit.changes
		undo := func() {
			if work.edit.changes == changes {
				*work = before // only copies were made: before is intact
				return
			}
			work = r.refold(appended)
		}
		c.res, c.err = r.execute(work, &c.rec, c.cand)
		if c.err != nil || work.applied == before.applied {
			// Refused, or nothing to change: nothing to log.
			undo()
			continue
		}
		// Encoded after execute: a registration's command then records
		// every version its decision found compatible.
		b, err := encodeRecord(&c.rec)
		if err != nil {
			r.logger.Error("write produced an invalid command", "kind", c.rec.Kind, "subject", c.rec.Subject, "error", err)
			c.res, c.err = nil, fmt.Errorf("internal error: %w", err)
			undo()
			continue
		}
		encoded = append(encoded, b)
		appended = append(appended, c)
	}
	work.edit.close()
	work.edit = nil
	if len(encoded) > 0 {
		start := time.Now()
		first, err := r.log.Append(context.Background(), encoded)
		r.stats.observeCommit(len(encoded), time.Since(start))
		if err != nil {
			r.logger.Error("log append failed; the batch is not acknowledged", "records", len(encoded), "error", err)
			se := errStore(err)
			for _, c := range appended {
				c.res, c.err = nil, se
			}
		} else {
			work.next = first + uint64(len(encoded))
			r.noteHash(encoded[len(encoded)-1])
			r.pub.Store(work)
			r.progress.advance(work.next)
			r.maybeSnapshot(work)
		}
	}
	r.queuedAtRelease = len(r.cmds)
	for _, c := range batch {
		c.answer()
	}
}

// refold returns the working state of a batch again, with the commands
// done (in order) folded into the published state under a new edit: a
// command that failed after changing nodes in place cannot be undone by
// restoring the state before it, since earlier commands of the batch
// share those nodes. Folding is deterministic and each command records
// what it decided, so the commands reach the same state and answers. This
// happens only for an internal error (a decision the fold rejects, a panic,
// a record that cannot be encoded); a refused command changes nothing.
func (r *Registry) refold(done []*command) *state {
	work := r.snapshot().copy()
	work.edit = newEdit()
	for _, c := range done {
		if _, err := r.execute(work, &c.rec, c.cand); err != nil {
			// It was decided on this very state a moment ago.
			r.logger.Error("a command of the batch failed when folded again", "kind", c.rec.Kind, "subject", c.rec.Subject, "error", err)
		}
	}
	return work
}

// commitShared appends a batch of commands to a shared log, each named by
// this instance's id and a sequence number so that the reader can answer
// its writer when it folds it.
func (r *Registry) commitShared(batch []*command) {
	var encoded [][]byte
	var appended []*command
	for _, c := range batch {
		r.seq++
		c.rec.Format = recordFormat
		c.rec.Origin = r.instance + "-" + strconv.FormatUint(r.seq, 10)
		b, err := encodeRecord(&c.rec)
		if err != nil {
			r.logger.Error("write produced an invalid command", "kind", c.rec.Kind, "subject", c.rec.Subject, "error", err)
			c.err = fmt.Errorf("internal error: %w", err)
			c.answer()
			continue
		}
		encoded = append(encoded, b)
		appended = append(appended, c)
	}
	if len(encoded) == 0 {
		return
	}
	r.pendMu.Lock()
	for _, c := range appended {
		r.pending[c.rec.Origin] = c
	}
	r.pendMu.Unlock()
	// The append runs on its own goroutine, up to maxInFlight at once: the
	// writers are answered by the reader, so the next batch need not wait
	// for this one's acknowledgement, and the order among batches in flight
	// does not matter (each command is decided at its place in the log).
	r.inFlight <- struct{}{}
	go func() {
		defer func() { <-r.inFlight }()
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.writeTimeout)
		start := time.Now()
		_, err := r.log.Append(ctx, encoded)
		cancel()
		r.stats.observeCommit(len(encoded), time.Since(start))
		if err != nil {
			r.logger.Error("log append failed; the batch is not acknowledged", "records", len(encoded), "error", err)
			se := errStore(err)
			for _, c := range appended {
				if r.takePending(c.rec.Origin) != nil {
					c.err = se
					c.answer()
				}
			}
		}
	}()
	r.queuedAtRelease = len(r.cmds)
}

// maxInFlight is how many appends to a shared log run at once.
const maxInFlight = 16

// takePending removes and returns the command of this instance with origin
// origin that waits for its answer, nil if none does.
func (r *Registry) takePending(origin string) *command {
	if origin == "" {
		return nil
	}
	r.pendMu.Lock()
	defer r.pendMu.Unlock()
	c := r.pending[origin]
	delete(r.pending, origin)
	return c
}
