package tui

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

// HealthFunc reports whether a service answers; nil error means healthy.
type HealthFunc func(ctx context.Context) error

// appOptions configure the app.
type appOptions struct {
	// Screens in tab order; number keys 1..9 select them.
	Screens []screen
	// Common is shared by all screens (its size is set by the app).
	Common *Common
	// Brokers and Registry name the services on the status line; their
	// health functions are polled every HealthEvery (default 2s).
	Brokers, RegistryURL         string
	BrokerHealth, RegistryHealth HealthFunc
	HealthEvery                  time.Duration
	// Ctx bounds every command's I/O.
	Ctx context.Context
	// Log records outages and recoveries (nil: none).
	Log *slog.Logger
}

// App is the root model: tabs, the command palette, help, the status line.
type App struct {
	opts                   appOptions
	active                 int
	showHelp               bool
	palette                textinput.Model
	paletteOn              bool
	paletteErr             string
	paletteErrGen          int
	helpTop                int
	brokerErr, registryErr error
	healthKnown            bool
	start                  *switchMsg // applied in Init (e.g. open a topic), before any key
	quitting               bool
}

type healthMsg struct{ broker, registry error }

// newApp builds the app.
func newApp(opts appOptions) *App {
	if opts.HealthEvery == 0 {
		opts.HealthEvery = 2 * time.Second
	}
	if opts.Ctx == nil {
		opts.Ctx = context.Background()
	}
	ti := textinput.New()
	ti.Prompt = ":"
	ti.Placeholder = "a screen, or messages TOPIC · trace ID · group NAME · rewind GROUP (tab completes)"
	return &App{opts: opts, palette: ti}
}

// Init starts every screen and the health poll. Until the terminal reports
// its size, the app assumes 80×24.
func (a *App) Init() tea.Cmd {
	if c := a.opts.Common; c.Width == 0 || c.Height == 0 {
		c.Width, c.Height = 80, 24
		for _, s := range a.opts.Screens {
			s.SetSize(c.Width, a.bodyHeight())
		}
	}
	cmds := []tea.Cmd{a.pollHealth()}
	for i, s := range a.opts.Screens {
		cmds = append(cmds, route(i, s.Init()))
	}
	if a.start != nil {
		// Applied here, not sent as a message: a key read before the
		// message arrived (q typed at once) would act on another screen.
		_, cmd := a.Update(*a.start)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) pollHealth() tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(a.opts.Ctx, requestTimeout(a.opts.HealthEvery))
		defer cancel()
		var m healthMsg
		if a.opts.BrokerHealth != nil {
			m.broker = a.opts.BrokerHealth(ctx)
		}
		if a.opts.RegistryHealth != nil {
			m.registry = a.opts.RegistryHealth(ctx)
		}
		return m
	}
}

// Update handles global keys and routes everything else.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		// A terminal whose size is unknown (a pty nobody sized) reports
		// 0×0: keep drawing at the size known so far.
		if m.Width <= 0 || m.Height <= 0 {
			return a, nil
		}
		a.opts.Common.Width, a.opts.Common.Height = m.Width, m.Height
		for _, s := range a.opts.Screens {
			s.SetSize(m.Width, a.bodyHeight())
		}
		return a, nil
	case healthMsg:
		a.logHealth("broker", a.opts.Brokers, a.brokerErr, m.broker)
		a.logHealth("registry", a.opts.RegistryURL, a.registryErr, m.registry)
		a.brokerErr, a.registryErr, a.healthKnown = m.broker, m.registry, true
		cmds := []tea.Cmd{tea.Tick(a.opts.HealthEvery, func(time.Time) tea.Msg { return pollMsg{} })}
		// Screens tell stale data and a stalled read from live ones.
		for i, s := range a.opts.Screens {
			s, cmd := s.Update(m)
			a.opts.Screens[i] = s
			cmds = append(cmds, route(i, cmd))
		}
		return a, tea.Batch(cmds...)
	case pollMsg:
		return a, a.pollHealth()
	case paletteErrMsg:
		if m.gen == a.paletteErrGen {
			a.paletteErr = ""
		}
		return a, nil
	case screenMsg:
		if m.screen < 0 || m.screen >= len(a.opts.Screens) {
			return a, nil
		}
		s, cmd := a.opts.Screens[m.screen].Update(m.msg)
		a.opts.Screens[m.screen] = s
		return a, route(m.screen, cmd)
	case switchMsg:
		for i, s := range a.opts.Screens {
			if strings.EqualFold(s.Title(), m.title) {
				a.active = i
				if m.msg != nil {
					return a, a.updateActive(m.msg)
				}
			}
		}
		return a, nil
	case tea.KeyMsg:
		if m.Type == tea.KeyRunes && (len(m.Runes) > 1 || m.Paste) && !m.Alt {
			return a, a.keys(m)
		}
		return a, a.key(m)
	}
	return a, a.updateActive(msg)
}

