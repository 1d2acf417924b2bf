package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrUnknownTopic is returned (wrapped, naming the topic) for a topic the
// cluster does not have.
var ErrUnknownTopic = errors.New("topic does not exist")

// PartitionRange is the part of one partition a read covers, resolved to
// offsets before the read starts.
type PartitionRange struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Start is the first offset read.
	Start int64 `json:"start"`
	// End is the offset the read stops before; -1 means unbounded (follow).
	End int64 `json:"end"`
	// UntilTime, when set, also stops the partition at its first record
	// with a timestamp at or after it (an Until time in the future).
	UntilTime time.Time `json:"until_time,omitzero"`
	// LogStart and LogEnd are the partition's offsets when resolved.
	LogStart int64 `json:"log_start"`
	LogEnd   int64 `json:"log_end"`
	// Notes explain clamped offsets and timestamp fallbacks.
	Notes []string `json:"notes,omitempty"`
}

// len returns how many offsets the range covers, or -1 when unbounded.
func (r PartitionRange) len() int64 {
	if r.End < 0 {
		return -1
	}
	return r.End - r.Start
}

// ReadSpec selects what a read covers.
type ReadSpec struct {
	// Topics are read whole unless Partitions restricts them.
	Topics []string
	// Partitions optionally restricts a topic to some partitions.
	Partitions map[string][]int32
	// From is where each partition starts; zero means earliest.
	From Bound
	// Until is where each partition stops (exclusive); zero means the end
	// offset at the start of the read, or never with Follow.
	Until Bound
	// Follow keeps reading new records after the end.
	Follow bool
}

// topicOffsets are the partitions and bounds of some topics at one moment.
type topicOffsets struct {
	partitions map[string][]int32 // sorted
	start, end kadm.ListedOffsets
}

// listOffsets loads partitions, start and end offsets of topics; a topic
// that does not exist is an error naming it.
func (c *Client) listOffsets(ctx context.Context, topics []string) (*topicOffsets, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	tds, err := c.admin.ListTopics(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	to := &topicOffsets{partitions: map[string][]int32{}}
	for _, t := range topics {
		td, ok := tds[t]
		if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
			return nil, fmt.Errorf("%w: %q", ErrUnknownTopic, t)
		}
		if td.Err != nil {
			return nil, fmt.Errorf("topic %q: %w", t, td.Err)
		}
		ps := td.Partitions.Numbers()
		slices.Sort(ps)
		to.partitions[t] = ps
	}
	if to.start, err = c.admin.ListStartOffsets(ctx, topics...); err != nil {
		return nil, fmt.Errorf("list start offsets: %w", err)
	}
	if err := to.start.Error(); err != nil {
		return nil, fmt.Errorf("list start offsets: %w", err)
	}
	if to.end, err = c.admin.ListEndOffsets(ctx, topics...); err != nil {
		return nil, fmt.Errorf("list end offsets: %w", err)
	}
	if err := to.end.Error(); err != nil {
		return nil, fmt.Errorf("list end offsets: %w", err)
	}
	return to, nil
}

func (to *topicOffsets) bounds(t string, p int32) (start, end int64) {
	s, _ := to.start.Lookup(t, p)
	e, _ := to.end.Lookup(t, p)
	return s.Offset, e.Offset
}

// timeLookup answers "first offset at or after ms" with one ListOffsets
// request per distinct time.
type timeLookup struct {
	c      *Client
	topics []string
	cache  map[int64]kadm.ListedOffsets
}

// at returns the first offset at or after t in the partition and that
// record's timestamp (ms); found is false when no record is that new
// (offset is then the end offset).
func (tl *timeLookup) at(ctx context.Context, t time.Time, topic string, p int32) (offset, ts int64, found bool, err error) {
	ms := epochMilli(t)
	lo, ok := tl.cache[ms]
	if !ok {
		if tl.cache == nil {
			tl.cache = map[int64]kadm.ListedOffsets{}
		}
		lo, err = tl.c.admin.ListOffsetsAfterMilli(ctx, ms, tl.topics...)
		if err == nil {
			err = lo.Error()
		}
		if err != nil {
			return 0, 0, false, fmt.Errorf("look up offsets at %s: %w", t.UTC().Format(time.RFC3339), err)
		}
		tl.cache[ms] = lo
	}
	o, ok := lo.Lookup(topic, p)
	if !ok {
		return 0, 0, false, fmt.Errorf("look up offsets at %s: no answer for %s/%d", t.UTC().Format(time.RFC3339), topic, p)
	}
	return o.Offset, o.Timestamp, o.Timestamp >= 0, nil
}

// resolved is a position turned into an offset of one partition.
type resolved struct {
	offset    int64
	timeFound bool   // for time positions: a record at or after the time exists
	note      string // clamping or fallback, for the user
}

