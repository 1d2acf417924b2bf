package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// screen is one page of the UI.
type screen interface {
	// Title is the tab label.
	Title() string
	// Init starts the screen's first loads.
	Init() tea.Cmd
	// Update handles a message addressed to the screen (or broadcast).
	Update(msg tea.Msg) (screen, tea.Cmd)
	// View renders the screen body in the space SetSize gave it.
	View() string
	// SetSize tells the screen how much room it has.
	SetSize(width, height int)
	// Keys lists the screen's own keys for the ? help.
	Keys() []key.Binding
	// Capturing reports whether the screen is taking text input, in which
	// case global single-letter keys go to the screen.
	Capturing() bool
}

// screenMsg wraps a message for one screen so results of a screen's
// commands reach it even after the user switched away.
type screenMsg struct {
	screen int
	msg    tea.Msg
}

// route makes a screen's command deliver its result to that screen only.
func route(screen int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		switch m := msg.(type) {
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(m))
			for i, c := range m {
				out[i] = route(screen, c)
			}
			return out
		case nil, tea.QuitMsg, tea.WindowSizeMsg, switchMsg:
			return msg
		}
		return screenMsg{screen: screen, msg: msg}
	}
}

// switchMsg asks the app to show another screen, with an optional message
// for it (e.g. "open Messages on topic X").
type switchMsg struct {
	title string
	msg   tea.Msg
}

// switchTo returns a command that switches to the screen titled title and
// hands it msg.
func switchTo(title string, msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return switchMsg{title: title, msg: msg} }
}
