package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/edactl/edactl/dev/demo"
)

// TestHelpListsEachScreensKeys presses ? on every screen: the help lists
// the global keys and that screen's own.
func TestHelpListsEachScreensKeys(t *testing.T) {
	e := newTestEnv(t, 1)
	tm := startProbe(t, e.app(time.Hour))
	waitView(t, tm, "broker "+e.brokers+": ok", "registry "+e.regURL+": ok")
	for _, sc := range []struct {
		key, title string
		want       []string
	}{
		{"1", "Topics", []string{"tail the topic in Messages", "filter topics by name"}},
		{"2", "Messages", []string{"CEL filter", "pause/resume reading", "trace the record's trace/correlation id", "start/jump to: earliest, latest, OFFSET, -N, @TIME, @-1h"}},
		{"3", "Groups", []string{"rewind the group (opens Rewind)"}},
		{"4", "Rewind", []string{"preview the plan again", "apply the plan (type the group name to confirm)", "undo the last rewind"}},
		{"5", "Trace", []string{"enter an id to trace", "open the record", "change the window"}},
		{"6", "Schemas", []string{"compare an older 'to' version"}},
	} {
		press(tm, sc.key, "?")
		v := waitView(t, tm, "Global keys", sc.title+" keys")
		for _, w := range append(sc.want, "quit", "command palette", "switch screen") {
			if !strings.Contains(v, w) {
				t.Errorf("%s help lacks %q:\n%s", sc.title, w, v)
			}
		}
		if sc.title == "Messages" {
			golden(t, "help_messages", e.mask(v))
		}
		press(tm, "?")
		waitView(t, tm, "? help  q quit")
	}
}

// TestResizeFitsEveryScreen shrinks the terminal: every screen's view fits
// the new size exactly (no line wider, no more lines).
func TestResizeFitsEveryScreen(t *testing.T) {
	e := newTestEnv(t, 3)
	e.commit(demo.IdleGroup, demo.TopicPayments, map[int32]int64{0: 0, 1: 0, 2: 0})
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T", "ctrl+u")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, "buffer 3/10,000")
	press(tm, "3", "r")
	waitView(t, tm, "group accounting (Empty)")
	press(tm, "2", "t")
	waitView(t, tm, "causation edge(s)")
	for _, size := range []tea.WindowSizeMsg{{Width: 80, Height: 24}, {Width: 60, Height: 15}, {Width: 140, Height: 50}} {
		tm.Send(size)
		for _, k := range []string{"1", "2", "3", "4", "5", "6"} {
			press(tm, k)
			time.Sleep(30 * time.Millisecond)
			v := view(t, tm)
			lines := strings.Split(v, "\n")
			if len(lines) != size.Height {
				t.Errorf("screen %s at %dx%d: %d lines", k, size.Width, size.Height, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > size.Width {
					t.Errorf("screen %s at %dx%d: line %d cells wide: %q", k, size.Width, size.Height, w, l)
					break
				}
			}
		}
	}
}
