package tui

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/stream"
)

// groupsEnv is the demo with its two groups: accounting committed offsets
// of payments.captured and stopped (Empty, lagging); analytics committed
// some of orders.placed and has an active member.
func groupsEnv(t *testing.T) (*testEnv, map[int32]int64) {
	e := newTestEnv(t, 6)
	accounting := map[int32]int64{0: 1, 1: 1, 2: 2}
	e.commit(demo.IdleGroup, demo.TopicPayments, accounting)
	e.commit(demo.LaggingGroup, demo.TopicOrders, map[int32]int64{0: 1, 1: 1, 2: 0})
	e.member(demo.LaggingGroup, demo.TopicOrders, "analytics-svc")
	return e, accounting
}

// TestGroupsAndRewind is the Groups and Rewind flow: the group list with
// lag per partition; r opens Rewind with a before/after preview from the
// stream planner; x is refused while a group is active; on an Empty group x
// asks for the group name, applies the plan and shows the undo file; u
// previews the undo and x applies it, restoring the offsets.
func TestGroupsAndRewind(t *testing.T) {
	e, before := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "3")
	waitView(t, tm, "Consumer groups (2)", "accounting", "analytics", "Stable", "Members (0)", "Lag per partition")

	// The active group: the preview is shown, applying is refused.
	press(tm, "j")
	v := waitView(t, tm, "Members (1)", "analytics-svc", demo.TopicOrders+":0,1,2", "total lag 4")
	golden(t, "groups", e.mask(v))
	press(tm, "r")
	v = waitView(t, tm, "4 Rewind", "group analytics (Stable): --to-earliest, preview", "applying is refused until they stop")
	press(tm, "x")
	v = waitView(t, tm, "refused: consumer group analytics is Stable with 1 member(s): analytics-svc (host")
	if strings.Contains(v, "type the group name") {
		t.Errorf("an active group was offered the confirmation:\n%s", v)
	}
	if got := e.committed(demo.LaggingGroup, demo.TopicOrders); got[0] != 1 || got[1] != 1 || got[2] != 0 {
		t.Fatalf("refused rewind changed the offsets: %v", got)
	}

	// The Empty group: preview, confirm with the group name, apply.
	press(tm, "3", "k")
	waitView(t, tm, "Members (0)")
	press(tm, "r")
	v = waitView(t, tm, "group accounting (Empty): --to-earliest, preview", "3 of 3 partition(s) would change")
	golden(t, "rewind_preview", e.mask(v))
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, "accountin") // a typo is not a confirmation
	press(tm, "enter")
	waitView(t, tm, `not applied: "accountin" is not the group name`)
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, before) {
		t.Fatalf("unconfirmed rewind changed the offsets: %v", got)
	}
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	v = waitView(t, tm, "Rewound 3 partition(s) of group accounting (committed 3, deleted 0)", "undo file: "+e.undoDir, "press u to undo")
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 0, 1: 0, 2: 0}) {
		t.Fatalf("after the rewind the offsets are %v, want all 0", got)
	}
	files, _ := filepath.Glob(filepath.Join(e.undoDir, "accounting-*.csv"))
	if len(files) != 1 {
		t.Fatalf("undo files %v, want one", files)
	}
	undo, _ := os.ReadFile(files[0])
	if string(undo) != "payments.captured,0,1\npayments.captured,1,1\npayments.captured,2,2\n" {
		t.Errorf("undo file:\n%s", undo)
	}
	if !strings.Contains(v, files[0]) {
		t.Errorf("the view does not name the undo file %s:\n%s", files[0], v)
	}
	golden(t, "rewind_done", e.mask(v))

	// Undo: preview the undo file's offsets, confirm, apply.
	press(tm, "u")
	waitView(t, tm, "group accounting (Empty): undo preview of "+e.undoDir, "3 of 3 partition(s) would change")
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	waitView(t, tm, "Rewound 3 partition(s) of group accounting")
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, before) {
		t.Fatalf("after the undo the offsets are %v, want %v", got, before)
	}
}

