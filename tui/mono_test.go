package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/edactl/edactl/dev/demo"
)

// marked returns the body lines (between the tab line and the two last
// lines) that carry the selection marker "> " of Mono styles.
func marked(v string) []string {
	lines := strings.Split(v, "\n")
	var out []string
	for _, l := range lines[1:max(len(lines)-2, 1)] {
		if strings.HasPrefix(l, "> ") || strings.Contains(l, "│ > ") {
			out = append(out, l)
		}
	}
	return out
}

// TestNoColorSelectionVisible runs the UI with the styles NO_COLOR and
// --no-color give (no colour, no attribute reaches the terminal): on every
// list — Topics, Messages, Groups, Trace, Schemas — the selected row is
// marked with "> " and moves with the cursor, the current tab is between
// brackets, and the Rewind spec field shows the chosen spec between
// brackets. The views carry no ANSI sequence at all.
func TestNoColorSelectionVisible(t *testing.T) {
	if st := newStyles(io.Discard, false); !st.Mono {
		t.Fatal("the no-colour styles are not Mono")
	}
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	check := func(what string, v string, want string) {
		t.Helper()
		if strings.Contains(v, "\x1b") || ansi.Strip(v) != v {
			t.Errorf("%s: the no-colour view holds ANSI sequences: %q", what, v)
		}
		m := marked(v)
		if len(m) != 1 || !strings.Contains(m[0], want) {
			t.Errorf("%s: want one line marked \"> \" holding %q, got %q:\n%s", what, want, m, v)
		}
	}
	wait := func(what, want string, also ...string) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			v := waitView(t, tm, also...)
			m := marked(v)
			if len(m) == 1 && strings.Contains(m[0], want) {
				check(what, v, want)
				return v
			}
			if time.Now().After(deadline) {
				check(what, v, want)
				t.FailNow()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Topics (sorted by name): the first row, then the second.
	v := wait("Topics", demo.TopicInventory, "Topics (4)")
	if !strings.Contains(strings.Split(v, "\n")[0], "[1 Topics]") {
		t.Errorf("the current tab is not marked: %q", strings.Split(v, "\n")[0])
	}
	press(tm, "j")
	wait("Topics after j", demo.TopicOrders)

	// Messages: tail orders.placed; moving up pins a row, which is marked.
	press(tm, "enter")
	v = wait("Messages", "", "buffer 6/10,000")
	press(tm, "k")
	v = wait("Messages after k", "@", "buffer 6/10,000")
	if !strings.Contains(strings.Split(v, "\n")[0], "[2 Messages]") {
		t.Errorf("the current tab is not marked: %q", strings.Split(v, "\n")[0])
	}

	// Groups.
	press(tm, "3")
	wait("Groups", demo.IdleGroup, "Consumer groups (2)")
	press(tm, "j")
	wait("Groups after j", demo.LaggingGroup, "Members (1)")

	// Trace: from a record in Messages.
	press(tm, "2", "t")
	wait("Trace", demo.TopicOrders+"/", "causation edge(s)")
	press(tm, "j")
	wait("Trace after j", demo.TopicPayments+"/", "causation edge(s)")

	// Schemas.
	press(tm, "6")
	v = wait("Schemas", "", "Subjects (")
	first := marked(v)[0]
	press(tm, "j")
	v = wait("Schemas after j", "", "Subjects (")
	if marked(v)[0] == first {
		t.Errorf("Schemas: j did not move the marker:\n%s", v)
	}

	// Rewind: the chosen spec.
	press(tm, "4", "e", "tab", "tab")
	v = waitView(t, tm, "[to-earliest]")
	press(tm, "right")
	v = waitView(t, tm, "[to-latest]")
	if strings.Contains(v, "[to-earliest]") {
		t.Errorf("two specs are marked chosen:\n%s", v)
	}
}
