package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

// traceRequestMsg asks the Trace screen to trace an id.
type traceRequestMsg struct {
	ID string
	// Around, when set, is the time of a record carrying the id: the
	// window then starts that long before it (instead of before now), so
	// a flow of yesterday is found with a window of an hour.
	Around time.Time
}

// traceKeys are the Trace screen's own keys.
type traceKeys struct {
	ID, Open, Window, Rerun, Back key.Binding
}

func defaultTraceKeys() traceKeys {
	return traceKeys{
		ID:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "enter an id to trace (trace-id, correlation or order id)")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the record (esc back)")),
		Window: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "change the window (how far back to look)")),
		Rerun:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "trace again (refresh)")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel a running trace / close the record")),
	}
}

// traceWindows are the windows w cycles through.
var traceWindows = []time.Duration{15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// traceScreen finds every record of one flow across topics and shows them
// as a timeline, indented by causation.
type traceScreen struct {
	c    *Common
	src  Tracer
	ctx  context.Context
	keys traceKeys

	width, height int
	input         textinput.Model
	editing       bool
	window        int // index into traceWindows

	id       string
	around   time.Time // see TraceRequestMsg.Around
	gen      int
	cancel   context.CancelFunc
	running  bool
	progress *traceProgress
	graph    *stream.Graph
	err      error

	rows   []traceRow
	cursor int
	top    int
	open   *row
	openAt int
}

type traceRow struct {
	hit    int    // index into graph.Hits
	prefix string // tree drawing
	also   []int  // other causes of the hit
}

type traceProgress struct {
	mu sync.Mutex
	p  stream.TraceProgress
}

func (t *traceProgress) set(p stream.TraceProgress) { t.mu.Lock(); t.p = p; t.mu.Unlock() }
func (t *traceProgress) get() stream.TraceProgress {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.p
}

// newTraceScreen builds the Trace screen.
func newTraceScreen(ctx context.Context, c *Common, src Tracer) *traceScreen {
	ti := textinput.New()
	ti.Prompt = "trace id: "
	ti.Placeholder = "a traceparent trace-id, a correlation id or an order id"
	ti.Width = 60
	return &traceScreen{c: c, src: src, ctx: ctx, keys: defaultTraceKeys(), input: ti, window: 1}
}

// Title implements Screen.
func (s *traceScreen) Title() string { return "Trace" }

// Keys implements Screen.
func (s *traceScreen) Keys() []key.Binding {
	k := s.keys
	return append(listKeys(), k.ID, k.Open, k.Window, k.Rerun, k.Back)
}

// Capturing implements Screen.
func (s *traceScreen) Capturing() bool { return s.editing }

// SetSize implements Screen.
func (s *traceScreen) SetSize(w, h int) { s.width, s.height = w, h }

// Init implements Screen.
func (s *traceScreen) Init() tea.Cmd { return nil }

type traceDoneMsg struct {
	gen   int
	graph *stream.Graph
	err   error
}

type traceTickMsg struct{ gen int }

func (s *traceScreen) run(id string) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	s.id, s.graph, s.err, s.rows, s.cursor, s.top, s.open = id, nil, nil, nil, 0, 0, nil
	s.running = true
	s.progress = &traceProgress{}
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel = cancel
	gen, prog := s.gen, s.progress
	opts := stream.TraceOptions{ID: id, Since: traceWindows[s.window], Progress: prog.set}
	if !s.around.IsZero() {
		opts.From = s.around.Add(-traceWindows[s.window])
	}
	do := func() tea.Msg {
		g, err := s.src.Trace(ctx, opts)
		return traceDoneMsg{gen: gen, graph: g, err: err}
	}
	return tea.Batch(do, s.tick(gen))
}

func (s *traceScreen) tick(gen int) tea.Cmd {
	return tea.Tick(100*time.Millisecond, func(time.Time) tea.Msg { return traceTickMsg{gen} })
}

