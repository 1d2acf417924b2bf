package codegen

import (
	"fmt"
	"strings"

	"github.com/edactl/edactl/schemas"
)

// FromTree converts a loaded schema tree into generator input. A tree with
// loading problems is refused: generating from a schema that is not valid
// would hide the problem.
func FromTree(t *schemas.Tree, pkg string) (Input, error) {
	if len(t.Problems) > 0 {
		var b strings.Builder
		for i, p := range t.Problems {
			if i == 5 {
				fmt.Fprintf(&b, "\n  ... and %d more", len(t.Problems)-i)
				break
			}
			b.WriteString("\n  ")
			b.WriteString(p.String())
		}
		return Input{}, fmt.Errorf("the schema tree %s has %d problem(s) (run edactl check):%s", t.Dir, len(t.Problems), b.String())
	}
	in := Input{Package: pkg}
	for _, e := range t.Events {
		ev := Event{ID: e.ID(), Subject: e.Subject, Kind: string(e.Kind), Key: e.Key}
		for _, v := range e.Versions {
			ev.Versions = append(ev.Versions, Version{Number: v.Number, Schema: string(v.Source), Source: v.File})
		}
		in.Events = append(in.Events, ev)
	}
	return in, nil
}
