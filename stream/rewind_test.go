package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// commitGroup commits offsets for group as an admin would.
func (tc *testCluster) commitGroup(group string, offs map[string]map[int32]int64) {
	tc.t.Helper()
	os := kadm.Offsets{}
	for t, ps := range offs {
		for p, o := range ps {
			os.Add(kadm.Offset{Topic: t, Partition: p, At: o, LeaderEpoch: -1})
		}
	}
	if err := kadm.NewClient(tc.admin).CommitAllOffsets(ctxT(tc.t), group, os); err != nil {
		tc.t.Fatal(err)
	}
}

func (tc *testCluster) committed(group string) map[tp]int64 {
	tc.t.Helper()
	resp, err := kadm.NewClient(tc.admin).FetchOffsets(ctxT(tc.t), group)
	if err != nil {
		tc.t.Fatal(err)
	}
	out := map[tp]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			out[tp{o.Topic, o.Partition}] = o.At
		}
	})
	return out
}

// seedRewind writes 10 records a minute apart to orders/0 and 5 to
// orders/1, and commits offsets 7 and 3 for group "billing".
func seedRewind(t *testing.T) (*testCluster, time.Time) {
	tc := newTestCluster(t, map[string]int32{"orders": 2, "audit": 1})
	tc.producer = tc.newClient(manual())
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		tc.produce(rec("orders", 0, "k", "v", base.Add(time.Duration(i)*time.Minute)))
	}
	for i := range 5 {
		tc.produce(rec("orders", 1, "k", "v", base.Add(time.Duration(i)*time.Minute)))
	}
	tc.commitGroup("billing", map[string]map[int32]int64{"orders": {0: 7, 1: 3}})
	return tc, base
}

func rowsString(p *Plan) string {
	var b strings.Builder
	for _, r := range p.Rows {
		b.WriteString(r.Topic)
		b.WriteString("/")
		b.WriteString(itoa(int64(r.Partition)))
		b.WriteString(":")
		b.WriteString(itoa(r.Before))
		b.WriteString("->")
		b.WriteString(itoa(r.After))
		if r.Clamped {
			b.WriteString("(clamped)")
		}
		if r.Fallback {
			b.WriteString("(fallback)")
		}
		b.WriteString(" ")
	}
	return b.String()
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestPlanRewindSpecs(t *testing.T) {
	tc, base := seedRewind(t)
	tc.commitGroup("other", map[string]map[int32]int64{"orders": {1: 2}})
	c := tc.client(WithClock(func() time.Time { return base.Add(2*time.Minute + 30*time.Second) }))
	orders := []TopicSelection{{Topic: "orders"}}
	tests := []struct {
		name   string
		topics []TopicSelection
		all    bool
		spec   RewindSpec
		want   string
	}{
		{"earliest", orders, false, RewindSpec{Kind: ToEarliest}, "orders/0:7->0 orders/1:3->0 "},
		{"latest", orders, false, RewindSpec{Kind: ToLatest}, "orders/0:7->10 orders/1:3->5 "},
		{"offset clamped", orders, false, RewindSpec{Kind: ToOffset, Offset: 8}, "orders/0:7->8 orders/1:3->5(clamped) "},
		{"shift back clamped", orders, false, RewindSpec{Kind: ShiftBy, Offset: -4}, "orders/0:7->3 orders/1:3->0(clamped) "},
		{"shift forward", []TopicSelection{{Topic: "orders", Partitions: []int32{0}}}, false, RewindSpec{Kind: ShiftBy, Offset: 2}, "orders/0:7->9 "},
		{"to time", orders, false, RewindSpec{Kind: ToTime, Time: base.Add(4 * time.Minute)}, "orders/0:7->4 orders/1:3->4 "},
		{"time of the first record", orders, false, RewindSpec{Kind: ToTime, Time: base}, "orders/0:7->0 orders/1:3->0 "},
		{"time before first", orders, false, RewindSpec{Kind: ToTime, Time: base.Add(-time.Hour)}, "orders/0:7->0(fallback) orders/1:3->0(fallback) "},
		{"time after last", orders, false, RewindSpec{Kind: ToTime, Time: base.Add(time.Hour)}, "orders/0:7->10(fallback) orders/1:3->5(fallback) "},
		{"by duration", orders, false, RewindSpec{Kind: ByDuration, Duration: 30 * time.Second}, "orders/0:7->2 orders/1:3->2 "},
		{"to group", orders, false, RewindSpec{Kind: ToGroup, Group: "other"}, "orders/0:7->7 orders/1:3->2 "},
		{"all topics", nil, true, RewindSpec{Kind: ToEarliest}, "orders/0:7->0 orders/1:3->0 "},
		{"audit without commit", []TopicSelection{{Topic: "audit"}}, false, RewindSpec{Kind: ToLatest}, "audit/0:-1->0 "},
		{"time before 1970", orders, false, RewindSpec{Kind: ToTime, Time: time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC)}, "orders/0:7->0(fallback) orders/1:3->0(fallback) "},
		{"a topic and one of its partitions", []TopicSelection{{Topic: "orders", Partitions: []int32{1}}, {Topic: "orders"}}, false, RewindSpec{Kind: ToEarliest}, "orders/0:7->0 orders/1:3->0 "},
		{"from file", nil, false, RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 1, 1}, {"audit", 0, 0}}}, "orders/1:3->1 audit/0:-1->0 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Topics: tt.topics, AllTopics: tt.all, Spec: tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsString(plan); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if plan.State != "Empty" {
				t.Errorf("state %q, want Empty", plan.State)
			}
		})
	}
	// --all-topics means the partitions with a commit, not whole topics.
	tc.commitGroup("partial", map[string]map[int32]int64{"orders": {1: 4}})
	plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "partial", AllTopics: true, Spec: RewindSpec{Kind: ToEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsString(plan); got != "orders/1:4->0 " {
		t.Errorf("partial --all-topics: %s", got)
	}

	// A dry run (planning) changed nothing.
	if got := tc.committed("billing"); got[tp{"orders", 0}] != 7 || got[tp{"orders", 1}] != 3 || len(got) != 2 {
		t.Errorf("planning changed offsets: %v", got)
	}
}

