package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/dev/demo"
)

// pipeProgram runs the app reading its keys from a pipe, as from a
// terminal: what one Write holds arrives in one read, and bubbletea's own
// parser turns it into key messages.
type pipeProgram struct {
	p    *tea.Program
	in   *io.PipeWriter
	done chan struct{}
}

func startPipe(t *testing.T, app *App) *pipeProgram {
	t.Helper()
	pr, pw := io.Pipe()
	pp := &pipeProgram{in: pw, done: make(chan struct{})}
	pp.p = tea.NewProgram(probe{app}, tea.WithInput(pr), tea.WithOutput(io.Discard), tea.WithoutSignals())
	go func() {
		defer close(pp.done)
		_, _ = pp.p.Run()
	}()
	pp.p.Send(tea.WindowSizeMsg{Width: termW, Height: termH})
	t.Cleanup(func() {
		pp.p.Quit()
		pw.Close()
		<-pp.done
	})
	return pp
}

// write sends s to the program in one Write.
func (pp *pipeProgram) write(t *testing.T, s string) {
	t.Helper()
	if _, err := pp.in.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// waitView waits until the view holds every string.
func (pp *pipeProgram) waitView(t *testing.T, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ch := make(chan string, 1)
		pp.p.Send(viewReq{ch})
		var v string
		select {
		case v = <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("the program did not answer a view request within 5s")
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(v, w)
		}
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("view lacks %q after 15s:\n%s", want, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKeysInOneRead writes several keys at once, as fast typing or a paste
// does: each acts, in order. "jj" moves two rows; "/ord" opens the filter
// and types "ord" in it; "12" switches to screen 1, then 2; "12" typed in
// a form field is 12; a bracketed paste of "jj" on a list moves two rows
// too, and pasted into a filter it is the filter's text.
func TestKeysInOneRead(t *testing.T) {
	e := newTestEnv(t, 6)
	pp := startPipe(t, e.app(time.Hour))
	pp.waitView(t, "Topics (4)", "> "+demo.TopicInventory)
	pp.write(t, "jj")
	v := pp.waitView(t, "> "+demo.TopicPayments)
	if n := len(marked(v)); n != 1 {
		t.Errorf("%d rows marked after jj:\n%s", n, v)
	}
	pp.write(t, "k") // one key still moves one row
	pp.waitView(t, "> "+demo.TopicOrders)

	pp.write(t, "/ord")
	v = pp.waitView(t, "/ord", "> "+demo.TopicOrders)
	if strings.Contains(v, demo.TopicInventory) || strings.Contains(v, demo.TopicPayments) {
		t.Errorf("the filter /ord does not filter the topics:\n%s", v)
	}
	pp.write(t, "\x1b") // esc leaves the filter
	pp.write(t, "12")
	v = pp.waitView(t, "[2 Messages]")

	// In a text field, "12" is 12.
	pp.write(t, "4e")
	pp.waitView(t, "[4 Rewind]", "tab next field")
	pp.write(t, demo.IdleGroup)
	pp.write(t, "\t\t\x1b[C\x1b[C\t") // tab, tab, → → (to-earliest → to-offset), tab
	pp.write(t, "12")
	pp.waitView(t, "> value   12")

	// A bracketed paste acts as the keys it holds on a list…
	pp.write(t, "\x1b")
	pp.write(t, "1")
	pp.waitView(t, "[1 Topics]")
	pp.write(t, "\x1b[A\x1b[A\x1b[A") // up to the first row
	pp.waitView(t, "> "+demo.TopicInventory)
	pp.write(t, "\x1b[200~jj\x1b[201~")
	pp.waitView(t, "> "+demo.TopicPayments)
	// …and, pasted after a /, fills the filter.
	pp.write(t, "/")
	pp.write(t, "\x1b[200~ship\x1b[201~")
	v = pp.waitView(t, "/ship", "> "+demo.TopicShipping)
	if strings.Contains(v, demo.TopicOrders) {
		t.Errorf("the pasted filter does not filter the topics:\n%s", v)
	}
}
