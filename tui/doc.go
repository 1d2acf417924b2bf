// Package tui is edactl's terminal UI, built on bubbletea: Topics,
// Messages, Groups, Rewind, Trace and Schemas screens over the stream
// package and the schema registry.
//
// Design decisions:
//
//   - One model per screen (Topics, Messages, Groups, Rewind, Trace,
//     Schemas). Screens implement Screen and share a Common value (size,
//     styles, key map), as soft-serve's pages do. Screens ask each other
//     for things with SwitchTo and a message (OpenTopicMsg, RewindGroupMsg,
//     TraceRequestMsg).
//   - All I/O happens inside tea.Cmd functions; Update never blocks. A
//     screen's command results are routed to that screen even while
//     another is shown. Data comes through the small interfaces in deps.go
//     (TopicLister, GroupReader, Rewinder, Tracer, Reader, RegistrySource),
//     implemented by *stream.Client and NewRegistrySource, so tui itself
//     holds no Kafka or HTTP code and tests drive it against a kfake cluster
//     and a real registry.
//   - The Messages screen reads with a stream Client of its own (stream
//     runs one read at a time per Client). The read copies each record into
//     a compact row — never keeping *stream.Record, whose payloads share
//     slabs and fetch buffers with thousands of others — and the screen
//     takes the rows every 50ms, so it redraws per batch, not per record.
//     The screen keeps the newest rows (10,000 by default) and counts what
//     it drops; when it falls a buffer behind, the read waits, so a starved
//     screen does not compete with decoding records it would drop. Pause
//     blocks the read the same way: records wait in Kafka. The screen's
//     read applies the CEL filter in its callback (not in stream's decode
//     workers), so that it can count, while following, what was read,
//     shown and what the filter failed on, with the first error.
//   - Keys that arrive in one read (typed fast, pasted) are handed to the
//     screens one by one, in order.
//   - Rewinds use the stream planner the CLI prints (PlanRewind), are
//     planned again right before the confirmation, applied only after the
//     group's name is typed, and refused while the group has members.
//     Undo files are Kafka's offset CSV, as the CLI writes them.
//   - Screens that depend on a service show an error view when it is down
//     and retry on a timer, so they recover on their own when it returns.
//   - Text from Kafka and the registry (header keys and values, keys,
//     values, names, error messages) is untrusted: it is shown through
//     oneLine, textBlock and headerText, which use termtext.Escape
//     and termtext.Quote, so a control character, a bidirectional
//     override or an invalid byte is shown escaped and never reaches the
//     terminal; table cells always go through oneLine, text inputs through
//     inputView (a textinput drops C0/C1 controls but keeps bidirectional
//     overrides). A consumer group opened from Groups is kept by its exact
//     name outside the Rewind form's textinput, which would drop or change
//     control characters; it is shown, and confirmed, as groupText quotes it.
//   - Colours come from a lipgloss renderer on the output, with the
//     terminal background given rather than queried; NO_COLOR (or
//     --no-color) gives plain text. Tests golden the View() text, never raw
//     ANSI, and read it from inside the program loop.
package tui
