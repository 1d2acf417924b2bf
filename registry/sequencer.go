package registry

import (
	"context"
	"fmt"
	"time"
)

// command is one queued write. run decides, against the sequencer's
// working state, which records the write appends (none when it changes
// nothing) or the error it fails with; submit keeps the typed answer.
type command struct {
	run  func(st *state) ([]record, error)
	err  error
	done chan struct{}
}

// submit queues a write and waits until the sequencer has committed (or
// refused) it. run returns the records to append and the answer to give once
// they are durable; the answer is returned only if the records were applied
// and appended.
func submit[T any](ctx context.Context, r *Registry, run func(st *state) ([]record, T, error)) (T, error) {
	var res, zero T
	c := &command{
		run: func(st *state) ([]record, error) {
			recs, v, err := run(st)
			res = v
			return recs, err
		},
		done: make(chan struct{}),
	}
	timer := time.NewTimer(r.cfg.writeTimeout)
	defer timer.Stop()
	select {
	case r.cmds <- c:
	case <-r.stop:
		return zero, ErrClosed
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-timer.C:
		return zero, newErr(CodeOperationTimeout, "Write timed out after %v waiting to be queued", r.cfg.writeTimeout)
	}
	select {
	case <-c.done:
		if c.err != nil {
			return zero, c.err
		}
		return res, nil
	case <-ctx.Done():
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
		if target := min(last+r.queuedAtRelease, r.cfg.maxBatch); len(batch) < target && r.cfg.commitDelay > 0 {
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
			close(c.done)
		default:
			return
		}
	}
}

// commit runs a batch of commands against a working copy of the published
// state, appends their records in one Log.Append, publishes the working copy
// and answers the writers. The copy is O(1) (the state is persistent): a
// record's apply copies only the few map nodes, the subject and the context
// entry it changes, and a command whose record the fold rejects is undone by
// going back to the copy taken before it.
func (r *Registry) commit(batch []*command) {
	work := r.snapshot().copy()
	var encoded [][]byte
	for _, c := range batch {
		before, n := *work, len(encoded)
		recs, err := r.run(c, work)
		if err != nil {
			c.err = err
			continue
		}
		for i := range recs {
			b, err := encodeRecord(recs[i])
			if err == nil {
				recs[i].Format = recordFormat
				err = work.apply(&recs[i])
			}
			if err != nil {
				r.logger.Error("write produced a record the fold rejects", "kind", recs[i].Kind, "subject", recs[i].Subject, "error", err)
				c.err = fmt.Errorf("internal error: %w", err)
				*work, encoded = before, encoded[:n]
				break
			}
			encoded = append(encoded, b)
		}
	}
	if len(encoded) > 0 {
		start := time.Now()
		_, err := r.log.Append(context.Background(), encoded)
		r.stats.observeCommit(len(encoded), time.Since(start))
		if err != nil {
			r.logger.Error("log append failed; the batch is not acknowledged", "records", len(encoded), "error", err)
			se := errStore(err)
			for _, c := range batch {
				c.err = se
			}
		} else {
			r.pub.Store(work)
		}
	}
	r.queuedAtRelease = len(r.cmds)
	for _, c := range batch {
		close(c.done)
	}
}

// run executes one command against st, turning a panic into an internal
// error so one bad request cannot stop the sequencer.
func (r *Registry) run(c *command, st *state) (recs []record, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.logger.Error("panic in write command", "panic", p)
			recs, err = nil, fmt.Errorf("internal error: %v", p)
		}
	}()
	return c.run(st)
}
