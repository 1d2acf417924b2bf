package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/stream"
)

// openTopicMsg asks the Messages screen to tail a topic.
type openTopicMsg struct {
	Topic string
	// From is where to start (the consume grammar); "" keeps the screen's
	// default.
	From string
}

// topicsKeys are the Topics screen's own keys.
type topicsKeys struct {
	Open, Filter, Internal, Refresh key.Binding
}

func defaultTopicsKeys() topicsKeys {
	return topicsKeys{
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "tail the topic in Messages")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter topics by name")),
		Internal: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "show/hide internal topics")),
		Refresh:  refreshKey(),
	}
}

// topicsScreen lists the topics with partitions, records, end offsets and
// the live rate (records per second between two refreshes).
type topicsScreen struct {
	c     *Common
	src   TopicLister
	ctx   context.Context
	keys  topicsKeys
	every time.Duration
	now   func() time.Time

	width, height int
	topics        []stream.TopicSummary
	rates         map[string]float64
	prev          map[string]topicSample
	cursor, top   int
	filter        textinput.Model
	filterOn      bool
	internal      bool
	err           error
	loaded        bool
	lastOK        time.Time // when the list shown was read
	gen           int       // ignores answers of superseded loads
}

type topicSample struct {
	records int64 // sum of end offsets
	at      time.Time
}

// newTopicsScreen builds the Topics screen; it refreshes every `every`
// (default 2s) and measures rates with now (default time.Now).
func newTopicsScreen(ctx context.Context, c *Common, src TopicLister, every time.Duration, now func() time.Time) *topicsScreen {
	if every <= 0 {
		every = 2 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	ti := textinput.New()
	ti.Prompt = "/"
	return &topicsScreen{c: c, src: src, ctx: ctx, keys: defaultTopicsKeys(), every: every, now: now, filter: ti,
		rates: map[string]float64{}, prev: map[string]topicSample{}}
}

// Title implements Screen.
func (s *topicsScreen) Title() string { return "Topics" }

// Keys implements Screen.
func (s *topicsScreen) Keys() []key.Binding {
	k := s.keys
	return append(listKeys(), k.Open, k.Filter, k.Internal, k.Refresh)
}

// Capturing implements Screen.
func (s *topicsScreen) Capturing() bool { return s.filterOn }

// SetSize implements Screen.
func (s *topicsScreen) SetSize(w, h int) { s.width, s.height = w, h }

type topicsMsg struct {
	gen    int
	topics []stream.TopicSummary
	at     time.Time
	err    error
}

type topicsTickMsg struct{ gen int }

// Init implements Screen.
func (s *topicsScreen) Init() tea.Cmd { return s.load() }

func (s *topicsScreen) load() tea.Cmd {
	s.gen++
	gen, internal := s.gen, s.internal
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, requestTimeout(s.every))
		defer cancel()
		ts, err := s.src.ListTopics(ctx, internal)
		return topicsMsg{gen: gen, topics: ts, at: s.now(), err: err}
	}
}

func (s *topicsScreen) visible() []stream.TopicSummary {
	f := strings.ToLower(s.filter.Value())
	if f == "" {
		return s.topics
	}
	var out []stream.TopicSummary
	for _, t := range s.topics {
		if strings.Contains(strings.ToLower(t.Name), f) {
			out = append(out, t)
		}
	}
	return out
}

// Update implements Screen.
func (s *topicsScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case topicsMsg:
		if m.gen != s.gen {
			return s, nil
		}
		next := tea.Tick(s.every, func(time.Time) tea.Msg { return topicsTickMsg{m.gen} })
		s.loaded = true
		if m.err != nil {
			s.err = m.err
			return s, next
		}
		s.err, s.lastOK = nil, time.Now()
		s.topics = m.topics
		for _, t := range m.topics {
			var sum int64
			for _, e := range t.EndOffsets {
				sum += e
			}
			if p, ok := s.prev[t.Name]; ok && m.at.After(p.at) {
				s.rates[t.Name] = float64(max(sum-p.records, 0)) / m.at.Sub(p.at).Seconds()
			}
			s.prev[t.Name] = topicSample{records: sum, at: m.at}
		}
		s.cursor = max(0, min(s.cursor, len(s.visible())-1))
		return s, next
	case topicsTickMsg:
		if m.gen != s.gen {
			return s, nil
		}
		return s, s.load()
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

func (s *topicsScreen) key(m tea.KeyMsg) tea.Cmd {
	if s.filterOn {
		switch m.Type {
		case tea.KeyEnter, tea.KeyEsc:
			s.filterOn = false
			s.filter.Blur()
			if m.Type == tea.KeyEsc {
				s.filter.SetValue("")
			}
			return nil
		}
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(m)
		s.cursor, s.top = 0, 0
		return cmd
	}
	k, vis := s.keys, s.visible()
	switch {
	case m.Type == tea.KeyEsc && s.filter.Value() != "":
		s.filter.SetValue("") // esc clears an applied filter
		s.cursor, s.top = 0, 0
	case key.Matches(m, k.Open):
		if s.cursor < len(vis) {
			return switchTo("Messages", openTopicMsg{Topic: vis[s.cursor].Name})
		}
	case key.Matches(m, k.Filter):
		s.filterOn = true
		return s.filter.Focus()
	case key.Matches(m, k.Internal):
		s.internal = !s.internal
		return s.load()
	case key.Matches(m, k.Refresh):
		return s.load()
	default:
		s.cursor = moveCursor(m, s.cursor, len(vis), max(s.height-4, 1))
	}
	return nil
}

// View implements Screen.
func (s *topicsScreen) View() string {
	st := s.c.Styles
	if s.err != nil && s.topics == nil {
		return errorView(st, "Kafka unreachable", s.err, s.every)
	}
	if !s.loaded {
		return "Loading topics…"
	}
	vis := s.visible()
	var b strings.Builder
	if s.err != nil {
		b.WriteString(staleLine(st, s.width, "Kafka", s.err, s.lastOK, s.every) + "\n")
	}
	title := fmt.Sprintf("Topics (%d)", len(vis))
	if s.internal {
		title += "  with internal"
	}
	b.WriteString(st.Header.Render(title) + "\n")
	if s.filterOn || s.filter.Value() != "" {
		b.WriteString(inputView(s.filter) + "\n")
	} else {
		b.WriteString(st.Dim.Render("enter tails a topic · / filters · rates are records/s over the last refresh") + "\n")
	}
	t := table{headers: []string{"TOPIC", "PARTITIONS", "RECORDS", "RATE", "END OFFSETS"}}
	for _, tp := range vis {
		var ends []string
		for p, e := range tp.EndOffsets {
			ends = append(ends, fmt.Sprintf("%d:%d", p, e))
		}
		rate := "-"
		if r, ok := s.rates[tp.Name]; ok {
			rate = formatRate(r)
		}
		t.rows = append(t.rows, []string{tp.Name, fmt.Sprint(tp.Partitions), commas(tp.Records), rate, strings.Join(ends, " ")})
	}
	rows := max(s.height-3, 1)
	s.top = scrollTop(s.cursor, s.top, rows, len(vis))
	b.WriteString(t.render(st, s.width, s.cursor, s.top, rows))
	if len(vis) == 0 {
		b.WriteString(st.Dim.Render("  (no topics)") + "\n")
	}
	return b.String()
}

func formatRate(r float64) string {
	switch {
	case r == 0:
		return "0/s"
	case r < 10:
		return fmt.Sprintf("%.1f/s", r)
	}
	return commas(int64(r+0.5)) + "/s"
}