// TestRewindFormSpecs edits the form: a shift by -1 on one partition, and a
// bad value is reported without planning.
func TestRewindFormSpecs(t *testing.T) {
	e := newTestEnv(t, 6)
	e.commit(demo.IdleGroup, demo.TopicPayments, map[int32]int64{0: 1, 1: 3, 2: 2})
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "4", "e")
	typeText(tm, demo.IdleGroup)
	press(tm, "tab")
	typeText(tm, demo.TopicPayments+":1")
	press(tm, "tab", "right", "right", "right", "tab") // to-earliest → to-latest → to-offset → shift-by
	typeText(tm, "x")
	press(tm, "enter")
	waitView(t, tm, `--shift-by "x": `)
	press(tm, "e", "tab", "tab", "tab", "backspace")
	typeText(tm, "-1")
	press(tm, "enter")
	v := waitView(t, tm, "group accounting (Empty): --shift-by -1, preview", "1 of 1 partition(s) would change")
	if !strings.Contains(v, "payments.captured  1          3       2") {
		t.Errorf("want partition 1 moved from 3 to 2:\n%s", v)
	}
}

// TestRewindStalePlanIsRefused commits for the group while the confirmation
// is being typed: applying is refused (nothing changes, no undo file) and
// the preview is planned again from the new offsets, which x then applies.
func TestRewindStalePlanIsRefused(t *testing.T) {
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "3")
	waitView(t, tm, "Consumer groups (2)", "accounting", "Members (0)")
	press(tm, "r")
	waitView(t, tm, "group accounting (Empty): --to-earliest, preview", "3 of 3 partition(s) would change")
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	moved := map[int32]int64{0: 2, 1: 1, 2: 2}
	e.commit(demo.IdleGroup, demo.TopicPayments, map[int32]int64{0: 2})
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	waitView(t, tm, "refused: rewind plan is stale", "payments.captured/0 (planned from", "1, now 2)", "the preview shows the new plan")
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, moved) {
		t.Fatalf("a stale plan changed the offsets: %v", got)
	}
	if files, _ := filepath.Glob(filepath.Join(e.undoDir, "*.csv")); len(files) != 0 {
		t.Errorf("a refused rewind wrote undo files %v", files)
	}
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	waitView(t, tm, "Rewound 3 partition(s) of group accounting")
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 0, 1: 0, 2: 0}) {
		t.Fatalf("after the rewind the offsets are %v, want all 0", got)
	}
	files, _ := filepath.Glob(filepath.Join(e.undoDir, "accounting-*.csv"))
	if len(files) != 1 {
		t.Fatalf("undo files %v, want one", files)
	}
	if undo, _ := os.ReadFile(files[0]); string(undo) != "payments.captured,0,2\npayments.captured,1,1\npayments.captured,2,2\n" {
		t.Errorf("the undo file restores the plan's old offsets:\n%s", undo)
	}
}

