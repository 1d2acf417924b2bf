package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/catalogue"
	"github.com/edactl/edactl/schemas/gate"
)

// docsOptions are the flags of `edactl docs`.
type docsOptions struct {
	Out   string
	Check bool
	Title string
	// Registry is set when --registry was given on the command line: the
	// catalogue then says which versions the registry holds.
	Registry bool
}

func newDocsCmd(g *globals) *cobra.Command {
	opts := &docsOptions{}
	cmd := &cobra.Command{
		Use:   "docs [--out DIR] [--check] [--registry URL]",
		Short: "Generate the event catalogue: AsyncAPI 3.0 and a static HTML site",
		Long: `Generate the event catalogue of the schema tree (edactl.yaml and
schemas/<domain>/<event>/vN.avsc) into DIR (default: catalogue, next to
edactl.yaml):

  asyncapi.yaml                    an AsyncAPI 3.0 document: a channel per topic,
                                   a message per event version with its Avro
                                   schema, the partition key, and a send or
                                   receive operation per producer and consumer
  index.html                       every event by domain, search over event and
                                   field names, the producers → topics →
                                   consumers graph
  events/<domain>/<event>.html     every version, its fields and docs, kind,
                                   key, topic, producers, consumers, and the
                                   field-level changes between any two versions
  style.css

The site needs no server and no build step: open index.html from disk.
The output is deterministic, so --check (which writes nothing) exits 1 and
lists the stale files when the catalogue on disk does not match the tree.
With --registry on the command line, each version says where the registry
holds it (subject, version, id); without it no registry is asked.

Exit status: 0 written or up to date, 1 stale (--check), 2 usage or
configuration error.`,
		Example: `  # Write the catalogue next to edactl.yaml, then open catalogue/index.html
  edactl docs

  # Fail CI when someone changed a schema without regenerating
  edactl docs --check

  # Somewhere else, saying what the registry holds
  edactl docs --out site/events --registry http://127.0.0.1:8081`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			output, err := g.output()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("out") {
				opts.Out = "catalogue"
				if g.ConfigPath != "" {
					opts.Out = filepath.Join(filepath.Dir(g.ConfigPath), "catalogue")
				}
			}
			opts.Registry = cmd.Flags().Changed("registry")
			return runDocs(cmd.Context(), cmd.OutOrStdout(), g, opts, output)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", "", "output directory (default catalogue, next to edactl.yaml)")
	f.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 and list the stale files if the catalogue on disk is stale")
	f.StringVar(&opts.Title, "title", "", `the catalogue's title (default "Event catalogue")`)
	return cmd
}

// docsJSON is the -o json report of `edactl docs`.
type docsJSON struct {
	Out   string                `json:"out"`
	Check bool                  `json:"check"`
	Files []string              `json:"files"`
	Stale []catalogue.StaleFile `json:"stale"`
}

func runDocs(ctx context.Context, stdout io.Writer, g *globals, opts *docsOptions, output string) error {
	tree, _, err := loadTree(ctx, g)
	if err != nil {
		return err
	}
	copts := catalogue.Options{Title: opts.Title}
	if opts.Registry {
		cl, err := g.registryClient()
		if err != nil {
			return err
		}
		reg, err := gate.RegisteredVersions(ctx, tree, cl)
		if err != nil {
			return fmt.Errorf("registry %s: %w", g.Registry, err)
		}
		copts.RegistryURL, copts.Registered = g.Registry, reg
	}
	files, err := catalogue.Generate(tree, copts)
	if err != nil {
		return &usageError{err}
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	out := filepath.ToSlash(opts.Out)

	var stale []catalogue.StaleFile
	if opts.Check {
		if stale, err = catalogue.Stale(opts.Out, files); err != nil {
			return err
		}
	} else if err := catalogue.Write(opts.Out, files); err != nil {
		return err
	}
	if output == "json" {
		if stale == nil {
			stale = []catalogue.StaleFile{}
		}
		if err := writeJSON(stdout, docsJSON{Out: out, Check: opts.Check, Files: names, Stale: stale}); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		switch {
		case !opts.Check:
			fmt.Fprintf(&b, "wrote the catalogue of %d event(s) to %s: %d file(s), open %s\n", len(tree.Events), out, len(files), filepath.ToSlash(filepath.Join(opts.Out, "index.html")))
		case len(stale) == 0:
			fmt.Fprintf(&b, "%s is up to date (%d file(s))\n", out, len(files))
		default:
			fmt.Fprintf(&b, "%s is stale: %d file(s) differ from the schema tree; run `edactl docs --out %s`\n", out, len(stale), out)
			for _, s := range stale {
				fmt.Fprintf(&b, "  %s: %s\n", filepath.ToSlash(filepath.Join(opts.Out, filepath.FromSlash(s.Path))), s.Reason)
			}
		}
		if _, err := io.WriteString(stdout, b.String()); err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		return errCheckFailed
	}
	return nil
}
