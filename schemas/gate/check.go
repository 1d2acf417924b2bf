// Package gate is edactl's CI compatibility gate over a schema tree: it
// checks every version against its predecessors, lints event design,
// compares the tree with a baseline (a git revision or a running registry)
// and pushes new versions to the registry.
//
// Design decisions:
//
//   - Every problem is a schemas.Finding with a file, line, subject, field
//     path, rule id and message. Check never stops at the first problem, and
//     one findings list feeds every output format (text, JSON, GitHub
//     annotations, JUnit), as buf breaking does.
//   - The compatibility rules are registry/compat's; the layout and lint
//     rules are package schemas'. This package only decides what to compare
//     with what.
//   - A published version never changes. Against git, a version file that
//     exists at the baseline revision must still exist with the same
//     content; against a registry, local version N must equal the
//     registry's version N of the event's subject. Content is compared as
//     JSON (whitespace and key order do not matter; docs do, because the
//     registry keeps them).
//   - The registry is spoken to through franz-go's pkg/sr, a third-party
//     Confluent client, so the gate works with any Confluent-compatible
//     registry. Push registers one subject at a time; if the registry
//     rejects a version, the versions this run registered for that subject
//     are deleted again so a subject is never left half-pushed.
//   - Git is run as the git command (exec), reading blobs with
//     `git cat-file --batch`; no work tree is checked out.
//   - Fixes are suggested by registry/compat from the incompatibility's
//     rule, path and types, and placed in the version file's text by
//     package schemas; ApplyFixes only writes the newest version of an
//     event, never one present at a git baseline or held by the registry.
//   - Waivers (edactl.yaml) mark findings as waived rather than dropping
//     them, so every format still shows them; an expired waiver is an
//     error and an unused one a warning. A --baseline hides the findings
//     the tree at a git revision already had, matched by file, path, rule
//     and message (not line). Waivers are applied before the baseline, so
//     a waiver of a hidden finding counts as used.
package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/schemas"
)

// Rule ids of the baseline comparisons. They are errors.
const (
	// RulePublishedChanged: a version file differs from its published form.
	RulePublishedChanged = "PUBLISHED_VERSION_CHANGED"
	// RulePublishedDeleted: a version file published at the git baseline
	// is gone.
	RulePublishedDeleted = "PUBLISHED_VERSION_DELETED"
	// RuleNotInTree: the registry holds a version the tree has no file for.
	RuleNotInTree = "VERSION_NOT_IN_TREE"
	// RuleRepeatsPublished: a new version file has the content of a version
	// the registry already holds, so registering it would create no version.
	RuleRepeatsPublished = "VERSION_REPEATS_PUBLISHED"
)

// BaselineRules lists the baseline rules with their purpose, for docs.
var BaselineRules = []struct {
	ID      string
	Purpose string
}{
	{RulePublishedChanged, "a published version never changes (consumers and producers already use it): make the change in a new version file"},
	{RulePublishedDeleted, "a published version file is never deleted or moved: its subject and version stay in use"},
	{RuleNotInTree, "every version the registry holds for an event's subject has its file in the tree, so the tree stays the source of truth"},
	{RuleRepeatsPublished, "a new version differs from every published one: a registry answers a schema it already holds with the existing version, so a revert would never become the latest version"},
}

// ErrBaseline marks a baseline that cannot be used: an unknown git
// revision, a directory outside a git repository, an invalid --against
// value. It is a usage error.
var ErrBaseline = errors.New("invalid baseline")

// Options configures Check.
type Options struct {
	// Dir is the project directory on disk (where edactl.yaml is); git runs
	// there. Default: the current directory.
	Dir string
	// GitRef, when set, compares the tree with this git revision.
	GitRef string
	// Registry, when set, compares the tree with what the registry holds.
	Registry *sr.Client
	// RegistryURL names the registry in reports.
	RegistryURL string
	// Strict makes lint findings errors.
	Strict bool
	// Logger receives debug logs (default: none).
	Logger *slog.Logger
	// Progress, when set, receives one line per long step (stderr).
	Progress io.Writer
	// Baseline, when set ("git:REF"), hides the findings the tree at REF
	// already had: the report shows only what changed since.
	Baseline string
	// Extra, when set, adds findings of checks outside this package (the
	// command line's conversion-hook findings); it is called for the tree
	// and for the baseline tree, with the findings so far.
	Extra func(tree *schemas.Tree, findings []schemas.Finding) []schemas.Finding
	// Rules lists the ids of the rules Extra reports, so waivers may name
	// them.
	Rules []string
	// Now is the clock waivers expire by (default: time.Now).
	Now func() time.Time
}