// TestRewindUnprintableGroupName opens Rewind from Groups on a group whose
// name differs from another group's only by a trailing carriage return:
// the preview names it quoted, typing the other group's name does not
// confirm, typing the name as shown does, and only that group's offsets
// change.
func TestRewindUnprintableGroupName(t *testing.T) {
	for _, odd := range []string{"billing\r", "bill\x1bing"} {
		t.Run(strconv.Quote(odd), func(t *testing.T) {
			e := newTestEnv(t, 6)
			plain := map[int32]int64{0: 1, 1: 1, 2: 2}
			oddBefore := map[int32]int64{0: 1, 1: 3, 2: 2}
			e.commit("billing", demo.TopicPayments, plain)
			e.commit(odd, demo.TopicPayments, oddBefore)
			shown := strconv.Quote(odd)
			tm := startProbe(t, e.app(time.Hour))
			press(tm, "3")
			waitView(t, tm, "Consumer groups (2)")
			selectGroup(t, tm, groupText(odd))
			press(tm, "r")
			v := waitView(t, tm, "group "+shown+" (Empty): --to-earliest, preview", "3 of 3 partition(s) would change")
			if !strings.Contains(v, "  group   "+shown+"\n") {
				t.Errorf("the group field does not show %s:\n%s", shown, v)
			}
			if !strings.Contains(v, "payments.captured  1          3       0") {
				t.Errorf("the preview is not of the odd group's offsets:\n%s", v)
			}
			for _, c := range rawControls {
				if strings.Contains(v, c) {
					t.Errorf("the view shows a raw %q:\n%s", c, strconv.Quote(v))
				}
			}

			// The other group's name is not a confirmation.
			press(tm, "x")
			waitView(t, tm, "type the group name as shown, with its quotes, to apply:")
			typeText(tm, "billing")
			press(tm, "enter")
			waitView(t, tm, `not applied: "billing" is not the group name`)
			if got := e.committed("billing", demo.TopicPayments); !maps.Equal(got, plain) {
				t.Fatalf("group billing was rewound: %v", got)
			}
			if got := e.committed(odd, demo.TopicPayments); !maps.Equal(got, oddBefore) {
				t.Fatalf("an unconfirmed rewind changed %s: %v", shown, got)
			}

			// Moving through the form without typing in the group field
			// keeps the exact name.
			press(tm, "e", "tab", "enter")
			waitView(t, tm, "group "+shown+" (Empty): --to-earliest, preview", "payments.captured  1          3       0")

			// The name as shown is a confirmation.
			press(tm, "x")
			waitView(t, tm, "type the group name as shown, with its quotes, to apply:")
			typeText(tm, shown)
			press(tm, "enter")
			v = waitView(t, tm, "Rewound 3 partition(s) of group "+shown+" (committed 3, deleted 0)")
			if got := e.committed(odd, demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 0, 1: 0, 2: 0}) {
				t.Fatalf("after the rewind %s is at %v, want all 0", shown, got)
			}
			if got := e.committed("billing", demo.TopicPayments); !maps.Equal(got, plain) {
				t.Fatalf("rewinding %s changed group billing: %v", shown, got)
			}
			// The shell command names the group in $'…', which a shell
			// turns back into the exact bytes.
			if want := "  edactl rewind $'" + shown[1:len(shown)-1] + "' --from-file "; !strings.Contains(v, want) {
				t.Errorf("the undo command lacks %q:\n%s", want, v)
			}

			// Undo applies to the same group.
			press(tm, "u")
			waitView(t, tm, "group "+shown+" (Empty): undo preview of ")
			press(tm, "x")
			waitView(t, tm, "type the group name as shown, with its quotes, to apply:")
			typeText(tm, shown)
			press(tm, "enter")
			waitView(t, tm, "Rewound 3 partition(s) of group "+shown)
			if got := e.committed(odd, demo.TopicPayments); !maps.Equal(got, oddBefore) {
				t.Fatalf("after the undo %s is at %v, want %v", shown, got, oddBefore)
			}
			if got := e.committed("billing", demo.TopicPayments); !maps.Equal(got, plain) {
				t.Fatalf("undoing %s changed group billing: %v", shown, got)
			}
		})
	}
}

