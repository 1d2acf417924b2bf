package tui

import (
	"io"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
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
}

// NewStyles builds the styles on a renderer for w; color false forces plain
// text (NO_COLOR, --no-color, tests).
func NewStyles(w io.Writer, color bool) Styles {
	r := lipgloss.NewRenderer(w)
	if !color {
		r.SetColorProfile(termenv.Ascii)
	}
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B7A4FF"}
	return Styles{
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

// truncate cuts s to at most w display cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r))+1 > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
