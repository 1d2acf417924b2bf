package tui

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/dev/demo"
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
	waitView(t, tm, "refused: rewind plan is stale", "payments.captured/0 (planned from 1", "the preview shows the new plan")
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
