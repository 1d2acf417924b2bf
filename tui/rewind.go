package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

// rewindKeys are the Rewind screen's own keys.
type rewindKeys struct {
	Edit, Next, Prev, Kind, Plan, Execute, Undo, Cancel key.Binding
}

func defaultRewindKeys() rewindKeys {
	return rewindKeys{
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit group, topics, spec (enter previews, esc stops editing)")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/shift+tab", "next/previous field while editing")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab")),
		Kind:    key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "change the spec (on the spec field)")),
		Plan:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "preview the plan again")),
		Execute: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "apply the plan (type the group name to confirm)")),
		Undo:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo the last rewind (preview, then x)")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop editing / cancel the confirmation")),
	}
}

// specKind is a rewind spec the spec field offers, shown by its kind's
// name, with what the value field holds for it ("" when the spec takes no
// value).
type specKind struct {
	kind  stream.RewindKind
	value string
}

// specKinds are the rewind specs the spec field cycles through.
var specKinds = []specKind{
	{stream.ToEarliest, ""},
	{stream.ToLatest, ""},
	{stream.ToOffset, "offset, e.g. 120"},
	{stream.ShiftBy, "±N, e.g. -100"},
	{stream.ToTime, "RFC 3339 time, e.g. 2024-05-01T09:00:00Z"},
	{stream.ByDuration, "duration back from now, e.g. 1h30m"},
	{stream.ToGroup, "another group whose offsets are copied"},
}

// rewind form fields
const (
	fieldNone = iota - 1
	fieldGroup
	fieldTopics
	fieldKind
	fieldValue
	fieldCount
)

// rewindScreen plans a consumer group rewind with the stream planner the
// CLI uses, shows its before/after table, applies it after the user types
// the group name, refuses while the group is active, keeps an undo file and
// can apply it.
type rewindScreen struct {
	c       *Common
	src     Rewinder
	ctx     context.Context
	keys    rewindKeys
	undoDir string

	width, height int
	group, topics textinput.Model
	value         textinput.Model
	kind          int
	focus         int
	formErr       string

	// exactGroup is the name of the group opened from Groups, byte for
	// byte: the group field shows it as groupText does, and it is the
	// group planned until the field is edited (a textinput would drop or
	// change its control characters, and the form trims spaces).
	exactGroup string
	exact      bool

	planOpts  stream.RewindOptions
	planKey   string // the form (formKey) the plan shown was made from
	plan      *stream.Plan
	planErr   error
	planning  bool
	undoOf    string // the plan applies this undo file
	gen       int
	confirm   textinput.Model
	confirmOn bool
	refused   string
	notice    string

	executing bool
	// applied: the plan shown is the one executed (result), with the
	// offsets from before and after it, not a new plan.
	applied  bool
	result   *stream.RewindResult
	resultOf *stream.Plan
	execErr  error
	undoFile string // written by the last execution
}

// newRewindScreen builds the Rewind screen; undo files are written under
// undoDir (default .edactl/rewinds, as the CLI).
func newRewindScreen(ctx context.Context, c *Common, src Rewinder, undoDir string) *rewindScreen {
	if undoDir == "" {
		undoDir = filepath.Join(".edactl", "rewinds")
	}
	mk := func(prompt, placeholder string) textinput.Model {
		ti := textinput.New()
		ti.Prompt = prompt
		ti.Placeholder = placeholder
		ti.Width = 60
		return ti
	}
	return &rewindScreen{c: c, src: src, ctx: ctx, keys: defaultRewindKeys(), undoDir: undoDir, focus: fieldNone,
		group:   mk("", "consumer group"),
		topics:  mk("", "TOPIC or TOPIC:0,2, space separated; empty: every partition the group committed"),
		value:   mk("", ""),
		confirm: mk("type the group name to apply: ", ""),
	}
}

// Title implements Screen.
func (s *rewindScreen) Title() string { return "Rewind" }

// Keys implements Screen.
func (s *rewindScreen) Keys() []key.Binding {
	k := s.keys
	return []key.Binding{k.Edit, k.Next, k.Kind, k.Plan, k.Execute, k.Undo, k.Cancel}
}

