package tui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/stream"
)

// rewindGroupMsg asks the Rewind screen to prepare a rewind of a group.
type rewindGroupMsg struct {
	Group string
	// Topics are the topics the group has offsets for (preselected).
	Topics []string
}

// groupsKeys are the Groups screen's own keys.
type groupsKeys struct {
	Rewind key.Binding
}

func defaultGroupsKeys() groupsKeys {
	return groupsKeys{
		Rewind: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rewind the group (opens Rewind)")),
	}
}

// groupsScreen lists consumer groups with state, members and lag, and shows
// the selected group's members and per-partition lag.
type groupsScreen struct {
	c     *Common
	src   GroupReader
	ctx   context.Context
	keys  groupsKeys
	every time.Duration

	width, height int
	groups        []stream.GroupSummary
	detail        *stream.GroupDetail
	detailErr     error
	cursor, top   int
	err           error
	loaded        bool
	lastOK        time.Time // when the list shown was read
	gen           int
	pick          string // a group to select once listed (:group NAME)
	note          string
}

// selectGroupMsg asks the Groups screen to select a group by name.
type selectGroupMsg struct{ Name string }

// newGroupsScreen builds the Groups screen; it refreshes every `every`
// (default 2s).
func newGroupsScreen(ctx context.Context, c *Common, src GroupReader, every time.Duration) *groupsScreen {
	if every <= 0 {
		every = 2 * time.Second
	}
	return &groupsScreen{c: c, src: src, ctx: ctx, keys: defaultGroupsKeys(), every: every}
}

// Title implements Screen.
func (s *groupsScreen) Title() string { return "Groups" }

// Keys implements Screen.
func (s *groupsScreen) Keys() []key.Binding {
	return append(listKeys(), s.keys.Rewind, refreshKey())
}

// Capturing implements Screen.
func (s *groupsScreen) Capturing() bool { return false }

// SetSize implements Screen.
func (s *groupsScreen) SetSize(w, h int) { s.width, s.height = w, h }

type groupsMsg struct {
	gen       int
	groups    []stream.GroupSummary
	detail    *stream.GroupDetail
	err       error
	detailErr error
}

type groupsTickMsg struct{ gen int }

// Init implements Screen.
func (s *groupsScreen) Init() tea.Cmd { return s.load() }

// load lists the groups and describes the selected one (the first when
// none is selected yet).
func (s *groupsScreen) load() tea.Cmd {
	s.gen++
	gen := s.gen
	want := s.pick
	if want == "" && s.cursor < len(s.groups) {
		want = s.groups[s.cursor].Name
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, requestTimeout(s.every))
		defer cancel()
		gs, err := s.src.ListGroups(ctx)
		if err != nil {
			return groupsMsg{gen: gen, err: err}
		}
		m := groupsMsg{gen: gen, groups: gs}
		if want == "" && len(gs) > 0 {
			want = gs[0].Name
		}
		if want != "" {
			m.detail, m.detailErr = s.src.DescribeGroup(ctx, want)
		}
		return m
	}
}

// Update implements Screen.
func (s *groupsScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case groupsMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.loaded = true
		next := tea.Tick(s.every, func(time.Time) tea.Msg { return groupsTickMsg{m.gen} })
		if m.err != nil {
			s.err = m.err
			return s, next
		}
		sel := s.pick
		if sel == "" && s.cursor < len(s.groups) {
			sel = s.groups[s.cursor].Name
		}
		s.err, s.groups, s.lastOK = nil, m.groups, time.Now()
		s.cursor = 0
		found := false
		for i, g := range s.groups {
			if g.Name == sel {
				s.cursor, found = i, true
			}
		}
		if s.pick != "" && !found {
			s.note = "no consumer group " + groupText(s.pick)
		}
		s.pick = ""
		if s.cursor < len(s.groups) && m.detail != nil && m.detail.Name == s.groups[s.cursor].Name || m.detailErr != nil {
			s.detail, s.detailErr = m.detail, m.detailErr
		}
		return s, next
	case selectGroupMsg:
		s.pick, s.note = m.Name, ""
		s.detail, s.detailErr = nil, nil
		return s, s.load()
	case groupsTickMsg:
		if m.gen != s.gen {
			return s, nil
		}
		return s, s.load()
	case tea.KeyMsg:
		s.note = ""
		if key.Matches(m, refreshKey()) {
			return s, s.load()
		}
		if key.Matches(m, s.keys.Rewind) {
			if s.cursor < len(s.groups) {
				return s, switchTo("Rewind", rewindGroupMsg{Group: s.groups[s.cursor].Name, Topics: s.groupTopics()})
			}
			return s, nil
		}
		c := moveCursor(m, s.cursor, len(s.groups), max(s.height/3, 1))
		if c != s.cursor {
			s.cursor = c
			s.detail, s.detailErr = nil, nil
			return s, s.load()
		}
	}
	return s, nil
}

