package gate

import (
	"context"
	"fmt"
	"path"
	"strings"
	"testing/fstest"

	"github.com/edactl/edactl/schemas"
)

// baselineKey identifies a finding across two trees: lines move when a
// file is edited, the file, path, rule and message do not.
type baselineKey struct{ file, path, rule, message string }

func keyOf(f schemas.Finding) baselineKey {
	return baselineKey{f.File, f.Path, f.Rule, f.Message}
}

// hideBaseline drops the findings the tree at the baseline revision
// already had, and returns the rest with the number dropped. The baseline
// tree is checked the way the tree is (loading, history, lint, Extra),
// under the current edactl.yaml, so only what changed in the schema files
// counts.
func hideBaseline(ctx context.Context, tree *schemas.Tree, opts Options, findings []schemas.Finding) ([]schemas.Finding, int, error) {
	ref, ok := strings.CutPrefix(opts.Baseline, "git:")
	if !ok || ref == "" {
		return nil, 0, fmt.Errorf("%w: --baseline %q: want git:REF", ErrBaseline, opts.Baseline)
	}
	old, err := loadGitTree(ctx, tree, opts.Dir, ref)
	if err != nil {
		return nil, 0, err
	}
	if old == nil {
		return findings, 0, nil // no schema tree at REF: every finding is new
	}
	had, err := intrinsic(ctx, old, opts)
	if err != nil {
		return nil, 0, err
	}
	if opts.Extra != nil {
		had = append(had, opts.Extra(old, had)...)
	}
	seen := map[baselineKey]bool{}
	for _, f := range had {
		seen[keyOf(f)] = true
	}
	var out []schemas.Finding
	hidden := 0
	for _, f := range findings {
		if seen[keyOf(f)] {
			hidden++
			continue
		}
		out = append(out, f)
	}
	return out, hidden, nil
}

// loadGitTree loads the schema tree as it is at git revision ref, with
// tree's configuration and display paths; nil when ref has no schema tree.
func loadGitTree(ctx context.Context, tree *schemas.Tree, dir, ref string) (*schemas.Tree, error) {
	files, err := gitFiles(ctx, dir, ref, tree.Config.Dir())
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, nil
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.rel] = &fstest.MapFile{Data: f.content, Mode: 0o644}
	}
	old, err := schemas.LoadFS(ctx, fsys, schemas.WithConfig(tree.Config), schemas.WithDisplayDir(path.Dir(tree.ConfigFile)))
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", ref, err)
	}
	return old, nil
}