// TestRewindBidiGroupNameNeverRaw keeps a right-to-left override in a group
// name off the terminal: opened from Groups, in the group field while it is
// edited, and when it is typed into the field by hand — whose text, exactly,
// is then the group planned and rewound.
func TestRewindBidiGroupNameNeverRaw(t *testing.T) {
	const group = "bill\u202eing"
	const shown = `"bill\u202eing"`
	e := newTestEnv(t, 6)
	e.commit(group, demo.TopicPayments, map[int32]int64{0: 1, 1: 1, 2: 2})
	e.commit("billing", demo.TopicPayments, map[int32]int64{0: 1, 1: 1, 2: 2})
	tm := startProbe(t, e.app(time.Hour))
	check := func(what, v string) {
		t.Helper()
		if strings.Contains(v, "\u202e") {
			t.Errorf("%s shows a raw U+202E:\n%s", what, strconv.Quote(v))
		}
	}
	press(tm, "3")
	waitView(t, tm, "Consumer groups (2)")
	selectGroup(t, tm, `"bill\u202eing"`)
	press(tm, "r")
	v := waitView(t, tm, "(Empty): --to-earliest, preview")
	check("the preview", v)
	if !strings.Contains(v, "group "+shown+" (Empty)") {
		t.Errorf("the preview does not name the group %s:\n%s", shown, strconv.Quote(v))
	}
	press(tm, "e")
	v = waitView(t, tm, "tab next field")
	check("the group field being edited", v)
	if !strings.Contains(v, "> group   "+shown) {
		t.Errorf("the group field being edited does not show %s:\n%s", shown, strconv.Quote(v))
	}
	press(tm, "esc")

	// By hand: clear the field, type the name with the override in it.
	press(tm, "e", "ctrl+u")
	typeText(tm, group)
	v = waitView(t, tm, "tab next field", "bill")
	check("the group field holding a typed U+202E", v)
	if !strings.Contains(v, `> group   bill\u202eing`) {
		t.Errorf("the group field does not show the typed override escaped:\n%s", strconv.Quote(v))
	}
	press(tm, "enter")
	check("the preview of the typed name", waitView(t, tm, "group "+shown+" (Empty): --to-earliest, preview", "3 of 3 partition(s) would change"))
	press(tm, "x")
	waitView(t, tm, "type the group name as shown, with its quotes, to apply:")
	typeText(tm, "\u202e")
	check("the confirmation holding a typed U+202E", waitView(t, tm, `apply: \u202e`))
	press(tm, "ctrl+u")
	typeText(tm, shown)
	press(tm, "enter")
	check("the result", waitView(t, tm, "Rewound 3 partition(s) of group "+shown))
	if got := e.committed(group, demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 0, 1: 0, 2: 0}) {
		t.Fatalf("after the rewind %s is at %v, want all 0", shown, got)
	}
	if got := e.committed("billing", demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 1, 1: 1, 2: 2}) {
		t.Fatalf("group billing changed: %v", got)
	}
}

// TestGroupText checks that group names are shown so that no two look
// alike and every one can be typed back.
func TestGroupText(t *testing.T) {
	for name, want := range map[string]string{
		"billing":       "billing",
		"bill ing":      "bill ing",
		"héllo-世界":      "héllo-世界",
		"billing\r":     `"billing\r"`,
		"bill\x1bing":   `"bill\x1bing"`,
		"bill\u202eing": `"bill\u202eing"`,
		"bill\xffing":   `"bill\xffing"`,
		`"billing\r"`:   `"\"billing\\r\""`, // printable, but it reads as the quoted form of billing\r
		"billing ":      `"billing "`,
		" billing":      `" billing"`,
		"":              `""`,
		"bill\ufffding": `"bill\ufffding"`,
	} {
		if got := groupText(name); got != want {
			t.Errorf("groupText(%q) = %s, want %s", name, got, want)
		}
		if u, err := strconv.Unquote(groupText(name)); strings.HasPrefix(groupText(name), `"`) && (err != nil || u != name) {
			t.Errorf("groupText(%q) = %s does not unquote to the name", name, groupText(name))
		}
	}
}