func TestPlanRewindErrors(t *testing.T) {
	tc, _ := seedRewind(t)
	c := tc.client()
	tests := []struct {
		opts RewindOptions
		want string
		rule SpecRule // 0: not a *SpecError
	}{
		{RewindOptions{Group: "billing", Spec: RewindSpec{Kind: ToEarliest}}, "no partitions selected", RuleNoSelection},
		{RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "nope"}}, Spec: RewindSpec{Kind: ToEarliest}}, `topic does not exist: "nope"`, 0},
		{RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "orders", Partitions: []int32{5}}}, Spec: RewindSpec{Kind: ToEarliest}}, `has no partition 5`, 0},
		{RewindOptions{Group: "fresh", AllTopics: true, Spec: RewindSpec{Kind: ToEarliest}}, `group "fresh" has no committed offsets; name the topics to rewind`, RuleNoCommittedOffsets},
		{RewindOptions{Group: "billing", AllTopics: true, Spec: RewindSpec{Kind: ToGroup, Group: "billing"}}, `is the group being rewound`, RuleOtherGroupIsGroup},
		{RewindOptions{Group: "billing", AllTopics: true, Spec: RewindSpec{Kind: ToGroup}}, `to-group: no group given`, RuleNoOtherGroup},
		{RewindOptions{Group: "", AllTopics: true, Spec: RewindSpec{Kind: ToEarliest}}, `no consumer group given`, RuleNoGroup},
		{RewindOptions{Group: "billing", AllTopics: true, Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, 1}}}}, `names its partitions`, RuleSelectionWithFile},
		{RewindOptions{Group: "billing", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, 1}, {"orders", 0, 2}}}}, `the file names orders/0 twice`, RuleRowTwice},
	}
	for _, tt := range tests {
		_, err := c.PlanRewind(ctxT(t), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want error containing %q", tt.opts, err, tt.want)
		}
		var se *SpecError
		if got := errors.As(err, &se); got != (tt.rule != 0) || got && se.Rule != tt.rule {
			t.Errorf("%+v: got %#v, want a *SpecError of rule %d: %v", tt.opts, err, tt.rule, got)
		}
		if strings.Contains(fmt.Sprint(err), "--") {
			t.Errorf("%+v: %q speaks in flags", tt.opts, err)
		}
	}
}

