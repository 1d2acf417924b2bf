package stream

import (
	"context"
	"fmt"
	"strings"
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

// HeaderMap returns the headers as a map; of repeated names the last wins.
func (r *Record) HeaderMap() map[string]string {
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

	group, _ := c.consumer.OptValue(kgo.ConsumerGroup).(string)
	b := &builder{c: c, raw: opts.Raw}
	handle := func(recs []*kgo.Record) error {
		for _, kr := range recs {
			if group != "" {
				// Mark before delivering: a record the callback saw
				// is consumed, even if the callback then stops.
				c.consumer.MarkCommitRecords(kr)
			}
			st.Read++
			r := b.record(ctx, kr)
			ok, err := opts.Filter.Match(r)
			if err != nil {
				st.FilterErrors++
				if st.FirstFilterError == "" {
					st.FirstFilterError = err.Error()
				}
			}
			if !ok {
				continue
			}
			if err := deliver(r); err != nil {
				return err
			}
			st.Delivered++
			if opts.Limit > 0 && st.Delivered >= int64(opts.Limit) {
				return errStopRead
			}
		}
		return nil
	}

	if group != "" {
		return st, c.consumeGroup(ctx, group, opts, handle)
	}
	ranges, err := c.ResolveRanges(ctx, opts.ReadSpec)
	if err != nil {
		return st, err
	}
	st.Ranges = ranges
	if opts.OnStart != nil {
		opts.OnStart(ranges)
	}
	err = c.readRanges(ctx, ranges, func(_ *partState, recs []*kgo.Record) error { return handle(recs) })
	return st, err
}

// consumeGroup reads as a member of group. Each partition starts at the
// group's committed offset (or the client's reset offset) and stops at the
// Until bound or, without Follow, the end offset when the read started. It
// returns once every partition of the topics is done, so when other members
// own partitions it needs Limit or Follow and a cancelled ctx to end.
func (c *Client) consumeGroup(ctx context.Context, group string, opts ConsumeOptions, handle func([]*kgo.Record) error) error {
	if !opts.From.IsZero() && len(opts.From.Partitions) > 0 {
		return fmt.Errorf("with a consumer group, --from is the group's reset offset and cannot name partitions")
	}
	spec := opts.ReadSpec
	spec.From = Bound{}
	ranges, err := c.ResolveRanges(ctx, spec)
	if err != nil {
		return err
	}
	committed, err := c.fetchCommitted(ctx, group)
	if err != nil {
		return err
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
				return err
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
	err = c.pollLoop(ctx, states, open, nil, func(_ *partState, recs []*kgo.Record) error { return handle(recs) })
	// Commit what was delivered even when the read was interrupted.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if cerr := c.consumer.CommitMarkedOffsets(cctx); cerr != nil && err == nil {
		err = fmt.Errorf("commit offsets of group %q: %w", group, cerr)
	}
	return err
}
