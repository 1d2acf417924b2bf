package stream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/edactl/edactl/internal/termtext"
)

// ErrGroupActive is returned (wrapped, naming the active members) when a
// rewind is executed while the group has members.
var ErrGroupActive = errors.New("consumer group is active")

// ErrPlanStale is returned (wrapped, naming the partitions) when a rewind is
// executed but the group's committed offsets are no longer the ones the plan
// was made from: something committed in between, and the plan's undo rows
// would restore the wrong offsets.
var ErrPlanStale = errors.New("rewind plan is stale")

// RewindKind is how a rewind picks new offsets.
type RewindKind int

// The rewind specs; exactly one is used per rewind.
const (
	ToEarliest RewindKind = iota + 1 // --to-earliest
	ToLatest                         // --to-latest
	ToOffset                         // --to-offset N
	ShiftBy                          // --shift-by ±N
	ToTime                           // --to-time RFC3339
	ByDuration                       // --by-duration 1h30m (now minus it)
	ToGroup                          // --to-group OTHER
	FromFile                         // --from-file plan.csv
)

// RewindSpec says where to move a group's offsets.
type RewindSpec struct {
	Kind     RewindKind
	Offset   int64         // ToOffset: the offset; ShiftBy: the delta
	Time     time.Time     // ToTime
	Duration time.Duration // ByDuration
	Group    string        // ToGroup: the group whose offsets are copied
	// Rows are the offsets of FromFile (see ReadOffsetsCSV). An offset of
	// -1 means "no committed offset": the commit is deleted.
	Rows []OffsetRow
}

// String describes the spec as the flag that gave it.
func (s RewindSpec) String() string {
	switch s.Kind {
	case ToEarliest:
		return "--to-earliest"
	case ToLatest:
		return "--to-latest"
	case ToOffset:
		return fmt.Sprintf("--to-offset %d", s.Offset)
	case ShiftBy:
		return fmt.Sprintf("--shift-by %+d", s.Offset)
	case ToTime:
		return "--to-time " + s.Time.UTC().Format(time.RFC3339Nano)
	case ByDuration:
		return "--by-duration " + s.Duration.String()
	case ToGroup:
		return "--to-group " + s.Group
	case FromFile:
		return fmt.Sprintf("--from-file (%d rows)", len(s.Rows))
	}
	return "no rewind spec"
}

// TopicSelection is a --topic value: a topic and optionally some of its
// partitions (none: all).
type TopicSelection struct {
	Topic      string
	Partitions []int32
}

// ParseTopicSelection parses "TOPIC" or "TOPIC:P,P,...".
func ParseTopicSelection(s string) (TopicSelection, error) {
	topic, ps, ok := strings.Cut(s, ":")
	if topic == "" {
		return TopicSelection{}, fmt.Errorf("topic %q: want TOPIC or TOPIC:P,P", s)
	}
	sel := TopicSelection{Topic: topic}
	if !ok {
		return sel, nil
	}
	for f := range strings.SplitSeq(ps, ",") {
		p, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || p < 0 {
			return TopicSelection{}, fmt.Errorf("topic %q: partition %q is not a partition number", s, f)
		}
		sel.Partitions = append(sel.Partitions, int32(p))
	}
	return sel, nil
}

// RewindOptions say which group and partitions a rewind moves, and where.
type RewindOptions struct {
	Group string
	// Topics selects partitions; AllTopics selects every partition the
	// group has a committed offset for (as kafka-consumer-groups.sh). With a FromFile
	// spec the file names the partitions and both must be empty.
	Topics    []TopicSelection
	AllTopics bool
	Spec      RewindSpec
}

// PlanRow is one partition of a rewind plan.
type PlanRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Before is the committed offset now, -1 when there is none.
	Before int64 `json:"before"`
	// After is the offset the rewind commits; -1 deletes the commit.
	After    int64 `json:"after"`
	LogStart int64 `json:"log_start"`
	LogEnd   int64 `json:"log_end"`
	// Clamped marks a requested offset outside [LogStart, LogEnd] that was
	// moved to the nearest end.
	Clamped bool `json:"clamped,omitempty"`
	// Fallback marks a time with no exact answer: after the last record
	// (using the end) or before the first (using the start).
	Fallback bool `json:"fallback,omitempty"`
	// Note explains Clamped, Fallback or an unchanged row.
	Note string `json:"note,omitempty"`
}

