package tui

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// flowStart is when the first demo flow of the tests is placed; testNow is
// the clock of the stream clients (five minutes later), so relative times
// and trace windows are the same every run.
var (
	flowStart = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	testNow   = flowStart.Add(5 * time.Minute)
)

// testEnv is a kfake cluster holding the demo's topics and flows, a real
// registry with the sample catalogue, and stream Clients over both.
type testEnv struct {
	t        *testing.T
	brokers  string
	kf       *kfake.Cluster
	regURL   string
	src      *sr.Client
	reg      *serde.Registry
	admin    *kgo.Client
	producer *kgo.Client
	main     *stream.Client // topics, groups, rewind, trace
	tail     *stream.Client // the Messages screen's own reader
	gen      *demo.Generator
	flows    []demo.Flow
	undoDir  string
}

// newTestEnv starts the cluster and registry and writes n demo flows
// (seed 42), one per second from flowStart.
func newTestEnv(t *testing.T, n int) *testEnv {
	t.Helper()
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	// A short undo directory, so views that show it are not cut at 120
	// columns before the tests mask it.
	undo, err := os.MkdirTemp("", "undo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(undo) })
	e := &testEnv{t: t, kf: kf, brokers: kf.ListenAddrs()[0], undoDir: undo}
	e.regURL, e.src = sampleRegistry(t)
	e.reg = serde.NewRegistry(e.src)
	e.admin = e.client()
	e.producer = e.client()
	clock := stream.WithClock(func() time.Time { return testNow })
	if e.main, err = stream.New(stream.WithAdmin(e.admin), stream.WithConsumer(e.client()), stream.WithRegistry(e.reg), clock); err != nil {
		t.Fatal(err)
	}
	if e.tail, err = stream.New(stream.WithAdmin(e.admin), stream.WithConsumer(e.client()), stream.WithRegistry(e.reg), clock); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if err := demo.CreateTopics(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	e.gen = demo.NewGenerator(42)
	if n > 0 {
		e.produceFlows(n, flowStart)
	}
	return e
}

func (e *testEnv) client(extra ...kgo.Opt) *kgo.Client {
	e.t.Helper()
	cl, err := kgo.NewClient(stream.ClientOpts([]string{e.brokers}, extra...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return cl
}

// produceFlows writes n more flows, one per second from start.
func (e *testEnv) produceFlows(n int, start time.Time) []demo.Flow {
	e.t.Helper()
	fs, err := demo.NewProducer(e.producer, e.reg).ProduceFlows(ctxT(e.t), e.gen, n, start)
	if err != nil {
		e.t.Fatal(err)
	}
	e.flows = append(e.flows, fs...)
	return fs
}

// commit sets a group's committed offsets (partition → offset) of a topic.
func (e *testEnv) commit(group, topic string, offsets map[int32]int64) {
	e.t.Helper()
	offs := kadm.Offsets{}
	for p, o := range offsets {
		offs.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	resp, err := kadm.NewClient(e.admin).CommitOffsets(ctxT(e.t), group, offs)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// committed returns a group's committed offsets of a topic.
func (e *testEnv) committed(group, topic string) map[int32]int64 {
	e.t.Helper()
	resp, err := kadm.NewClient(e.admin).FetchOffsets(ctxT(e.t), group)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil {
			out[o.Partition] = o.At
		}
	})
	return out
}

// member keeps an active member of group (reading topic, never
// committing) until the test ends, and waits until the group is Stable.
func (e *testEnv) member(group, topic, clientID string) {
	e.t.Helper()
	m := e.client(kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.DisableAutoCommit(), kgo.ClientID(clientID))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			m.PollFetches(ctx)
		}
	}()
	e.t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := e.main.DescribeGroup(ctxT(e.t), group)
		if err == nil && d.State == "Stable" && len(d.Members) == 1 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("group %s did not become Stable: %+v %v", group, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// app builds the full UI over the environment.
func (e *testEnv) app(refresh time.Duration) *App {
	c := plainCommon()
	return Build(Config{
		Ctx: context.Background(), Common: c,
		Topics: e.main, Groups: e.main, Rewinds: e.main, Tracer: e.main, Tail: e.tail,
		Registry: NewRegistrySource(e.src, e.regURL),
		Brokers:  e.brokers, BrokerHealth: func(ctx context.Context) error { return e.admin.Ping(ctx) },
		UndoDir: e.undoDir, Refresh: refresh,
	})
}

// mask replaces what differs between runs (addresses, member ids, the
// elapsed time of a trace, the undo directory) so a view can be goldened.
func (e *testEnv) mask(view string) string {
	view = strings.ReplaceAll(view, e.brokers, "127.0.0.1:9092")
	view = strings.ReplaceAll(view, e.regURL, "http://127.0.0.1:8081")
	view = strings.ReplaceAll(view, e.undoDir, ".edactl/rewinds")
	for _, m := range []struct{ re, with string }{
		{`analytics-svc-[0-9a-f-]{8,}`, "analytics-svc-<member-id>"},
		{`127\.0\.0\.1:\d+`, "127.0.0.1:PORT"},
		{`in \d+(\.\d+)?(ms|s|µs)`, "in Nms"},
	} {
		view = regexp.MustCompile(m.re).ReplaceAllStringFunc(view, func(s string) string {
			// keep the columns aligned
			if len(m.with) < len(s) {
				return m.with + strings.Repeat(" ", len([]rune(s))-len([]rune(m.with)))
			}
			return m.with
		})
	}
	return view
}

// probe wraps the app so tests can read View() from inside the program's
// loop (no data race, and independent of what the renderer chose to
// repaint).
type probe struct{ *App }

type viewReq struct{ ch chan string }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if r, ok := msg.(viewReq); ok {
		r.ch <- p.App.View()
		return p, nil
	}
	m, cmd := p.App.Update(msg)
	return probe{m.(*App)}, cmd
}

// startProbe runs the app under teatest at 120×40.
func startProbe(t *testing.T, app *App) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, probe{app}, teatest.WithInitialTermSize(termW, termH))
	t.Cleanup(func() { _ = tm.Quit() })
	go io.Copy(io.Discard, tm.Output()) // the probe reads views; drop the terminal output
	return tm
}

// view returns the app's current View().
func view(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	ch := make(chan string, 1)
	tm.Send(viewReq{ch})
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not answer a view request within 5s")
		return ""
	}
}

// waitView waits until the view contains every string and returns it.
func waitView(t *testing.T, tm *teatest.TestModel, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var v string
	for {
		v = view(t, tm)
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

// press sends keys: runes, or key names ("enter", "esc", "tab",
// "shift+tab", "up", "down", "left", "right", "space", "backspace").
func press(tm *teatest.TestModel, ks ...string) {
	names := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace,
		"backspace": tea.KeyBackspace, "ctrl+u": tea.KeyCtrlU, "home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown}
	for _, k := range ks {
		if kt, ok := names[k]; ok {
			tm.Send(tea.KeyMsg{Type: kt})
			continue
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
}

// typeText types s one rune at a time.
func typeText(tm *teatest.TestModel, s string) {
	for _, r := range s {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
