package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/gate"
)

// checkOptions are the flags of `edactl check`.
type checkOptions struct {
	Against []string
	Strict  bool
	// RegistryNamed is set when the user named a registry (see
	// registryConfigured), which --against auto then tries.
	RegistryNamed bool
	// Fix writes the suggested fixes into the new versions' files and
	// checks again.
	Fix bool
	// Baseline ("git:REF") shows only findings REF did not have.
	Baseline string
}

func newCheckCmd(g *globals) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the schema tree: compatibility, published versions, event-design lint",
		Long: `Check every version of every event in the schema tree (edactl.yaml,
schemas/<domain>/<event>/vN.avsc) against its predecessors under the event's
compatibility level, lint event design, and optionally compare the tree with
a baseline:

  --against registry    published versions must equal the registry's, and new
                        versions must be compatible with the registry's
                        history under the registry's level for the subject
  --against git:REF     version files that exist at REF must be unchanged
                        (works without a registry)
  --against local       no baseline

By default a configured registry (edactl.yaml, EDACTL_REGISTRY or --registry)
is used when it answers, and the check is local otherwise. --against can be
repeated.

Every problem is reported, as

  file:line: subject: field path: RULE: message

Under a compatibility finding, a suggested fix says what to change (add a
default or an alias, keep enum symbols, keep the wider type); --fix writes
those into the newest version's file (never a published one) and checks
again. Waivers in edactl.yaml accept single findings with a reason, an
owner and an expiry date. --baseline git:REF shows only the findings REF
did not already have.

Lint findings (lower-case rule ids) are warnings unless --strict; disable
rules with lint.disable in edactl.yaml. Formats: -o text, json, github
(GitHub Actions annotations), junit (JUnit XML), sarif (SARIF 2.1.0 for
code scanning), markdown (a pull-request comment: the changed events,
their verdicts, and who must act).

Exit status: 0 clean, 1 a problem was found, 2 usage or configuration error.`,
		Example: `  # Before pushing: everything against everything
  edactl check

  # In CI, against the main branch, annotating the pull request
  edactl check --against git:origin/main -o github

  # JUnit for dashboards (GitLab, Jenkins), lint findings fail the build
  edactl check --against git:origin/main --strict -o junit > edactl-check.xml

  # A pull-request comment naming the services a change affects
  edactl check --against git:origin/main -o markdown > edactl-check.md

  # Only what this branch breaks, as SARIF for code scanning
  edactl check --baseline git:origin/main -o sarif > edactl-check.sarif

  # Write the suggested fixes into the new version files, then check again
  edactl check --fix

  # Against the production registry
  edactl check --against registry --registry https://schemas.example.com`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output(append(slices.Clone(gate.Formats), gate.FormatMarkdown)...)
			if err != nil {
				return err
			}
			opts.RegistryNamed = registryConfigured(g, cmd)
			return runCheck(cmd.Context(), g, cmd.OutOrStdout(), cmd.ErrOrStderr(), opts, out)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Against, "against", nil, "baseline: auto (default), local, registry or git:REF; repeatable")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "make lint findings errors")
	cmd.Flags().BoolVar(&opts.Fix, "fix", false, "write the suggested fixes into the newest, unpublished version files and check again")
	cmd.Flags().StringVar(&opts.Baseline, "baseline", "", "git:REF: report only findings the tree at REF did not have")
	_ = cmd.RegisterFlagCompletionFunc("against", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"auto", "local", "registry", "git:origin/main"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// checkBaseline is what --against asks for.
type checkBaseline struct {
	// Registry: --against registry; the registry must answer.
	Registry bool
	// AutoRegistry: --against auto (the default); a named registry is used
	// when it answers.
	AutoRegistry bool
	// GitRef: --against git:REF.
	GitRef string
}

// baseline reads --against.
func (o *checkOptions) baseline() (checkBaseline, error) {
	var b checkBaseline
	against := o.Against
	if len(against) == 0 {
		against = []string{"auto"}
	}
	for _, a := range against {
		switch {
		case a == "auto":
			b.AutoRegistry = true
		case a == "local":
		case a == "registry":
			b.Registry = true
		case strings.HasPrefix(a, "git:") && len(a) > 4:
			if b.GitRef != "" {
				return b, usageErrorf("--against: only one git baseline at a time (got git:%s and %s)", b.GitRef, a)
			}
			b.GitRef = strings.TrimPrefix(a, "git:")
		default:
			return b, usageErrorf("--against %q: want auto, local, registry or git:REF", a)
		}
	}
	return b, nil
}

// runCheck checks the schema tree and writes the report in format to
// stdout; notes and progress go to stderr.
func runCheck(ctx context.Context, g *globals, stdout, stderr io.Writer, opts *checkOptions, format string) error {
	tree, dir, err := loadTree(ctx, g)
	if err != nil {
		return err
	}
	gopts := gate.Options{Dir: dir, Strict: opts.Strict}
	if isTerminal(stderr) {
		gopts.Progress = stderr
	}
	base, err := opts.baseline()
	if err != nil {
		return err
	}
	gopts.GitRef = base.GitRef
	if opts.Baseline != "" && (!strings.HasPrefix(opts.Baseline, "git:") || len(opts.Baseline) == 4) {
		return usageErrorf("--baseline %q: want git:REF", opts.Baseline)
	}
	gopts.Baseline = opts.Baseline
	gopts.Extra = func(t *schemas.Tree, fs []schemas.Finding) []schemas.Finding { return hookFindings(t, fs, opts.Strict) }
	gopts.Rules = []string{ruleConversionHook}
	if base.Registry || base.AutoRegistry && opts.RegistryNamed {
		cl, err := g.registryClient()
		if err != nil {
			return err
		}
		if !base.Registry {
			// auto: use the registry only if it answers.
			pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			res := cl.Compatibility(pctx)
			cancel()
			if len(res) == 1 && res[0].Err != nil {
				fmt.Fprintf(stderr, "edactl: registry %s does not answer (%s): checking without it\n", g.Registry, rootCause(res[0].Err))
				cl = nil
			}
		}
		if cl != nil {
			gopts.Registry, gopts.RegistryURL = cl, g.Registry
		}
	}
	report, err := gate.Check(ctx, tree, gopts)
	if errors.Is(err, gate.ErrBaseline) || errors.Is(err, gate.ErrWaiver) {
		return &usageError{err}
	}
	if err == nil && opts.Fix {
		report, err = fixAndRecheck(ctx, g, stderr, tree, report, gopts)
	}
	if err != nil {
		return err
	}
	if format == gate.FormatMarkdown {
		err = gate.WriteMarkdown(ctx, stdout, tree, report, gopts)
	} else {
		err = gate.WriteReport(stdout, report, format)
	}
	if err != nil {
		return err
	}
	if !report.OK {
		return errCheckFailed
	}
	return nil
}

// loadTree loads the schema tree of the project whose edactl.yaml was
// found (or named with --config) and returns it with the project directory.
func loadTree(ctx context.Context, g *globals) (*schemas.Tree, string, error) {
	if g.Config == nil || g.ConfigPath == "" {
		return nil, "", usageErrorf("no %s in the current directory: run `edactl init` to start a schema tree, or pass --config", schemas.ConfigFile)
	}
	tree, err := schemas.Load(ctx, g.ConfigPath)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", err
		}
		return nil, "", &usageError{err}
	}
	return tree, filepath.Dir(g.ConfigPath), nil
}

// registryConfigured reports whether the user named a registry, rather
// than edactl falling back to its default URL; an empty --registry names
// none.
func registryConfigured(g *globals, _ *cobra.Command) bool {
	return g.sources["registry"] != "default" && len(splitList(g.Registry)) > 0
}

// rootCause returns the last part of a wrapped error message ("connection
// refused"), which is what a person needs in a one-line note.
func rootCause(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
