package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/codegen"
)

// genTransformerOptions are the flags of `edactl gen transformer`.
type genTransformerOptions struct {
	Event     string
	ToVersion string
	Out       string
	Import    string
	Package   string
}

func newGenTransformerCmd(g *globals) *cobra.Command {
	opts := &genTransformerOptions{}
	cmd := &cobra.Command{
		Use:   "transformer EVENT --out DIR [--to-version N]",
		Short: "Scaffold a Go service that republishes an event in one version, with your hooks",
		Long: `Scaffold a small Go service (a main package in your module) that does what
'edactl transform' does, with the types and conversions 'edactl gen go'
generates: it consumes records of EVENT written with any version, decodes
them with the generated codec of --to-version (every other version goes
through the generated upcasters and downcasters and your conversion hooks),
and produces them in that version with the same key, headers, timestamp
and partition, at-least-once, with a dead-letter topic (-dlq). Use it when
a transformation needs code; 'edactl transform' needs none.

EVENT is the event's folder (payments/payment-captured) or Go type name.
The service imports the package of 'edactl gen go' (gen.go.out in
edactl.yaml): its import path comes from the nearest go.mod, or --import.
DIR/main.go is written once and is yours: an existing file is never
overwritten. Build it with go build.`,
		Example: `  # A service that republishes payments in version 1 for an old consumer
  edactl gen transformer payments/payment-captured --to-version 1 --out cmd/payments-v1
  go build ./cmd/payments-v1`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Event = args[0]
			return runGenTransformer(cmd.Context(), cmd.OutOrStdout(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ToVersion, "to-version", "latest", "version the service republishes in: N or latest")
	f.StringVar(&opts.Out, "out", "", "directory of the service (required)")
	f.StringVar(&opts.Import, "import", "", "Go import path of the generated package (default: from go.mod and gen.go.out)")
	f.StringVar(&opts.Package, "package", "", "name of the generated package (default gen.go.package, else gen.go.out's name)")
	return cmd
}

func runGenTransformer(ctx context.Context, w io.Writer, g *globals, opts *genTransformerOptions) error {
	if opts.Out == "" {
		return usageErrorf("--out DIR is required")
	}
	version := 0
	if opts.ToVersion != "latest" {
		n, err := strconv.Atoi(opts.ToVersion)
		if err != nil || n < 1 {
			return usageErrorf("--to-version %q: want a version number (1 or more) or latest", opts.ToVersion)
		}
		version = n
	}
	tree, _, err := loadTree(ctx, g)
	if err != nil {
		return err
	}
	var genOut string
	pkg := opts.Package
	if g.Config != nil {
		if genOut = g.Config.Gen.Go.Out; genOut != "" && !filepath.IsAbs(genOut) {
			genOut = filepath.Join(filepath.Dir(g.ConfigPath), genOut)
		}
		if pkg == "" {
			pkg = g.Config.Gen.Go.Package
		}
	}
	if pkg == "" && genOut != "" {
		pkg = packageFromDir(genOut)
	}
	if pkg == "" {
		return usageErrorf("no generated package: set gen.go.out (and gen.go.package) in edactl.yaml, or pass --import and --package")
	}
	imp := opts.Import
	if imp == "" {
		if genOut == "" {
			return usageErrorf("no gen.go.out in edactl.yaml: pass --import with the generated package's import path")
		}
		if imp, err = importPath(genOut); err != nil {
			return usageErrorf("the import path of %s: %w (pass --import)", genOut, err)
		}
	}
	in, err := codegen.FromTree(tree, pkg)
	if err != nil {
		return err
	}
	rel, err := moduleRelative(opts.Out)
	if err != nil {
		rel = filepath.ToSlash(opts.Out)
	}
	files, err := codegen.Transformer(codegen.TransformerInput{Input: in, Event: opts.Event, Version: version, Import: imp, Dir: rel})
	if err != nil {
		return &usageError{err}
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(opts.Out, "main.go")
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(w, "%s exists: not touched (it is yours)\n", filepath.ToSlash(path))
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(path, files["main.go"], 0o644); err != nil {
		return err
	}
	build := "./" + rel
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "..") {
		build = filepath.ToSlash(opts.Out) // outside the module of the working directory
	}
	fmt.Fprintf(w, "%s: created (imports %s); build it with: go build %s\n", filepath.ToSlash(path), imp, build)
	return nil
}

// importPath is the Go import path of dir: the module path of the nearest
// go.mod above it, joined with dir's path below that file.
func importPath(dir string) (string, error) {
	mod, root, err := findModule(dir)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", err
	}
	if rel == "." {
		return mod, nil
	}
	return mod + "/" + filepath.ToSlash(rel), nil
}

// moduleRelative is dir relative to its module's root.
func moduleRelative(dir string) (string, error) {
	_, root, err := findModule(dir)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, abs)
	return filepath.ToSlash(rel), err
}

func findModule(dir string) (module, root string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		f, err := os.Open(filepath.Join(d, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return strings.Trim(strings.TrimSpace(m), `"`), d, nil
				}
			}
			return "", "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
		}
		if filepath.Dir(d) == d {
			return "", "", errors.New("no go.mod above it")
		}
	}
}
