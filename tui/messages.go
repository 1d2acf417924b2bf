package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/edactl/edactl/stream"
)

// messagesKeys are the Messages screen's own keys.
type messagesKeys struct {
	Follow, Zoom, Filter, From, Topic, Pause, Trace, Clear key.Binding
}

func defaultMessagesKeys() messagesKeys {
	return messagesKeys{
		Follow: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "follow the newest record")),
		Zoom:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show the record full screen (esc back)")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "CEL filter, e.g. value.totalCents > 5000 (empty clears)")),
		From: key.NewBinding(key.WithKeys("f"), key.WithHelp("f",
			"start/jump to: earliest, latest, OFFSET, -N, @TIME, @-1h, P:POS,…")),
		Topic: key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "tail another topic")),
		Pause: key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause/resume reading")),
		Trace: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "trace the record's trace/correlation id")),
		Clear: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear the buffer")),
	}
}

// MessagesOptions configure the Messages screen.
type MessagesOptions struct {
	// Buffer is how many records are kept (default 10,000); older ones
	// are dropped and counted.
	Buffer int
	// From is where a tail starts, in the consume grammar (default "-100":
	// the last 100 records of each partition, then follow).
	From string
	// Batch is how often records read are handed to the screen (default
	// 50ms).
	Batch time.Duration
	// Retry is how long to wait before a failed read is resumed (default 2s).
	Retry time.Duration
}

// input modes of the Messages screen
const (
	inputNone = iota
	inputFilter
	inputFrom
	inputTopic
)

// messagesScreen tails a topic: records decoded through the registry, a
// CEL filter, a start position in the consume grammar, batched delivery, a
// bounded buffer with a drop counter, and pause.
type messagesScreen struct {
	c    *Common
	src  Reader
	ctx  context.Context
	keys messagesKeys
	opts MessagesOptions

	width, height int

	topic      string
	from       stream.Bound
	fromText   string
	filter     *stream.Filter
	filterText string

	gen     int
	cancel  context.CancelFunc
	tail    *tail
	running bool
	paused  bool
	err     error
	retryAt time.Time
	note    string // one-line message (e.g. "no trace id in this record")

	buf     *ring
	dropped int64
	cursor  int64 // seq of the selected row
	follow  bool
	pinLast int64 // the newest seq when the view stopped following
	// held is the selected record after the buffer dropped it: the
	// detail pane keeps showing it (and says so) until another is chosen.
	held *row
	// staged are back-filled rows held until the back-fill is read (or a
	// buffer's worth, or a second, has come), then merged by time.
	staged     []*row
	stageUntil time.Time
	brokerErr  error // the app's last broker health check
	inputFresh bool  // the prompt holds its pre-filled value, untouched
	top        int64
	zoom       bool
	zoomTop    int
	input      textinput.Model
	inputMode  int
	inputErr   string
}

// newMessagesScreen builds the Messages screen over src, which must be a
// reader of its own (see Reader).
func newMessagesScreen(ctx context.Context, c *Common, src Reader, opts MessagesOptions) *messagesScreen {
	if opts.Buffer <= 0 {
		opts.Buffer = 10_000
	}
	if opts.From == "" {
		opts.From = "-100"
	}
	if opts.Batch <= 0 {
		opts.Batch = 50 * time.Millisecond
	}
	if opts.Retry <= 0 {
		opts.Retry = 2 * time.Second
	}
	ti := textinput.New()
	return &messagesScreen{c: c, src: src, ctx: ctx, keys: defaultMessagesKeys(), opts: opts,
		buf: newRing(opts.Buffer), follow: true, input: ti}
}

// Title implements Screen.
func (s *messagesScreen) Title() string { return "Messages" }

// Keys implements Screen.
func (s *messagesScreen) Keys() []key.Binding {
	k := s.keys
	return append(listKeys(), k.Follow, k.Zoom, k.Filter, k.From, k.Pause, k.Trace, k.Topic, k.Clear)
}

