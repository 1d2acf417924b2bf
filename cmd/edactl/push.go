package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/schemas/gate"
)

// pushOptions are the flags of `edactl push`.
type pushOptions struct {
	DryRun bool
}

func newPushCmd(g *globals) *cobra.Command {
	opts := &pushOptions{}
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Register the schema tree's new versions with the registry",
		Long: `Register every local version the registry does not hold yet, in version
order, subject by subject (the subject of each event follows edactl.yaml's
subject_strategy).

A subject is refused, and nothing is registered for it, when the tree has an
error for the event, a published version differs from its file, or a new
version is incompatible with the registry's history under the registry's
level. If the registry rejects a version anyway, the versions registered for
that subject in this run are deleted again. Other subjects go on.

Pushing twice is harmless: the second run registers nothing.

Exit status: 0 ok, 1 a subject was refused, 2 usage or configuration error.`,
		Example: `  # What would be registered?
  edactl push --dry-run

  # Register, as a CI step after merging to main
  edactl push --registry https://schemas.example.com`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			return runPush(cmd.Context(), g, cmd.OutOrStdout(), cmd.ErrOrStderr(), opts, out)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan, register nothing")
	return cmd
}

// runPush registers the tree's new versions and writes the result in format
// to stdout; progress goes to stderr.
func runPush(ctx context.Context, g *globals, stdout, stderr io.Writer, opts *pushOptions, format string) error {
	tree, _, err := loadTree(ctx, g)
	if err != nil {
		return err
	}
	cl, err := g.registryClient()
	if err != nil {
		return err
	}
	popts := gate.PushOptions{DryRun: opts.DryRun}
	if isTerminal(stderr) {
		popts.Progress = stderr
	}
	res, err := gate.Push(ctx, tree, cl, popts)
	if err != nil {
		// Stopped (the registry unreachable, interrupted): a summary
		// would claim there was nothing to do. Show what was done before
		// the error, if anything, then the error alone.
		if res != nil && res.Registered+res.Refused > 0 {
			if werr := gate.WritePush(stdout, res, format); werr != nil {
				return errors.Join(err, werr)
			}
		}
		return pushStopped(res, err)
	}
	if werr := gate.WritePush(stdout, res, format); werr != nil {
		return werr
	}
	if res.Refused > 0 {
		return errCheckFailed
	}
	return nil
}

// pushStopped is the error of a push that could not finish: a registry
// that cannot be reached is named as such, with the network error only
// (not the request that failed), and it says whether anything was
// registered before it.
func pushStopped(res *gate.PushResult, err error) error {
	done := "nothing was registered"
	if res != nil && res.Registered > 0 {
		done = fmt.Sprintf("%d version(s) were registered before it", res.Registered)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("push: cannot reach the registry (%v); %s", op, done)
	}
	return fmt.Errorf("push stopped (%s): %w", done, err)
}
