package stream

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Header is one Kafka record header.
type Header struct {
	Key   string
	Value []byte
}

// Record is a Kafka record as edactl shows it: where it is, its headers,
// and its key and value rendered (decoded through the registry when framed).
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
	Headers   []Header
	Key       Payload
	Value     Payload
}

// headerMap returns the headers as a map; of repeated names the last wins.
func (r *Record) headerMap() map[string]string {
	m := make(map[string]string, len(r.Headers))
	for _, h := range r.Headers {
		m[h.Key] = headerText(h.Value)
	}
	return m
}

// headerText returns a header value as text: as is when valid UTF-8,
// otherwise with invalid bytes replaced.
func headerText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// ConsumeOptions say what Consume reads and delivers.
type ConsumeOptions struct {
	ReadSpec
	// Limit stops after this many delivered records (0: no limit).
	Limit int
	// Filter selects the records delivered (nil: all).
	Filter *Filter
	// Raw skips registry decoding: framed payloads are shown as bytes.
	Raw bool
	// OnStart, if set, is called with the resolved ranges before the first
	// fetch (groupless reads only).
	OnStart func([]PartitionRange)
	// Transient says that deliver keeps nothing of a record after it
	// returns (it writes the record out, say): the memory of the rendered
	// payloads is then reused for later records, which spares the garbage
	// collector most of a read's allocations. Without it every delivered
	// record stays valid for as long as it is referenced.
	Transient bool
}

// ConsumeStats summarise a Consume.
type ConsumeStats struct {
	// Ranges are the resolved ranges read (groupless reads).
	Ranges []PartitionRange `json:"ranges,omitempty"`
	// Read counts records read; Delivered those passed to the callback.
	Read      int64 `json:"read"`
	Delivered int64 `json:"delivered"`
	// FilterErrors counts records the filter expression failed on (they
	// are not delivered); FirstFilterError is the first such error.
	FilterErrors     int64  `json:"filter_errors,omitempty"`
	FirstFilterError string `json:"first_filter_error,omitempty"`
}

// Consume reads the records opts selects and calls deliver for each that
// passes the filter, in offset order within each partition. Without a
// consumer group (the default) it reads the resolved ranges and returns at
// their end; when the consumer client was built with GroupOpts, it reads as
// a group member, starts at the group's committed offsets and commits what
// was delivered. An error from deliver ends the read and is returned.
// Payloads that cannot be decoded are delivered raw with Payload.Err set.
func (c *Client) Consume(ctx context.Context, opts ConsumeOptions, deliver func(*Record) error) (ConsumeStats, error) {
	var st ConsumeStats
	if c.consumer == nil {
		return st, ErrNoConsumer
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()

	if group, _ := c.consumer.OptValue(kgo.ConsumerGroup).(string); group != "" {
		return c.consumeGroup(ctx, group, opts, deliver)
	}
	ranges, err := c.ResolveRanges(ctx, opts.ReadSpec)
	if err != nil {
		return st, err
	}
	if opts.OnStart != nil {
		opts.OnStart(ranges)
	}
	st, err = c.pipeline(ctx, opts, false, func(ctx context.Context, fn batchFunc) error {
		return c.readRanges(ctx, ranges, fn)
	}, deliver)
	st.Ranges = ranges
	return st, err
}

// jobRecords is the most records a job holds.
const jobRecords = 512

// job is (a chunk of) one fetched batch on its way through the decode
// workers.
type job struct {
	krs  []*kgo.Record
	recs []*Record
	ok   []bool  // filter verdicts
	errs []error // filter errors
	done chan struct{}
	// slabs are the pooled slabs the records' payloads are carved from
	// (transient reads), released once the job is delivered.
	slabs []*slab
	// bufs holds the job's records in a transient read, reused by a later
	// job once this one is delivered.
	bufs *jobBufs
}

// jobBufs are the per-job allocations of a transient read: the Records,
// their headers, the pointers to them and the filter verdicts.
type jobBufs struct {
	store []Record
	hdrs  []Header
	recs  []*Record
	ok    []bool
}

// release hands the job's slabs and buffers back to pool (nil: not a
// transient read).
func (j *job) release(pool *readPool) {
	for _, s := range j.slabs {
		pool.release(s)
	}
	j.slabs = nil
	if j.bufs != nil {
		select {
		case pool.bufs <- j.bufs:
		default:
		}
		j.bufs = nil
	}
}

// start prepares j for building in b: in a transient read its records go
// into reused buffers.
func (j *job) start(b *builder) {
	b.job = j
	n := len(j.krs)
	if b.pool == nil {
		j.recs = make([]*Record, n)
		j.ok = make([]bool, n)
		return
	}
	var bufs *jobBufs
	select {
	case bufs = <-b.pool.bufs:
	default:
		bufs = &jobBufs{store: make([]Record, 0, jobRecords), hdrs: make([]Header, 0, 2*jobRecords),
			recs: make([]*Record, jobRecords), ok: make([]bool, jobRecords)}
	}
	j.bufs = bufs
	j.recs, j.ok = bufs.recs[:n], bufs.ok[:n]
	b.recs, b.hdrs = bufs.store[:0], bufs.hdrs[:0]
}

// finish ends j's building in b, keeping for reuse the buffers its
// records went into.
func (j *job) finish(b *builder) {
	b.job = nil
	if j.bufs != nil {
		// Records beyond the store's capacity (none: a job holds at most
		// jobRecords) or headers beyond hdrs' went into allocations of
		// their own; the buffers keep the last ones.
		j.bufs.store, j.bufs.hdrs = b.recs[:0], b.hdrs[:0]
		b.recs, b.hdrs = nil, nil
	}
}

// pipeline runs source (the poll loop) on its own goroutine, decodes and
// filters each fetched batch on a pool of workers (decoding is the
// expensive part), and delivers the records on the calling goroutine in
// fetch order, so each partition stays in offset order. Delivery stops at
// opts.Limit or the first error from deliver; in a group read, delivered
// (and filtered-out) records are marked for commit.
func (c *Client) pipeline(ctx context.Context, opts ConsumeOptions, group bool, source func(context.Context, batchFunc) error, deliver func(*Record) error) (ConsumeStats, error) {
	var st ConsumeStats
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *job, 2*workers)
	queue := make(chan *job, 16*workers)

	var pool *readPool
	if opts.Transient {
		// Enough slabs for the jobs in flight.
		pool = newReadPool(64*workers, 20*workers)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			b := &builder{c: c, raw: opts.Raw, pool: pool}
			defer b.done()
			for j := range jobs {
				j.start(b)
				for i, kr := range j.krs {
					r := b.record(rctx, kr)
					j.recs[i] = r
					ok, err := opts.Filter.Match(r)
					j.ok[i] = ok
					if err != nil {
						if j.errs == nil {
							j.errs = make([]error, len(j.krs))
						}
						j.errs[i] = err
					}
				}
				j.finish(b)
				close(j.done)
			}
		})
	}
	var readErr error
	go func() {
		defer close(queue)
		defer close(jobs)
		readErr = source(rctx, func(_ *partState, krs []*kgo.Record) error {
			// A fetch brings thousands of records per partition: cut
			// them into chunks so that every worker gets a share and
			// delivery starts after the first chunk, not the whole batch.
			for len(krs) > 0 {
				n := min(len(krs), jobRecords)
				j := &job{krs: krs[:n:n], done: make(chan struct{})}
				krs = krs[n:]
				select {
				case jobs <- j:
				case <-rctx.Done():
					return rctx.Err()
				}
				select {
				case queue <- j:
				case <-rctx.Done():
					return rctx.Err()
				}
			}
			return nil
		})
	}()

	var deliverErr error
	stopped := false
	for j := range queue {
		<-j.done
		if stopped {
			j.release(pool)
			continue // drain
		}
		for i, r := range j.recs {
			st.Read++
			if group {
				// Mark before delivering: a record the callback saw is
				// consumed, even if the callback then stops.
				c.consumer.MarkCommitRecords(j.krs[i])
			}
			if j.errs != nil && j.errs[i] != nil {
				st.FilterErrors++
				if st.FirstFilterError == "" {
					st.FirstFilterError = j.errs[i].Error()
				}
			}
			if !j.ok[i] {
				continue
			}
			if err := deliver(r); err != nil {
				deliverErr, stopped = err, true
				break
			}
			st.Delivered++
			if opts.Limit > 0 && st.Delivered >= int64(opts.Limit) {
				stopped = true
				break
			}
		}
		// Delivered: in a transient read its payloads' memory is reused.
		j.release(pool)
		if stopped {
			cancel()
		}
	}
	wg.Wait()
	switch {
	case deliverErr != nil:
		return st, deliverErr
	case stopped:
		return st, nil // our own cancel ended the read
	}
	return st, readErr
}

