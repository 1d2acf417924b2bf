package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// Usage errors are recognised by type, never by their text: every way a
// command line can be wrong reaches exitCode as a *usageError.
//
//   - positional arguments: every command's Args is one of the validators
//     below (noArgs, exactArgs, ...), cobra's own wrapped in usageArgs;
//   - flags that do not parse: the root's FlagErrorFunc;
//   - required flags and flag groups: validateFlagRules, run from the root's
//     PersistentPreRunE before cobra would check them untyped;
//   - an unknown command: cobra fails to find a command before running
//     any, which execute recognises (see isCommandLineError);
//   - cobra's own commands: newRootCmd wraps the Args of the completion
//     commands; the hidden __complete command, which cobra adds only while
//     it executes, fails only on its arguments (see isCommandLineError).

// usageError marks an error as a usage or configuration mistake (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// asUsage returns err as a usage error: nil stays nil and an error that
// already is one is returned as is.
func asUsage(err error) error {
	var ue *usageError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	return &usageError{err}
}

// usageArgs makes the errors of a cobra positional-argument validator
// usage errors; the messages stay cobra's ("accepts 2 arg(s), received 1").
func usageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return asUsage(validate(cmd, args))
	}
}

// noArgs accepts no positional argument; one is reported as an unknown
// command, as cobra.NoArgs does.
func noArgs() cobra.PositionalArgs { return usageArgs(cobra.NoArgs) }

// exactArgs accepts exactly n positional arguments.
func exactArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.ExactArgs(n)) }

// minimumNArgs accepts n or more positional arguments.
func minimumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MinimumNArgs(n)) }

// maximumNArgs accepts at most n positional arguments.
func maximumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MaximumNArgs(n)) }

// rangeArgs accepts between lo and hi positional arguments.
func rangeArgs(lo, hi int) cobra.PositionalArgs { return usageArgs(cobra.RangeArgs(lo, hi)) }

// validateFlagRules checks the flags marked required (MarkFlagRequired) and
// the flag groups (MarkFlagsRequiredTogether, MarkFlagsOneRequired,
// MarkFlagsMutuallyExclusive) of cmd. cobra checks them too, after the
// pre-run hooks, but returns plain errors; run from the root's
// PersistentPreRunE, this check comes first and types them, and cobra's
// then finds nothing.
func validateFlagRules(cmd *cobra.Command) error {
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return &usageError{err}
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return &usageError{err}
	}
	return nil
}

// typeCompletionArgs makes the positional-argument errors of cobra's
// completion command and its per-shell subcommands ("completion bash
// extra") usage errors. cobra creates those commands in Execute; root
// creates them here first, so they exist to be wrapped (cobra then keeps
// them).
func typeCompletionArgs(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	var wrap func(*cobra.Command)
	wrap = func(c *cobra.Command) {
		if c.Args != nil {
			c.Args = usageArgs(c.Args)
		}
		for _, sub := range c.Commands() {
			wrap(sub)
		}
	}
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			wrap(c)
		}
	}
}

// isCommandLineError reports whether err, returned by executing the command tree
// with ran as the command cobra returned, is about the command line itself
// although no validator of edactl's saw it:
//
//   - cobra returned before running any command (ran was never called):
//     the only error it returns then is from finding the command for the
//     arguments, an unknown command;
//   - ran is cobra's hidden __complete command (the shell-completion
//     protocol), which cobra adds while it executes, too late to wrap its
//     Args; it reports problems with the completion request as output,
//     so the only error it returns is about its arguments.
func isCommandLineError(ran *cobra.Command, err error) bool {
	if err == nil || ran == nil {
		return false
	}
	return ran.CalledAs() == "" || ran.Name() == cobra.ShellCompRequestCmd
}