// TestRewindOptionsValidate is the spec of the rules a rewind's options
// keep without the cluster: each broken rule is a *SpecError naming it,
// worded in stream's terms; the first broken in the order of the rules is
// reported.
func TestRewindOptionsValidate(t *testing.T) {
	orders := []TopicSelection{{Topic: "orders"}}
	rows := []OffsetRow{{"orders", 0, 1}}
	tests := []struct {
		name string
		opts RewindOptions
		rule SpecRule
		msg  string
	}{
		{"no group", RewindOptions{Topics: orders, Spec: RewindSpec{Kind: ToEarliest}}, RuleNoGroup, "no consumer group given"},
		{"no group comes first", RewindOptions{Topics: orders, AllTopics: true, Spec: RewindSpec{Kind: ToOffset, Offset: -1}}, RuleNoGroup, "no consumer group given"},
		{"no spec", RewindOptions{Group: "g", Topics: orders}, RuleNoSpec, "no rewind spec given"},
		{"no spec before the selection", RewindOptions{Group: "g", Topics: orders, AllTopics: true}, RuleNoSpec, "no rewind spec given"},
		{"unknown spec", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: 42}}, RuleNoSpec, "unknown rewind spec 42"},
		{"empty topic", RewindOptions{Group: "g", Topics: []TopicSelection{{Topic: "orders"}, {}}, Spec: RewindSpec{Kind: ToEarliest}}, RuleBadTopic, "topic selection 2: no topic"},
		{"negative partition", RewindOptions{Group: "g", Topics: []TopicSelection{{Topic: "orders", Partitions: []int32{0, -1}}}, Spec: RewindSpec{Kind: ToEarliest}}, RuleBadTopic, `topic "orders": partition -1 is not a partition number`},
		{"topics and all topics", RewindOptions{Group: "g", Topics: orders, AllTopics: true, Spec: RewindSpec{Kind: ToEarliest}}, RuleTopicsAndAllTopics, "select either topics or all topics, not both"},
		{"topics and all topics before the spec", RewindOptions{Group: "g", Topics: orders, AllTopics: true, Spec: RewindSpec{Kind: ToOffset, Offset: -1}}, RuleTopicsAndAllTopics, "select either topics or all topics, not both"},
		{"negative offset", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToOffset, Offset: -1}}, RuleNegativeOffset, "to-offset -1: offsets are 0 or more"},
		{"negative offset before the selection", RewindOptions{Group: "g", Spec: RewindSpec{Kind: ToOffset, Offset: -1}}, RuleNegativeOffset, "to-offset -1: offsets are 0 or more"},
		{"zero duration", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ByDuration}}, RuleNonPositiveDuration, "by-duration 0s: want a positive duration"},
		{"negative duration", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ByDuration, Duration: -time.Hour}}, RuleNonPositiveDuration, "by-duration -1h0m0s: want a positive duration"},
		{"no other group", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToGroup}}, RuleNoOtherGroup, "to-group: no group given"},
		{"other group is the group", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToGroup, Group: "g"}}, RuleOtherGroupIsGroup, `to-group "g": it is the group being rewound`},
		{"other group is the group before the selection", RewindOptions{Group: "g", Spec: RewindSpec{Kind: ToGroup, Group: "g"}}, RuleOtherGroupIsGroup, `to-group "g": it is the group being rewound`},
		{"no rows", RewindOptions{Group: "g", Spec: RewindSpec{Kind: FromFile}}, RuleNoRows, "nothing to rewind: the file has no offsets"},
		{"row without topic", RewindOptions{Group: "g", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, 1}, {"", 0, 1}}}}, RuleBadRow, "row 2 of the file: empty topic"},
		{"row with a negative partition", RewindOptions{Group: "g", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", -1, 1}}}}, RuleBadRow, "row 1 of the file: partition -1 is not a partition number"},
		{"row with an offset below -1", RewindOptions{Group: "g", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, -2}}}}, RuleBadRow, "row 1 of the file: offset -2 is not an offset (or -1 for none)"},
		{"row twice", RewindOptions{Group: "g", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, 1}, {"audit", 0, 1}, {"orders", 0, -1}}}}, RuleRowTwice, "the file names orders/0 twice"},
		{"no selection", RewindOptions{Group: "g", Spec: RewindSpec{Kind: ToEarliest}}, RuleNoSelection, "no partitions selected: name topics, or select all topics"},
		{"file and topics", RewindOptions{Group: "g", Topics: orders, Spec: RewindSpec{Kind: FromFile, Rows: rows}}, RuleSelectionWithFile, "the file names its partitions; do not also select topics"},
		{"file and all topics", RewindOptions{Group: "g", AllTopics: true, Spec: RewindSpec{Kind: FromFile, Rows: rows}}, RuleSelectionWithFile, "the file names its partitions; do not also select topics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SpecError", err)
			}
			if se.Rule != tt.rule || err.Error() != tt.msg {
				t.Errorf("got rule %d %q, want rule %d %q", se.Rule, err, tt.rule, tt.msg)
			}
			if !strings.HasSuffix(tt.msg, se.Reason) || se.Reason == "" {
				t.Errorf("reason %q is not the end of %q", se.Reason, tt.msg)
			}
		})
	}
	for _, ok := range []RewindOptions{
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToEarliest}},
		{Group: "g", AllTopics: true, Spec: RewindSpec{Kind: ToLatest}},
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToOffset}},
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ShiftBy, Offset: -5}},
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToTime}},
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ByDuration, Duration: time.Nanosecond}},
		{Group: "g", Topics: orders, Spec: RewindSpec{Kind: ToGroup, Group: "G"}},
		{Group: "g", Spec: RewindSpec{Kind: FromFile, Rows: []OffsetRow{{"orders", 0, -1}, {"orders", 1, 0}}}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

// TestRewindSpecString names kinds and specs in stream's words: the kind's
// name and its argument, never a flag.
func TestRewindSpecString(t *testing.T) {
	for want, spec := range map[string]RewindSpec{
		"to-earliest":                    {Kind: ToEarliest},
		"to-latest":                      {Kind: ToLatest},
		"to-offset 120":                  {Kind: ToOffset, Offset: 120},
		"shift-by +5":                    {Kind: ShiftBy, Offset: 5},
		"shift-by -100":                  {Kind: ShiftBy, Offset: -100},
		"to-time 2024-05-01T07:00:00.5Z": {Kind: ToTime, Time: time.Date(2024, 5, 1, 9, 0, 0, 5e8, time.FixedZone("CEST", 7200))},
		"by-duration 1h30m0s":            {Kind: ByDuration, Duration: 90 * time.Minute},
		"to-group billing":               {Kind: ToGroup, Group: "billing"},
		"from-file (2 rows)":             {Kind: FromFile, Rows: []OffsetRow{{"a", 0, 1}, {"a", 1, 1}}},
		"no rewind spec":                 {},
		"RewindKind(42)":                 {Kind: 42},
	} {
		if got := spec.String(); got != want {
			t.Errorf("%#v: %q, want %q", spec, got, want)
		}
	}
	for _, k := range []RewindKind{ToEarliest, ToLatest, ToOffset, ShiftBy, ToTime, ByDuration, ToGroup, FromFile} {
		if name := k.String(); strings.HasPrefix(name, "-") || strings.HasPrefix(name, "RewindKind") {
			t.Errorf("kind %d is named %q", int(k), name)
		}
	}
}

// TestPlanRowAfterText is the mark of each row in plan tables.
func TestPlanRowAfterText(t *testing.T) {
	for _, tt := range []struct {
		row  PlanRow
		want string
	}{
		{PlanRow{Before: 3, After: 0}, "0"},
		{PlanRow{Before: 3, After: 3}, "3 ="},
		{PlanRow{Before: -1, After: -1}, "- ="},
		{PlanRow{Before: 3, After: -1}, "-"},
		{PlanRow{Before: 1, After: 2, Clamped: true}, "2 *"},
		{PlanRow{Before: 2, After: 2, Clamped: true}, "2 *"},
		{PlanRow{Before: 1, After: 4, Fallback: true}, "4 ~"},
		{PlanRow{Before: 4, After: 4, Fallback: true}, "4 ~"},
	} {
		if got := tt.row.AfterText(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.row, got, tt.want)
		}
	}
}

