package tui

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
)

// panicLog collects the panics a guarded program recovered.
type panicLog struct {
	mu sync.Mutex
	ps []string
}

func (l *panicLog) add(where string, r any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ps = append(l.ps, fmt.Sprintf("%s: %v\n%s", where, r, debug.Stack()))
}

// take returns the panics logged since the last take.
func (l *panicLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ps := l.ps
	l.ps = nil
	return ps
}

// guarded is probe with every Update and View recovering from a panic
// into a log, so a test can say which size and screen panicked instead of
// losing the program. An inspectReq runs a function inside the program's
// loop (e.g. to size and render a screen directly).
type guarded struct {
	probe
	log *panicLog
}

type inspectReq struct {
	fn   func(*App)
	done chan struct{}
}

func (g guarded) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			g.log.add(fmt.Sprintf("Update(%T)", msg), r)
			m, cmd = g, nil
		}
	}()
	switch r := msg.(type) {
	case viewReq:
		r.ch <- g.View()
		return g, nil
	case inspectReq:
		defer close(r.done)
		r.fn(g.App)
		return g, nil
	}
	pm, cmd := g.probe.Update(msg)
	return guarded{pm.(probe), g.log}, cmd
}

func (g guarded) View() (v string) {
	defer func() {
		if r := recover(); r != nil {
			g.log.add("View", r)
			v = "PANIC"
		}
	}()
	return g.App.View()
}

// startGuarded runs the app under teatest at 120×40 with panics recovered
// into the returned log.
func startGuarded(t *testing.T, app *App) (*teatest.TestModel, *panicLog) {
	t.Helper()
	log := &panicLog{}
	tm := teatest.NewTestModel(t, guarded{probe{app}, log}, teatest.WithInitialTermSize(termW, termH))
	t.Cleanup(func() { _ = tm.Quit() })
	go io.Copy(io.Discard, tm.Output())
	return tm, log
}

// inspect runs fn inside the program's loop and waits for it.
func inspect(t *testing.T, tm *teatest.TestModel, fn func(*App)) {
	t.Helper()
	done := make(chan struct{})
	tm.Send(inspectReq{fn: fn, done: done})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not run an inspection within 5s")
	}
}