// Capturing implements Screen.
func (s *rewindScreen) Capturing() bool { return s.focus != fieldNone || s.confirmOn }

// SetSize implements Screen.
func (s *rewindScreen) SetSize(w, h int) { s.width, s.height = w, h }

// Init implements Screen.
func (s *rewindScreen) Init() tea.Cmd { return nil }

type planMsg struct {
	gen     int
	plan    *stream.Plan
	err     error
	execute bool // the plan was made for x: confirm or refuse next
}

type execMsg struct {
	gen      int
	plan     *stream.Plan
	res      stream.RewindResult
	undoFile string
	err      error
}

// Update implements Screen.
func (s *rewindScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch m := msg.(type) {
	case rewindGroupMsg:
		s.exactGroup, s.exact = m.Group, true
		s.group.SetValue(groupText(m.Group))
		s.group.CursorEnd()
		s.topics.SetValue(strings.Join(m.Topics, " "))
		s.kind = 0
		s.value.SetValue("")
		s.focus = fieldNone
		s.blurAll()
		s.result, s.execErr, s.refused, s.notice, s.undoOf = nil, nil, "", "", ""
		return s, s.planForm(false)
	case planMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.planning = false
		s.plan, s.planErr = m.plan, planError(s.planOpts, m.err)
		if m.err != nil || !m.execute {
			return s, nil
		}
		switch {
		case m.plan.Active():
			s.refused = activeReason(m.plan)
		case m.plan.Changes() == 0:
			s.notice = "nothing to change: every partition is already there"
		default:
			s.confirmOn = true
			s.confirm.Prompt = "type the group name to apply: "
			if groupText(m.plan.Group) != m.plan.Group {
				s.confirm.Prompt = "type the group name as shown, with its quotes, to apply: "
			}
			s.confirm.SetValue("")
			return s, s.confirm.Focus()
		}
		return s, nil
	case execMsg:
		if m.gen != s.gen {
			return s, nil
		}
		s.executing = false
		if errors.Is(m.err, stream.ErrGroupActive) {
			s.refused = "refused: " + m.err.Error()
			return s, nil
		}
		if errors.Is(m.err, stream.ErrPlanStale) {
			// The group committed while the confirmation was typed: show
			// the plan from where it is now; x applies that one.
			s.refused = "refused: " + m.err.Error() + " (the preview shows the new plan)"
			s.gen++
			return s, s.planCmd(s.planOpts, false)
		}
		s.execErr = m.err
		if m.err == nil {
			// Show the plan that was executed, as it was executed: a plan
			// made now would be of the offsets the rewind moved to.
			s.plan, s.applied = m.plan, true
			s.result, s.resultOf = &m.res, m.plan
			if m.undoFile != "" {
				s.undoFile = m.undoFile
			}
		}
		return s, nil
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

// activeReason explains why a plan of an active group is not applied.
func activeReason(p *stream.Plan) string {
	var names []string
	for _, m := range p.Members {
		names = append(names, fmt.Sprintf("%s (host %s)", m.ClientID, m.Host))
	}
	return fmt.Sprintf("refused: consumer group %s is %s with %d member(s): %s. Its members would overwrite the offsets; stop them and try again.",
		groupText(p.Group), p.State, len(p.Members), strings.Join(names, ", "))
}

func (s *rewindScreen) blurAll() {
	s.group.Blur()
	s.topics.Blur()
	s.value.Blur()
}

func (s *rewindScreen) setFocus(f int) tea.Cmd {
	s.blurAll()
	s.focus = f
	switch f {
	case fieldGroup:
		return s.group.Focus()
	case fieldTopics:
		return s.topics.Focus()
	case fieldValue:
		return s.value.Focus()
	}
	return nil
}

// groupName is the group the form names: the exact name of the group
// opened from Groups until the field is edited, then what was typed.
func (s *rewindScreen) groupName() string {
	if s.exact {
		return s.exactGroup
	}
	return strings.TrimSpace(s.group.Value())
}

// groupText shows a consumer group name so that it reads as one name and
// can be typed back to confirm a rewind: as is when that is unambiguous,
// otherwise Go-quoted. That is termtext.Quote — a name with a
// control character, a bidirectional override or an invalid byte is
// quoted — and in addition a name that is empty, starts with a quote, has
// a space at either end (the confirmation trims them) or holds U+FFFD (a
// text input drops it; it is spelled \ufffd) is quoted too. So two names
// are never shown alike, and what is shown can always be typed.
func groupText(name string) string {
	q := termtext.Quote(name)
	switch {
	case strings.ContainsRune(name, utf8.RuneError):
		return strconv.QuoteToASCII(name)
	case q != name:
		return q
	case name == "" || name[0] == '"' || strings.TrimSpace(name) != name:
		return strconv.Quote(name)
	}
	return name
}

// options reads the form and checks it with stream's rules
// (RewindOptions.Validate), so that the form refuses, before planning,
// what the planner would.
func (s *rewindScreen) options() (stream.RewindOptions, error) {
	o := stream.RewindOptions{Group: s.groupName()}
	for _, f := range strings.Fields(s.topics.Value()) {
		sel, err := stream.ParseTopicSelection(f)
		if err != nil {
			return o, err
		}
		o.Topics = append(o.Topics, sel)
	}
	o.AllTopics = len(o.Topics) == 0
	k := specKinds[s.kind]
	o.Spec.Kind = k.kind
	v := strings.TrimSpace(s.value.Value())
	var err error
	switch k.kind {
	case stream.ToOffset:
		if o.Spec.Offset, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = errors.New("want an offset, a whole number such as 120")
		}
	case stream.ShiftBy:
		if o.Spec.Offset, err = strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err != nil {
			err = errors.New("want a whole number of records, such as -100 or +20")
		}
	case stream.ToTime:
		o.Spec.Time, err = parseFormTime(v)
	case stream.ByDuration:
		if o.Spec.Duration, err = time.ParseDuration(v); err != nil {
			err = errors.New("want a duration such as 90m, 1h30m or 2h")
		}
	case stream.ToGroup:
		o.Spec.Group = v
	}
	switch {
	case err != nil && v == "":
		return o, fmt.Errorf("--%s needs a value: %s", k.kind, k.value)
	case err != nil:
		return o, fmt.Errorf("--%s %q: %w", k.kind, v, err)
	}
	if err := o.Validate(); err != nil {
		return o, formRuleError(err, k, v)
	}
	return o, nil
}

// formTimeLayouts are the times the --to-time field takes: RFC 3339, with
// or without seconds, and with a space for the T.
var formTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00"}

// parseFormTime reads a --to-time value; its error reads as a person
// writes a time, never as Go's layout string.
func parseFormTime(v string) (time.Time, error) {
	for _, l := range formTimeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05", strings.Replace(v, " ", "T", 1)); err == nil {
		return time.Time{}, errors.New("give the time zone too: Z for UTC or an offset such as +02:00, e.g. 2024-05-01T09:00:00Z")
	}
	return time.Time{}, errors.New("want a date and time such as 2024-05-01T09:00:00Z or 2024-05-01 11:00+02:00")
}

