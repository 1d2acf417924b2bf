package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
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
	brokerErr, registryErr error
	healthKnown            bool
	start                  tea.Cmd // run once at Init (e.g. open a topic)
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
	ti.Placeholder = "screen name (topics, messages, groups, rewind, trace, schemas)"
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
	cmds = append(cmds, a.start)
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
	if a.paletteOn {
		switch m.Type {
		case tea.KeyEsc:
			a.paletteOn = false
			a.palette.Blur()
			return nil
		case tea.KeyEnter:
			return a.runPalette()
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
		return nil
	}
	capturing := len(a.opts.Screens) > 0 && a.opts.Screens[a.active].Capturing()
	if !capturing {
		switch {
		case key.Matches(m, k.Quit):
			return a.quit()
		case key.Matches(m, k.Help):
			a.showHelp = true
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

func (a *App) runPalette() tea.Cmd {
	a.paletteOn = false
	a.palette.Blur()
	want := strings.ToLower(strings.TrimSpace(a.palette.Value()))
	if want == "q" || want == "quit" {
		return a.quit()
	}
	for i, s := range a.opts.Screens {
		if strings.HasPrefix(strings.ToLower(s.Title()), want) && want != "" {
			a.active = i
			return nil
		}
	}
	a.paletteErr = fmt.Sprintf("no screen %q", want)
	return nil
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
	var body string
	switch {
	case a.showHelp:
		body = a.helpView()
	case len(a.opts.Screens) > 0:
		body = a.opts.Screens[a.active].View()
	}
	body = fitHeight(body, a.bodyHeight(), c.Width)
	var bottom string
	switch {
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
