package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/compat"
)

// The settings commands of `edactl registry`: config (compatibility level)
// and mode.

// globalSubject names the registry-wide setting in reports.
const globalSubject = "(global)"

// registryConfigOptions are the arguments and flags of `edactl registry
// config`.
type registryConfigOptions struct {
	Subjects []string // none: the global level
	Set      string   // flag value: empty to show the level
	level    sr.CompatibilityLevel
}

// parse checks --set.
func (o *registryConfigOptions) parse() error {
	if o.Set == "" {
		return nil
	}
	l, err := compat.ParseLevel(o.Set)
	if err != nil {
		return &usageError{err}
	}
	if err := o.level.UnmarshalText([]byte(l)); err != nil {
		return &usageError{err}
	}
	return nil
}

func newRegistryConfigCmd(g *globals) *cobra.Command {
	opts := &registryConfigOptions{}
	cmd := &cobra.Command{
		Use:   "config [SUBJECT]",
		Short: "Show or set the compatibility level (global, or of a subject)",
		Long: `Show the compatibility level of SUBJECT (the level that applies to it,
falling back to the global one), or the global level; --set changes it.`,
		Example: "  edactl registry config\n  edactl registry config orders-value --set FULL_TRANSITIVE\n  edactl registry config orders-value -o json",
		Args:    maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subjects = args
			out, err := g.output()
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			if err := opts.parse(); err != nil {
				return err
			}
			return runRegistryConfig(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Set, "set", "", "set the level: "+levelNames())
	return cmd
}

func runRegistryConfig(ctx context.Context, r registryCall, opts *registryConfigOptions) error {
	subject := globalSubject
	if len(opts.Subjects) == 1 {
		subject = opts.Subjects[0]
	}
	level := opts.level
	if opts.Set != "" {
		res := r.cl.SetCompatibility(ctx, sr.SetCompatibility{Level: level}, opts.Subjects...)
		if res[0].Err != nil {
			return r.fail(res[0].Err)
		}
	} else {
		res := r.cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), opts.Subjects...)
		if res[0].Err != nil {
			return r.fail(res[0].Err)
		}
		level = res[0].Level
	}
	if r.format == "json" {
		return writeJSON(r.w, map[string]string{"subject": subject, "compatibility": level.String()})
	}
	fmt.Fprintf(r.w, "%s %s\n", termtext.Quote(subject), level)
	return nil
}

// registryModeOptions are the arguments and flags of `edactl registry
// mode`.
type registryModeOptions struct {
	Subjects []string // none: the global mode
	Set      string   // flag value: empty to show the mode
	Force    bool
	mode     sr.Mode
}

// parse checks --set.
func (o *registryModeOptions) parse() error {
	if o.Set == "" {
		return nil
	}
	m, err := registry.ParseMode(o.Set)
	if err != nil {
		return usageErrorf("invalid mode %q: want READWRITE, READONLY, READONLY_OVERRIDE, IMPORT or FORWARD", o.Set)
	}
	if err := o.mode.UnmarshalText([]byte(m)); err != nil {
		return &usageError{err}
	}
	return nil
}

func newRegistryModeCmd(g *globals) *cobra.Command {
	opts := &registryModeOptions{}
	cmd := &cobra.Command{
		Use:   "mode [SUBJECT]",
		Short: "Show or set the registry mode (READWRITE, READONLY, IMPORT)",
		Long: `Show the mode that applies to SUBJECT, or the global mode; --set changes it.
IMPORT (for migrating with ids kept) requires --force while subjects exist.`,
		Example: "  edactl registry mode\n  edactl registry mode --set READONLY\n  edactl registry mode --set IMPORT --force -o json",
		Args:    maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subjects = args
			out, err := g.output()
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			if err := opts.parse(); err != nil {
				return err
			}
			return runRegistryMode(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Set, "set", "", "set the mode")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "allow IMPORT while subjects exist")
	return cmd
}

func runRegistryMode(ctx context.Context, r registryCall, opts *registryModeOptions) error {
	subject := globalSubject
	if len(opts.Subjects) == 1 {
		subject = opts.Subjects[0]
	}
	var res []sr.ModeResult
	if opts.Set != "" {
		if opts.Force {
			ctx = sr.WithParams(ctx, sr.Force)
		}
		res = r.cl.SetMode(ctx, opts.mode, opts.Subjects...)
	} else {
		res = r.cl.Mode(sr.WithParams(ctx, sr.DefaultToGlobal), opts.Subjects...)
	}
	if res[0].Err != nil {
		return r.fail(res[0].Err)
	}
	if r.format == "json" {
		return writeJSON(r.w, map[string]string{"subject": subject, "mode": res[0].Mode.String()})
	}
	fmt.Fprintf(r.w, "%s %s\n", termtext.Quote(subject), res[0].Mode)
	return nil
}
