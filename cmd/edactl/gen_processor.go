package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/codegen"
	"github.com/edactl/edactl/schemas"
)

// genProcessorOptions are the flags of `edactl gen processor`.
type genProcessorOptions struct {
	Name         string
	Join         []string
	Key          string
	Emit         string
	Out          string
	EventsImport string
	Check        bool
}

func newGenProcessorCmd(g *globals) *cobra.Command {
	opts := &genProcessorOptions{}
	cmd := &cobra.Command{
		Use:   "processor NAME --join EVENT,EVENT[,...] --key FIELD --emit EVENT [--out DIR] [--check]",
		Short: "Generate a processor service that joins event streams into one event",
		Long: `Generate a Go service (a main package) that joins the events of --join by
the field --key into the event --emit, on edactl's processor runtime: it
checks co-partitioning at start, re-keys inputs keyed by another field,
keeps the latest value of each input per key in a compacted changelog topic
and a local store, restores it before processing, commits at-least-once
(or uses transactions with --exactly-once), sends bad records to NAME.dlq,
and serves metrics, /healthz and /readyz.

EVENT is <domain>/<event> of the schema tree; --emit must be an event of
the tree too. The service uses the types of ` + "`edactl gen go`" + ` (gen.go.out in
edactl.yaml); its import path is derived from the go.mod above it, or set
with --events-import.

Written to --out (default cmd/NAME next to edactl.yaml): main.go,
processor.go, processor_test.go, README.md and Dockerfile are generated and
rewritten by every run; join.go, with Join, is created once and never
touched again: it is yours. --check writes nothing and exits 1 when a
generated file is stale or missing.`,
		Example: `  # The sample catalogue's order summary
  edactl gen processor order-summary \
    --join orders/order-placed,payments/payment-captured,inventory/stock-reserved \
    --key orderId --emit orders/order-summary

  # Fail CI when the generated service is stale
  edactl gen processor order-summary --join orders/order-placed,payments/payment-captured \
    --key orderId --emit orders/order-summary --check`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			output, err := g.output()
			if err != nil {
				return err
			}
			opts.Name = args[0]
			return runGenProcessor(cmd.Context(), cmd.OutOrStdout(), g, opts, output)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Join, "join", nil, "events to join, <domain>/<event>, comma separated (at least 2)")
	f.StringVar(&opts.Key, "key", "", "the join key: a string field of every joined event and of the emitted one")
	f.StringVar(&opts.Emit, "emit", "", "the event the join emits, <domain>/<event>")
	f.StringVar(&opts.Out, "out", "", "output directory (default cmd/NAME next to edactl.yaml)")
	f.StringVar(&opts.EventsImport, "events-import", "", "import path of the gen go package (default derived from go.mod and gen.go.out)")
	f.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 if the generated files on disk are stale")
	return cmd
}

// genProcessorJSON is the -o json report of `edactl gen processor`.
type genProcessorJSON struct {
	Out   string              `json:"out"`
	Check bool                `json:"check"`
	Stale bool                `json:"stale"`
	Files []codegen.FileState `json:"files"`
}

func runGenProcessor(ctx context.Context, stdout io.Writer, g *globals, opts *genProcessorOptions, output string) error {
	switch {
	case len(opts.Join) < 2:
		return usageErrorf("--join: name at least two events (<domain>/<event>)")
	case opts.Key == "":
		return usageErrorf("--key: the join key field is required")
	case opts.Emit == "":
		return usageErrorf("--emit: the emitted event is required")
	}
	tree, _, err := loadTree(ctx, g)
	if err != nil {
		return err
	}
	base := filepath.Dir(g.ConfigPath)
	if opts.Out == "" {
		opts.Out = filepath.Join(base, "cmd", opts.Name)
	}
	modPath, modRoot, merr := findModule(opts.Out)
	if opts.EventsImport == "" {
		var cfg schemas.GoGenConfig
		if g.Config != nil {
			cfg = g.Config.Gen.Go
		}
		if cfg.Out == "" {
			return usageErrorf("no gen.go.out in %s: set it or pass --events-import", schemas.ConfigFile)
		}
		if merr != nil {
			return usageErrorf("%v: pass --events-import", merr)
		}
		events := cfg.Out
		if !filepath.IsAbs(events) {
			events = filepath.Join(base, events)
		}
		rel, err := filepath.Rel(modRoot, mustAbs(events))
		if err != nil || strings.HasPrefix(rel, "..") {
			return usageErrorf("gen.go.out %s is outside the module %s: pass --events-import", events, modRoot)
		}
		opts.EventsImport = modPath + "/" + filepath.ToSlash(rel)
	}
	pkgDir := "cmd/" + opts.Name
	if merr == nil {
		if rel, err := filepath.Rel(modRoot, mustAbs(opts.Out)); err == nil && !strings.HasPrefix(rel, "..") {
			pkgDir = filepath.ToSlash(rel)
		}
	}
	in, err := codegen.FromTree(tree, "events")
	if err != nil {
		return err
	}
	files, err := codegen.Processor(codegen.ProcessorInput{Name: opts.Name, EventsImport: opts.EventsImport, Events: in.Events,
		Join: opts.Join, Key: opts.Key, Emit: opts.Emit, PackageDir: pkgDir})
	if err != nil {
		return usageErrorf("gen processor %s: %v", opts.Name, err)
	}
	var states []codegen.FileState
	if opts.Check {
		states, err = codegen.CompareProcessor(opts.Out, files)
	} else {
		states, err = codegen.WriteProcessor(opts.Out, files)
	}
	if err != nil {
		return err
	}
	stale := false
	for _, st := range states {
		if st.Status != codegen.Unchanged {
			stale = true
		}
	}
	if output == "json" {
		if err := writeJSON(stdout, genProcessorJSON{Out: filepath.ToSlash(opts.Out), Check: opts.Check, Stale: stale, Files: states}); err != nil {
			return err
		}
	} else {
		verb := map[codegen.FileStatus]string{codegen.Differs: "updated", codegen.Missing: "created", codegen.Extra: "removed"}
		if opts.Check {
			verb = map[codegen.FileStatus]string{codegen.Differs: "stale", codegen.Missing: "missing", codegen.Extra: "no longer generated"}
		}
		for _, st := range states {
			if st.Status != codegen.Unchanged {
				fmt.Fprintf(stdout, "%s: %s\n", filepath.ToSlash(filepath.Join(opts.Out, st.Name)), verb[st.Status])
			}
		}
		switch {
		case opts.Check && stale:
			fmt.Fprintf(stdout, "processor %s in %s is stale: run edactl gen processor\n", opts.Name, filepath.ToSlash(opts.Out))
		case opts.Check || !stale:
			fmt.Fprintf(stdout, "processor %s in %s is up to date\n", opts.Name, filepath.ToSlash(opts.Out))
		default:
			fmt.Fprintf(stdout, "generated processor %s in %s (events from %s)\n", opts.Name, filepath.ToSlash(opts.Out), opts.EventsImport)
		}
	}
	if opts.Check && stale {
		return errCheckFailed
	}
	return nil
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
