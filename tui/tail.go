package tui

import (
	"context"
	"sync"

	"github.com/edactl/edactl/stream"
)

// tail is the hand-over between a running read and the Messages screen.
// The read's goroutine copies each record into a row and appends it to
// pending; the screen takes everything pending on a timer (every 50ms), so
// it redraws per batch, never per record. Pending is bounded by the buffer
// size: when the screen falls that far behind (it is starved of CPU, or
// stopped), the read waits in its callback until the screen has taken the
// batch, so the reader never burns the CPU the screen needs on records
// nobody would see; records wait in Kafka meanwhile. While paused, the read
// blocks the same way.
type tail struct {
	limit int

	mu      sync.Mutex
	pending []*row
	read    int64 // delivered by the read (before the filter)
	shown   int64 // passed the filter (all read without one)
	ferrs   int64 // records the filter failed on (not shown)
	ferr1   string
	// backfill is, per partition, the offset before which the records
	// were already in the log when the read started (the back-fill);
	// partitions are removed once their back-fill is read.
	backfill map[int32]int64
	next     map[int32]int64
	paused   bool
	resume   chan struct{} // closed when un-paused
	taken    chan struct{} // closed when the screen takes pending
}

func newTail(limit int) *tail {
	return &tail{limit: max(limit, 1), next: map[int32]int64{}, taken: make(chan struct{})}
}

// deliver is the stream.Consume callback. It applies the filter (nil:
// none) itself, so that the screen can count, while the read follows,
// what was read, shown and failed the filter, as edactl consume reports
// at its end.
func (t *tail) deliver(ctx context.Context, f *stream.Filter) func(*stream.Record) error {
	return func(r *stream.Record) error {
		ok, ferr := f.Match(r)
		if !ok {
			t.mu.Lock()
			t.read++
			if ferr != nil {
				t.ferrs++
				if t.ferr1 == "" {
					t.ferr1 = ferr.Error()
				}
			}
			t.seen(r)
			t.mu.Unlock()
			return nil
		}
		rw := newRow(r)
		t.mu.Lock()
		for t.paused || len(t.pending) >= t.limit {
			ch := t.taken
			if t.paused {
				ch = t.resume
			}
			t.mu.Unlock()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-ch:
			}
			t.mu.Lock()
		}
		t.pending = append(t.pending, rw)
		t.read++
		t.shown++
		t.seen(r)
		t.mu.Unlock()
		return nil
	}
}

// seen notes r as read (t.mu held): where its partition resumes, and
// whether its back-fill is done.
func (t *tail) seen(r *stream.Record) {
	t.next[r.Partition] = r.Offset + 1
	if end, ok := t.backfill[r.Partition]; ok && r.Offset+1 >= end {
		delete(t.backfill, r.Partition)
	}
}

// started is the stream.Consume OnStart callback: it notes the back-fill
// of each partition (what the log held when the read started).
func (t *tail) started(ranges []stream.PartitionRange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.backfill = map[int32]int64{}
	for _, r := range ranges {
		if r.Start < r.LogEnd {
			t.backfill[r.Partition] = r.LogEnd
		}
	}
}

// backfilling reports whether records of the back-fill are still to come
// (false before the read started: nothing is known to come).
func (t *tail) backfilling() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.backfill) > 0
}

// filterStats returns how many records passed the filter, how many it
// failed on, and its first error.
func (t *tail) filterStats() (shown, errs int64, first string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.shown, t.ferrs, t.ferr1
}

// take returns the pending rows and lets a waiting read go on.
func (t *tail) take() []*row {
	t.mu.Lock()
	defer t.mu.Unlock()
	rows := t.pending
	t.pending = nil
	close(t.taken)
	t.taken = make(chan struct{})
	return rows
}

// setPaused pauses or resumes the read.
func (t *tail) setPaused(p bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case p && !t.paused:
		t.resume = make(chan struct{})
	case !p && t.paused:
		close(t.resume)
	}
	t.paused = p
}

// count returns how many records were delivered so far.
func (t *tail) count() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.read
}

// stats returns the records delivered so far and, per partition, the
// offset after the last one (where a resumed read continues).
func (t *tail) stats() (read int64, next map[int32]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	next = make(map[int32]int64, len(t.next))
	for p, o := range t.next {
		next[p] = o
	}
	return t.read, next
}

// ring keeps the newest rows up to its size. Rows are numbered in arrival
// order (seq); the oldest kept is first.
type ring struct {
	buf   []*row
	start int   // index of the oldest row in buf
	n     int   // rows kept
	first int64 // seq of the oldest kept row
}

func newRing(size int) *ring { return &ring{buf: make([]*row, max(size, 1))} }

// push appends rows, evicting the oldest; it returns how many were evicted
// (or never kept, when rows alone overflow the ring).
func (r *ring) push(rows []*row) int64 {
	var evicted int64
	if over := len(rows) - len(r.buf); over > 0 {
		evicted += int64(over)
		r.first += int64(over) + int64(r.n)
		evicted += int64(r.n)
		r.start, r.n = 0, 0
		clear(r.buf)
		rows = rows[over:]
	}
	for _, rw := range rows {
		if r.n == len(r.buf) {
			r.buf[r.start] = rw
			r.start = (r.start + 1) % len(r.buf)
			r.first++
			evicted++
			continue
		}
		r.buf[(r.start+r.n)%len(r.buf)] = rw
		r.n++
	}
	return evicted
}

// at returns the row with sequence number seq, or nil when it is not kept.
func (r *ring) at(seq int64) *row {
	i := seq - r.first
	if i < 0 || i >= int64(r.n) {
		return nil
	}
	return r.buf[(int64(r.start)+i)%int64(len(r.buf))]
}

// last is the seq of the newest row (first-1 when empty).
func (r *ring) last() int64 { return r.first + int64(r.n) - 1 }

func (r *ring) reset() {
	clear(r.buf)
	r.first += int64(r.n)
	r.start, r.n = 0, 0
}
