package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/schemas"
)

type initOptions struct {
	Dir   string
	Force bool
}

func newInitCmd(g *globals) *cobra.Command {
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a schema tree: edactl.yaml and one example event",
		Long: `Write a commented edactl.yaml and one example event,
schemas/customers/customer-registered/v1.avsc, into DIR (default: the
current directory). Existing files are left alone unless --force.

The example event is not one of the sample catalogue's, so the new tree
checks clean against the registry of 'edactl dev' too. edactl.yaml has a
gen: section, so 'edactl gen go' writes Go types to internal/events
straight away (they import github.com/edactl/edactl/serde: go get it).`,
		Example: `  edactl init
  edactl check
  edactl gen go`,
		Args: maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			return runInit(cmd.OutOrStdout(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing files")
	return cmd
}

// runInit writes the starter files into opts.Dir and lists them on w.
func runInit(w io.Writer, opts *initOptions) error {
	files := schemas.StarterFiles()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if !opts.Force {
		for _, name := range names {
			p := filepath.Join(opts.Dir, filepath.FromSlash(name))
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s already exists (use --force to overwrite)", p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	for _, name := range names {
		p := filepath.Join(opts.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", p)
	}
	fmt.Fprintln(w, "next: edit the event, then run `edactl check` and `edactl gen go`; a change is a new file (v2.avsc)")
	return nil
}
