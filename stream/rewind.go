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

// The rewind kinds; a spec has exactly one. Each kind has a name (String):
// to-earliest, to-latest, to-offset, shift-by, to-time, by-duration,
// to-group, from-file.
const (
	ToEarliest RewindKind = iota + 1 // to the log start offset
	ToLatest                         // to the end offset
	ToOffset                         // to RewindSpec.Offset
	ShiftBy                          // by RewindSpec.Offset (negative: back) from the committed offset
	ToTime                           // to the first offset at or after RewindSpec.Time
	ByDuration                       // to the first offset at or after now minus RewindSpec.Duration
	ToGroup                          // to the committed offsets of RewindSpec.Group
	FromFile                         // to RewindSpec.Rows, the offsets of a file in Kafka's offset CSV
)

// String names the kind: "to-earliest", "to-latest", "to-offset",
// "shift-by", "to-time", "by-duration", "to-group" or "from-file" — the
// names kafka-consumer-groups.sh gives its reset specs where it has the
// kind — and "RewindKind(N)" for a value that is no kind. edactl's front
// ends name their spec flags and fields so.
func (k RewindKind) String() string {
	switch k {
	case ToEarliest:
		return "to-earliest"
	case ToLatest:
		return "to-latest"
	case ToOffset:
		return "to-offset"
	case ShiftBy:
		return "shift-by"
	case ToTime:
		return "to-time"
	case ByDuration:
		return "by-duration"
	case ToGroup:
		return "to-group"
	case FromFile:
		return "from-file"
	}
	return fmt.Sprintf("RewindKind(%d)", int(k))
}

func (k RewindKind) known() bool { return k >= ToEarliest && k <= FromFile }

// RewindSpec says where to move a group's offsets.
type RewindSpec struct {
	Kind     RewindKind
	Offset   int64         // ToOffset: the offset; ShiftBy: the delta
	Time     time.Time     // ToTime
	Duration time.Duration // ByDuration
	Group    string        // ToGroup: the group whose offsets are copied
	// Rows are the offsets of FromFile (see ReadOffsetsCSV), "the file" in
	// messages. An offset of -1 means "no committed offset": the commit is
	// deleted.
	Rows []OffsetRow
}

// String describes the spec as its kind's name and its argument:
// "to-earliest", "to-offset 120", "shift-by -100", "to-time
// 2024-05-01T09:00:00Z" (in UTC), "by-duration 1h30m0s", "to-group OTHER",
// "from-file (3 rows)"; a spec without a kind is "no rewind spec". A front
// end whose spec flags are named after the kinds shows a spec as a flag by
// putting its flag prefix before this text.
func (s RewindSpec) String() string {
	switch s.Kind {
	case 0:
		return "no rewind spec"
	case ToOffset:
		return fmt.Sprintf("%s %d", s.Kind, s.Offset)
	case ShiftBy:
		return fmt.Sprintf("%s %+d", s.Kind, s.Offset)
	case ToTime:
		return s.Kind.String() + " " + s.Time.UTC().Format(time.RFC3339Nano)
	case ByDuration:
		return s.Kind.String() + " " + s.Duration.String()
	case ToGroup:
		return s.Kind.String() + " " + s.Group
	case FromFile:
		return fmt.Sprintf("%s (%d rows)", s.Kind, len(s.Rows))
	}
	return s.Kind.String()
}

// Validate checks the rules of a spec that need no cluster, and returns the
// first one broken as a *SpecError: a known kind (RuleNoSpec); for
// ToOffset an offset of 0 or more (RuleNegativeOffset); for ByDuration a
// positive duration (RuleNonPositiveDuration); for ToGroup a group
// (RuleNoOtherGroup); for FromFile at least one row (RuleNoRows), each with
// a topic, a partition of 0 or more and an offset of -1 or more
// (RuleBadRow), and no partition twice (RuleRowTwice).
func (s RewindSpec) Validate() error {
	switch s.Kind {
	case 0:
		return &SpecError{Rule: RuleNoSpec, Reason: "no rewind spec given"}
	case ToEarliest, ToLatest, ShiftBy, ToTime:
	case ToOffset:
		if s.Offset < 0 {
			return &SpecError{Rule: RuleNegativeOffset, part: s.String(), Reason: "offsets are 0 or more"}
		}
	case ByDuration:
		if s.Duration <= 0 {
			return &SpecError{Rule: RuleNonPositiveDuration, part: s.String(), Reason: "want a positive duration"}
		}
	case ToGroup:
		if s.Group == "" {
			return &SpecError{Rule: RuleNoOtherGroup, part: s.Kind.String(), Reason: "no group given"}
		}
	case FromFile:
		if len(s.Rows) == 0 {
			return &SpecError{Rule: RuleNoRows, Reason: "nothing to rewind: the file has no offsets"}
		}
		seen := make(map[tp]bool, len(s.Rows))
		for i, r := range s.Rows {
			part := fmt.Sprintf("row %d of the file", i+1)
			switch {
			case r.Topic == "":
				return &SpecError{Rule: RuleBadRow, part: part, Reason: "empty topic"}
			case r.Partition < 0:
				return &SpecError{Rule: RuleBadRow, part: part, Reason: fmt.Sprintf("partition %d is not a partition number", r.Partition)}
			case r.Offset < -1:
				return &SpecError{Rule: RuleBadRow, part: part, Reason: fmt.Sprintf("offset %d is not an offset (or -1 for none)", r.Offset)}
			}
			k := tp{r.Topic, r.Partition}
			if seen[k] {
				return &SpecError{Rule: RuleRowTwice, Reason: fmt.Sprintf("the file names %s/%d twice", r.Topic, r.Partition)}
			}
			seen[k] = true
		}
	default:
		return &SpecError{Rule: RuleNoSpec, Reason: fmt.Sprintf("unknown rewind spec %d", s.Kind)}
	}
	return nil
}

