package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

// schemasKeys are the Schemas screen's keys.
type schemasKeys struct {
	Up, Down, Open, Filter, NewerTo, OlderTo, NewerFrom, OlderFrom, Reload, Pane, Text key.Binding
}

func defaultSchemasKeys() schemasKeys {
	return schemasKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous subject")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next subject")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open subject")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter subjects")),
		OlderTo:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "compare an older 'to' version")),
		NewerTo:   key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "compare a newer 'to' version")),
		OlderFrom: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "older 'from' version")),
		NewerFrom: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "newer 'from' version")),
		Reload:    refreshKey(),
		Pane:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "focus the detail pane (↑↓ pgup/pgdn g/G scroll it; tab back)")),
		Text:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "show the 'to' version's schema text / the diff")),
	}
}

// schemasScreen lists subjects, their versions and compatibility level, and
// shows a field-level diff between two versions with the compatibility
// verdict and its explanations.
type schemasScreen struct {
	c      *Common
	src    RegistrySource
	ctx    context.Context
	keys   schemasKeys
	width  int
	height int

	subjects []string
	cursor   int
	filter   textinput.Model
	filterOn bool
	err      error
	loading  bool

	subject  string
	level    string
	versions []int
	from, to int // indexes into versions
	texts    map[int]string
	parsed   map[int]avro.Schema
	subErr   error

	paneFocus bool // the detail pane takes the movement keys
	paneTop   int  // first line of the detail pane shown
	showText  bool // the pane shows the 'to' version's text, not the diff
}

// newSchemasScreen builds the Schemas screen.
func newSchemasScreen(ctx context.Context, c *Common, src RegistrySource) *schemasScreen {
	ti := textinput.New()
	ti.Prompt = "/"
	return &schemasScreen{c: c, src: src, ctx: ctx, keys: defaultSchemasKeys(), filter: ti,
		texts: map[int]string{}, parsed: map[int]avro.Schema{}, loading: true}
}

// Title implements Screen.
func (s *schemasScreen) Title() string { return "Schemas" }

// Keys implements Screen.
func (s *schemasScreen) Keys() []key.Binding {
	k := s.keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.OlderTo, k.NewerTo, k.OlderFrom, k.NewerFrom, k.Pane, k.Text, k.Reload}
}

// Capturing implements Screen.
func (s *schemasScreen) Capturing() bool { return s.filterOn }

// SetSize implements Screen.
func (s *schemasScreen) SetSize(w, h int) { s.width, s.height = w, h }

type subjectsMsg struct {
	subjects []string
	err      error
}

type subjectMsg struct {
	subject  string
	level    string
	versions []int
	err      error
}

type schemaTextMsg struct {
	subject string
	version int
	text    string
	err     error
}

type retrySubjectsMsg struct{}

// Init implements Screen.
func (s *schemasScreen) Init() tea.Cmd { return s.loadSubjects() }

func (s *schemasScreen) loadSubjects() tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		subs, err := s.src.Subjects(ctx)
		return subjectsMsg{subs, err}
	}
}

func (s *schemasScreen) loadSubject(subject string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		vs, err := s.src.Versions(ctx, subject)
		if err != nil {
			return subjectMsg{subject: subject, err: err}
		}
		level, err := s.src.Level(ctx, subject)
		return subjectMsg{subject: subject, level: level, versions: vs, err: err}
	}
}

func (s *schemasScreen) loadText(subject string, version int) tea.Cmd {
	if _, ok := s.texts[version]; ok {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		text, err := s.src.Schema(ctx, subject, version)
		return schemaTextMsg{subject, version, text, err}
	}
}

func (s *schemasScreen) visible() []string {
	f := strings.ToLower(s.filter.Value())
	if f == "" {
		return s.subjects
	}
	var out []string
	for _, sub := range s.subjects {
		if strings.Contains(strings.ToLower(sub), f) {
			out = append(out, sub)
		}
	}
	return out
}