// selectGroup moves the Groups screen's cursor down until the detail of the
// group listed as name is shown.
func selectGroup(t *testing.T, tm *teatest.TestModel, name string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := view(t, tm)
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, name+"  ") && strings.Contains(l, "coordinator") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the detail of group %s is never shown:\n%s", name, v)
		}
		press(tm, "j")
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRewindFormRefusals is every rule of a rewind the form can break:
// each is refused in the form, with the form's words, before anything is
// planned. The rules are stream's (RewindOptions.Validate).
func TestRewindFormRefusals(t *testing.T) {
	kind := func(k stream.RewindKind) int {
		for i, s := range specKinds {
			if s.kind == k {
				return i
			}
		}
		t.Fatalf("the spec field has no %v", k)
		return 0
	}
	for _, c := range []struct {
		name, group string
		kind        stream.RewindKind
		value, want string
	}{
		{"no group", "", stream.ToEarliest, "", "give a consumer group (e to edit, or r on a group in Groups)"},
		{"no group, with a spec that breaks a rule too", " ", stream.ToOffset, "-1", "give a consumer group (e to edit, or r on a group in Groups)"},
		{"negative offset", "accounting", stream.ToOffset, "-1", `--to-offset "-1": offsets are 0 or more`},
		{"zero duration", "accounting", stream.ByDuration, "0s", `--by-duration "0s": want a positive duration`},
		{"negative duration", "accounting", stream.ByDuration, "-1h", `--by-duration "-1h": want a positive duration`},
		{"no group to copy", "accounting", stream.ToGroup, "", "--to-group needs a value: another group whose offsets are copied"},
		{"only spaces for the group to copy", "accounting", stream.ToGroup, "   ", "--to-group needs a value: another group whose offsets are copied"},
		{"copy of the group itself", "accounting", stream.ToGroup, "accounting", `--to-group "accounting": it is the group being rewound`},
		{"copy of the group itself, spaces around", " accounting ", stream.ToGroup, " accounting", `--to-group "accounting": it is the group being rewound`},
		{"a value that is not a number", "accounting", stream.ToOffset, "x", `--to-offset "x": want an offset, a whole number such as 120`},
		{"a shift that is not a number", "accounting", stream.ShiftBy, "1.5", `--shift-by "1.5": want a whole number of records, such as -100 or +20`},
		{"a time in no format", "accounting", stream.ToTime, "yesterday", `--to-time "yesterday": want a date and time such as 2024-05-01T09:00:00Z or 2024-05-01 11:00+02:00`},
		{"a time without its zone", "accounting", stream.ToTime, "2024-05-01 09:00:00", `--to-time "2024-05-01 09:00:00": give the time zone too: Z for UTC or an offset such as +02:00, e.g. 2024-05-01T09:00:00Z`},
		{"a duration in no format", "accounting", stream.ByDuration, "an hour", `--by-duration "an hour": want a duration such as 90m, 1h30m or 2h`},
		{"no value", "accounting", stream.ToTime, "", "--to-time needs a value: RFC 3339 time, e.g. 2024-05-01T09:00:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newRewindScreen(context.Background(), plainCommon(), nil, t.TempDir())
			s.group.SetValue(c.group)
			s.kind = kind(c.kind)
			s.value.SetValue(c.value)
			if cmd := s.planForm(false); cmd != nil {
				t.Errorf("the form was planned")
			}
			if s.formErr != c.want {
				t.Errorf("form error %q, want %q", s.formErr, c.want)
			}
		})
	}
	for _, ok := range []struct {
		kind  stream.RewindKind
		value string
	}{{stream.ToOffset, "0"}, {stream.ByDuration, "1ns"}, {stream.ToGroup, "analytics"}, {stream.ShiftBy, "-1"},
		{stream.ToTime, "2024-05-01T09:00:00Z"}, {stream.ToTime, "2024-05-01 11:00+02:00"}, {stream.ToTime, "2024-05-01T09:00:00.5Z"}} {
		s := newRewindScreen(context.Background(), plainCommon(), nil, t.TempDir())
		s.group.SetValue("accounting")
		s.kind = kind(ok.kind)
		s.value.SetValue(ok.value)
		if cmd := s.planForm(false); cmd == nil || s.formErr != "" {
			t.Errorf("%s %q was refused: %s", ok.kind, ok.value, s.formErr)
		}
	}
}

// TestRewindFormRefusesCopyOfItself fills in the form to copy the offsets
// of the group being rewound: the form refuses it with the form's words
// and nothing is planned.
func TestRewindFormRefusesCopyOfItself(t *testing.T) {
	e, before := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "4", "e")
	typeText(tm, demo.IdleGroup)
	press(tm, "tab", "tab", "right", "right", "right", "right", "right", "right", "tab") // to-earliest → … → to-group
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	waitView(t, tm, `--to-group "accounting": it is the group being rewound`)
	time.Sleep(200 * time.Millisecond) // a plan, had one been asked for, would be shown by now
	v := view(t, tm)
	for _, planned := range []string{"Cannot plan", "Planning…", "would change"} {
		if strings.Contains(v, planned) {
			t.Errorf("the refused form was planned (%q):\n%s", planned, v)
		}
	}
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, before) {
		t.Fatalf("a refused rewind changed the offsets: %v", got)
	}
}

// TestRewindGroupWithoutCommits plans every partition of a group that has
// committed none: the planner refuses, and the screen says so as edactl
// rewind does.
func TestRewindGroupWithoutCommits(t *testing.T) {
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "4", "e")
	typeText(tm, "fresh")
	press(tm, "enter")
	waitView(t, tm, `Cannot plan: group "fresh" has no committed offsets; select topics with --topic`)
}