// resolve turns pos into an offset of the partition [logStart, logEnd).
func (c *Client) resolve(ctx context.Context, pos Position, topic string, p int32, logStart, logEnd int64, tl *timeLookup) (resolved, error) {
	switch pos.Kind {
	case Earliest:
		return resolved{offset: logStart}, nil
	case Latest:
		return resolved{offset: logEnd}, nil
	case AtOffset:
		switch {
		case pos.Offset < logStart:
			return resolved{offset: logStart, note: fmt.Sprintf("offset %d is before the log start; clamped to %d", pos.Offset, logStart)}, nil
		case pos.Offset > logEnd:
			return resolved{offset: logEnd, note: fmt.Sprintf("offset %d is past the end; clamped to %d", pos.Offset, logEnd)}, nil
		}
		return resolved{offset: pos.Offset}, nil
	case FromEnd:
		o := logEnd - pos.Offset
		if o < logStart {
			return resolved{offset: logStart, note: fmt.Sprintf("only %d records; starting at the log start %d", logEnd-logStart, logStart)}, nil
		}
		return resolved{offset: o}, nil
	case AtTime, Ago:
		t := pos.Time
		if pos.Kind == Ago {
			t = c.now().Add(-pos.Ago)
		}
		o, foundTS, found, err := tl.at(ctx, t, topic, p)
		if err != nil {
			return resolved{}, err
		}
		ts := t.UTC().Format(time.RFC3339)
		switch {
		case !found:
			return resolved{offset: logEnd, note: fmt.Sprintf("no record at or after %s; using the end offset %d", ts, logEnd)}, nil
		case o > logEnd:
			return resolved{offset: logEnd, timeFound: true, note: fmt.Sprintf("first record at or after %s is past the last stable offset; using %d", ts, logEnd)}, nil
		case o <= logStart && foundTS > t.UnixMilli():
			return resolved{offset: logStart, timeFound: true, note: fmt.Sprintf("%s is before the first record; using the log start %d", ts, logStart)}, nil
		}
		return resolved{offset: o, timeFound: true}, nil
	}
	return resolved{}, fmt.Errorf("unknown position kind %d", pos.Kind)
}

// ResolveRanges turns spec into per-partition offset ranges, sorted by
// topic and partition. Nothing is read.
func (c *Client) ResolveRanges(ctx context.Context, spec ReadSpec) ([]PartitionRange, error) {
	if len(spec.Topics) == 0 {
		return nil, errors.New("no topic given")
	}
	to, err := c.listOffsets(ctx, spec.Topics)
	if err != nil {
		return nil, err
	}
	tl := &timeLookup{c: c, topics: spec.Topics}
	var out []PartitionRange
	seen := map[int32]bool{}
	for _, t := range spec.Topics {
		ps := to.partitions[t]
		if want, ok := spec.Partitions[t]; ok {
			for _, p := range want {
				if !slices.Contains(ps, p) {
					return nil, fmt.Errorf("topic %q has no partition %d (it has %d)", t, p, len(ps))
				}
			}
			ps = want
		}
		for _, p := range ps {
			seen[p] = true
			logStart, logEnd := to.bounds(t, p)
			r := PartitionRange{Topic: t, Partition: p, LogStart: logStart, LogEnd: logEnd, End: -1}
			from, ok := spec.From.at(p)
			if !ok {
				from = Position{Kind: Earliest}
			}
			fr, err := c.resolve(ctx, from, t, p, logStart, logEnd, tl)
			if err != nil {
				return nil, err
			}
			r.Start = fr.offset
			if fr.note != "" {
				r.Notes = append(r.Notes, "from: "+fr.note)
			}
			if until, ok := spec.Until.at(p); ok {
				ur, err := c.resolve(ctx, until, t, p, logStart, logEnd, tl)
				if err != nil {
					return nil, err
				}
				r.End = ur.offset
				if ur.note != "" {
					r.Notes = append(r.Notes, "until: "+ur.note)
				}
				if until.Kind == AtTime || until.Kind == Ago {
					ut := until.Time
					if until.Kind == Ago {
						ut = c.now().Add(-until.Ago)
					}
					r.UntilTime = ut
					if !ur.timeFound && spec.Follow {
						r.End = -1 // the stopping record has not been written yet
					}
				}
			} else if !spec.Follow {
				r.End = logEnd
			}
			if r.End >= 0 && r.Start > r.End {
				r.Start = r.End
			}
			out = append(out, r)
		}
	}
	for _, b := range []Bound{spec.From, spec.Until} {
		for p := range b.Partitions {
			if !seen[p] {
				return nil, fmt.Errorf("partition %d does not exist in %v", p, spec.Topics)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out, nil
}

// epochMilli is t in Unix milliseconds for a timestamp lookup, clamped to 0:
// Kafka reads the negative values -1 and -2 as "latest" and "earliest", so a
// time before 1970 would otherwise jump to the end of the log.
func epochMilli(t time.Time) int64 {
	return max(t.UnixMilli(), 0)
}