// consumeGroup reads as a member of group. Each partition starts at the
// group's committed offset (or the client's reset offset) and stops at the
// Until bound or, without Follow, the end offset when the read started. It
// returns once every partition of the topics is done, so when other members
// own partitions it needs Limit or Follow and a cancelled ctx to end.
func (c *Client) consumeGroup(ctx context.Context, group string, opts ConsumeOptions, deliver func(*Record) error) (ConsumeStats, error) {
	var stats ConsumeStats
	if !opts.From.IsZero() && len(opts.From.Partitions) > 0 {
		return stats, fmt.Errorf("with a consumer group, the From bound is the group's reset offset and cannot name partitions")
	}
	spec := opts.ReadSpec
	spec.From = Bound{}
	ranges, err := c.ResolveRanges(ctx, spec)
	if err != nil {
		return stats, err
	}
	committed, err := c.fetchCommitted(ctx, group)
	if err != nil {
		return stats, err
	}
	tl := &timeLookup{c: c, topics: opts.Topics}
	states := map[tp]*partState{}
	open := 0
	for _, r := range ranges {
		if o, ok := committed.Lookup(r.Topic, r.Partition); ok && o.Err == nil && o.At >= 0 {
			r.Start = o.At
		} else {
			reset := Position{Kind: Earliest}
			if opts.From.Default != nil {
				reset = *opts.From.Default
			}
			rs, err := c.resolve(ctx, reset, r.Topic, r.Partition, r.LogStart, r.LogEnd, tl)
			if err != nil {
				return stats, err
			}
			r.Start = rs.offset
		}
		st := &partState{r: r}
		st.done = r.End >= 0 && r.Start >= r.End
		if !st.done {
			open++
		}
		states[tp{r.Topic, r.Partition}] = st
	}
	if opts.OnStart != nil {
		rs := make([]PartitionRange, 0, len(states))
		for _, st := range states {
			rs = append(rs, st.r)
		}
		opts.OnStart(rs)
	}
	stats, err = c.pipeline(ctx, opts, true, func(ctx context.Context, fn batchFunc) error {
		return c.pollLoop(ctx, states, open, nil, fn)
	}, deliver)
	// Commit what was delivered even when the read was interrupted.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := c.consumer.CommitMarkedOffsets(cctx); cerr != nil && err == nil {
		err = fmt.Errorf("commit offsets of group %q: %w", group, cerr)
	}
	return stats, err
}
