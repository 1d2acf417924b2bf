package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

func TestSchemasScreenDiffAndVerdict(t *testing.T) {
	url, cl := sampleRegistry(t)
	c := plainCommon()
	app := newApp(appOptions{
		Common:         c,
		Screens:        []screen{newSchemasScreen(context.Background(), c, NewRegistrySource(cl, url))},
		Brokers:        "(none)",
		RegistryURL:    url,
		RegistryHealth: NewRegistrySource(cl, url).Ping,
		BrokerHealth:   func(context.Context) error { return errors.New("no broker in this test") },
	})
	tm := startApp(t, app)
	waitFor(t, tm, "Subjects (9)", "inventory.queries-value")

	// Filter to the order events, open orders.placed-value: the newest two
	// versions are compared by default.
	keys(tm, "/", "o", "r", "d", "e", "r", "s", "enter", "j", "enter")
	waitFor(t, tm, "orders.placed-value", "Changes v2 → v3", "BACKWARD")

	// Compare v1 with v3 instead.
	keys(tm, "[")
	waitFor(t, tm, "Changes v1 → v3")
	view := finalView(t, tm)
	for _, want := range []string{"level BACKWARD", "[from:1]", "[to:3]", "BACKWARD v3 reads v1: compatible", "registry " + url + ": ok"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	golden(t, "schemas", strings.ReplaceAll(view, url, "http://registry"))
}

func TestSchemasScreenRecoversWhenTheRegistryReturns(t *testing.T) {
	src := &flakySource{down: true}
	c := plainCommon()
	app := newApp(appOptions{Common: c, Screens: []screen{newSchemasScreen(context.Background(), c, src)}, RegistryURL: "http://flaky"})
	tm := startApp(t, app)
	waitFor(t, tm, "Registry unreachable", "connection refused")
	src.setDown(false)
	waitFor(t, tm, "Subjects (1)", "only-value")
	_ = finalView(t, tm)
}

// TestSchemasNeverSelfCompareAndFollowTheCursor: moving 'to' back as far
// as it goes stops at v2 against v1, never a version against itself; once
// a subject is open the detail follows the list's cursor; g/G move to the
// first and last subject; esc clears an applied filter.
func TestSchemasNeverSelfCompareAndFollowTheCursor(t *testing.T) {
	url, cl := sampleRegistry(t)
	c := plainCommon()
	app := newApp(appOptions{Common: c, Screens: []screen{newSchemasScreen(context.Background(), c, NewRegistrySource(cl, url))}})
	tm := startProbe(t, app)
	waitView(t, tm, "Subjects (9)")
	press(tm, "/")
	typeText(tm, "orders.placed")
	press(tm, "enter", "enter")
	waitView(t, tm, "Changes v2 → v3")
	press(tm, "h", "h", "h", "h")
	v := waitView(t, tm, "Changes v1 → v2", "[from:1]", "[to:2]")
	for _, self := range []string{"v1 → v1", "v2 → v2", "v3 → v3"} {
		if strings.Contains(v, self) {
			t.Errorf("a version is compared with itself (%s):\n%s", self, v)
		}
	}
	press(tm, "esc")
	waitView(t, tm, "Subjects (9)")
	press(tm, "G")
	waitView(t, tm, "> shipping.dispatched-value", "│ shipping.dispatched-value")
	press(tm, "g")
	waitView(t, tm, "> inventory.queries-value", "│ inventory.queries-value")
}

// TestSchemasPaneFocusScrollAndText: tab focuses the detail pane, whose
// movement keys then scroll it (with "above" and "more" markers); v shows
// the 'to' version's schema text, wrapped to the pane.
func TestSchemasPaneFocusScrollAndText(t *testing.T) {
	url, cl := sampleRegistry(t)
	c := plainCommon()
	app := newApp(appOptions{Common: c, Screens: []screen{newSchemasScreen(context.Background(), c, NewRegistrySource(cl, url))}})
	tm := startProbe(t, app)
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 16})
	waitView(t, tm, "Subjects (9)")
	press(tm, "/")
	typeText(tm, "orders.placed")
	press(tm, "enter", "enter")
	waitView(t, tm, "Changes v2 → v3")
	press(tm, "v")
	v := waitView(t, tm, "Schema v3", `"name": "OrderPlaced"`, "more line(s)")
	for _, l := range strings.Split(v, "\n") {
		if lipgloss.Width(l) > 80 {
			t.Errorf("a line is wider than the terminal: %q", l)
		}
	}
	press(tm, "tab", "j", "j", "j")
	v = waitView(t, tm, "[pane focused", "… 3 line(s) above")
	if !strings.Contains(v, "> orders.placed-value") {
		t.Errorf("scrolling the pane moved the subject list:\n%s", v)
	}
	press(tm, "G")
	v = waitView(t, tm, "[pane focused", "line(s) above")
	if strings.Contains(v, "more line(s)") {
		t.Errorf("G did not scroll the pane to its end:\n%s", v)
	}
	press(tm, "tab", "v")
	waitView(t, tm, "Changes v2 → v3")
}