// formRuleError words a rewind rule (a *stream.SpecError) that the form
// breaks as the form names its fields; the spec and its value as
// "--KIND VALUE", like the CLI's flags.
func formRuleError(err error, k specKind, value string) error {
	var se *stream.SpecError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Rule {
	case stream.RuleNoGroup:
		return errors.New("give a consumer group (e to edit, or r on a group in Groups)")
	case stream.RuleNoOtherGroup:
		return fmt.Errorf("--%s needs a value: %s", k.kind, k.value)
	case stream.RuleNegativeOffset, stream.RuleNonPositiveDuration, stream.RuleOtherGroupIsGroup:
		return fmt.Errorf("--%s %q: %s", k.kind, value, se.Reason)
	}
	return err
}

// planError words a refusal of the planner that names what the topics
// field selects in the words of the form's other messages (the CLI's
// flags).
func planError(o stream.RewindOptions, err error) error {
	var se *stream.SpecError
	if errors.As(err, &se) && se.Rule == stream.RuleNoCommittedOffsets {
		return fmt.Errorf("group %q has no committed offsets; select topics with --topic", o.Group)
	}
	return err
}

// planForm plans what the form says.
func (s *rewindScreen) planForm(execute bool) tea.Cmd {
	o, err := s.options()
	if err != nil {
		s.formErr = err.Error()
		return nil
	}
	s.formErr, s.undoOf = "", ""
	s.planKey = s.formKey()
	s.gen++
	return s.planCmd(o, execute)
}

