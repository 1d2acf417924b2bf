package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewindSpecFlagsAreKinds keeps every rewind spec flag named as its
// stream kind: the plan's spec is shown as "--" and the kind's name.
func TestRewindSpecFlagsAreKinds(t *testing.T) {
	cmd := newRewindCmd(&globals{})
	for _, k := range rewindSpecKinds {
		if cmd.Flags().Lookup(k.String()) == nil {
			t.Errorf("no flag --%s for the rewind spec %s", k, k)
		}
	}
}

// TestRewindRefusals is the wording of each rewind rule the command line
// can break (the rules are stream's; the words name the flags), refused
// before any broker is asked.
func TestRewindRefusals(t *testing.T) {
	dir := t.TempDir()
	dup := filepath.Join(dir, "dup.csv")
	if err := os.WriteFile(dup, []byte("orders,0,1\norders,0,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "plan.csv")
	if err := os.WriteFile(plan, []byte("orders,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"", "--topic", "orders", "--to-earliest"}, 2, "the consumer group name is empty"},
		{[]string{"billing", "--topic", "orders"}, 2, "give exactly one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-time, --by-duration, --to-group, --from-file"},
		{[]string{"billing", "--topic", "orders", "--to-earliest", "--to-latest"}, 2, "give exactly one rewind spec, not --to-earliest and --to-latest"},
		{[]string{"billing", "--topic", "orders", "--all-topics", "--to-earliest"}, 2, "--topic and --all-topics exclude each other"},
		{[]string{"billing", "--topic", "orders", "--to-offset", "-1"}, 2, "--to-offset -1: offsets are 0 or more"},
		{[]string{"billing", "--topic", "orders", "--by-duration", "0"}, 2, "--by-duration 0s: want a positive duration"},
		{[]string{"billing", "--topic", "orders", "--by-duration", "-90m"}, 2, "--by-duration -1h30m0s: want a positive duration"},
		{[]string{"billing", "--topic", "orders", "--to-group", ""}, 2, "--to-group: give the group whose offsets to copy"},
		{[]string{"billing", "--topic", "orders", "--to-group", "billing"}, 2, `--to-group "billing" is the group being rewound`},
		{[]string{"billing", "--to-earliest"}, 2, "select partitions with --topic TOPIC[:P,P] or --all-topics"},
		{[]string{"billing", "--from-file", plan, "--all-topics"}, 2, "--from-file names its partitions; do not also give --topic or --all-topics"},
		{[]string{"billing", "--from-file", dup}, 1, "the file names orders/0 twice"},
		{[]string{"billing", "--topic", "orders", "--to-earliest", "--undo-file", "u.csv"}, 2, "--undo-file is only written with --execute"},
	} {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), append([]string{"rewind"}, c.args...), Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, func(string) string { return "" })
		if got := strings.TrimSpace(errOut.String()); code != c.code || got != "edactl: "+c.want {
			t.Errorf("edactl rewind %q: exit %d, %q; want exit %d, %q", c.args, code, got, c.code, "edactl: "+c.want)
		}
	}
}