// Changed reports whether the row moves the group.
func (r PlanRow) Changed() bool { return r.After != r.Before }

// Plan is a rewind worked out against the cluster but not applied. The CLI
// prints it as a before/after table (the dry run); ExecuteRewind applies it.
type Plan struct {
	Group   string    `json:"group"`
	State   string    `json:"state"`
	Members []Member  `json:"members"`
	Spec    string    `json:"spec"`
	Rows    []PlanRow `json:"rows"`
	Created time.Time `json:"created"`
}

// Changes counts rows that move the group.
func (p *Plan) Changes() int {
	n := 0
	for _, r := range p.Rows {
		if r.Changed() {
			n++
		}
	}
	return n
}

// Active reports whether the group had members when planned.
func (p *Plan) Active() bool { return !groupInactive(p.State) }

func groupInactive(state string) bool { return state == "Empty" || state == "Dead" || state == "" }

// UndoRows returns the offsets that undo the plan: the previous offset of
// every changed row (-1 for "none": applying it deletes the commit).
func (p *Plan) UndoRows() []OffsetRow {
	var out []OffsetRow
	for _, r := range p.Rows {
		if r.Changed() {
			out = append(out, OffsetRow{Topic: r.Topic, Partition: r.Partition, Offset: r.Before})
		}
	}
	return out
}

// PlanRows returns the plan as offsets to apply (its changed rows), the
// form --from-file reads.
func (p *Plan) PlanRows() []OffsetRow {
	var out []OffsetRow
	for _, r := range p.Rows {
		if r.Changed() {
			out = append(out, OffsetRow{Topic: r.Topic, Partition: r.Partition, Offset: r.After})
		}
	}
	return out
}