// SpecRule names a rule of RewindOptions, so that a front end can word a
// refusal (a *SpecError) in its own terms.
type SpecRule int

// The rules of RewindOptions, in the order Validate checks them.
// PlanRewind checks them too, and finds RuleNoCommittedOffsets, the only
// one that needs the cluster.
const (
	RuleNoGroup             SpecRule = iota + 1 // a group is named
	RuleNoSpec                                  // the spec has a known kind
	RuleBadTopic                                // each TopicSelection has a topic and partitions of 0 or more
	RuleTopicsAndAllTopics                      // Topics and AllTopics are not both given
	RuleNegativeOffset                          // ToOffset: the offset is 0 or more
	RuleNonPositiveDuration                     // ByDuration: the duration is positive
	RuleNoOtherGroup                            // ToGroup: a group is named
	RuleNoRows                                  // FromFile: the file has rows
	RuleBadRow                                  // FromFile: each row has a topic, a partition of 0 or more and an offset of -1 or more
	RuleRowTwice                                // FromFile: no partition is named twice
	RuleOtherGroupIsGroup                       // ToGroup: the group copied is not the group rewound
	RuleNoSelection                             // Topics or AllTopics select the partitions (unless FromFile)
	RuleSelectionWithFile                       // FromFile: the file names the partitions, so Topics and AllTopics are empty
	RuleNoCommittedOffsets                      // AllTopics: the group has committed offsets to select (found by PlanRewind)
)

// SpecError is a rewind that cannot be planned as asked: its options break
// Rule. Error words it in stream's terms ("to-offset -1: offsets are 0 or
// more"); Reason is the part of that after the name of what is wrong, for
// a front end to put after its own name of it (the CLI's flag and value).
type SpecError struct {
	Rule SpecRule
	// Reason says why, e.g. "offsets are 0 or more"; when no part is named
	// it is the whole message.
	Reason string
	part   string // stream's name of what is wrong, e.g. "to-offset -1"
}

// Error implements error.
func (e *SpecError) Error() string {
	if e.part == "" {
		return e.Reason
	}
	return e.part + ": " + e.Reason
}

// TopicSelection selects partitions of a topic: some of them, or all
// (no Partitions).
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
	// group has a committed offset for (as kafka-consumer-groups.sh). One
	// of them is given, unless the spec is FromFile: the file names the
	// partitions and both must be empty.
	Topics    []TopicSelection
	AllTopics bool
	Spec      RewindSpec
}