// formKey is what the form holds, so that a plan is applied only while
// the form is the one it was made from.
func (s *rewindScreen) formKey() string {
	return fmt.Sprintf("%q %t %q %q %d %q", s.exactGroup, s.exact, s.group.Value(), s.topics.Value(), s.kind, s.value.Value())
}

func (s *rewindScreen) planCmd(o stream.RewindOptions, execute bool) tea.Cmd {
	s.planOpts, s.planning = o, true
	if !execute {
		s.plan, s.planErr = nil, nil
		s.applied, s.result, s.execErr = false, nil, nil
	}
	gen := s.gen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		p, err := s.src.PlanRewind(ctx, o)
		return planMsg{gen: gen, plan: p, err: err, execute: execute}
	}
}

func (s *rewindScreen) key(m tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.confirmOn {
		switch m.Type {
		case tea.KeyEsc:
			s.confirmOn = false
			s.confirm.Blur()
			s.notice = "not applied"
			return nil
		case tea.KeyEnter:
			s.confirmOn = false
			s.confirm.Blur()
			// The name as the preview shows it, so that a name that is
			// not printable is confirmed by its quoted form and never by
			// the name of another group.
			typed := strings.TrimSpace(s.confirm.Value())
			if s.plan == nil || typed != groupText(s.plan.Group) {
				s.notice = fmt.Sprintf("not applied: %q is not the group name", typed)
				return nil
			}
			return s.execute(s.plan)
		}
		var cmd tea.Cmd
		s.confirm, cmd = s.confirm.Update(m)
		return cmd
	}
	if s.focus != fieldNone {
		switch {
		case m.Type == tea.KeyEsc:
			s.setFocus(fieldNone)
			return nil
		case m.Type == tea.KeyEnter:
			s.setFocus(fieldNone)
			return s.planForm(false)
		case key.Matches(m, k.Next):
			return s.setFocus((s.focus + 1) % fieldCount)
		case key.Matches(m, k.Prev):
			return s.setFocus((s.focus + fieldCount - 1) % fieldCount)
		case s.focus == fieldKind && key.Matches(m, k.Kind):
			d := 1
			if m.String() == "left" {
				d = len(specKinds) - 1
			}
			s.kind = (s.kind + d) % len(specKinds)
			s.value.Placeholder = specKinds[s.kind].value
			// A value means something else to another spec (an offset
			// is not a shift): start the new spec empty.
			s.value.SetValue("")
			return nil
		}
		var cmd tea.Cmd
		switch s.focus {
		case fieldGroup:
			before := s.group.Value()
			s.group, cmd = s.group.Update(m)
			if s.group.Value() != before {
				s.exact = false // what is typed is the name now
			}
		case fieldTopics:
			s.topics, cmd = s.topics.Update(m)
		case fieldValue:
			s.value, cmd = s.value.Update(m)
		}
		return cmd
	}
	s.notice = ""
	switch {
	case key.Matches(m, k.Edit), key.Matches(m, k.Next):
		s.refused = ""
		return s.setFocus(fieldGroup)
	case key.Matches(m, k.Plan):
		s.refused, s.result, s.execErr = "", nil, nil
		if s.undoOf != "" && !s.applied {
			s.gen++
			return s.planCmd(s.planOpts, false)
		}
		return s.planForm(false)
	case key.Matches(m, k.Execute):
		s.refused = ""
		switch {
		case s.executing:
			return nil
		case s.applied:
			s.notice = "not applied again: the plan shown was applied; p previews the form from the offsets of now"
			return nil
		case s.plan == nil:
			s.notice = "nothing planned yet: fill in the form (e) and preview (enter)"
			return nil
		case s.formKey() != s.planKey:
			// The preview is of another form: never apply it. Plan the
			// form as it is now, for the user to look at and x again.
			if _, err := s.options(); err != nil {
				s.formErr = err.Error()
				s.notice = "not applied: the form changed since the preview and has an error (e to fix it)"
				return nil
			}
			cmd := s.planForm(false)
			s.notice = "not applied: the form changed since the preview; this is the plan of the form as it is now, x applies it"
			return cmd
		}
		s.execErr = nil
		// Plan again so that the confirmation shows the offsets and state
		// of now, not of when the preview was made.
		s.gen++
		return s.planCmd(s.planOpts, true)
	case key.Matches(m, k.Undo):
		return s.undo()
	}
	return nil
}