// keys handles runes that arrived in one read (typed fast, or pasted) as
// that many key presses, in order: "jj" moves two rows, "/ord" opens the
// filter and types "ord" into it, "12" shows screen 1 then screen 2. The
// rest of a paste goes to a text input as one paste once one takes it; a
// quit ends the run.
func (a *App) keys(m tea.KeyMsg) tea.Cmd {
	var cmds []tea.Cmd
	for i, r := range m.Runes {
		if m.Paste && (a.paletteOn || len(a.opts.Screens) > 0 && a.opts.Screens[a.active].Capturing()) {
			cmds = append(cmds, a.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: m.Runes[i:], Paste: true}))
			break
		}
		// A key, not a paste (whose String is "[…]" and matches no key).
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		if r == ' ' {
			k.Type = tea.KeySpace
		}
		cmds = append(cmds, a.key(k))
		if a.quitting {
			return tea.Quit
		}
	}
	return tea.Batch(cmds...)
}

type pollMsg struct{}

// logHealth records an outage of a service, and its recovery, in the log
// (--log-file).
func (a *App) logHealth(what, addr string, was, now error) {
	log := a.opts.Log
	switch {
	case log == nil:
	case now != nil && (was == nil || !a.healthKnown):
		log.Warn(what+" unreachable", "address", addr, "reason", plainReason(now))
	case now == nil && was != nil:
		log.Info(what+" recovered", "address", addr)
	}
}

func (a *App) updateActive(msg tea.Msg) tea.Cmd {
	if len(a.opts.Screens) == 0 {
		return nil
	}
	s, cmd := a.opts.Screens[a.active].Update(msg)
	a.opts.Screens[a.active] = s
	return route(a.active, cmd)
}

// quit ends the program.
func (a *App) quit() tea.Cmd {
	a.quitting = true
	return tea.Quit
}

func (a *App) key(m tea.KeyMsg) tea.Cmd {
	k := a.opts.Common.Keys
	if m.Type == tea.KeyCtrlC {
		return a.quit()
	}
	a.paletteErr = "" // an error of the palette goes with the next key
	if a.paletteOn {
		switch m.Type {
		case tea.KeyEsc:
			a.paletteOn = false
			a.palette.Blur()
			return nil
		case tea.KeyEnter:
			return a.runPalette()
		case tea.KeyTab:
			a.complete()
			return nil
		}
		var cmd tea.Cmd
		a.palette, cmd = a.palette.Update(m)
		return cmd
	}
	if a.showHelp {
		if key.Matches(m, k.Help, k.Back) {
			a.showHelp = false
			return nil
		}
		if key.Matches(m, k.Quit) {
			return a.quit()
		}
		// The help scrolls like a list.
		n := strings.Count(a.helpView(), "\n")
		a.helpTop = moveCursor(m, a.helpTop, max(n-a.bodyHeight()+2, 1), max(a.bodyHeight()-2, 1))
		return nil
	}
	capturing := len(a.opts.Screens) > 0 && a.opts.Screens[a.active].Capturing()
	if !capturing {
		switch {
		case key.Matches(m, k.Quit):
			return a.quit()
		case key.Matches(m, k.Help):
			a.showHelp, a.helpTop = true, 0
			return nil
		case key.Matches(m, k.Palette):
			a.paletteOn, a.paletteErr = true, ""
			a.palette.SetValue("")
			return a.palette.Focus()
		}
		for i, b := range []key.Binding{k.Screen1, k.Screen2, k.Screen3, k.Screen4, k.Screen5, k.Screen6} {
			if key.Matches(m, b) && i < len(a.opts.Screens) {
				a.active = i
				return nil
			}
		}
	}
	return a.updateActive(m)
}

// paletteCommands are what the palette takes besides a screen's name,
// with the screen they open and what their argument names.
var paletteCommands = []struct{ name, screen, arg string }{
	{"messages", "Messages", "TOPIC [FROM]"},
	{"trace", "Trace", "ID"},
	{"group", "Groups", "NAME"},
	{"rewind", "Rewind", "GROUP"},
}

type paletteErrMsg struct{ gen int }

// paletteError shows err under the palette for a few seconds (or until
// the next key).
func (a *App) paletteError(format string, args ...any) tea.Cmd {
	a.paletteErr = fmt.Sprintf(format, args...)
	a.paletteErrGen++
	gen := a.paletteErrGen
	return tea.Tick(4*time.Second, func(time.Time) tea.Msg { return paletteErrMsg{gen} })
}