// Capturing implements Screen.
func (s *messagesScreen) Capturing() bool { return s.inputMode != inputNone }

// SetSize implements Screen.
func (s *messagesScreen) SetSize(w, h int) { s.width, s.height = w, h }

// Init implements Screen.
func (s *messagesScreen) Init() tea.Cmd { return nil }

type tailTickMsg struct{ gen int }

type tailDoneMsg struct {
	gen int
	err error
}

type tailRetryMsg struct{ gen int }

// open starts tailing topic from the position text.
func (s *messagesScreen) open(topic, from string) tea.Cmd {
	if from == "" {
		from = s.opts.From
	}
	b, err := stream.ParseBound(from)
	if err != nil {
		s.note = "from " + from + ": " + err.Error()
		return nil
	}
	s.topic, s.from, s.fromText = topic, b, from
	return s.restart(true)
}

// restart (re)starts the read with the current settings; clear empties the
// buffer first. Without clear, the read resumes after the last record of
// each partition read so far.
func (s *messagesScreen) restart(clear bool) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	s.err, s.note = nil, ""
	from := s.from
	if clear {
		s.buf.reset()
		s.dropped = 0
		s.follow, s.zoom, s.paused = true, false, false
	} else if s.tail != nil {
		if _, next := s.tail.stats(); len(next) > 0 {
			from = stream.Bound{Default: s.from.Default, Partitions: map[int32]stream.Position{}}
			for p, pos := range s.from.Partitions {
				from.Partitions[p] = pos
			}
			for p, o := range next {
				from.Partitions[p] = stream.Position{Kind: stream.AtOffset, Offset: o}
			}
		}
	}
	if s.topic == "" {
		s.running = false
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancel = cancel
	prev := s.tail
	s.tail = newTail(s.opts.Buffer)
	s.staged, s.stageUntil = nil, time.Now().Add(time.Second)
	if prev != nil && !clear {
		// Carry the resume points over, for the next failure.
		_, s.tail.next = prev.stats()
	}
	s.tail.setPaused(s.paused)
	s.running = true
	gen, t := s.gen, s.tail
	// The tail applies the filter, to count what it fails on as it goes.
	// It copies what it shows of a record into a row of its own
	// (newRow), so the read may reuse the record's memory (Transient).
	opts := stream.ConsumeOptions{ReadSpec: stream.ReadSpec{Topics: []string{s.topic}, From: from, Follow: true}, OnStart: t.started, Transient: true}
	filter := s.filter
	read := func() tea.Msg {
		_, err := s.src.Consume(ctx, opts, t.deliver(ctx, filter))
		return tailDoneMsg{gen: gen, err: err}
	}
	return tea.Batch(read, s.tick(gen))
}

func (s *messagesScreen) tick(gen int) tea.Cmd {
	return tea.Tick(s.opts.Batch, func(time.Time) tea.Msg { return tailTickMsg{gen} })
}