func TestExecuteRewindAndUndo(t *testing.T) {
	tc, _ := seedRewind(t)
	c := tc.client()
	before := tc.committed("billing")

	plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing",
		Topics: []TopicSelection{{Topic: "orders"}, {Topic: "audit"}}, Spec: RewindSpec{Kind: ToEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	var undo bytes.Buffer
	res, err := c.ExecuteRewind(ctxT(t), plan, func(p *Plan) error { return WriteOffsetsCSV(&undo, p.undoRows()) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Committed != 3 {
		t.Errorf("committed %d partitions, want 3 (audit/0 had no commit)", res.Committed)
	}
	if got := tc.committed("billing"); got[tp{"orders", 0}] != 0 || got[tp{"orders", 1}] != 0 {
		t.Fatalf("after execute: %v", got)
	}
	if want := "orders,0,7\norders,1,3\naudit,0,-1\n"; undo.String() != want {
		t.Errorf("undo file %q, want %q", undo.String(), want)
	}

	// Undo through --from-file restores the exact previous offsets.
	rows, err := ReadOffsetsCSV(&undo, "undo.csv")
	if err != nil {
		t.Fatal(err)
	}
	plan2, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Spec: RewindSpec{Kind: FromFile, Rows: rows}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteRewind(ctxT(t), plan2, nil); err != nil {
		t.Fatal(err)
	}
	after := tc.committed("billing")
	if len(after) != len(before) || after[tp{"orders", 0}] != before[tp{"orders", 0}] || after[tp{"orders", 1}] != before[tp{"orders", 1}] {
		t.Errorf("undo gave %v, want %v", after, before)
	}
}

func TestExecuteRewindUndoDeletesNewCommits(t *testing.T) {
	tc, _ := seedRewind(t)
	c := tc.client()
	plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "audit"}}, Spec: RewindSpec{Kind: ToOffset, Offset: 0}})
	if err != nil {
		t.Fatal(err)
	}
	// audit/0 is empty: start = end = 0 and there is no commit; committing
	// 0 is a change.
	var undo bytes.Buffer
	if _, err := c.ExecuteRewind(ctxT(t), plan, func(p *Plan) error { return WriteOffsetsCSV(&undo, p.undoRows()) }); err != nil {
		t.Fatal(err)
	}
	if got := tc.committed("billing"); got[tp{"audit", 0}] != 0 || len(got) != 3 {
		t.Fatalf("after execute: %v", got)
	}
	if undo.String() != "audit,0,-1\n" {
		t.Fatalf("undo %q", undo.String())
	}
	rows, err := ReadOffsetsCSV(&undo, "undo.csv")
	if err != nil {
		t.Fatal(err)
	}
	plan2, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Spec: RewindSpec{Kind: FromFile, Rows: rows}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteRewind(ctxT(t), plan2, nil); err != nil {
		t.Fatal(err)
	}
	if got := tc.committed("billing"); len(got) != 2 {
		t.Errorf("undo should delete the audit commit: %v", got)
	}
}

