package tui

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/edactl/edactl/internal/termtext"
)

// Common is what every screen shares: the space it may draw in, the styles
// and the global key map.
type Common struct {
	Width, Height int
	Styles        Styles
	Keys          GlobalKeys
}

// Styles are the lipgloss styles of the whole UI.
type Styles struct {
	Title, Tab, ActiveTab, Status, Error, Dim, Selected, Header, Good, Bad, Key lipgloss.Style
	// Mono is set when no colour or attribute reaches the terminal
	// (NO_COLOR, --no-color, a monochrome terminal): the selected row,
	// the current tab and the chosen option are then drawn with markers
	// ("> ", "[…]"), as reverse video would not show.
	Mono bool
}

// mark is the marker column of a list row in Mono: "> " on the selected
// row, two spaces on the others (and the header); nothing with colours.
func (st Styles) mark(selected bool) string {
	switch {
	case !st.Mono:
		return ""
	case selected:
		return "> "
	}
	return "  "
}

// chosen renders the chosen one of several options (the current tab, the
// rewind spec): reverse video, and in Mono between brackets.
func (st Styles) chosen(s string) string {
	if st.Mono {
		return "[" + s + "]"
	}
	return st.Selected.Render(s)
}

// newStyles builds the styles on a renderer for w, for a dark terminal
// background; color false forces plain text (NO_COLOR, --no-color, tests).
func newStyles(w io.Writer, color bool) Styles { return NewStylesOn(w, color, true) }

// NewStylesOn is NewStyles for a terminal whose background is dark or
// light. The background is given, never asked of the terminal: lipgloss
// would otherwise send an OSC 11 query and wait for an answer some
// terminals never give.
func NewStylesOn(w io.Writer, color, darkBackground bool) Styles {
	r := lipgloss.NewRenderer(w)
	r.SetHasDarkBackground(darkBackground)
	if !color {
		r.SetColorProfile(termenv.Ascii)
	}
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B7A4FF"}
	return Styles{
		Mono:      r.ColorProfile() == termenv.Ascii,
		Title:     r.NewStyle().Bold(true).Foreground(accent),
		Tab:       r.NewStyle().Padding(0, 1),
		ActiveTab: r.NewStyle().Padding(0, 1).Bold(true).Reverse(true),
		Status:    r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#555", Dark: "#AAA"}),
		Error:     r.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		Dim:       r.NewStyle().Faint(true),
		Selected:  r.NewStyle().Bold(true).Reverse(true),
		Header:    r.NewStyle().Bold(true).Underline(true),
		Good:      r.NewStyle().Foreground(lipgloss.Color("10")),
		Bad:       r.NewStyle().Foreground(lipgloss.Color("9")),
		Key:       r.NewStyle().Bold(true),
	}
}

// GlobalKeys are the keys every screen understands unless it is capturing
// text input.
type GlobalKeys struct {
	Quit, Help, Palette, Screen1, Screen2, Screen3, Screen4, Screen5, Screen6, Back key.Binding
}

