package main

import (
	"context"
	"fmt"
	"io"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/gate"
)

// fixAndRecheck is `edactl check --fix`: it writes the suggested fixes of
// report into the version files gate.ApplyFixes may change, says on stderr
// what it changed and what it could not, and returns the report of a new
// check of the reloaded tree (report itself when nothing changed).
func fixAndRecheck(ctx context.Context, g *globals, stderr io.Writer, tree *schemas.Tree, report *gate.Report, gopts gate.Options) (*gate.Report, error) {
	results, err := gate.ApplyFixes(ctx, tree, report, gopts)
	if err != nil {
		return nil, err
	}
	applied := 0
	for _, r := range results {
		if r.Applied {
			applied++
			fmt.Fprintf(stderr, "edactl: fixed %s:%d: %s (%s)\n", r.File, r.Line, r.Description, r.Kind)
		} else {
			fmt.Fprintf(stderr, "edactl: not fixed %s:%d: %s: %s\n", r.File, r.Line, r.Kind, r.Reason)
		}
	}
	if applied == 0 {
		fmt.Fprintln(stderr, "edactl: no fix applied")
		return report, nil
	}
	fmt.Fprintf(stderr, "edactl: applied %d fix(es); checking again\n", applied)
	tree, _, err = loadTree(ctx, g)
	if err != nil {
		return nil, err
	}
	return gate.Check(ctx, tree, gopts)
}