// createTopic creates a one-partition topic on the test cluster.
func (e *testEnv) createTopic(name string) {
	e.t.Helper()
	resp, err := kadm.NewClient(e.admin).CreateTopic(ctxT(e.t), 1, 1, nil, name)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// produce writes records synchronously.
func (e *testEnv) produce(rs ...*kgo.Record) {
	e.t.Helper()
	if err := e.producer.ProduceSync(ctxT(e.t), rs...).FirstErr(); err != nil {
		e.t.Fatal(err)
	}
}

// TestTinySizesNeverPanic brings every screen into a state with content —
// Topics; Messages with a record whose key and value could not be decoded
// (split view and full screen); Groups with a group's detail; Rewind with
// a plan; Trace with a flow and an open record; Schemas with a diff; help
// and the palette — and renders each at terminal sizes down to 1×1 and
// 0×0. Nothing may panic or hang, and the app's view never exceeds the
// terminal: no line wider, no more lines (0×0 is an unknown size: the app
// keeps the size it had). Each screen is also sized and rendered directly
// at every size, 0×0 included.
func TestTinySizesNeverPanic(t *testing.T) {
	e := newTestEnv(t, 3)
	e.commit(demo.IdleGroup, demo.TopicPayments, map[int32]int64{0: 0, 1: 1, 2: 1})
	const bad = "undecodable"
	e.createTopic(bad)
	// Confluent framing with a schema id the registry does not know: both
	// payloads are shown raw with a long "not decoded" reason.
	framed := []byte{0, 0, 0, 0x7f, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	e.produce(&kgo.Record{Topic: bad, Key: framed, Value: framed, Timestamp: flowStart,
		Headers: []kgo.RecordHeader{{Key: "ce_correlationid", Value: []byte(e.flows[0].OrderID)}}})

	tm, log := startGuarded(t, e.app(time.Hour))
	press(tm, "3")
	waitView(t, tm, "Lag per partition")
	press(tm, "r")
	waitView(t, tm, "group accounting (Empty)")
	press(tm, "2", "T", "ctrl+u")
	typeText(tm, bad)
	press(tm, "enter")
	waitView(t, tm, "buffer 1/10,000", "not decoded:")
	// Its correlation id is the first flow's order id: the trace holds the
	// flow and the undecodable record.
	press(tm, "t")
	waitView(t, tm, fmt.Sprintf("%d record(s) on 5 topic(s)", len(e.flows[0].Events)+1))
	press(tm, "6", "/")
	typeText(tm, "orders")
	press(tm, "enter", "j", "enter")
	waitView(t, tm, "Changes v2 → v3")
	press(tm, "3")
	waitView(t, tm, "Lag per partition")
	if ps := log.take(); len(ps) > 0 {
		t.Fatalf("panicked at 120×40:\n%s", strings.Join(ps, "\n"))
	}

	sizes := []tea.WindowSizeMsg{{Width: 1, Height: 1}, {Width: 5, Height: 3}, {Width: 12, Height: 5}, {Width: 20, Height: 8},
		{Width: 8, Height: 30}, {Width: 19, Height: 4}, {Width: 0, Height: 0}}
	for _, size := range sizes {
		tm.Send(size)
		// What is drawn for 0×0 is the last known size.
		wantW, wantH := size.Width, size.Height
		if wantW == 0 {
			wantW, wantH = sizes[len(sizes)-2].Width, sizes[len(sizes)-2].Height
		}
		steps := []struct {
			name string
			keys []string
		}{
			{"Topics", []string{"1"}},
			{"Messages", []string{"2"}},
			{"Messages record", []string{"enter"}},
			{"Messages record scrolled", []string{"pgdown", "j"}},
			{"Messages back", []string{"esc"}},
			{"Groups", []string{"3"}},
			{"Rewind", []string{"4"}},
			{"Trace", []string{"5"}},
			{"Trace record", []string{"enter"}},
			{"Trace record scrolled", []string{"j", "j"}},
			{"Trace back", []string{"esc"}},
			{"Schemas", []string{"6"}},
			{"help", []string{"?"}},
			{"help closed", []string{"?"}},
			{"palette", []string{":"}},
			{"palette closed", []string{"esc"}},
		}
		for _, st := range steps {
			press(tm, st.keys...)
			v := view(t, tm)
			if ps := log.take(); len(ps) > 0 {
				t.Fatalf("%s at %d×%d panicked:\n%s", st.name, size.Width, size.Height, strings.Join(ps, "\n"))
			}
			lines := strings.Split(v, "\n")
			if len(lines) > max(wantH, 1) {
				t.Errorf("%s at %d×%d: %d lines", st.name, size.Width, size.Height, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > wantW {
					t.Errorf("%s at %d×%d: a line %d cells wide: %q", st.name, size.Width, size.Height, w, l)
					break
				}
			}
		}
	}

	// Each screen on its own, at every size including 0×0, in the states
	// above and with the records open.
	for _, size := range sizes {
		inspect(t, tm, func(a *App) {
			for _, s := range a.opts.Screens {
				func() {
					defer func() {
						if r := recover(); r != nil {
							log.add(fmt.Sprintf("%s at %d×%d", s.Title(), size.Width, size.Height), r)
						}
					}()
					s.SetSize(size.Width, size.Height)
					_ = s.View()
					switch s := s.(type) {
					case *messagesScreen:
						s.zoom, s.zoomTop = true, 3
						_ = s.View()
						s.zoom = false
					case *traceScreen:
						for _, r := range s.rows {
							s.open, s.openAt = newRow(s.graph.Hits[r.hit].Record), 2
							_ = s.View()
							s.open = nil
						}
					}
				}()
			}
		})
		if ps := log.take(); len(ps) > 0 {
			t.Fatalf("a screen panicked:\n%s", strings.Join(ps, "\n"))
		}
	}
}
