package stream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrReplayIntoSelf is returned when a replay's source and target are the
// same topic: it would read its own output.
var ErrReplayIntoSelf = errors.New("refusing to replay a topic into itself")

// ReplayOptions say what Replay copies where.
type ReplayOptions struct {
	// Source and Target are the topics; they must differ and exist.
	Source, Target string
	// Partitions optionally restricts the source partitions read.
	Partitions []int32
	// From and Until bound the range, as for Consume (zero: earliest to
	// the end offsets when the replay starts).
	From, Until Bound
	// Rate limits the copy to this many records per second (0: no limit).
	Rate float64
	// Progress, if set, is called at most every 200ms and once at the end.
	Progress func(ReplayProgress)
}

// ReplayProgress reports a running replay.
type ReplayProgress struct {
	Copied  int64
	Total   int64 // offsets in the range, an upper bound on records
	Elapsed time.Duration
}

// ReplayResult says what Replay copied.
type ReplayResult struct {
	Ranges []PartitionRange `json:"ranges"`
	Copied int64            `json:"copied"`
	// Partitions counts copied records per target partition.
	Partitions map[int32]int64 `json:"partitions"`
}

// Replay copies a range of Source to Target, keeping each record's key,
// value and headers. Records are partitioned by key in the target (Kafka's
// murmur2 hash, as Java producers do), so records of one key stay in order
// on one partition. Timestamps are new (the time of the copy).
func (c *Client) Replay(ctx context.Context, opts ReplayOptions) (ReplayResult, error) {
	res := ReplayResult{Partitions: map[int32]int64{}}
	if opts.Source == "" || opts.Target == "" {
		return res, errors.New("replay needs a source and a target topic")
	}
	if opts.Source == opts.Target {
		return res, fmt.Errorf("%w (%q)", ErrReplayIntoSelf, opts.Source)
	}
	if opts.Rate < 0 {
		return res, fmt.Errorf("rate %v: want records per second, 0 for no limit", opts.Rate)
	}
	if c.producer == nil {
		return res, ErrNoProducer
	}
	if c.consumer == nil {
		return res, ErrNoConsumer
	}
	if _, err := c.listOffsets(ctx, []string{opts.Target}); err != nil {
		return res, fmt.Errorf("target: %w", err)
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()

	spec := ReadSpec{Topics: []string{opts.Source}, From: opts.From, Until: opts.Until}
	if len(opts.Partitions) > 0 {
		spec.Partitions = map[string][]int32{opts.Source: opts.Partitions}
	}
	ranges, err := c.ResolveRanges(ctx, spec)
	if err != nil {
		return res, err
	}
	res.Ranges = ranges
	var total int64
	for _, r := range ranges {
		total += r.len()
	}

	start := time.Now()
	var (
		mu      sync.Mutex
		copied  int64
		sent    int64
		prodErr error
		wg      sync.WaitGroup
	)
	lastReport := time.Time{}
	report := func(force bool) {
		if opts.Progress == nil || !force && time.Since(lastReport) < 200*time.Millisecond {
			return
		}
		lastReport = time.Now()
		mu.Lock()
		p := ReplayProgress{Copied: copied, Total: total, Elapsed: time.Since(start)}
		mu.Unlock()
		opts.Progress(p)
	}
	pace := func() error {
		if opts.Rate == 0 {
			return nil
		}
		due := start.Add(time.Duration(float64(sent) / opts.Rate * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
		return nil
	}
	err = c.readRanges(ctx, ranges, func(_ *partState, recs []*kgo.Record) error {
		for _, r := range recs {
			mu.Lock()
			perr := prodErr
			mu.Unlock()
			if perr != nil {
				return perr
			}
			if err := pace(); err != nil {
				return err
			}
			out := &kgo.Record{Topic: opts.Target, Key: r.Key, Value: r.Value, Headers: r.Headers}
			src := fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset)
			wg.Add(1)
			sent++
			c.producer.Produce(ctx, out, func(out *kgo.Record, err error) {
				defer wg.Done()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if prodErr == nil {
						prodErr = fmt.Errorf("write %s to %s: %w", src, opts.Target, err)
					}
					return
				}
				copied++
				res.Partitions[out.Partition]++
			})
			report(false)
		}
		return nil
	})
	wg.Wait()
	mu.Lock()
	res.Copied = copied
	if err == nil {
		err = prodErr
	}
	mu.Unlock()
	report(true)
	return res, err
}