// Update implements Screen.
func (s *traceScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case traceRequestMsg:
		s.editing = false
		s.input.Blur()
		// The id is shown in the input only when it is printable: the
		// input would otherwise drop or show its control characters.
		s.input.SetValue("")
		if termtext.Printable(m.ID) {
			s.input.SetValue(m.ID)
		}
		s.around = m.Around
		return s, s.run(m.ID)
	case traceTickMsg:
		if m.gen == s.gen && s.running {
			return s, s.tick(m.gen)
		}
		return s, nil
	case traceDoneMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.running = false
		s.cancel()
		s.graph, s.err = m.graph, m.err
		if m.graph != nil {
			s.rows = traceTree(m.graph)
		}
		return s, nil
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

func (s *traceScreen) key(m tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.editing {
		switch m.Type {
		case tea.KeyEsc:
			s.editing = false
			s.input.Blur()
			return nil
		case tea.KeyEnter:
			s.editing = false
			s.input.Blur()
			if id := strings.TrimSpace(s.input.Value()); id != "" {
				s.around = time.Time{}
				return s.run(id)
			}
			return nil
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(m)
		return cmd
	}
	if s.open != nil {
		switch m.String() {
		case "esc", "enter":
			s.open = nil
		case "up", "k":
			s.openAt = max(s.openAt-1, 0)
		case "down", "j":
			s.openAt++
		}
		return nil
	}
	switch {
	case key.Matches(m, k.ID):
		s.editing = true
		s.input.CursorEnd()
		return s.input.Focus()
	case key.Matches(m, k.Back):
		if s.running {
			s.cancel()
		}
	case key.Matches(m, k.Window):
		s.window = (s.window + 1) % len(traceWindows)
		if s.id != "" {
			return s.run(s.id)
		}
	case key.Matches(m, k.Rerun):
		if s.id != "" {
			return s.run(s.id)
		}
	case key.Matches(m, k.Open):
		if s.cursor < len(s.rows) {
			s.open, s.openAt = newRow(s.graph.Hits[s.rows[s.cursor].hit].Record), 0
		}
	default:
		s.cursor = moveCursor(m, s.cursor, len(s.rows), max(s.height-6, 1))
	}
	return nil
}

// traceTree orders the hits as a tree: each hit under the earliest hit
// that caused it, roots and siblings in time order (the graph's order).
func traceTree(g *stream.Graph) []traceRow {
	parents := map[int][]int{}
	children := map[int][]int{}
	for _, e := range g.Edges {
		parents[e.To] = append(parents[e.To], e.From)
	}
	for to, ps := range parents {
		sort.Ints(ps)
		children[ps[0]] = append(children[ps[0]], to)
	}
	for _, cs := range children {
		sort.Ints(cs)
	}
	var out []traceRow
	placed := map[int]bool{}
	var walk func(i int, indent string, last, root bool)
	walk = func(i int, indent string, last, root bool) {
		if placed[i] {
			return
		}
		placed[i] = true
		prefix, next := "", ""
		if !root {
			prefix, next = indent+"├─ ", indent+"│  "
			if last {
				prefix, next = indent+"└─ ", indent+"   "
			}
		}
		r := traceRow{hit: i, prefix: prefix}
		if ps := parents[i]; len(ps) > 1 {
			r.also = ps[1:]
		}
		out = append(out, r)
		cs := children[i]
		for j, c := range cs {
			walk(c, next, j == len(cs)-1, false)
		}
	}
	for i := range g.Hits {
		if len(parents[i]) == 0 {
			walk(i, "", true, true)
		}
	}
	for i := range g.Hits { // cycles: nothing left unshown
		walk(i, "", true, true)
	}
	return out
}

// View implements Screen.
func (s *traceScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	if s.editing || s.id == "" {
		b.WriteString(inputView(s.input) + "\n")
	} else {
		b.WriteString(st.Dim.Render(truncate(fmt.Sprintf("/ new id · w window (%s) · enter open record · ctrl+r again", s.windowText()), s.width)) + "\n")
	}
	switch {
	case s.id == "":
		b.WriteString("\nEnter an id to trace, or press t on a record in Messages.\n")
		b.WriteString(st.Dim.Render(fmt.Sprintf("A record matches when the id is the trace-id of its traceparent header or the value of a\ncorrelation header (%s).",
			strings.Join(stream.CorrelationHeaders, ", "))) + "\n")
		return b.String()
	case s.running:
		p := s.progress.get()
		fmt.Fprintf(&b, "\ntracing %s (%s): %d/%d partitions, %s/%s records (%s), %d hit(s)…\n",
			termtext.Quote(s.id), s.windowText(), p.Done, p.Partitions, commas(p.Scanned), commas(p.Total), percentOf(p.Scanned, p.Total), p.Hits)
		return b.String()
	case s.err != nil:
		b.WriteString("\n" + st.Error.Render("Trace failed") + "\n\n" + textBlock(s.err.Error()) + "\n\n" + st.Dim.Render("Press r to try again.") + "\n")
		return b.String()
	}
	if s.open != nil {
		lines := recordDetail(st, s.open, s.width)
		rows := max(s.height-1, 1)
		s.openAt = max(0, min(s.openAt, len(lines)-rows))
		b.WriteString(strings.Join(lines[s.openAt:min(len(lines), s.openAt+rows)], "\n"))
		return b.String()
	}
	g := s.graph
	topics := map[string]bool{}
	for _, h := range g.Hits {
		topics[h.Record.Topic] = true
	}
	b.WriteString(st.Header.Render(truncate(fmt.Sprintf("trace %s: %d record(s) on %d topic(s), %d causation edge(s)",
		termtext.Quote(g.ID), len(g.Hits), len(topics), len(g.Edges)), s.width)) + "\n")
	b.WriteString(st.Dim.Render(truncate(fmt.Sprintf("window %s .. %s · scanned %s record(s) in %s",
		g.From.Format(time.RFC3339), g.Until.Format(time.RFC3339), commas(g.Scanned), g.Elapsed.Round(time.Millisecond)), s.width)) + "\n")
	if len(g.Hits) == 0 {
		b.WriteString("\nNo record in the window carries this id. Press w to look further back.\n")
		return b.String()
	}
	t0 := g.Hits[0].Record.Timestamp
	t := table{headers: []string{"#", "TIME", "+T", "FLOW (indented by causation)", "EVENT TYPE", "EVENT ID", "VALUE"}}
	for _, r := range s.rows {
		h := g.Hits[r.hit]
		rec := h.Record
		flow := r.prefix + h.NodeName()
		for _, a := range r.also {
			flow += fmt.Sprintf(" (+#%d)", a)
		}
		id := headerText(h.EventID)
		if i := cutRunes(h.EventID, 8); i < len(h.EventID) {
			id = headerText(h.EventID[:i]) + "…"
		}
		typ := ""
		for _, hd := range rec.Headers {
			if strings.EqualFold(hd.Key, "ce_type") {
				v := string(hd.Value)
				if i := strings.LastIndexByte(v, '.'); i >= 0 {
					v = v[i+1:]
				}
				typ = headerText(v)
			}
		}
		t.rows = append(t.rows, []string{fmt.Sprint(r.hit), rec.Timestamp.UTC().Format("15:04:05.000"),
			"+" + shortDuration(rec.Timestamp.Sub(t0)), flow, orDash(typ), orDash(id), oneLine(rec.Value.Text())})
	}
	rows := max(s.height-4, 1)
	s.top = scrollTop(s.cursor, s.top, rows, len(t.rows))
	b.WriteString("\n" + t.render(st, s.width, s.cursor, s.top, rows))
	return b.String()
}

// cutRunes returns the byte length of the first n characters of s (an
// invalid byte counts as one).
func cutRunes(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// windowText describes the window: "1h", or "from 1h before the record".
func (s *traceScreen) windowText() string {
	w := shortDuration(traceWindows[s.window])
	if !s.around.IsZero() {
		return "from " + w + " before the record"
	}
	return "the last " + w
}

// shortDuration formats d compactly: 350ms, 2.15s, 15m, 1h, 7d.
func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", d.Seconds()), "0"), ".") + "s"
}

func percentOf(n, total int64) string {
	if total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}
