package tui

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/dev/demo"
)

// docPath is the page whose screenshots TestScreenshots keeps.
const docPath = "../docs/tui.md"

// shotSizes are the terminal sizes the screenshots are taken at.
var shotSizes = []struct{ w, h int }{{120, 40}, {80, 24}}

// TestScreenshots takes a text capture of every screen (and the help) at
// 120×40 and 80×24 against the demo data, goldens each
// (testdata/golden/shot_*.txt) and checks that docs/tui.md shows exactly
// those captures where it says <!-- shot NAME -->; -update rewrites both.
func TestScreenshots(t *testing.T) {
	e, _ := groupsEnv(t)
	tm := startProbe(t, e.app(time.Hour))
	shots := map[string]string{}
	for _, sz := range shotSizes {
		tm.Send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		take := func(name string, want ...string) {
			t.Helper()
			v := e.mask(waitView(t, tm, want...))
			id := fmt.Sprintf("%s_%dx%d", name, sz.w, sz.h)
			golden(t, "shot_"+id, v)
			shots[id] = trimLines(v)
		}
		press(tm, "1", "g")
		take("topics", "Topics (4)", "> "+demo.TopicInventory)
		press(tm, ":")
		typeText(tm, "messages "+demo.TopicOrders+" earliest")
		press(tm, "enter")
		waitView(t, tm, "from earliest", "read 6")
		press(tm, "g")
		take("messages", "2@0", "read 6")
		press(tm, "t")
		take("trace", "record(s) on 4 topic(s)", "scanned ")
		press(tm, "3", "g")
		take("groups", "Consumer groups (2)", "> "+demo.IdleGroup, "Members (0)")
		press(tm, "r")
		take("rewind", "group accounting (Empty): --to-earliest, preview", "3 of 3 partition(s) would change")
		press(tm, "6", "g", "j", "j", "j", "enter")
		take("schemas", "Compatibility", "reads v")
		press(tm, "2", "?")
		take("help", "Messages keys")
		press(tm, "esc")
	}

	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- shot ([a-z]+) -->\n.*?<!-- /shot -->")
	seen := 0
	out := re.ReplaceAllStringFunc(string(doc), func(block string) string {
		name := re.FindStringSubmatch(block)[1]
		seen++
		var b strings.Builder
		fmt.Fprintf(&b, "<!-- shot %s -->\n", name)
		for _, sz := range shotSizes {
			id := fmt.Sprintf("%s_%dx%d", name, sz.w, sz.h)
			v, ok := shots[id]
			if !ok {
				t.Errorf("%s asks for a screenshot %q that is not taken", docPath, name)
			}
			fmt.Fprintf(&b, "%d×%d:\n\n```text\n%s```\n\n", sz.w, sz.h, v)
		}
		b.WriteString("<!-- /shot -->")
		return b.String()
	})
	if seen != len(shots)/len(shotSizes) {
		t.Errorf("%s has %d screenshot blocks, want one per screen and the help (%d)", docPath, seen, len(shots)/len(shotSizes))
	}
	if updating() {
		if err := os.WriteFile(docPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out != string(doc) {
		t.Errorf("%s's screenshots differ from the screens (run go test ./tui -run TestScreenshots -update)", docPath)
	}
}

// trimLines drops trailing spaces and trailing empty lines.
func trimLines(v string) string {
	var lines []string
	for _, l := range strings.Split(v, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}
