package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestUsageErrorsExit2 walks every kind of bad command line: each exits 2
// with a one-line error naming the problem.
func TestUsageErrorsExit2(t *testing.T) {
	cases := []struct {
		kind string
		args []string
		want string // in stderr
	}{
		{"unknown command", []string{"nosuch"}, `unknown command "nosuch" for "edactl"`},
		{"unknown subcommand", []string{"gen", "nosuch"}, `unknown command "nosuch" for "edactl gen"`},
		{"unknown subcommand", []string{"topics", "nosuch"}, `unknown command "nosuch" for "edactl topics"`},
		{"unknown flag", []string{"--nope"}, "unknown flag: --nope"},
		{"unknown flag", []string{"version", "--nope"}, "unknown flag: --nope"},
		{"unknown flag", []string{"registry", "subjects", "--nope"}, "unknown flag: --nope"},
		{"unknown shorthand flag", []string{"consume", "-z", "orders"}, "unknown shorthand flag: 'z' in -z"},
		{"flag without its value", []string{"consume", "orders", "--count"}, "flag needs an argument: --count"},
		{"flag without its value", []string{"registry", "subjects", "--user"}, "flag needs an argument: --user"},
		{"bad flag value", []string{"consume", "orders", "--count", "many"}, `invalid argument "many" for "-n, --count" flag`},
		{"bad flag value", []string{"tui", "--refresh", "often"}, `invalid argument "often" for "--refresh" flag`},
		{"bad flag value", []string{"check", "--strict=maybe"}, `invalid argument "maybe" for "--strict" flag`},
		{"missing argument", []string{"compat"}, "requires at least 2 arg(s), only received 0"},
		{"missing argument", []string{"consume"}, "requires at least 1 arg(s), only received 0"},
		{"missing argument", []string{"replay", "orders"}, "accepts 2 arg(s), received 1"},
		{"missing argument", []string{"registry", "get"}, "accepts between 1 and 2 arg(s), received 0"},
		{"missing argument", []string{"rewind"}, "accepts 1 arg(s), received 0"},
		{"too many arguments", []string{"replay", "a", "b", "c"}, "accepts 2 arg(s), received 3"},
		{"too many arguments", []string{"init", "a", "b"}, "accepts at most 1 arg(s), received 2"},
		{"too many arguments", []string{"registry", "get", "s", "1", "2"}, "accepts between 1 and 2 arg(s), received 3"},
		{"too many arguments", []string{"registry", "config", "a", "b"}, "accepts at most 1 arg(s), received 2"},
		{"too many arguments", []string{"version", "extra"}, `unknown command "extra" for "edactl version"`},
		{"too many arguments", []string{"registry", "subjects", "extra"}, `unknown command "extra" for "edactl registry subjects"`},
		{"too many arguments", []string{"completion", "bash", "extra"}, `unknown command "extra" for "edactl completion bash"`},
		{"missing argument", []string{"__complete"}, "requires at least 1 arg(s), only received 0"},
	}
	for _, c := range cases {
		var out, errOut strings.Builder
		code := Main(context.Background(), c.args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, nil)
		if code != exitUsage {
			t.Errorf("%s: edactl %s: exit %d, want 2\nstderr: %s", c.kind, strings.Join(c.args, " "), code, errOut.String())
		}
		if got := errOut.String(); !strings.Contains(got, c.want) || strings.Count(strings.TrimSpace(got), "\n") != 0 {
			t.Errorf("%s: edactl %s: stderr %q, want one line with %q", c.kind, strings.Join(c.args, " "), got, c.want)
		}
	}
}

// TestFlagRulesExit2 runs a command with cobra's required flags and flag
// groups through the root: each rule broken exits 2, all kept exits 0.
func TestFlagRulesExit2(t *testing.T) {
	newRoot := func() *cobra.Command {
		g := &globals{io: Stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, getenv: func(string) string { return "" }}
		root := newRootCmd(g)
		cmd := &cobra.Command{
			Use:  "flagrules",
			Args: noArgs(),
			RunE: func(*cobra.Command, []string) error { return nil },
		}
		f := cmd.Flags()
		f.String("name", "", "required")
		f.Bool("json", false, "")
		f.Bool("yaml", false, "")
		f.String("user", "", "")
		f.String("password", "", "")
		f.Bool("all", false, "")
		f.String("topic", "", "")
		if err := cmd.MarkFlagRequired("name"); err != nil {
			t.Fatal(err)
		}
		cmd.MarkFlagsMutuallyExclusive("json", "yaml")
		cmd.MarkFlagsRequiredTogether("user", "password")
		cmd.MarkFlagsOneRequired("all", "topic")
		root.AddCommand(cmd)
		return root
	}
	cases := []struct {
		rule string
		args []string
		code int
		want string
	}{
		{"all kept", []string{"flagrules", "--name", "n", "--json", "--user", "u", "--password", "p", "--all"}, exitOK, ""},
		{"required flag", []string{"flagrules", "--all"}, exitUsage, `required flag(s) "name" not set`},
		{"mutually exclusive", []string{"flagrules", "--name", "n", "--all", "--json", "--yaml"}, exitUsage, "none of the others can be"},
		{"required together", []string{"flagrules", "--name", "n", "--all", "--user", "u"}, exitUsage, "they must all be set; missing [password]"},
		{"one required", []string{"flagrules", "--name", "n"}, exitUsage, "at least one of the flags in the group [all topic] is required"},
	}
	for _, c := range cases {
		var errOut strings.Builder
		code := execute(context.Background(), newRoot(), c.args, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%s: edactl %s: exit %d, stderr %q; want exit %d and %q", c.rule, strings.Join(c.args, " "), code, errOut.String(), c.code, c.want)
		}
	}
}

// TestExitCodeIsByType pins that exit 2 comes from the error's type: the
// text of a cobra message alone is an ordinary failure.
func TestExitCodeIsByType(t *testing.T) {
	cases := []struct {
		err  error
		code int
	}{
		{nil, exitOK},
		{errCheckFailed, exitFailed},
		{fmt.Errorf("gate: %w", errCheckFailed), exitFailed},
		{errors.New(`unknown command "x" for "edactl"`), exitFailed},
		{errors.New("read /dev/x: invalid argument"), exitFailed},
		{errors.New("accepts 2 arg(s), received 1"), exitFailed},
		{usageErrorf("--from: bad"), exitUsage},
		{fmt.Errorf("loading: %w", &usageError{errors.New("bad")}), exitUsage},
	}
	for _, c := range cases {
		if got := exitCode(c.err, io.Discard); got != c.code {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.code)
		}
	}
}

// TestEveryCommandTypesItsArgs checks the whole command tree: every
// runnable command validates its positional arguments, every validator's
// error is a usage error, and only the root has a persistent pre-run hook
// (cobra runs the nearest one only, so another would skip the root's
// configuration and flag-rule checks).
func TestEveryCommandTypesItsArgs(t *testing.T) {
	g := &globals{io: Stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, getenv: func(string) string { return "" }}
	root := newRootCmd(g)
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprint("arg", i)
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && (c.PersistentPreRunE != nil || c.PersistentPreRun != nil) {
			t.Errorf("%s: has a persistent pre-run hook", c.CommandPath())
		}
		if c.Runnable() && c.Args == nil {
			t.Errorf("%s: no Args validator", c.CommandPath())
		}
		if c.Args != nil {
			for _, args := range [][]string{nil, many} {
				var ue *usageError
				if err := c.Args(c, args); err != nil && !errors.As(err, &ue) {
					t.Errorf("%s with %d argument(s): %T %v is not a usage error", c.CommandPath(), len(args), err, err)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