// TestRewindAppliedThenChangedForm is the truth of the Rewind screen after
// an apply: the plan executed is shown as it was executed (its before
// offsets are the old ones), x does not apply it again, a new preview does
// not look applied, and x on a form changed since its preview plans the
// new form instead of applying the old plan; a form with an error is
// refused. Switching the spec clears the value.
func TestRewindAppliedThenChangedForm(t *testing.T) {
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "3")
	waitView(t, tm, "Consumer groups (2)", "accounting", "Members (0)")
	press(tm, "r")
	waitView(t, tm, "group accounting (Empty): --to-earliest, preview", "3 of 3 partition(s) would change")
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	v := waitView(t, tm, "group accounting (Empty): --to-earliest, applied", "Rewound 3 partition(s) of group accounting")
	for _, row := range []string{"payments.captured  0          1       0", "payments.captured  1          1       0", "payments.captured  2          2       0"} {
		if !strings.Contains(v, row) {
			t.Errorf("the applied plan lacks its row %q (the offsets it moved from):\n%s", row, v)
		}
	}
	zero := map[int32]int64{0: 0, 1: 0, 2: 0}
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, zero) {
		t.Fatalf("after the rewind the offsets are %v, want all 0", got)
	}

	// x on the applied plan does not apply it again.
	press(tm, "x")
	v = waitView(t, tm, "not applied again: the plan shown was applied")
	if strings.Contains(v, "type the group name to apply:") {
		t.Errorf("the applied plan was offered for confirmation again:\n%s", v)
	}

	// A new preview does not look applied.
	press(tm, "e", "tab", "tab", "right", "enter") // to-earliest → to-latest
	v = waitView(t, tm, "group accounting (Empty): --to-latest, preview", "3 of 3 partition(s) would change")
	for _, applied := range []string{"applied", "Rewound", "press u to undo", "after the rewind"} {
		if strings.Contains(v, applied) {
			t.Errorf("a new preview reads as applied (%q):\n%s", applied, v)
		}
	}

	// The form changes after its preview (to-offset 1, not previewed):
	// x plans the new form and does not apply the to-latest plan.
	press(tm, "e", "tab", "tab", "right", "tab")
	typeText(tm, "1")
	press(tm, "esc")
	waitView(t, tm, "  spec    --to-offset", "  value   1")
	press(tm, "x")
	v = waitView(t, tm, "not applied: the form changed since the preview", "group accounting (Empty): --to-offset 1, preview")
	if strings.Contains(v, "type the group name to apply:") {
		t.Errorf("a plan of another form was offered for confirmation:\n%s", v)
	}
	time.Sleep(300 * time.Millisecond) // an apply, had one started, would be done by now
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, zero) {
		t.Fatalf("x on a changed form applied the old plan: offsets %v", got)
	}

	// Switching the spec clears the value; a form with an error is refused.
	press(tm, "e", "tab", "tab", "right")
	waitView(t, tm, "  value   -")
	press(tm, "tab")
	typeText(tm, "zz")
	press(tm, "esc", "x")
	v = waitView(t, tm, "not applied: the form changed since the preview and has an error", `--shift-by "zz": want a whole number of records`)
	if strings.Contains(v, "type the group name to apply:") {
		t.Errorf("a form with an error was offered for confirmation:\n%s", v)
	}

	// The form as previewed is what x applies.
	press(tm, "e", "tab", "tab", "left", "tab")
	typeText(tm, "1")
	press(tm, "enter")
	waitView(t, tm, "group accounting (Empty): --to-offset 1, preview")
	press(tm, "x")
	waitView(t, tm, "type the group name to apply:")
	typeText(tm, demo.IdleGroup)
	press(tm, "enter")
	waitView(t, tm, "group accounting (Empty): --to-offset 1, applied", "Rewound 3 partition(s) of group accounting")
	if got := e.committed(demo.IdleGroup, demo.TopicPayments); !maps.Equal(got, map[int32]int64{0: 1, 1: 1, 2: 1}) {
		t.Fatalf("after --to-offset 1 the offsets are %v, want all 1", got)
	}
}
