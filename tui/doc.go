// Package tui is edactl's terminal UI, built on bubbletea.
//
// Design decisions:
//
//   - One model per screen (Topics, Messages, Groups, Rewind, Trace,
//     Schemas). Screens implement Screen and share a Common value (size,
//     styles, key map), as soft-serve's pages do.
//   - All I/O happens inside tea.Cmd functions; Update never blocks. Data
//     comes through the interfaces in deps.go, implemented over the stream
//     package and the registry client (franz-go's pkg/sr), so tui itself
//     holds no Kafka or HTTP code and tests can drive it against a kfake
//     cluster and a real registry.
//   - Screens that depend on a service show an error view when it is down
//     and retry on a timer, so they recover on their own when it returns.
//   - Colours come from a lipgloss renderer; NO_COLOR (or --no-color) gives
//     plain text. Tests golden the View() text, never raw ANSI.
package tui