// Update implements Screen.
func (s *schemasScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case subjectsMsg:
		s.loading = false
		if m.err != nil {
			s.err = m.err
			return s, tea.Tick(2*time.Second, func(time.Time) tea.Msg { return retrySubjectsMsg{} })
		}
		s.err, s.subjects = nil, m.subjects
		if s.cursor >= len(s.visible()) {
			s.cursor = 0
		}
		if s.subject == "" && len(s.subjects) > 0 {
			return s, s.open(s.visible()[s.cursor])
		}
		return s, nil
	case retrySubjectsMsg:
		return s, s.loadSubjects()
	case subjectMsg:
		if m.subject != s.subject {
			return s, nil
		}
		s.subErr = m.err
		if m.err != nil {
			return s, nil
		}
		s.level, s.versions = m.level, m.versions
		s.to = len(s.versions) - 1
		s.from = max(s.to-1, 0)
		return s, s.loadPair()
	case schemaTextMsg:
		if m.subject != s.subject {
			return s, nil
		}
		if m.err != nil {
			s.subErr = m.err
			return s, nil
		}
		s.texts[m.version] = m.text
		if p, err := avroschema.Parse(m.text); err == nil {
			s.parsed[m.version] = p
		} else {
			s.subErr = fmt.Errorf("version %d: %w", m.version, err)
		}
		return s, nil
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

func (s *schemasScreen) open(subject string) tea.Cmd {
	s.subject, s.level, s.versions, s.subErr, s.paneTop = subject, "", nil, nil, 0
	s.texts, s.parsed = map[int]string{}, map[int]avro.Schema{}
	return s.loadSubject(subject)
}

func (s *schemasScreen) loadPair() tea.Cmd {
	if len(s.versions) == 0 {
		return nil
	}
	return tea.Batch(s.loadText(s.subject, s.versions[s.from]), s.loadText(s.subject, s.versions[s.to]))
}

func (s *schemasScreen) key(m tea.KeyMsg) tea.Cmd {
	if s.filterOn {
		switch m.Type {
		case tea.KeyEnter, tea.KeyEsc:
			s.filterOn = false
			s.filter.Blur()
			if m.Type == tea.KeyEsc {
				s.filter.SetValue("")
			}
			s.cursor = 0
			return nil
		}
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(m)
		s.cursor = 0
		return cmd
	}
	k, vis := s.keys, s.visible()
	if s.paneFocus && isMoveKey(m) {
		n := len(s.detailLines())
		// The pane shows its first line, an "above" line and the rest.
		s.paneTop = moveCursor(m, s.paneTop, max(n-s.height+2, 1), max(s.height-2, 1))
		return nil
	}
	switch {
	case key.Matches(m, k.Pane):
		s.paneFocus = !s.paneFocus && s.subject != ""
		return nil
	case key.Matches(m, k.Text):
		s.showText, s.paneTop = !s.showText, 0
		return nil
	case m.Type == tea.KeyEsc && s.paneFocus:
		s.paneFocus = false
	case m.Type == tea.KeyEsc && s.filter.Value() != "":
		s.filter.SetValue("") // esc clears an applied filter
		s.cursor = 0
	case isMoveKey(m):
		c := moveCursor(m, s.cursor, len(vis), max(s.height-3, 1))
		if c != s.cursor && c < len(vis) && s.subject != "" {
			// The detail follows the cursor once a subject is open.
			s.cursor = c
			return s.open(vis[c])
		}
		s.cursor = c
	case key.Matches(m, k.Open):
		if s.cursor < len(vis) {
			return s.open(vis[s.cursor])
		}
	case key.Matches(m, k.Filter):
		s.filterOn = true
		return s.filter.Focus()
	case key.Matches(m, k.Reload):
		return tea.Batch(s.loadSubjects(), s.open(s.subject))
	case key.Matches(m, k.OlderTo):
		// 'to' stays newer than 'from': a version is never compared
		// with itself.
		if s.to > 1 {
			s.to--
			if s.from >= s.to {
				s.from = s.to - 1
			}
		}
		return s.loadPair()
	case key.Matches(m, k.NewerTo):
		if s.to < len(s.versions)-1 {
			s.to++
		}
		return s.loadPair()
	case key.Matches(m, k.OlderFrom):
		if s.from > 0 {
			s.from--
		}
		return s.loadPair()
	case key.Matches(m, k.NewerFrom):
		if s.from < s.to-1 {
			s.from++
		}
		return s.loadPair()
	}
	return nil
}

// View implements Screen.
func (s *schemasScreen) View() string {
	st := s.c.Styles
	if s.err != nil {
		return st.Error.Render("Registry unreachable") + "\n\n" + textBlock(s.err.Error()) + "\n\n" +
			st.Dim.Render("Retrying every 2s; the screen recovers when the registry answers.")
	}
	if s.loading {
		return "Loading subjects…"
	}
	leftW := min(max(s.width/4, 24), 40)
	var left strings.Builder
	vis := s.visible()
	left.WriteString(st.Header.Render(fmt.Sprintf("Subjects (%d)", len(vis))) + "\n")
	if s.filterOn || s.filter.Value() != "" {
		left.WriteString(inputView(s.filter) + "\n")
	}
	top := 0
	rows := s.height - 3
	if s.cursor >= rows && rows > 0 {
		top = s.cursor - rows + 1
	}
	for i := top; i < len(vis) && i < top+rows; i++ {
		line := truncate(oneLine(vis[i]), leftW-2)
		if i == s.cursor {
			left.WriteString(st.Selected.Render("> "+line) + "\n")
		} else {
			left.WriteString("  " + line + "\n")
		}
	}
	if len(vis) == 0 {
		left.WriteString(st.Dim.Render("  (no subjects)") + "\n")
	}
	lines := s.detailLines()
	if s.paneFocus && len(lines) > 0 {
		lines[0] = truncate(lines[0]+"  "+st.Key.Render("[pane focused: ↑↓ scroll, tab back]"), max(s.width-leftW-3, 20))
	}
	ptop := max(0, min(s.paneTop, len(lines)-1))
	if ptop > 0 {
		lines = append([]string{lines[0], st.Dim.Render(fmt.Sprintf("… %d line(s) above", ptop))}, lines[ptop+1:]...)
	}
	if s.height > 1 && len(lines) > s.height {
		more := st.Dim.Render(fmt.Sprintf("… %d more line(s)", len(lines)-s.height+1))
		lines = append(lines[:s.height-1], more)
	}
	right := strings.Join(lines, "\n")
	sep := strings.TrimRight(strings.Repeat(" │ \n", max(s.height, 1)), "\n")
	return lipgloss.JoinHorizontal(lipgloss.Top,
		lipgloss.NewStyle().Width(leftW).Render(left.String()), sep, right)
}

// detailLines is the detail pane, line by line, at the pane's width.
func (s *schemasScreen) detailLines() []string {
	leftW := min(max(s.width/4, 24), 40)
	return strings.Split(strings.TrimRight(s.detail(max(s.width-leftW-3, 20)), "\n"), "\n")
}

func (s *schemasScreen) detail(width int) string {
	st := s.c.Styles
	if s.subject == "" {
		return st.Dim.Render("Select a subject and press enter.")
	}
	var b strings.Builder
	b.WriteString(st.Header.Render(truncate(oneLine(s.subject), width)) + "\n")
	if s.subErr != nil {
		b.WriteString(st.Error.Render(truncate(oneLine(s.subErr.Error()), width)) + "\n")
		return b.String()
	}
	if s.versions == nil {
		return b.String() + "Loading…"
	}
	var vs []string
	for i, v := range s.versions {
		label := fmt.Sprint(v)
		switch {
		case len(s.versions) == 1:
		case i == s.from:
			label = "from:" + label
		case i == s.to:
			label = "to:" + label
		}
		if len(s.versions) > 1 && (i == s.from || i == s.to) {
			label = st.Key.Render("[" + label + "]")
		}
		vs = append(vs, label)
	}
	fmt.Fprintf(&b, "level %s   versions %s\n", oneLine(s.level), strings.Join(vs, " "))
	if s.showText {
		tv := s.versions[s.to]
		text, ok := s.texts[tv]
		if !ok {
			return b.String() + "Loading version…"
		}
		fmt.Fprintf(&b, "\n%s\n", st.Header.Render(fmt.Sprintf("Schema v%d", tv)+"  (v: the diff)"))
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(text), "", "  ") == nil {
			text = pretty.String()
		}
		for _, l := range strings.Split(textBlock(text), "\n") {
			for _, w := range wrap(l, width) {
				b.WriteString(w + "\n")
			}
		}
		return b.String()
	}
	if len(s.versions) < 2 {
		b.WriteString("\nOnly one version: nothing to compare.\n")
		return b.String()
	}
	fv, tv := s.versions[s.from], s.versions[s.to]
	old, okO := s.parsed[fv]
	cur, okN := s.parsed[tv]
	if !okO || !okN {
		return b.String() + "Loading versions…"
	}
	fmt.Fprintf(&b, "\n%s\n", st.Header.Render(fmt.Sprintf("Changes v%d → v%d", fv, tv)))
	changes := compat.Diff(old, cur)
	if len(changes) == 0 {
		b.WriteString("  (no field-level changes)\n")
	}
	for _, c := range changes {
		for i, l := range wrap(oneLine(c.String()), width-4) {
			b.WriteString(map[bool]string{true: "  ", false: "    "}[i == 0] + l + "\n")
		}
	}
	level, err := compat.ParseLevel(s.level)
	if err != nil {
		level = compat.Backward
	}
	fmt.Fprintf(&b, "\n%s\n", st.Header.Render("Compatibility"))
	for _, dir := range []struct {
		name           string
		required       bool
		reader, writer avro.Schema
		rv, wv         int
	}{
		{"BACKWARD", level.ChecksBackward(), cur, old, tv, fv},
		{"FORWARD", level.ChecksForward(), old, cur, fv, tv},
	} {
		issues := compat.CheckPair(dir.reader, dir.writer)
		req := "not required by " + string(level)
		if dir.required {
			req = "required by " + string(level)
		}
		verdict := st.Good.Render("compatible")
		if len(issues) > 0 {
			verdict = st.Bad.Render(fmt.Sprintf("incompatible (%d)", len(issues)))
		}
		fmt.Fprintf(&b, "  %-8s v%d reads v%d: %s  %s\n", dir.name, dir.rv, dir.wv, verdict, st.Dim.Render("("+req+")"))
		for _, is := range issues {
			for i, l := range wrap(oneLine(is.String()), width-6) {
				b.WriteString(map[bool]string{true: "    ", false: "      "}[i == 0] + l + "\n")
			}
		}
	}
	return b.String()
}