// Report is the verdict of Check.
type Report struct {
	// Against names what the tree was compared with: "local", then
	// "git:REF" and/or "registry URL".
	Against []string `json:"against"`
	// Events and Versions count what was checked.
	Events   int `json:"events"`
	Versions int `json:"versions"`
	// Errors and Warnings count the findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Waived counts the findings waivers accept (not counted in Errors
	// or Warnings).
	Waived int `json:"waived"`
	// Baseline is the --baseline the report is relative to, and Hidden
	// the number of findings it already had, which are not listed.
	Baseline string `json:"baseline,omitempty"`
	Hidden   int    `json:"hidden,omitempty"`
	// OK is true when there is no error.
	OK bool `json:"ok"`
	// Findings lists every problem, sorted by file and line.
	Findings []schemas.Finding `json:"findings"`
	// Files lists every file that was checked (for JUnit test cases).
	Files []string `json:"-"`
	// Subjects maps each checked file to its subject (for JUnit).
	Subjects map[string]string `json:"-"`
}

// Check runs the gate over tree: loading problems, every version against
// its predecessors, lint, and the baselines opts names.
func Check(ctx context.Context, tree *schemas.Tree, opts Options) (*Report, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Report{Against: []string{"local"}, Events: len(tree.Events), Versions: tree.NumVersions(),
		Subjects: map[string]string{}}
	for _, e := range tree.Events {
		for _, v := range e.Versions {
			r.Files = append(r.Files, v.File)
			r.Subjects[v.File] = e.Subject
		}
	}
	if err := checkWaiverRules(tree, opts.Rules); err != nil {
		return nil, err
	}
	findings, err := intrinsic(ctx, tree, opts)
	if err != nil {
		return nil, err
	}

	if opts.GitRef != "" {
		progress(opts.Progress, "comparing with git:%s", opts.GitRef)
		gf, err := checkGit(ctx, tree, opts.Dir, opts.GitRef)
		if err != nil {
			return nil, err
		}
		findings = append(findings, gf...)
		r.Against = append(r.Against, "git:"+opts.GitRef)
	}
	if opts.Registry != nil {
		progress(opts.Progress, "comparing with registry %s (%d subjects)", opts.RegistryURL, len(tree.Events))
		rf, err := checkRegistry(ctx, tree, opts.Registry)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", opts.RegistryURL, err)
		}
		findings = append(findings, rf...)
		r.Against = append(r.Against, strings.TrimSpace("registry "+opts.RegistryURL))
	}

	if opts.Extra != nil {
		findings = append(findings, opts.Extra(tree, findings)...)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	findings = append(findings, applyWaivers(tree, findings, now())...)
	if opts.Baseline != "" {
		progress(opts.Progress, "reading the baseline %s", opts.Baseline)
		var hidden int
		findings, hidden, err = hideBaseline(ctx, tree, opts, findings)
		if err != nil {
			return nil, err
		}
		r.Baseline, r.Hidden = opts.Baseline, hidden
	}

	r.Findings = schemas.SortFindings(findings)
	if r.Findings == nil {
		r.Findings = []schemas.Finding{}
	}
	for _, f := range r.Findings {
		if f.Waived != nil {
			r.Waived++
			continue
		}
		if f.Severity == schemas.Error {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	r.OK = r.Errors == 0
	log.Debug("check done", "events", r.Events, "versions", r.Versions, "errors", r.Errors, "warnings", r.Warnings)
	return r, nil
}

// intrinsic returns what a tree says about itself, without a baseline:
// loading problems, every version against its predecessors, and lint.
func intrinsic(ctx context.Context, tree *schemas.Tree, opts Options) ([]schemas.Finding, error) {
	findings := append([]schemas.Finding(nil), tree.Problems...)
	hist, err := schemas.CheckHistory(ctx, tree)
	if err != nil {
		return nil, err
	}
	findings = append(findings, hist...)
	for _, f := range schemas.Lint(tree) {
		if opts.Strict {
			f.Severity = schemas.Error
		}
		findings = append(findings, f)
	}
	return findings, nil
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "edactl: "+format+"\n", args...)
	}
}