// A plan made before someone else committed is refused: executing it would
// move the group from offsets the plan never showed, and its undo rows would
// restore the wrong ones.
func TestExecuteRewindRefusesStalePlan(t *testing.T) {
	tc, _ := seedRewind(t)
	c := tc.client()
	plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "orders"}}, Spec: RewindSpec{Kind: ToEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	tc.commitGroup("billing", map[string]map[int32]int64{"orders": {1: 5}})
	saved := false
	_, err = c.ExecuteRewind(ctxT(t), plan, func(*Plan) error { saved = true; return nil })
	if !errors.Is(err, ErrPlanStale) {
		t.Fatalf("got %v, want ErrPlanStale", err)
	}
	if want := "orders/1 (planned from 3, now 5)"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
	if saved {
		t.Error("the undo file was written for a refused plan")
	}
	if got := tc.committed("billing"); got[tp{"orders", 0}] != 7 || got[tp{"orders", 1}] != 5 {
		t.Errorf("a refused plan changed offsets: %v", got)
	}

	// A commit appearing where the plan saw none is stale too.
	plan, err = c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "audit"}}, Spec: RewindSpec{Kind: ToLatest}})
	if err != nil {
		t.Fatal(err)
	}
	tc.commitGroup("billing", map[string]map[int32]int64{"audit": {0: 0}})
	plan.Rows[0].After = 0 // still a change from "none"
	if _, err := c.ExecuteRewind(ctxT(t), plan, nil); !errors.Is(err, ErrPlanStale) || !strings.Contains(err.Error(), "planned from none, now 0") {
		t.Errorf("got %v, want ErrPlanStale from none to 0", err)
	}

	// Planned again, it goes through.
	plan, err = c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Topics: []TopicSelection{{Topic: "orders"}}, Spec: RewindSpec{Kind: ToEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteRewind(ctxT(t), plan, nil); err != nil {
		t.Fatal(err)
	}
}

