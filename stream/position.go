package stream

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// PositionKind says how a Position names an offset.
type PositionKind int

// The kinds of Position.
const (
	Earliest PositionKind = iota // the log start offset
	Latest                       // the end offset (high watermark)
	AtOffset                     // an absolute offset
	FromEnd                      // N records before the end offset
	AtTime                       // the first record at or after a time
	Ago                          // the first record at or after now minus a duration
)

// Position names an offset of a partition, in the grammar of a read's
// From and Until bounds (ReadSpec):
//
//	earliest | latest | OFFSET | -N | @RFC3339 | @-DURATION
//
// "end" and "start" are accepted as synonyms of latest and earliest.
type Position struct {
	Kind   PositionKind
	Offset int64         // AtOffset: the offset; FromEnd: N
	Time   time.Time     // AtTime
	Ago    time.Duration // Ago: how far back from now
}

// String renders p in the grammar ParsePosition reads.
func (p Position) String() string {
	switch p.Kind {
	case Earliest:
		return "earliest"
	case Latest:
		return "latest"
	case AtOffset:
		return strconv.FormatInt(p.Offset, 10)
	case FromEnd:
		return "-" + strconv.FormatInt(p.Offset, 10)
	case AtTime:
		return "@" + p.Time.UTC().Format(time.RFC3339Nano)
	case Ago:
		return "@-" + p.Ago.String()
	}
	return fmt.Sprintf("Position(%d)", int(p.Kind))
}

// ParsePosition parses one position of the From/Until grammar.
func ParsePosition(s string) (Position, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "earliest", "start", "beginning", "oldest":
		return Position{Kind: Earliest}, nil
	case "latest", "end", "newest":
		return Position{Kind: Latest}, nil
	case "":
		return Position{}, fmt.Errorf("empty position: want earliest, latest, OFFSET, -N, @RFC3339 or @-DURATION")
	}
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		if d, ok := strings.CutPrefix(rest, "-"); ok {
			dur, err := time.ParseDuration(d)
			if err != nil || dur <= 0 {
				return Position{}, fmt.Errorf("position %q: %q is not a positive duration (like 1h30m)", s, d)
			}
			return Position{Kind: Ago, Ago: dur}, nil
		}
		t, err := time.Parse(time.RFC3339Nano, rest)
		if err != nil {
			return Position{}, fmt.Errorf("position %q: want an RFC 3339 time like @2024-05-01T10:00:00Z or @-1h", s)
		}
		return Position{Kind: AtTime, Time: t}, nil
	}
	if n, ok := strings.CutPrefix(s, "-"); ok {
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v < 0 {
			return Position{}, fmt.Errorf("position %q: -N wants a record count", s)
		}
		return Position{Kind: FromEnd, Offset: v}, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return Position{}, fmt.Errorf("invalid position %q: want earliest, latest, OFFSET, -N, @RFC3339 or @-DURATION", s)
	}
	return Position{Kind: AtOffset, Offset: v}, nil
}

// kgoOffset converts p for franz-go's own resolution (only used as a group's
// reset offset, where stream cannot resolve offsets itself).
func (p Position) kgoOffset(now time.Time) kgo.Offset {
	switch p.Kind {
	case Latest:
		return kgo.NewOffset().AtEnd()
	case AtOffset:
		return kgo.NewOffset().At(p.Offset)
	case FromEnd:
		return kgo.NewOffset().AtEnd().Relative(-p.Offset)
	case AtTime:
		return kgo.NewOffset().AfterMilli(epochMilli(p.Time))
	case Ago:
		return kgo.NewOffset().AfterMilli(epochMilli(now.Add(-p.Ago)))
	}
	return kgo.NewOffset().AtStart()
}

// Bound is a read's From or Until (ReadSpec): a default position for every
// partition and per-partition overrides, written as a comma-separated list
// such as "earliest", "0:100,1:250" or "-10,3:@2024-05-01T00:00:00Z".
type Bound struct {
	// Default applies to partitions without an override; nil means unset.
	Default *Position
	// Partitions holds the per-partition positions ("P:POSITION").
	Partitions map[int32]Position
}

// IsZero reports whether b was not given at all.
func (b Bound) IsZero() bool { return b.Default == nil && len(b.Partitions) == 0 }

// at returns the position for partition p and whether there is one.
func (b Bound) at(p int32) (Position, bool) {
	if pos, ok := b.Partitions[p]; ok {
		return pos, true
	}
	if b.Default != nil {
		return *b.Default, true
	}
	return Position{}, false
}

// String renders b in the grammar ParseBound reads.
func (b Bound) String() string {
	var parts []string
	if b.Default != nil {
		parts = append(parts, b.Default.String())
	}
	ps := make([]int32, 0, len(b.Partitions))
	for p := range b.Partitions {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%d:%s", p, b.Partitions[p]))
	}
	return strings.Join(parts, ",")
}

// ParseBound parses a Bound in the From/Until grammar. An empty string is
// the zero Bound (unset).
func ParseBound(s string) (Bound, error) {
	var b Bound
	if strings.TrimSpace(s) == "" {
		return b, nil
	}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if p, rest, ok := cutPartition(item); ok {
			pos, err := ParsePosition(rest)
			if err != nil {
				return Bound{}, fmt.Errorf("partition %d: %w", p, err)
			}
			if b.Partitions == nil {
				b.Partitions = map[int32]Position{}
			}
			if _, dup := b.Partitions[p]; dup {
				return Bound{}, fmt.Errorf("partition %d is given twice in %q", p, s)
			}
			b.Partitions[p] = pos
			continue
		}
		pos, err := ParsePosition(item)
		if err != nil {
			return Bound{}, err
		}
		if b.Default != nil {
			return Bound{}, fmt.Errorf("%q has two positions for all partitions (%s and %s); use P:POSITION for one partition", s, b.Default, pos)
		}
		b.Default = &pos
	}
	return b, nil
}

// cutPartition splits "P:REST" where P is a partition number.
func cutPartition(s string) (int32, string, bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return 0, "", false
	}
	v, err := strconv.ParseInt(s[:i], 10, 32)
	if err != nil || v < 0 {
		return 0, "", false
	}
	return int32(v), s[i+1:], true
}