// Validate checks every rule of o that needs no cluster and returns the
// first one broken, in the order of the SpecRule constants, as a
// *SpecError: a group; a spec of a known kind; valid topic selections, and
// not both Topics and AllTopics; the rest of the spec (RewindSpec.Validate);
// for ToGroup a group other than the one rewound; and partitions selected
// by Topics or AllTopics, or else by the file of a FromFile spec, never
// both. PlanRewind calls it; front ends call it to refuse before planning.
func (o RewindOptions) Validate() error {
	if o.Group == "" {
		return &SpecError{Rule: RuleNoGroup, Reason: "no consumer group given"}
	}
	if !o.Spec.Kind.known() {
		return o.Spec.Validate()
	}
	for i, s := range o.Topics {
		if s.Topic == "" {
			return &SpecError{Rule: RuleBadTopic, part: fmt.Sprintf("topic selection %d", i+1), Reason: "no topic"}
		}
		for _, p := range s.Partitions {
			if p < 0 {
				return &SpecError{Rule: RuleBadTopic, part: fmt.Sprintf("topic %q", s.Topic), Reason: fmt.Sprintf("partition %d is not a partition number", p)}
			}
		}
	}
	if len(o.Topics) > 0 && o.AllTopics {
		return &SpecError{Rule: RuleTopicsAndAllTopics, Reason: "select either topics or all topics, not both"}
	}
	if err := o.Spec.Validate(); err != nil {
		return err
	}
	if o.Spec.Kind == ToGroup && o.Spec.Group == o.Group {
		return &SpecError{Rule: RuleOtherGroupIsGroup, part: fmt.Sprintf("%s %q", ToGroup, o.Group), Reason: "it is the group being rewound"}
	}
	selected := len(o.Topics) > 0 || o.AllTopics
	switch {
	case o.Spec.Kind != FromFile && !selected:
		return &SpecError{Rule: RuleNoSelection, Reason: "no partitions selected: name topics, or select all topics"}
	case o.Spec.Kind == FromFile && selected:
		return &SpecError{Rule: RuleSelectionWithFile, Reason: "the file names its partitions; do not also select topics"}
	}
	return nil
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

// changed reports whether the row moves the group.
func (r PlanRow) changed() bool { return r.After != r.Before }

// AfterText shows the row's After offset as plan tables do: OffsetText of
// it, marked " *" when Clamped, else " ~" when Fallback, else " =" when the
// row does not change. PlanLegend explains the marks.
func (r PlanRow) AfterText() string {
	after := OffsetText(r.After)
	switch {
	case r.Clamped:
		return after + " *"
	case r.Fallback:
		return after + " ~"
	case !r.changed():
		return after + " ="
	}
	return after
}

// PlanColumns are the headers of a plan table, whose rows show a PlanRow's
// topic, partition, OffsetText of Before, AfterText, log start, log end and
// note.
func PlanColumns() []string {
	return []string{"TOPIC", "PARTITION", "BEFORE", "AFTER", "LOG START", "LOG END", "NOTE"}
}

// PlanLegend explains the marks of a plan table's offsets (AfterText,
// OffsetText); plan tables print it under their rows.
const PlanLegend = "(* clamped to the log, ~ time fallback, = unchanged, - no committed offset)"

// Plan is a rewind worked out against the cluster but not applied. The CLI
// prints it as a before/after table (the dry run), the TUI as its preview;
// ExecuteRewind applies it. Front ends render it, so it has no JSON form of
// its own; its rows do (PlanRow).
type Plan struct {
	Group   string
	State   string
	Members []Member
	// Spec is the spec the plan was made for.
	Spec    RewindSpec
	Rows    []PlanRow
	Created time.Time
}

// Changes counts rows that move the group.
func (p *Plan) Changes() int {
	n := 0
	for _, r := range p.Rows {
		if r.changed() {
			n++
		}
	}
	return n
}

// Active reports whether the group had members when planned.
func (p *Plan) Active() bool { return !groupInactive(p.State) }

func groupInactive(state string) bool { return state == "Empty" || state == "Dead" || state == "" }

// undoRows returns the offsets that undo the plan: the previous offset of
// every changed row (-1 for "none": applying it deletes the commit).
func (p *Plan) undoRows() []OffsetRow {
	var out []OffsetRow
	for _, r := range p.Rows {
		if r.changed() {
			out = append(out, OffsetRow{Topic: r.Topic, Partition: r.Partition, Offset: r.Before})
		}
	}
	return out
}

// PlanRows returns the plan as offsets to apply (its changed rows), the
// rows of a FromFile spec.
func (p *Plan) PlanRows() []OffsetRow {
	var out []OffsetRow
	for _, r := range p.Rows {
		if r.changed() {
			out = append(out, OffsetRow{Topic: r.Topic, Partition: r.Partition, Offset: r.After})
		}
	}
	return out
}

// PlanRewind works out a rewind without changing anything: the group's
// state and members, and per partition the committed offset and the offset
// it would move to. Options that break a rule of a rewind
// (RewindOptions.Validate, and RuleNoCommittedOffsets) are a *SpecError.
func (c *Client) PlanRewind(ctx context.Context, opts RewindOptions) (*Plan, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	plan := &Plan{Group: opts.Group, Spec: opts.Spec, Created: c.now().UTC()}
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
			fileRows[tp{r.Topic, r.Partition}] = r.Offset
			want[r.Topic] = append(want[r.Topic], r.Partition)
		}
	case opts.AllTopics:
		// As kafka-consumer-groups.sh does for all topics: the partitions
		// the group has committed offsets for.
		set := committed.Offsets().TopicsSet()
		ts := set.Topics()
		if len(ts) == 0 {
			return nil, &SpecError{Rule: RuleNoCommittedOffsets, Reason: fmt.Sprintf("group %q has no committed offsets; name the topics to rewind", opts.Group)}
		}
		sort.Strings(ts)
		for _, t := range ts {
			addTopic(t)
			ps := slices.Sorted(maps.Keys(set[t]))
			want[t] = ps
		}
	default:
		// A topic named without partitions means all of them, even when
		// another selection names some of its partitions.
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
		case !r.changed():
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
		if !r.changed() {
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

// WriteOffsetsCSV writes rows in Kafka's reset-offsets CSV format (what
// kafka-consumer-groups.sh exports): "topic,partition,offset" lines, no
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
