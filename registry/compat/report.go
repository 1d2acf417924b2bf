package compat

import (
	"fmt"
	"io"
)

// WriteText writes the report for people: one block per failing comparison,
// one "<path>: <RULE>: <message>" line per incompatibility, and a verdict
// line. candidate and history name the schemas (file names, or subject and
// version); history is in the order given to Check.
func (r Report) WriteText(w io.Writer, candidate string, history []string) error {
	name := func(i int) string {
		if i < len(history) {
			return history[i]
		}
		return fmt.Sprintf("history[%d]", i)
	}
	ew := &errWriter{w: w}
	if r.Compatible {
		ew.printf("%s is compatible (%s: %s; %d comparison(s))\n", candidate, r.Level, r.Level.Description(), len(r.Comparisons))
		return ew.err
	}
	count := 0
	for _, c := range r.Comparisons {
		if c.Compatible() {
			continue
		}
		if c.Direction == DirBackward {
			ew.printf("%s cannot read data written with %s:\n", candidate, name(c.Against))
		} else {
			ew.printf("%s cannot read data written with %s:\n", name(c.Against), candidate)
		}
		for _, is := range c.Incompatibilities {
			ew.printf("  %s\n", is)
			count++
		}
	}
	ew.printf("%s is incompatible under %s: %d problem(s)\n", candidate, r.Level, count)
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