func (s *rewindScreen) execute(p *stream.Plan) tea.Cmd {
	s.executing, s.refused, s.execErr = true, "", nil
	s.gen++
	gen, dir := s.gen, s.undoDir
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		written := ""
		res, err := s.src.ExecuteRewind(ctx, p, func(p *stream.Plan) (err error) {
			written, err = stream.WriteUndoFile(filepath.Join(dir, p.UndoFileName()), p, true)
			return err
		})
		return execMsg{gen: gen, plan: p, res: res, undoFile: written, err: err}
	}
}

// undo plans applying the last undo file.
func (s *rewindScreen) undo() tea.Cmd {
	if s.undoFile == "" {
		s.notice = "nothing to undo: no rewind was applied from this screen"
		return nil
	}
	f, err := os.Open(s.undoFile)
	if err != nil {
		s.notice = "undo: " + err.Error()
		return nil
	}
	rows, err := stream.ReadOffsetsCSV(f, s.undoFile)
	f.Close()
	if err != nil {
		s.notice = "undo: " + err.Error()
		return nil
	}
	group := s.groupName()
	if s.resultOf != nil {
		group = s.resultOf.Group
	}
	s.refused, s.result, s.execErr = "", nil, nil
	s.gen++
	cmd := s.planCmd(stream.RewindOptions{Group: group, Spec: stream.RewindSpec{Kind: stream.FromFile, Rows: rows}}, false)
	s.undoOf, s.planKey = s.undoFile, s.formKey()
	return cmd
}

// View implements Screen.
func (s *rewindScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	field := func(f int, label, view, shown string) {
		marker := "  "
		if s.focus == f {
			marker = st.Key.Render("> ")
			b.WriteString(marker + pad(label, 8) + view + "\n")
			return
		}
		b.WriteString(marker + pad(label, 8) + shown + "\n")
	}
	group := "-"
	if g := s.groupName(); g != "" || s.exact {
		group = groupText(g)
	}
	field(fieldGroup, "group", inputView(s.group), group)
	topics := oneLine(s.topics.Value())
	if strings.TrimSpace(topics) == "" {
		topics = st.Dim.Render("(every partition the group has committed)")
	}
	field(fieldTopics, "topics", inputView(s.topics), topics)
	var kinds []string
	for i, k := range specKinds {
		if i == s.kind {
			kinds = append(kinds, st.chosen(k.kind.String()))
		} else if s.focus == fieldKind {
			kinds = append(kinds, st.Dim.Render(k.kind.String()))
		}
	}
	field(fieldKind, "spec", strings.Join(kinds, " ")+st.Dim.Render("  ←/→"), "--"+specKinds[s.kind].kind.String())
	if specKinds[s.kind].value != "" {
		field(fieldValue, "value", inputView(s.value), orDash(oneLine(s.value.Value())))
	}
	switch {
	case s.confirmOn:
		b.WriteString("\n" + inputView(s.confirm) + "\n")
	case s.focus != fieldNone:
		b.WriteString(st.Dim.Render("tab next field · enter preview · esc stop editing") + "\n")
	default:
		b.WriteString(st.Dim.Render("e edit · p preview · x apply · u undo the last rewind") + "\n")
	}
	if s.formErr != "" {
		b.WriteString(st.Error.Render(truncate(oneLine(s.formErr), s.width)) + "\n")
	}
	b.WriteString("\n")
	switch {
	case s.planErr != nil:
		b.WriteString(st.Error.Render("Cannot plan: ") + textBlock(s.planErr.Error()) + "\n")
	case s.plan == nil && s.planning:
		b.WriteString("Planning…\n")
	case s.plan != nil:
		b.WriteString(s.planView())
	default:
		b.WriteString(st.Dim.Render("Press r on a group in Groups, or e to fill in the form.") + "\n")
	}
	return b.String()
}