// Update implements Screen.
func (s *messagesScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case openTopicMsg:
		return s, s.open(m.Topic, m.From)
	case tailTickMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.drain()
		if s.running {
			return s, s.tick(m.gen)
		}
		return s, nil
	case tailDoneMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.drain()
		s.running = false
		if m.err == nil || errors.Is(m.err, context.Canceled) && s.ctx.Err() != nil {
			return s, nil
		}
		s.err = m.err
		s.retryAt = time.Now().Add(s.opts.Retry)
		gen := m.gen
		return s, tea.Tick(s.opts.Retry, func(time.Time) tea.Msg { return tailRetryMsg{gen} })
	case tailRetryMsg:
		if m.gen != s.gen {
			return s, nil
		}
		return s, s.restart(false)
	case healthMsg:
		s.brokerErr = m.broker
		return s, nil
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

// drain moves the pending rows of the read into the buffer. Rows of the
// back-fill (what the log held when the read started, read partition by
// partition) are staged until it is all read, then merged by time.
func (s *messagesScreen) drain() {
	if s.tail == nil {
		return
	}
	rows := s.tail.take()
	if s.tail.backfilling() && time.Now().Before(s.stageUntil) && len(s.staged)+len(rows) < len(s.buf.buf) {
		s.staged = append(s.staged, rows...)
		return
	}
	if s.staged != nil {
		rows = append(s.staged, rows...)
		s.staged = nil
	}
	rows = mergeByTime(rows)
	if len(rows) == 0 {
		return
	}
	sel := s.buf.at(s.cursor)
	s.dropped += s.buf.push(rows)
	switch {
	case s.follow:
		s.cursor = max(s.buf.last(), s.buf.first)
	case s.cursor < s.buf.first:
		// The selected record was dropped: the detail pane keeps it, and
		// the list's cursor waits on the oldest kept.
		if s.held == nil {
			s.held = sel
		}
		s.cursor = s.buf.first
	}
}

// mergeByTime orders rows, which arrive partition by partition, by time
// across partitions, keeping each partition in offset order: a merge of
// the partitions' runs by their timestamps (ties: lower partition first).
func mergeByTime(rows []*row) []*row {
	if len(rows) < 2 {
		return rows
	}
	var parts []int32
	runs := map[int32][]*row{}
	for _, r := range rows {
		if _, ok := runs[r.partition]; !ok {
			parts = append(parts, r.partition)
		}
		runs[r.partition] = append(runs[r.partition], r)
	}
	if len(parts) == 1 {
		return rows
	}
	slices.Sort(parts)
	out := make([]*row, 0, len(rows))
	for len(out) < len(rows) {
		best := int32(-1)
		for _, p := range parts {
			run := runs[p]
			if len(run) == 0 {
				continue
			}
			if best < 0 || run[0].ts.Before(runs[best][0].ts) {
				best = p
			}
		}
		out = append(out, runs[best][0])
		runs[best] = runs[best][1:]
	}
	return out
}

// selected is the record of the detail pane.
func (s *messagesScreen) selected() *row {
	if s.held != nil {
		return s.held
	}
	return s.buf.at(s.cursor)
}

func (s *messagesScreen) key(m tea.KeyMsg) tea.Cmd {
	if s.inputMode != inputNone {
		return s.inputKey(m)
	}
	k := s.keys
	s.note = ""
	if s.zoom {
		switch {
		case m.Type == tea.KeyEsc || key.Matches(m, k.Zoom):
			s.zoom = false
		case m.String() == "up" || m.String() == "k":
			s.zoomTop = max(s.zoomTop-1, 0)
		case m.String() == "down" || m.String() == "j":
			s.zoomTop++
		case m.String() == "pgup":
			s.zoomTop = max(s.zoomTop-s.height/2, 0)
		case m.String() == "pgdown":
			s.zoomTop += s.height / 2
		case key.Matches(m, k.Trace):
			return s.trace()
		case key.Matches(m, k.Pause):
			s.togglePause()
		}
		return nil
	}
	switch {
	case m.Type == tea.KeyEsc && s.filterText != "":
		// esc clears an applied filter: read again without it.
		s.filter, s.filterText = nil, ""
		return s.restart(true)
	case key.Matches(m, k.Follow):
		s.follow, s.held = true, nil
		s.cursor = max(s.buf.last(), s.buf.first)
	case key.Matches(m, k.Zoom):
		if s.selected() != nil {
			s.zoom, s.zoomTop = true, 0
		}
	case key.Matches(m, k.Filter):
		return s.ask(inputFilter, "filter (CEL): ", s.filterText)
	case key.Matches(m, k.From):
		cmd := s.ask(inputFrom, "from: ", s.fromText)
		s.inputFresh = true
		return cmd
	case key.Matches(m, k.Topic):
		cmd := s.ask(inputTopic, "topic: ", s.topic)
		s.inputFresh = true
		return cmd
	case key.Matches(m, k.Pause):
		s.togglePause()
	case key.Matches(m, k.Trace):
		return s.trace()
	case key.Matches(m, k.Clear):
		s.buf.reset()
		s.follow, s.held = true, nil
		s.cursor = s.buf.first
	default:
		if s.buf.n == 0 || !isMoveKey(m) {
			return nil
		}
		i := int(s.cursor - s.buf.first)
		if s.held != nil {
			i = -1 // from the dropped record: down selects the oldest kept
		}
		i = moveCursor(m, i, s.buf.n, max(s.listHeight()-1, 1))
		s.cursor, s.held = s.buf.first+int64(i), nil
		wasFollowing := s.follow
		s.follow = s.cursor == s.buf.last()
		if wasFollowing && !s.follow {
			s.pinLast = s.buf.last()
		}
	}
	return nil
}

func (s *messagesScreen) togglePause() {
	s.paused = !s.paused
	if s.tail != nil {
		s.tail.setPaused(s.paused)
	}
}

func (s *messagesScreen) trace() tea.Cmd {
	r := s.selected()
	if r == nil {
		return nil
	}
	id, _ := stream.TraceIDOf(r.headers)
	if id == "" {
		s.note = "this record has no traceparent or correlation header to trace"
		return nil
	}
	return switchTo("Trace", traceRequestMsg{ID: id, Around: r.ts})
}

// ask opens the prompt pre-filled with value; for f and T (inputFresh),
// what is typed first replaces it rather than being added to it, as in a
// field whose text is selected.
func (s *messagesScreen) ask(mode int, prompt, value string) tea.Cmd {
	s.inputMode, s.inputErr, s.inputFresh = mode, "", false
	s.input.Prompt = prompt
	s.input.SetValue(value)
	s.input.CursorEnd()
	return s.input.Focus()
}

func (s *messagesScreen) inputKey(m tea.KeyMsg) tea.Cmd {
	switch m.Type {
	case tea.KeyEsc:
		s.inputMode = inputNone
		s.input.Blur()
		return nil
	case tea.KeyEnter:
		v := strings.TrimSpace(s.input.Value())
		switch s.inputMode {
		case inputFilter:
			var f *stream.Filter
			if v != "" {
				var err error
				if f, err = stream.NewFilter(nil, nil, v); err != nil {
					s.inputErr = err.Error()
					return nil
				}
			}
			s.filter, s.filterText = f, v
		case inputFrom:
			if v == "" {
				v = s.opts.From
			}
			b, err := stream.ParseBound(v)
			if err != nil {
				s.inputErr = err.Error()
				return nil
			}
			s.from, s.fromText = b, v
		case inputTopic:
			if v == "" {
				s.inputErr = "give a topic name"
				return nil
			}
			s.topic = v
			if s.fromText == "" {
				// The first topic of this screen: start where a tail
				// starts by default, and say so on the status line.
				if b, err := stream.ParseBound(s.opts.From); err == nil {
					s.from, s.fromText = b, s.opts.From
				}
			}
		}
		s.inputMode = inputNone
		s.input.Blur()
		return s.restart(true)
	}
	if s.inputFresh && (m.Type == tea.KeyRunes || m.Type == tea.KeySpace) {
		s.input.SetValue("")
	}
	s.inputFresh = false
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(m)
	return cmd
}

// listHeight is the height of the record list (with its header): two
// fifths of the screen, less while fewer records are buffered, so the
// selected record's detail gets the rest.
func (s *messagesScreen) listHeight() int {
	return max(min((s.height-3)*2/5, s.buf.n+1), 3)
}

// View implements Screen.
func (s *messagesScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(s.statusView() + "\n")
	switch {
	case s.inputMode != inputNone:
		b.WriteString(inputView(s.input) + "\n")
		if s.inputErr != "" {
			b.WriteString(st.Error.Render(truncate(textBlock(s.inputErr), s.width)) + "\n")
		}
	case s.note != "":
		b.WriteString(st.Error.Render(truncate(oneLine(s.note), s.width)) + "\n")
	case s.filterFailed():
		_, errs, first := s.filterCounts()
		b.WriteString(st.Error.Render(truncate(oneLine(fmt.Sprintf("the filter failed on %s record(s), not shown; first: %s", commas(errs), first)), s.width)) + "\n")
	case s.err != nil:
		b.WriteString(st.Error.Render(truncate("read failed: "+firstLine(s.err.Error()), s.width-30)) +
			st.Dim.Render(fmt.Sprintf("  retrying in %s", max(time.Until(s.retryAt), 0).Round(time.Second))) + "\n")
	case s.filterText != "":
		b.WriteString(truncate("filter "+st.Key.Render(oneLine(s.filterText))+st.Dim.Render("  (/ edits · esc clears)"), s.width) + "\n")
	default:
		b.WriteString(st.Dim.Render(truncate("/ filter · f from/jump · space pause · enter zoom · t trace · ? help", s.width)) + "\n")
	}
	if s.topic == "" {
		b.WriteString("\nNo topic yet: press enter on a topic in Topics (1), or T to type one.\n")
		return b.String()
	}
	if s.zoom {
		if r := s.selected(); r != nil {
			lines := recordDetail(st, r, s.width)
			rows := max(s.height-3, 1)
			s.zoomTop = max(0, min(s.zoomTop, len(lines)-rows))
			b.WriteString(strings.Join(lines[s.zoomTop:min(len(lines), s.zoomTop+rows)], "\n"))
			return b.String()
		}
		s.zoom = false
	}
	listH := s.listHeight()
	b.WriteString(s.listView(listH))
	b.WriteString(st.Dim.Render(strings.Repeat("─", max(s.width, 1))) + "\n")
	if r := s.selected(); r != nil {
		lines := recordDetail(st, r, s.width)
		if s.held != nil {
			lines = append([]string{st.Error.Render(truncate("This record was dropped from the buffer; ↑/↓ select a record it keeps.", s.width))}, lines...)
		}
		rest := max(s.height-3-listH-2, 1)
		if len(lines) > rest {
			lines = append(lines[:rest-1], st.Dim.Render(fmt.Sprintf("… %d more line(s): enter shows all", len(lines)-rest+1)))
		}
		b.WriteString(strings.Join(lines, "\n"))
	}
	return b.String()
}

// filterCounts returns what the read showed, and how many records the
// filter failed on with the first error.
func (s *messagesScreen) filterCounts() (shown, errs int64, first string) {
	if s.tail == nil {
		return 0, 0, ""
	}
	return s.tail.filterStats()
}

func (s *messagesScreen) statusView() string {
	st := s.c.Styles
	state := st.Good.Render("▶ live")
	switch {
	case s.topic == "":
		state = st.Dim.Render("idle")
	case s.paused:
		state = st.Bad.Render("⏸ paused")
	case !s.running && s.err != nil:
		state = st.Bad.Render("✖ stopped")
	case s.brokerErr != nil:
		// The read waits for the broker: nothing is live.
		state = st.Bad.Render("✖ broker unreachable")
	}
	read := int64(0)
	if s.tail != nil {
		read = s.tail.count()
	}
	parts := []string{
		st.Header.Render(orDash(oneLine(s.topic))),
		"from " + orDash(s.fromText),
		state,
	}
	if s.topic != "" {
		switch {
		case s.follow:
			parts = append(parts, "following")
		default:
			parts = append(parts, fmt.Sprintf("pinned: %s new, G to follow", commas(max(s.buf.last()-s.pinLast, 0))))
		}
	}
	parts = append(parts,
		fmt.Sprintf("buffer %s/%s", commas(int64(s.buf.n)), commas(int64(len(s.buf.buf)))),
		fmt.Sprintf("dropped %s", commas(s.dropped)),
		fmt.Sprintf("read %s", commas(read)))
	if s.filterText != "" {
		shown, errs, _ := s.filterCounts()
		parts = append(parts, fmt.Sprintf("shown %s", commas(shown)))
		if errs > 0 {
			parts = append(parts, st.Error.Render(fmt.Sprintf("%s filter error(s)", commas(errs))))
		}
	}
	line := strings.Join(parts, "  ")
	if lipgloss.Width(line) > s.width && s.topic != "" {
		// Narrow: the same counters, in short words.
		follow := "following"
		if !s.follow {
			follow = fmt.Sprintf("pinned +%s (G)", commas(max(s.buf.last()-s.pinLast, 0)))
		}
		short := []string{parts[0], parts[1], parts[2], follow,
			fmt.Sprintf("buf %s/%s", commas(int64(s.buf.n)), commas(int64(len(s.buf.buf)))),
			fmt.Sprintf("drop %s", commas(s.dropped)), fmt.Sprintf("read %s", commas(read))}
		line = strings.Join(append(short, parts[7:]...), " ")
	}
	return truncate(line, s.width)
}

// filterFailed reports whether the filter failed on a record.
func (s *messagesScreen) filterFailed() bool {
	_, errs, _ := s.filterCounts()
	return errs > 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *messagesScreen) listView(height int) string {
	st := s.c.Styles
	if s.buf.n == 0 {
		msg := st.Dim.Render("waiting for records…")
		switch _, errs, first := s.filterCounts(); {
		case errs > 0:
			msg = st.Error.Render(truncate(oneLine(fmt.Sprintf("the filter failed on %s record(s) read, shown none; first: %s", commas(errs), first)), s.width))
		case len(s.staged) > 0:
			msg = st.Dim.Render(fmt.Sprintf("reading the back-fill: %s record(s) so far, merged by time when read…", commas(int64(len(s.staged)))))
		case s.filterText != "":
			msg = st.Dim.Render("no record matches the filter yet…")
		}
		return msg + strings.Repeat("\n", height)
	}
	rows := height - 1
	cur := s.cursor - s.buf.first
	top := s.top - s.buf.first
	switch {
	case s.follow:
		top = int64(s.buf.n - rows)
	case cur < top:
		top = cur
	case cur >= top+int64(rows):
		top = cur - int64(rows) + 1
	}
	top = max(0, min(top, int64(s.buf.n-rows)))
	s.top = s.buf.first + top
	// Column widths from the visible rows.
	var wPos, wKey int
	end := min(int64(s.buf.n), top+int64(rows))
	for i := top; i < end; i++ {
		r := s.buf.at(s.buf.first + i)
		wPos = max(wPos, len(fmt.Sprintf("%d@%d", r.partition, r.offset)))
		wKey = max(wKey, lipgloss.Width(oneLine(r.key.text())))
	}
	wPos = max(wPos, len("P@OFFSET"))
	wKey = max(min(wKey, 36), len("KEY"))
	var b strings.Builder
	head := st.mark(false) + pad("P@OFFSET", wPos) + "  " + pad("TIME", 12) + "  " + pad("KEY", wKey) + "  VALUE"
	b.WriteString(st.Header.Render(truncate(head, s.width)) + "\n")
	for i := top; i < end; i++ {
		seq := s.buf.first + i
		r := s.buf.at(seq)
		line := pad(fmt.Sprintf("%d@%d", r.partition, r.offset), wPos) + "  " + r.ts.UTC().Format("15:04:05.000") + "  " +
			pad(oneLine(r.key.text()), wKey) + "  " + oneLine(r.value.text())
		line = truncate(line, s.width-len(st.mark(false)))
		if seq == s.cursor && s.held == nil {
			line = st.mark(true) + st.Selected.Render(pad(line, s.width-len(st.mark(true))))
		} else {
			line = st.mark(false) + line
		}
		b.WriteString(line + "\n")
	}
	for i := end - top; i < int64(rows); i++ {
		b.WriteString("\n")
	}
	return b.String()
}