// groupTopics are the topics of the selected group's offsets.
func (s *groupsScreen) groupTopics() []string {
	if s.detail == nil || s.cursor >= len(s.groups) || s.detail.Name != s.groups[s.cursor].Name {
		return nil
	}
	var ts []string
	for _, o := range s.detail.Offsets {
		if !slices.Contains(ts, o.Topic) {
			ts = append(ts, o.Topic)
		}
	}
	return ts
}

// View implements Screen.
func (s *groupsScreen) View() string {
	st := s.c.Styles
	if s.err != nil && s.groups == nil {
		return errorView(st, "Kafka unreachable", s.err, s.every)
	}
	if !s.loaded {
		return "Loading consumer groups…"
	}
	var b strings.Builder
	if s.err != nil {
		b.WriteString(staleLine(st, s.width, "Kafka", s.err, s.lastOK, s.every) + "\n")
	}
	b.WriteString(st.Header.Render(fmt.Sprintf("Consumer groups (%d)", len(s.groups))) + "  " +
		st.Dim.Render("r rewinds the selected group") + "\n")
	if s.note != "" {
		b.WriteString(st.Error.Render(truncate(s.note, s.width)) + "\n")
	}
	t := table{headers: []string{"GROUP", "STATE", "MEMBERS", "LAG"}}
	for _, g := range s.groups {
		lag := commas(g.Lag)
		if g.Lag < 0 {
			lag = "-"
		}
		if g.Err != "" {
			lag += " (" + g.Err + ")"
		}
		t.rows = append(t.rows, []string{groupText(g.Name), g.State, fmt.Sprint(g.Members), lag})
	}
	listH := min(max(len(s.groups), 1), max(s.height/3, 3))
	s.top = scrollTop(s.cursor, s.top, listH, len(s.groups))
	b.WriteString(t.render(st, s.width, s.cursor, s.top, listH))
	if len(s.groups) == 0 {
		b.WriteString(st.Dim.Render("  (no consumer groups)") + "\n")
		return b.String()
	}
	b.WriteString("\n")
	switch {
	case s.detailErr != nil:
		b.WriteString(st.Error.Render(oneLine(s.detailErr.Error())) + "\n")
	case s.detail == nil:
		b.WriteString("Loading…\n")
	default:
		b.WriteString(s.detailView())
	}
	return b.String()
}

func (s *groupsScreen) detailView() string {
	st := s.c.Styles
	d := s.detail
	var b strings.Builder
	proto := d.ProtocolType
	if d.Protocol != "" {
		proto += "/" + d.Protocol
	}
	fmt.Fprintf(&b, "%s  %s  %s  coordinator %d  total lag %s\n", st.Header.Render(groupText(d.Name)), oneLine(d.State), orDash(oneLine(proto)), d.Coordinator, commas(d.Lag))
	b.WriteString("\n" + st.Key.Render(fmt.Sprintf("Members (%d)", len(d.Members))) + "\n")
	if len(d.Members) == 0 {
		b.WriteString(st.Dim.Render("  none: the group is not consuming, so it can be rewound") + "\n")
	} else {
		mt := table{headers: []string{"CLIENT", "HOST", "ASSIGNED", "MEMBER ID"}}
		for _, m := range d.Members {
			var as []string
			for _, t := range sortedKeys(m.Assigned) {
				var ps []string
				for _, p := range m.Assigned[t] {
					ps = append(ps, fmt.Sprint(p))
				}
				as = append(as, t+":"+strings.Join(ps, ","))
			}
			mt.rows = append(mt.rows, []string{m.ClientID, m.Host, orDash(strings.Join(as, " ")), m.ID})
		}
		b.WriteString(indent(mt.render(st, s.width-2, -1, 0, len(mt.rows)), "  "))
	}
	b.WriteString("\n" + st.Key.Render("Lag per partition") + "\n")
	pt := table{headers: []string{"TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "MEMBER"}}
	for _, o := range d.Offsets {
		lag := stream.OffsetText(o.Lag)
		if o.Err != "" {
			lag += " (" + o.Err + ")"
		}
		pt.rows = append(pt.rows, []string{o.Topic, fmt.Sprint(o.Partition), stream.OffsetText(o.Committed), fmt.Sprint(o.End), lag, orDash(o.ClientID)})
	}
	used := strings.Count(b.String(), "\n") + len(s.groups) + 3
	b.WriteString(indent(pt.render(st, s.width-2, -1, 0, max(s.height-used-1, 1)), "  "))
	if len(d.Offsets) == 0 {
		b.WriteString(st.Dim.Render("  (no committed offsets)") + "\n")
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
