package stream

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// partState tracks one partition of a read.
type partState struct {
	r    PartitionRange
	done bool
}

type tp struct {
	topic     string
	partition int32
}

// batchFunc receives the data records of one partition from one fetch, in
// offset order, already trimmed to the partition's range. An error ends the
// read and is returned by it (to stop early without one, cancel the ctx
// given to the read).
type batchFunc func(ps *partState, recs []*kgo.Record) error

// readRanges reads the ranges from the consumer without a consumer group:
// partitions are assigned at their start offsets and removed when they reach
// their end. Callers hold c.readMu.
func (c *Client) readRanges(ctx context.Context, ranges []PartitionRange, fn batchFunc) error {
	if c.consumer == nil {
		return ErrNoConsumer
	}
	if g, _ := c.consumer.OptValue(kgo.ConsumerGroup).(string); g != "" {
		return fmt.Errorf("stream: the consumer client is a member of group %q; groupless reads need a client without a group", g)
	}
	states := map[tp]*partState{}
	assign := map[string]map[int32]kgo.Offset{}
	open := 0
	for _, r := range ranges {
		st := &partState{r: r}
		states[tp{r.Topic, r.Partition}] = st
		if r.End >= 0 && r.Start >= r.End {
			st.done = true
			continue
		}
		if assign[r.Topic] == nil {
			assign[r.Topic] = map[int32]kgo.Offset{}
		}
		assign[r.Topic][r.Partition] = kgo.NewOffset().At(r.Start)
		open++
	}
	if open == 0 {
		return nil
	}
	c.consumer.AddConsumePartitions(assign)
	defer func() {
		rm := map[string][]int32{}
		for t, ps := range assign {
			for p := range ps {
				rm[t] = append(rm[t], p)
			}
		}
		c.consumer.RemoveConsumePartitions(rm)
	}()
	return c.pollLoop(ctx, states, open, func(done []tp) {
		rm := map[string][]int32{}
		for _, d := range done {
			rm[d.topic] = append(rm[d.topic], d.partition)
		}
		c.consumer.RemoveConsumePartitions(rm)
	}, fn)
}

// pollLoop polls the consumer until every open partition is done, the
// callback fails or ctx ends.
func (c *Client) pollLoop(ctx context.Context, states map[tp]*partState, open int, onDone func([]tp), fn batchFunc) error {
	for open > 0 {
		fetches := c.consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		var ferr error
		fetches.EachError(func(t string, p int32, err error) {
			var dl *kgo.ErrDataLoss
			switch {
			case errors.As(err, &dl):
				c.log.WarnContext(ctx, "data loss while reading", "topic", t, "partition", p, "err", err)
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, kgo.ErrClientClosed):
				if ferr == nil {
					ferr = err
				}
			default:
				if ferr == nil {
					ferr = fmt.Errorf("fetch %s/%d: %w", t, p, err)
				}
			}
		})
		if ferr != nil {
			return ferr
		}
		var done []tp
		var cbErr error
		fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
			if cbErr != nil {
				return
			}
			key := tp{fp.Topic, fp.Partition}
			st := states[key]
			if st == nil || st.done {
				return
			}
			recs := fp.Records
			data := make([]*kgo.Record, 0, len(recs))
			finished := false
			for _, r := range recs {
				if r.Offset < st.r.Start {
					continue
				}
				if st.r.End >= 0 && r.Offset >= st.r.End {
					finished = true
					break
				}
				if r.Attrs.IsControl() {
					if st.r.End >= 0 && r.Offset+1 >= st.r.End {
						finished = true
						break
					}
					continue
				}
				if !st.r.UntilTime.IsZero() && !r.Timestamp.Before(st.r.UntilTime) {
					finished = true
					break
				}
				data = append(data, r)
				if st.r.End >= 0 && r.Offset+1 >= st.r.End {
					finished = true
					break
				}
			}
			if len(data) > 0 {
				if err := fn(st, data); err != nil {
					cbErr = err
				}
			}
			if finished && !st.done {
				st.done = true
				open--
				done = append(done, key)
			}
		})
		if cbErr != nil {
			return cbErr
		}
		if len(done) > 0 && onDone != nil {
			onDone(done)
		}
	}
	return nil
}