// DefaultGlobalKeys returns the standard global key map.
func DefaultGlobalKeys() GlobalKeys {
	return GlobalKeys{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command palette")),
		Screen1: key.NewBinding(key.WithKeys("1")),
		Screen2: key.NewBinding(key.WithKeys("2")),
		Screen3: key.NewBinding(key.WithKeys("3")),
		Screen4: key.NewBinding(key.WithKeys("4")),
		Screen5: key.NewBinding(key.WithKeys("5")),
		Screen6: key.NewBinding(key.WithKeys("6")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// truncate cuts s to at most w display cells, ending in "…" when cut. It
// keeps ANSI sequences intact and costs one pass over s.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// inputView renders a text input so that what it holds never reaches the
// terminal as a control: a textinput drops C0 and C1 controls from what is
// typed, pasted or set, but keeps bidirectional overrides (U+202E) and the
// other characters termtext.Printable does not show. While it holds one, the
// input is rendered with its text escaped (termtext.Escape: \u202e)
// and the cursor on the same character; what it holds is not changed.
func inputView(ti textinput.Model) string {
	v := ti.Value()
	if termtext.Printable(v) {
		return ti.View()
	}
	runes := []rune(v)
	pos := min(ti.Position(), len(runes))
	ti.SetValue(termtext.Escape(v)) // ti is a copy
	ti.SetCursor(utf8.RuneCountInString(termtext.Escape(string(runes[:pos]))))
	return ti.View()
}

// errorView is the body a screen shows while the service it reads is down.
func errorView(st Styles, title string, err error, every time.Duration) string {
	return st.Error.Render(title+": "+plainReason(err)) + "\n\n" + textBlock(err.Error()) + "\n\n" +
		st.Dim.Render(fmt.Sprintf("Retrying every %s; the screen recovers when the service answers.", every))
}

// commas formats n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pad pads s with spaces to w display cells (cutting it when longer).
func pad(s string, w int) string {
	s = truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// table renders rows under a header in columns two spaces apart, each
// column as wide as its widest cell (the last one takes what is left of
// width). Row selected (if >= 0) is highlighted, in Mono styles marked
// "> " in a marker column; only rows [top, top+height)
// are shown. Cells are plain text (names, ids, previews that may come from
// Kafka): they are shown through oneLine, so a control character in one is
// escaped, never sent to the terminal.
type table struct {
	headers []string
	rows    [][]string
}

func (t table) render(st Styles, width, selected, top, height int) string {
	if selected < 0 {
		st.Mono = false // a table nothing is selected in has no marker column
	}
	width -= lipgloss.Width(st.mark(false))
	widths := make([]int, len(t.headers))
	for i, h := range t.headers {
		widths[i] = lipgloss.Width(h)
	}
	top = max(0, min(top, len(t.rows)))
	end := max(top, min(len(t.rows), top+height))
	rows := make([][]string, end-top)
	for j, r := range t.rows[top:end] {
		rows[j] = make([]string, len(r))
		for i, c := range r {
			rows[j][i] = oneLine(c)
			if i < len(widths) {
				widths[i] = max(widths[i], lipgloss.Width(rows[j][i]))
			}
		}
	}
	line := func(cells []string) string {
		var b strings.Builder
		used := 0
		for i, c := range cells {
			w := widths[i]
			if i == len(cells)-1 {
				b.WriteString(truncate(c, width-used))
				break
			}
			b.WriteString(pad(c, w) + "  ")
			used += w + 2
		}
		return strings.TrimRight(b.String(), " ")
	}
	var b strings.Builder
	b.WriteString(st.mark(false) + st.Header.Render(truncate(line(t.headers), width)) + "\n")
	for i := top; i < end; i++ {
		l := line(rows[i-top])
		if i == selected {
			b.WriteString(st.mark(true) + st.Selected.Render(pad(l, min(width, max(lipgloss.Width(l), 1)))) + "\n")
		} else {
			b.WriteString(st.mark(false) + l + "\n")
		}
	}
	return b.String()
}

// scrollTop returns the first row to show so that cursor is visible in a
// window of height rows.
func scrollTop(cursor, top, height, n int) int {
	if height <= 0 {
		return 0
	}
	if cursor < top {
		top = cursor
	}
	if cursor >= top+height {
		top = cursor - height + 1
	}
	return max(0, min(top, max(n-height, 0)))
}

// isMoveKey reports whether m is a list movement key (moveCursor).
func isMoveKey(m tea.KeyMsg) bool {
	switch m.String() {
	case "up", "k", "down", "j", "pgup", "pgdown", "ctrl+b", "ctrl+f", "home", "end", "g", "G":
		return true
	}
	return false
}

// moveCursor applies the list movement keys to cursor over n rows: ↑/k,
// ↓/j, pgup/pgdn (ctrl+b/ctrl+f), and home/g, end/G as in k9s and less.
func moveCursor(m tea.KeyMsg, cursor, n, page int) int {
	switch m.String() {
	case "up", "k":
		cursor--
	case "down", "j":
		cursor++
	case "pgup", "ctrl+b":
		cursor -= page
	case "pgdown", "ctrl+f":
		cursor += page
	case "home", "g":
		cursor = 0
	case "end", "G":
		cursor = n - 1
	}
	return max(0, min(cursor, n-1))
}

// refreshKey reloads what a screen shows now (ctrl+r, as in k9s), on
// every screen whose data can go stale; r is only ever "rewind".
func refreshKey() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh now"))
}

// Common list keys, shared by the list screens' help.
func listKeys() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page up/down")),
		key.NewBinding(key.WithKeys("home", "end", "g", "G"), key.WithHelp("g/G", "first/last (home/end too)")),
	}
}

// requestTimeout bounds a refresh request: twice the refresh interval,
// between one and five seconds, so a dead service is reported soon and a
// slow one is not mistaken for dead.
func requestTimeout(every time.Duration) time.Duration {
	return min(max(2*every, time.Second), 5*time.Second)
}