// paletteWords are the palette's first words: the screens and commands.
func (a *App) paletteWords() []string {
	var words []string
	for _, s := range a.opts.Screens {
		words = append(words, strings.ToLower(s.Title()))
	}
	for _, c := range paletteCommands {
		if !slices.Contains(words, c.name) {
			words = append(words, c.name)
		}
	}
	return append(words, "quit")
}

// paletteArgs are the known values of a command's argument: topic names
// for messages, group names for group and rewind, as the screens last
// listed them.
func (a *App) paletteArgs(cmd string) []string {
	var out []string
	for _, s := range a.opts.Screens {
		switch s := s.(type) {
		case *topicsScreen:
			if cmd == "messages" {
				for _, t := range s.topics {
					out = append(out, t.Name)
				}
			}
		case *groupsScreen:
			if cmd == "group" || cmd == "rewind" {
				for _, g := range s.groups {
					out = append(out, g.Name)
				}
			}
		}
	}
	return out
}

// complete completes the palette's last word: a screen or command name,
// or a command's argument (topic or group names); with several candidates
// it completes their common prefix and lists them.
func (a *App) complete() {
	v := a.palette.Value()
	words := strings.Fields(v)
	var cands []string
	prefix := ""
	switch {
	case len(words) == 0 || len(words) == 1 && !strings.HasSuffix(v, " "):
		if len(words) == 1 {
			prefix = strings.ToLower(words[0])
		}
		for _, w := range a.paletteWords() {
			if strings.HasPrefix(w, prefix) {
				cands = append(cands, w)
			}
		}
	case len(words) == 1 || len(words) == 2 && !strings.HasSuffix(v, " "):
		if len(words) == 2 {
			prefix = words[1]
		}
		for _, w := range a.paletteArgs(strings.ToLower(words[0])) {
			if strings.HasPrefix(w, prefix) && termtext.Printable(w) {
				cands = append(cands, w)
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	common := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, common) {
			common = common[:len(common)-1]
		}
	}
	head := v[:len(v)-len(prefix)]
	if len(cands) == 1 {
		common += " "
	} else {
		a.paletteError("%s", strings.Join(cands, "  "))
	}
	a.palette.SetValue(head + common)
	a.palette.CursorEnd()
}

func (a *App) runPalette() tea.Cmd {
	a.paletteOn = false
	a.palette.Blur()
	words := strings.Fields(a.palette.Value())
	if len(words) == 0 {
		return nil
	}
	want, args := strings.ToLower(words[0]), words[1:]
	if want == "q" || want == "quit" {
		return a.quit()
	}
	for _, c := range paletteCommands {
		if want != c.name && want != strings.ToLower(c.screen) && !(len(args) > 0 && strings.HasPrefix(c.name, want)) {
			continue
		}
		if len(args) == 0 {
			if c.name == "group" || c.name == "rewind" {
				break // the screen alone
			}
			return a.paletteError("%s needs %s (:%s %s)", c.name, c.arg, c.name, c.arg)
		}
		switch c.name {
		case "messages":
			if len(args) > 2 {
				return a.paletteError("messages takes TOPIC [FROM], not %q", strings.Join(args, " "))
			}
			from := ""
			if len(args) == 2 {
				if _, err := stream.ParseBound(args[1]); err != nil {
					return a.paletteError("messages %s %s: %v", args[0], args[1], err)
				}
				from = args[1]
			}
			return switchTo(c.screen, openTopicMsg{Topic: args[0], From: from})
		case "trace":
			return switchTo(c.screen, traceRequestMsg{ID: strings.Join(args, " ")})
		case "group":
			return switchTo(c.screen, selectGroupMsg{Name: strings.Join(args, " ")})
		case "rewind":
			return switchTo(c.screen, rewindGroupMsg{Group: strings.Join(args, " ")})
		}
	}
	if len(args) > 0 {
		return a.paletteError("%s takes no argument; with one: %s", want, paletteUsage())
	}
	for i, s := range a.opts.Screens {
		if strings.HasPrefix(strings.ToLower(s.Title()), want) {
			a.active = i
			return nil
		}
	}
	return a.paletteError("no screen or command %q: %s", want, paletteUsage())
}

// paletteUsage lists the palette's commands with arguments.
func paletteUsage() string {
	var us []string
	for _, c := range paletteCommands {
		us = append(us, c.name+" "+c.arg)
	}
	return strings.Join(us, " · ")
}

func (a *App) bodyHeight() int {
	h := a.opts.Common.Height - 3 // tabs, status line, palette/key hint line
	if h < 1 {
		h = 1
	}
	return h
}

// View renders tabs, the active screen (or help) and the status line.
func (a *App) View() string {
	c := a.opts.Common
	st := c.Styles
	var tabs []string
	for i, s := range a.opts.Screens {
		label := fmt.Sprintf("%d %s", i+1, s.Title())
		switch {
		case i == a.active && st.Mono:
			tabs = append(tabs, "["+label+"]")
		case i == a.active:
			tabs = append(tabs, st.ActiveTab.Render(label))
		default:
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	header := st.Title.Render("edactl") + " " + strings.Join(tabs, "")
	if lipgloss.Width(header) > c.Width && len(a.opts.Screens) > 0 {
		// Too narrow for every tab: the current screen's name, always.
		cur := tabs[a.active]
		header = st.Title.Render("edactl") + " " + cur + st.Dim.Render(fmt.Sprintf(" 1-%d", len(a.opts.Screens)))
		if lipgloss.Width(header) > c.Width {
			header = strings.TrimSpace(fmt.Sprintf("%d %s", a.active+1, a.opts.Screens[a.active].Title()))
			if st.Mono {
				header = "[" + header + "]"
			}
		}
	}
	var body string
	switch {
	case a.showHelp:
		lines := strings.Split(strings.TrimRight(a.helpView(), "\n"), "\n")
		h := a.bodyHeight()
		a.helpTop = max(0, min(a.helpTop, len(lines)-h+1))
		if len(lines) > h {
			end := min(len(lines), a.helpTop+h-1)
			more := st.Dim.Render(fmt.Sprintf("… lines %d-%d of %d · ↑/↓ pgup/pgdn g/G scroll · esc closes", a.helpTop+1, end, len(lines)))
			lines = append(lines[a.helpTop:end], more)
		}
		body = strings.Join(lines, "\n")
	case len(a.opts.Screens) > 0:
		body = a.opts.Screens[a.active].View()
	}
	body = fitHeight(body, a.bodyHeight(), c.Width)
	var bottom string
	switch {
	case a.paletteOn && a.paletteErr != "":
		bottom = inputView(a.palette) + "  " + st.Dim.Render(oneLine(a.paletteErr))
	case a.paletteOn:
		bottom = inputView(a.palette)
	case a.paletteErr != "":
		bottom = st.Error.Render(a.paletteErr)
	default:
		bottom = st.Dim.Render("1-" + fmt.Sprint(len(a.opts.Screens)) + " screens  : palette  ? help  q quit")
	}
	v := strings.Join([]string{truncate(header, c.Width), body, truncate(bottom, c.Width), truncate(a.statusLine(), c.Width)}, "\n")
	if c.Height < 4 {
		// Fewer lines than the frame needs: show its top.
		v = fitHeight(v, max(c.Height, 1), c.Width)
	}
	return v
}

func (a *App) statusLine() string {
	st := a.opts.Common.Styles
	state := func(err error) string {
		switch {
		case !a.healthKnown:
			return "…"
		case err != nil:
			return st.Bad.Render("down") + st.Dim.Render(" ("+plainReason(err)+")")
		}
		return st.Good.Render("ok")
	}
	return st.Status.Render("broker "+a.opts.Brokers+": ") + state(a.brokerErr) +
		st.Status.Render("  registry "+a.opts.RegistryURL+": ") + state(a.registryErr)
}

func (a *App) helpView() string {
	c := a.opts.Common
	var b strings.Builder
	b.WriteString(c.Styles.Header.Render("Global keys") + "\n")
	for _, k := range []key.Binding{c.Keys.Quit, c.Keys.Help, c.Keys.Palette, c.Keys.Back} {
		fmt.Fprintf(&b, "  %-10s %s\n", k.Help().Key, k.Help().Desc)
	}
	fmt.Fprintf(&b, "  %-10s %s\n", "1-"+fmt.Sprint(len(a.opts.Screens)), "switch screen")
	if len(a.opts.Screens) > 0 {
		s := a.opts.Screens[a.active]
		b.WriteString("\n" + c.Styles.Header.Render(s.Title()+" keys") + "\n")
		for _, k := range s.Keys() {
			fmt.Fprintf(&b, "  %-10s %s\n", k.Help().Key, k.Help().Desc)
		}
	}
	return b.String()
}

// firstLine is the first line of s (an error message), safe to print and
// cut to 60 cells.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncate(oneLine(s), 60)
}

// fitHeight pads or cuts s to exactly h lines, each cut to w cells.
func fitHeight(s string, h, w int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