func (s *rewindScreen) planView() string {
	st := s.c.Styles
	p := s.plan
	var b strings.Builder
	mode := "preview"
	switch {
	case s.applied:
		mode = "applied"
	case s.undoOf != "":
		mode = "undo preview"
	}
	head := fmt.Sprintf("group %s (%s): --%s, %s", groupText(p.Group), p.State, p.Spec, mode)
	switch {
	case s.undoOf != "" && s.applied:
		head = fmt.Sprintf("group %s (%s): undo from %s, applied", groupText(p.Group), p.State, s.undoOf)
	case s.undoOf != "":
		head = fmt.Sprintf("group %s (%s): %s of %s", groupText(p.Group), p.State, mode, s.undoOf)
	}
	b.WriteString(st.Header.Render(truncate(oneLine(head), s.width)) + "\n")
	t := table{headers: stream.PlanColumns()}
	for _, r := range p.Rows {
		t.rows = append(t.rows, []string{r.Topic, fmt.Sprint(r.Partition), stream.OffsetText(r.Before), r.AfterText(), fmt.Sprint(r.LogStart), fmt.Sprint(r.LogEnd), r.Note})
	}
	rows := max(s.height-14, 3)
	b.WriteString(t.render(st, s.width, -1, 0, rows))
	if len(p.Rows) > rows {
		b.WriteString(st.Dim.Render(fmt.Sprintf("… %d more partition(s)", len(p.Rows)-rows)) + "\n")
	}
	b.WriteString(st.Dim.Render(stream.PlanLegend) + "\n\n")
	switch {
	case s.executing:
		b.WriteString("Applying…\n")
	case s.refused != "":
		lines := wrap(oneLine(s.refused), s.width)
		if len(lines) > 3 {
			lines = append(lines[:2], truncate(strings.Join(lines[2:], " "), s.width))
		}
		for _, l := range lines {
			b.WriteString(st.Error.Render(l) + "\n")
		}
	case s.execErr != nil:
		b.WriteString(st.Error.Render("Not applied: ") + textBlock(s.execErr.Error()) + "\n")
	case s.applied && s.result != nil:
		r := s.resultOf
		fmt.Fprintf(&b, "%s %d partition(s) of group %s (committed %d, deleted %d).\n", st.Good.Render("Rewound"),
			r.Changes(), groupText(r.Group), s.result.Committed, s.result.Deleted)
		if s.undoFile != "" {
			fmt.Fprintf(&b, "undo file: %s\npress u to undo; from a shell:\n  edactl rewind %s --from-file %s --execute\n",
				oneLine(s.undoFile), termtext.ShellQuote(r.Group), termtext.ShellQuote(s.undoFile))
		}
	default:
		if s.notice != "" {
			b.WriteString(st.Error.Render(truncate(oneLine(s.notice), s.width)) + "\n")
		}
		if p.Active() {
			fmt.Fprintf(&b, "%d of %d partition(s) would change. %s\n", p.Changes(), len(p.Rows),
				st.Bad.Render(fmt.Sprintf("The group is %s with %d member(s): applying is refused until they stop.", p.State, len(p.Members))))
		} else if s.formKey() != s.planKey && !s.confirmOn {
			fmt.Fprintf(&b, "%d of %d partition(s) would change; nothing was changed. The form changed since this preview: p previews it.\n",
				p.Changes(), len(p.Rows))
		} else {
			fmt.Fprintf(&b, "%d of %d partition(s) would change; nothing was changed. Press x to apply (you type the group name to confirm).\n",
				p.Changes(), len(p.Rows))
		}
	}
	if s.notice != "" && (s.applied || s.refused != "") {
		b.WriteString(st.Error.Render(oneLine(s.notice)) + "\n")
	}
	return b.String()
}