// PlanRewind works out a rewind without changing anything: the group's
// state and members, and per partition the committed offset and the offset
// it would move to.
func (c *Client) PlanRewind(ctx context.Context, opts RewindOptions) (*Plan, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	if opts.Group == "" {
		return nil, errors.New("no consumer group given")
	}
	if opts.Spec.Kind == ToGroup && opts.Spec.Group == "" {
		return nil, errors.New("--to-group: no group given")
	}
	if opts.Spec.Kind == 0 {
		return nil, errors.New("no rewind spec given")
	}
	if opts.Spec.Kind == FromFile && (len(opts.Topics) > 0 || opts.AllTopics) {
		return nil, errors.New("--from-file names its partitions; do not also select topics")
	}
	if opts.Spec.Kind != FromFile && len(opts.Topics) == 0 && !opts.AllTopics {
		return nil, errors.New("select partitions with --topic or --all-topics")
	}
	if opts.Spec.Kind == ToGroup && opts.Spec.Group == opts.Group {
		return nil, fmt.Errorf("--to-group %q is the group being rewound", opts.Group)
	}
	plan := &Plan{Group: opts.Group, Spec: opts.Spec.String(), Created: c.now().UTC()}
	dg, err := c.describeGroup(ctx, opts.Group)
	if err != nil {
		return nil, err
	}
	plan.State, plan.Members = dg.State, members(dg.Members)

	committed, err := c.fetchCommitted(ctx, opts.Group)
	if err != nil {
		return nil, err
	}

	// The partitions to plan, in order.
	want := map[string][]int32{}
	var topics []string
	addTopic := func(t string) {
		if _, ok := want[t]; !ok {
			topics = append(topics, t)
			want[t] = nil
		}
	}
	fileRows := map[tp]int64{}
	switch {
	case opts.Spec.Kind == FromFile:
		for _, r := range opts.Spec.Rows {
			addTopic(r.Topic)
			k := tp{r.Topic, r.Partition}
			if _, dup := fileRows[k]; dup {
				return nil, fmt.Errorf("the file names %s/%d twice", r.Topic, r.Partition)
			}
			fileRows[k] = r.Offset
			want[r.Topic] = append(want[r.Topic], r.Partition)
		}
	case opts.AllTopics:
		// As kafka-consumer-groups.sh --all-topics: the partitions the
		// group has committed offsets for.
		set := committed.Offsets().TopicsSet()
		ts := set.Topics()
		if len(ts) == 0 {
			return nil, fmt.Errorf("group %q has no committed offsets; select topics with --topic", opts.Group)
		}
		sort.Strings(ts)
		for _, t := range ts {
			addTopic(t)
			ps := slices.Sorted(maps.Keys(set[t]))
			want[t] = ps
		}
	default:
		// A topic named without partitions means all of them, even when
		// another --topic names some of its partitions.
		all := map[string]bool{}
		for _, s := range opts.Topics {
			addTopic(s.Topic)
			if len(s.Partitions) == 0 {
				all[s.Topic] = true
			}
			want[s.Topic] = append(want[s.Topic], s.Partitions...)
		}
		for t := range all {
			want[t] = nil
		}
	}
	if len(topics) == 0 {
		return nil, errors.New("nothing to rewind: no partitions selected")
	}
	to, err := c.listOffsets(ctx, topics)
	if err != nil {
		return nil, err
	}
	var other kadm.OffsetResponses
	if opts.Spec.Kind == ToGroup {
		if other, err = c.fetchCommitted(ctx, opts.Spec.Group); err != nil {
			return nil, err
		}
	}
	tl := &timeLookup{c: c, topics: topics}
	for _, t := range topics {
		ps := want[t]
		if len(ps) == 0 {
			ps = to.partitions[t]
		}
		seen := map[int32]bool{}
		for _, p := range ps {
			if !slices.Contains(to.partitions[t], p) {
				return nil, fmt.Errorf("topic %q has no partition %d (it has %d)", t, p, len(to.partitions[t]))
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			logStart, logEnd := to.bounds(t, p)
			row := PlanRow{Topic: t, Partition: p, Before: -1, LogStart: logStart, LogEnd: logEnd}
			if o, ok := committed.Lookup(t, p); ok && o.Err == nil && o.At >= 0 {
				row.Before = o.At
			}
			if err := c.planRow(ctx, &row, opts.Spec, fileRows, other, tl); err != nil {
				return nil, err
			}
			plan.Rows = append(plan.Rows, row)
		}
	}
	return plan, nil
}

// planRow sets row.After (and the marks) for one partition.
func (c *Client) planRow(ctx context.Context, row *PlanRow, spec RewindSpec, fileRows map[tp]int64, other kadm.OffsetResponses, tl *timeLookup) error {
	var target int64
	switch spec.Kind {
	case ToEarliest:
		target = row.LogStart
	case ToLatest:
		target = row.LogEnd
	case ToOffset:
		target = spec.Offset
	case ShiftBy:
		if row.Before < 0 {
			row.After, row.Note = row.Before, "no committed offset to shift; unchanged"
			return nil
		}
		target = row.Before + spec.Offset
	case ToTime, ByDuration:
		t := spec.Time
		if spec.Kind == ByDuration {
			t = c.now().Add(-spec.Duration)
		}
		r, err := c.resolve(ctx, Position{Kind: AtTime, Time: t}, row.Topic, row.Partition, row.LogStart, row.LogEnd, tl)
		if err != nil {
			return err
		}
		row.After = r.offset
		if r.note != "" {
			row.Fallback, row.Note = true, r.note
		}
		return nil
	case ToGroup:
		o, ok := other.Lookup(row.Topic, row.Partition)
		if !ok || o.Err != nil || o.At < 0 {
			row.After, row.Note = row.Before, fmt.Sprintf("group %q has no committed offset here; unchanged", spec.Group)
			return nil
		}
		target = o.At
	case FromFile:
		target = fileRows[tp{row.Topic, row.Partition}]
		if target < 0 {
			row.After = -1
			if row.Before >= 0 {
				row.Note = "no committed offset in the file; the commit is deleted"
			}
			return nil
		}
	default:
		return fmt.Errorf("unknown rewind spec %d", spec.Kind)
	}
	switch {
	case target < row.LogStart:
		row.After, row.Clamped = row.LogStart, true
		row.Note = fmt.Sprintf("%d is before the log start; clamped", target)
	case target > row.LogEnd:
		row.After, row.Clamped = row.LogEnd, true
		row.Note = fmt.Sprintf("%d is past the end; clamped", target)
	default:
		row.After = target
	}
	return nil
}

func (c *Client) describeGroup(ctx context.Context, group string) (kadm.DescribedGroup, error) {
	dgs, err := c.admin.DescribeGroups(ctx, group)
	if err != nil {
		return kadm.DescribedGroup{}, fmt.Errorf("describe group %q: %w", group, err)
	}
	dg, ok := dgs[group]
	if !ok {
		return kadm.DescribedGroup{}, fmt.Errorf("describe group %q: no answer", group)
	}
	if errors.Is(dg.Err, kerr.GroupIDNotFound) {
		// Newer brokers answer "not found" where older ones said Dead;
		// for a rewind both mean "no members, no offsets yet".
		return kadm.DescribedGroup{Group: group, State: "Dead"}, nil
	}
	if dg.Err != nil {
		return kadm.DescribedGroup{}, fmt.Errorf("describe group %q: %w", group, dg.Err)
	}
	return dg, nil
}

// fetchCommitted returns a group's committed offsets; a group the broker
// does not know has none.
func (c *Client) fetchCommitted(ctx context.Context, group string) (kadm.OffsetResponses, error) {
	resp, err := c.admin.FetchOffsets(ctx, group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return kadm.OffsetResponses{}, nil
	}
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("fetch committed offsets of group %q: %w", group, err)
	}
	return resp, nil
}