// Deleting commits counts partitions, not topics.
func TestExecuteRewindDeletedCountsPartitions(t *testing.T) {
	tc, _ := seedRewind(t)
	c := tc.client()
	plan, err := c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", Spec: RewindSpec{Kind: FromFile,
		Rows: []OffsetRow{{"orders", 0, -1}, {"orders", 1, -1}}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.ExecuteRewind(ctxT(t), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 2 || res.Committed != 0 {
		t.Errorf("result %+v, want 2 deleted", res)
	}
	if got := tc.committed("billing"); len(got) != 0 {
		t.Errorf("commits left: %v", got)
	}
}

func TestExecuteRewindRefusedWhileActive(t *testing.T) {
	tc, _ := seedRewind(t)
	member := tc.newClient(kgo.ConsumerGroup("billing"), kgo.ConsumeTopics("orders"), kgo.ClientID("billing-svc\x1b]0;pwned\x07"))
	// Poll until the member has joined and the group is Stable.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			member.PollFetches(ctx)
		}
	}()
	c := tc.client()
	deadline := time.Now().Add(15 * time.Second)
	var plan *Plan
	for {
		var err error
		plan, err = c.PlanRewind(ctxT(t), RewindOptions{Group: "billing", AllTopics: true, Spec: RewindSpec{Kind: ToEarliest}})
		if err != nil {
			t.Fatal(err)
		}
		if plan.State == "Stable" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !plan.Active() || len(plan.Members) != 1 {
		t.Fatalf("plan state %q members %v, want an active group with one member", plan.State, plan.Members)
	}
	before := tc.committed("billing")
	undoCalled := false
	_, err := c.ExecuteRewind(ctxT(t), plan, func(*Plan) error { undoCalled = true; return nil })
	// The client id is the member's to choose: it is quoted, never raw.
	if !errors.Is(err, ErrGroupActive) || !strings.Contains(err.Error(), `client "billing-svc\x1b]0;pwned\a"`) || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("got %q, want ErrGroupActive naming the member's client id, quoted", err)
	}
	if undoCalled {
		t.Error("undo file written for a refused rewind")
	}
	after := tc.committed("billing")
	if after[tp{"orders", 0}] != before[tp{"orders", 0}] || after[tp{"orders", 1}] != before[tp{"orders", 1}] {
		t.Errorf("refused rewind changed offsets: %v -> %v", before, after)
	}
}

func TestOffsetsCSV(t *testing.T) {
	rows, err := ReadOffsetsCSV(strings.NewReader("topic,partition,offset\n# comment\norders,0,5\n\norders, 1 ,-1\n"), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1] != (OffsetRow{"orders", 1, -1}) {
		t.Errorf("rows %v", rows)
	}
	for in, want := range map[string]string{
		"orders,0\n":        "p.csv:1: want topic,partition,offset, got 2 field(s)",
		"orders,0,5\na,x,1": `p.csv:2: partition "x" is not a partition number`,
		"a,0,-2":            `p.csv:1: offset "-2" is not an offset`,
		",0,1":              "p.csv:1: empty topic",
		"":                  "p.csv: no offsets",
	} {
		if _, err := ReadOffsetsCSV(strings.NewReader(in), "p.csv"); err == nil || err.Error() != want && !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
