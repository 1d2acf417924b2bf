package gate

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/schemas"
)

// FixResult says what ApplyFixes did with one suggested fix.
type FixResult struct {
	// File and Line locate the change.
	File string `json:"file"`
	Line int    `json:"line"`
	// Kind and Description are the fix's.
	Kind        string `json:"kind"`
	Description string `json:"description"`
	// Applied is true when the change was written; otherwise Reason says
	// why not.
	Applied bool   `json:"applied"`
	Reason  string `json:"reason,omitempty"`
}

// ApplyFixes writes the suggested fixes of report's findings (not waived
// ones) into their version files, and returns what it did with each. It
// only writes the newest version file of an event, and never one that is
// published: present at opts.GitRef or at the git baseline (opts.Baseline),
// or held by opts.Registry as that version of the event's subject. A file
// is written only if it still parses as a schema with the changes. The
// caller checks the tree again.
func ApplyFixes(ctx context.Context, tree *schemas.Tree, report *Report, opts Options) ([]FixResult, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	display := path.Dir(tree.ConfigFile)
	var refs []string
	if opts.GitRef != "" {
		refs = append(refs, opts.GitRef)
	}
	if ref, ok := strings.CutPrefix(opts.Baseline, "git:"); ok && ref != "" && ref != opts.GitRef {
		refs = append(refs, ref)
	}
	type fileFixes struct {
		v     *schemas.Version
		e     *schemas.Event
		fixes []*schemas.Fix
	}
	byFile := map[string]*fileFixes{}
	var order []string
	var results []FixResult
	for _, f := range report.Findings {
		if f.Fix == nil || f.Waived != nil {
			continue
		}
		ff, ok := byFile[f.Fix.File]
		if !ok {
			e := tree.Event(f.Event)
			if e == nil {
				continue
			}
			var v *schemas.Version
			for _, cand := range e.Versions {
				if cand.File == f.Fix.File {
					v = cand
				}
			}
			if v == nil {
				continue
			}
			ff = &fileFixes{v: v, e: e}
			byFile[f.Fix.File] = ff
			order = append(order, f.Fix.File)
		}
		ff.fixes = append(ff.fixes, f.Fix)
	}
	for _, file := range order {
		ff := byFile[file]
		rel := strings.TrimPrefix(file, display+"/")
		if display == "." {
			rel = file
		}
		reason, err := published(ctx, opts, dir, refs, ff.e, ff.v, rel)
		if err != nil {
			return nil, err
		}
		var out []byte
		if reason == "" {
			out, err = schemas.ApplyFixes(ff.v.Source, ff.fixes)
			if err != nil {
				reason = err.Error()
			}
		}
		if reason == "" {
			if _, perr := avroschema.Parse(string(out)); perr != nil {
				reason = "the fixed file would not be a valid schema: " + perr.Error()
			}
		}
		if reason == "" {
			disk := filepath.Join(dir, filepath.FromSlash(rel))
			mode := os.FileMode(0o644)
			if st, err := os.Stat(disk); err == nil {
				mode = st.Mode().Perm()
			}
			if err := os.WriteFile(disk, out, mode); err != nil {
				return nil, fmt.Errorf("fix %s: %w", file, err)
			}
		}
		type change struct {
			off, length int
			text        string
		}
		seen := map[change]bool{}
		for _, fx := range ff.fixes {
			// The same change suggested by several comparisons (transitive
			// levels) is made, and reported, once.
			if c := (change{fx.Offset, fx.Length, fx.Text}); seen[c] {
				continue
			} else {
				seen[c] = true
			}
			results = append(results, FixResult{File: fx.File, Line: fx.Line, Kind: fx.Kind, Description: fx.Description,
				Applied: reason == "", Reason: reason})
		}
	}
	return results, nil
}

// published returns why version v's file (rel, relative to the project
// directory) must not be changed, or "".
func published(ctx context.Context, opts Options, dir string, refs []string, e *schemas.Event, v *schemas.Version, rel string) (string, error) {
	if latest := e.Versions[len(e.Versions)-1]; latest != v {
		return fmt.Sprintf("v%d is not the newest version of %s: older versions are published, make the change in a new version", v.Number, e.ID()), nil
	}
	for _, ref := range refs {
		if err := verifyRef(ctx, dir, ref); err != nil {
			return "", err
		}
		out, err := git(ctx, dir, nil, "ls-tree", ref, "--", rel)
		if err != nil {
			return "", fmt.Errorf("git:%s: %w", ref, err)
		}
		if len(strings.TrimSpace(string(out))) > 0 {
			return fmt.Sprintf("v%d.avsc is published at git:%s: published versions never change, make the change in v%d.avsc", v.Number, ref, v.Number+1), nil
		}
	}
	if opts.Registry != nil {
		st, err := fetchSubject(ctx, opts.Registry, e.Subject)
		if err != nil {
			return "", fmt.Errorf("registry %s: %w", opts.RegistryURL, err)
		}
		if _, held := sameAsHeld(v, st); held {
			return fmt.Sprintf("v%d.avsc is registered in %s: published versions never change", v.Number, opts.RegistryURL), nil
		}
		for _, h := range st.versions {
			if h.Version == v.Number {
				return fmt.Sprintf("the registry %s holds version %d of %s: published versions never change", opts.RegistryURL, v.Number, e.Subject), nil
			}
		}
	}
	return "", nil
}
