package schemas_test

import (
	"context"
	"testing"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

// The sample catalogue loads without problems, every history is
// compatible, and it passes every lint rule.
func TestExamplesAreClean(t *testing.T) {
	ctx := context.Background()
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tree.Problems {
		t.Errorf("load: %s", p)
	}
	hist, err := schemas.CheckHistory(ctx, tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range hist {
		t.Errorf("history: %s", f)
	}
	for _, f := range schemas.Lint(tree) {
		t.Errorf("lint: %s", f)
	}
	if len(tree.Events) < 6 {
		t.Errorf("want at least 6 events, got %d", len(tree.Events))
	}
	kinds := map[schemas.Kind]int{}
	domains := map[string]bool{}
	multi := 0
	for _, e := range tree.Events {
		kinds[e.Kind]++
		domains[e.Domain] = true
		if len(e.Versions) >= 2 {
			multi++
		}
		t.Logf("%-30s %-9s %-40s v%d %s", e.ID(), e.Kind, e.Subject, len(e.Versions), e.Level)
	}
	for _, k := range schemas.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s in the catalogue", k)
		}
	}
	if kinds[schemas.KindCommand] != 1 {
		t.Errorf("want one command, got %d", kinds[schemas.KindCommand])
	}
	for _, d := range []string{"orders", "payments", "inventory", "shipping"} {
		if !domains[d] {
			t.Errorf("no %s domain", d)
		}
	}
	if multi < 3 {
		t.Errorf("want several events with 2-4 versions, got %d", multi)
	}
}
