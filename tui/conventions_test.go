package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/dev/demo"
)

// TestConventions is what k9s users expect: g/G and home/end on lists,
// esc clearing an applied filter, ':' with arguments and tab completion
// whose errors clear themselves, a help overlay that scrolls, and the
// current screen's name in the header at any width.
func TestConventions(t *testing.T) {
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	waitView(t, tm, "Topics (4)", "> "+demo.TopicInventory)

	// G/g and end/home.
	press(tm, "G")
	waitView(t, tm, "> "+demo.TopicShipping)
	press(tm, "g")
	waitView(t, tm, "> "+demo.TopicInventory)
	press(tm, "end")
	waitView(t, tm, "> "+demo.TopicShipping)
	press(tm, "home")
	waitView(t, tm, "> "+demo.TopicInventory)

	// esc clears an applied filter.
	press(tm, "/")
	typeText(tm, "pay")
	press(tm, "enter")
	v := waitView(t, tm, "Topics (1)", "/pay")
	press(tm, "esc")
	v = waitView(t, tm, "Topics (4)")
	if strings.Contains(v, "/pay") {
		t.Errorf("esc did not clear the filter:\n%s", v)
	}

	// ':' with an argument, completed with tab.
	press(tm, ":")
	typeText(tm, "mes")
	press(tm, "tab")
	waitView(t, tm, ":messages ")
	typeText(tm, "pay")
	press(tm, "tab")
	waitView(t, tm, ":messages "+demo.TopicPayments+" ")
	press(tm, "enter")
	waitView(t, tm, "[2 Messages]", demo.TopicPayments+"  from -100", "buffer 6/10,000")

	// :group NAME selects the group.
	press(tm, ":")
	typeText(tm, "group "+demo.LaggingGroup)
	press(tm, "enter")
	waitView(t, tm, "[3 Groups]", "> "+demo.LaggingGroup, "Members (1)")

	// An error says what the palette takes, and clears itself.
	press(tm, ":")
	typeText(tm, "nosuch")
	press(tm, "enter")
	waitView(t, tm, `no screen or command "nosuch": messages TOPIC [FROM]`)
	deadline := time.Now().Add(8 * time.Second)
	for strings.Contains(view(t, tm), `no screen or command`) {
		if time.Now().After(deadline) {
			t.Fatal("the palette's error did not clear itself")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The help scrolls when it does not fit.
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 12})
	press(tm, "2", "?")
	v = waitView(t, tm, "Global keys", "… lines 1-")
	press(tm, "G")
	v = waitView(t, tm, "c          clear the buffer")
	if strings.Contains(v, "Global keys") {
		t.Errorf("the help did not scroll:\n%s", v)
	}
	press(tm, "esc")

	// The screen's name at any width.
	for _, w := range []int{60, 30, 12} {
		tm.Send(tea.WindowSizeMsg{Width: w, Height: 12})
		v = waitView(t, tm, "2 Messages")
		if !strings.Contains(strings.Split(v, "\n")[0], "2 Messages") {
			t.Errorf("at %d columns the header lacks the screen's name: %q", w, strings.Split(v, "\n")[0])
		}
	}
}