// RewindResult says what ExecuteRewind changed.
type RewindResult struct {
	Committed int `json:"committed"`
	Deleted   int `json:"deleted"`
}

// ExecuteRewind applies plan through an admin offset commit. It first
// checks again that the group is Empty or Dead (naming the active members
// otherwise, ErrGroupActive) and that every partition the plan changes still
// has the committed offset the plan shows as Before (naming the ones that
// moved otherwise, ErrPlanStale: plan again), then calls saveUndo — which must persist
// plan.UndoRows() somewhere the user can find it — and only if that
// succeeds commits the new offsets (and deletes the commits of rows whose
// After is -1). Unchanged rows are not written.
func (c *Client) ExecuteRewind(ctx context.Context, plan *Plan, saveUndo func(*Plan) error) (RewindResult, error) {
	var res RewindResult
	if err := c.needAdmin(); err != nil {
		return res, err
	}
	dg, err := c.describeGroup(ctx, plan.Group)
	if err != nil {
		return res, err
	}
	if !groupInactive(dg.State) {
		var names []string
		for _, m := range members(dg.Members) {
			names = append(names, fmt.Sprintf("%s (client %s, host %s)", termtext.Quote(m.ID), termtext.Quote(m.ClientID), termtext.Quote(m.Host)))
		}
		return res, fmt.Errorf("%w: group %q is %s with %d member(s): %s; stop them and retry (the dry run shows the plan)",
			ErrGroupActive, plan.Group, dg.State, len(dg.Members), strings.Join(names, ", "))
	}
	if plan.Changes() == 0 {
		return res, nil
	}
	if err := c.checkPlanCurrent(ctx, plan); err != nil {
		return res, err
	}
	if saveUndo != nil {
		if err := saveUndo(plan); err != nil {
			return res, fmt.Errorf("write undo file (nothing was changed): %w", err)
		}
	}
	commit := kadm.Offsets{}
	del := kadm.TopicsSet{}
	for _, r := range plan.Rows {
		switch {
		case !r.Changed():
		case r.After < 0:
			del.Add(r.Topic, r.Partition)
		default:
			commit.Add(kadm.Offset{Topic: r.Topic, Partition: r.Partition, At: r.After, LeaderEpoch: -1})
		}
	}
	if len(commit) > 0 {
		resp, err := c.admin.CommitOffsets(ctx, plan.Group, commit)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return res, fmt.Errorf("commit offsets of group %q: %w", plan.Group, err)
		}
		res.Committed = len(resp.Sorted())
	}
	if len(del) > 0 {
		resp, err := c.admin.DeleteOffsets(ctx, plan.Group, del)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return res, fmt.Errorf("delete offsets of group %q: %w", plan.Group, err)
		}
		for _, ps := range del {
			res.Deleted += len(ps)
		}
	}
	return res, nil
}

// checkPlanCurrent fetches the group's committed offsets again and returns
// ErrPlanStale if a row the plan changes no longer starts from Before.
func (c *Client) checkPlanCurrent(ctx context.Context, plan *Plan) error {
	committed, err := c.fetchCommitted(ctx, plan.Group)
	if err != nil {
		return err
	}
	var moved []string
	for _, r := range plan.Rows {
		if !r.Changed() {
			continue
		}
		now := int64(-1)
		if o, ok := committed.Lookup(r.Topic, r.Partition); ok && o.Err == nil && o.At >= 0 {
			now = o.At
		}
		if now != r.Before {
			moved = append(moved, fmt.Sprintf("%s/%d (planned from %s, now %s)", r.Topic, r.Partition, committedText(r.Before), committedText(now)))
		}
	}
	if len(moved) > 0 {
		return fmt.Errorf("%w: group %q committed since the plan was made: %s; nothing was changed, plan again",
			ErrPlanStale, plan.Group, strings.Join(moved, ", "))
	}
	return nil
}

// OffsetText shows an offset as the CLI's and the TUI's tables do: the
// number, or "-" for none (-1).
func OffsetText(o int64) string {
	if o < 0 {
		return "-"
	}
	return strconv.FormatInt(o, 10)
}

// committedText shows a committed offset in a sentence: "none" for -1.
func committedText(o int64) string {
	if o < 0 {
		return "none"
	}
	return OffsetText(o)
}

// OffsetRow is one line of Kafka's offset CSV: topic,partition,offset.
type OffsetRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

// WriteOffsetsCSV writes rows in Kafka's reset-offsets CSV format
// (kafka-consumer-groups.sh --export): "topic,partition,offset" lines, no
// header. edactl writes -1 for "no committed offset".
func WriteOffsetsCSV(w io.Writer, rows []OffsetRow) error {
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		fmt.Fprintf(bw, "%s,%d,%d\n", r.Topic, r.Partition, r.Offset)
	}
	return bw.Flush()
}

// ReadOffsetsCSV reads Kafka's offset CSV. Blank lines, "#" comments and a
// "topic,partition,offset" header are skipped; anything else that is not a
// topic, a partition number and an offset (or -1) is an error naming the
// line (name is used in messages, e.g. the file path).
func ReadOffsetsCSV(r io.Reader, name string) ([]OffsetRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var rows []OffsetRow
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") || strings.EqualFold(s, "topic,partition,offset") {
			continue
		}
		// Topic names cannot contain commas, so the last two fields are
		// the numbers.
		f := strings.Split(s, ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want topic,partition,offset, got %d field(s)", name, line, len(f))
		}
		topic := strings.TrimSpace(f[0])
		if topic == "" {
			return nil, fmt.Errorf("%s:%d: empty topic", name, line)
		}
		p, err := strconv.ParseInt(strings.TrimSpace(f[1]), 10, 32)
		if err != nil || p < 0 {
			return nil, fmt.Errorf("%s:%d: partition %q is not a partition number", name, line, f[1])
		}
		o, err := strconv.ParseInt(strings.TrimSpace(f[2]), 10, 64)
		if err != nil || o < -1 {
			return nil, fmt.Errorf("%s:%d: offset %q is not an offset (or -1 for none)", name, line, f[2])
		}
		rows = append(rows, OffsetRow{Topic: topic, Partition: int32(p), Offset: o})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no offsets", name)
	}
	return rows, nil
}
