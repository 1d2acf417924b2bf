package gate

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
)

// FormatMarkdown names the pull-request comment report WriteMarkdown
// writes (`edactl check -o markdown`).
const FormatMarkdown = "markdown"

// EventChange is one event a change set touches: the versions that are new
// relative to the baseline and the published versions whose file changed.
type EventChange struct {
	// Event is the changed event.
	Event *schemas.Event
	// Base is the newest valid version before the first new one, nil for a
	// new event.
	Base *schemas.Version
	// New lists the versions the baseline does not have, in order.
	New []*schemas.Version
	// Modified lists the published versions whose file differs from the
	// baseline (PUBLISHED_VERSION_CHANGED) or that were deleted
	// (PUBLISHED_VERSION_DELETED), by number.
	Modified []int
}

// ChangedEvents lists the events that differ from the baseline opts names:
// with a git revision, the version files that did not exist at it; else,
// with a registry, the versions it does not hold; with no baseline, each
// event's newest version (compared with its predecessor). Published
// versions that were edited or deleted come from r's findings. The second
// result says which of the three bases was used.
func ChangedEvents(ctx context.Context, tree *schemas.Tree, r *Report, opts Options) ([]EventChange, string, error) {
	isNew := map[*schemas.Version]bool{}
	var basis string
	switch {
	case opts.GitRef != "":
		basis = "git:" + opts.GitRef
		dir := opts.Dir
		if dir == "" {
			dir = "."
		}
		root := tree.Config.Dir()
		out, err := git(ctx, dir, nil, "ls-tree", "-r", "-z", "--name-only", opts.GitRef, "--", root+"/")
		if err != nil {
			return nil, "", fmt.Errorf("git:%s: %w", opts.GitRef, err)
		}
		published := map[string]bool{}
		for _, p := range strings.Split(string(out), "\x00") {
			if p == "" {
				continue
			}
			rel := strings.TrimPrefix(p, root+"/")
			if root == "." {
				rel = p
			}
			published[rel] = true
		}
		for _, e := range tree.Events {
			for _, v := range e.Versions {
				if !published[path.Join(e.Domain, e.Name, fmt.Sprintf("v%d.avsc", v.Number))] {
					isNew[v] = true
				}
			}
		}
	case opts.Registry != nil:
		basis = strings.TrimSpace("registry " + opts.RegistryURL)
		states, err := fetchSubjects(ctx, opts.Registry, tree.Events)
		if err != nil {
			return nil, "", fmt.Errorf("registry %s: %w", opts.RegistryURL, err)
		}
		for _, e := range tree.Events {
			st, ok := states[e]
			if !ok {
				continue
			}
			for _, v := range planSubject(e, st).pending {
				isNew[v] = true
			}
		}
	default:
		basis = "local"
		for _, e := range tree.Events {
			if v := e.Latest(); v != nil {
				isNew[v] = true
			}
		}
	}

	modified := map[string][]int{}
	for _, f := range r.Findings {
		if (f.Rule == RulePublishedChanged || f.Rule == RulePublishedDeleted) && f.Event != "" {
			if !slices.Contains(modified[f.Event], f.Version) {
				modified[f.Event] = append(modified[f.Event], f.Version)
			}
		}
	}
	var changes []EventChange
	for _, e := range tree.Events {
		c := EventChange{Event: e, Modified: modified[e.ID()]}
		slices.Sort(c.Modified)
		for _, v := range e.Versions {
			if isNew[v] {
				c.New = append(c.New, v)
			} else if v.Schema != nil && len(c.New) == 0 {
				c.Base = v
			}
		}
		if len(c.New) > 0 || len(c.Modified) > 0 {
			changes = append(changes, c)
		}
	}
	return changes, basis, nil
}

// directionLevels are the levels a Markdown report gives a verdict for.
var directionLevels = []compat.Level{compat.Backward, compat.BackwardTransitive, compat.Forward, compat.ForwardTransitive, compat.Full, compat.FullTransitive}

// versionVerdict is the compatibility of one new version with the versions
// before it in the tree.
type versionVerdict struct {
	v       *schemas.Version
	prev    *schemas.Version // the version before it, nil for the first
	levels  map[compat.Level]int
	back    bool // it reads its predecessor's data
	forward bool // its predecessor reads its data
}

func verdictOf(e *schemas.Event, v *schemas.Version) versionVerdict {
	vv := versionVerdict{v: v, levels: map[compat.Level]int{}, back: true, forward: true}
	var history []*schemas.Version // newest first
	for _, o := range e.Versions {
		if o == v {
			break
		}
		if o.Schema != nil {
			history = append([]*schemas.Version{o}, history...)
		}
	}
	if v.Schema == nil || len(history) == 0 {
		return vv
	}
	vv.prev = history[0]
	hs := make([]avro.Schema, len(history))
	for i, h := range history {
		hs[i] = h.Schema
	}
	for _, l := range directionLevels {
		vv.levels[l] = len(compat.Check(l, v.Schema, hs).Incompatibilities())
	}
	vv.back = len(compat.CheckPair(v.Schema, vv.prev.Schema)) == 0
	vv.forward = len(compat.CheckPair(vv.prev.Schema, v.Schema)) == 0
	return vv
}

// WriteMarkdown writes r as a Markdown report for a pull-request comment:
// a summary line, a table of the changed events (ChangedEvents), then per
// event the compatibility verdict of each new version under every level,
// its field-level changes (compat.Diff, the list the TUI's Schemas screen
// shows), its findings, and the producers and consumers (edactl.yaml) that
// must act and in which order. Findings about unchanged events follow at
// the end, so the report hides nothing the text format shows.
func WriteMarkdown(ctx context.Context, w io.Writer, tree *schemas.Tree, r *Report, opts Options) error {
	changes, basis, err := ChangedEvents(ctx, tree, r, opts)
	if err != nil {
		return err
	}
	byEvent := map[string][]schemas.Finding{}
	var other []schemas.Finding
	changed := map[string]bool{}
	for _, c := range changes {
		changed[c.Event.ID()] = true
	}
	for _, f := range r.Findings {
		if f.Event != "" && changed[f.Event] {
			byEvent[f.Event] = append(byEvent[f.Event], f)
		} else {
			other = append(other, f)
		}
	}

	type eventReport struct {
		c        EventChange
		verdicts []versionVerdict
		breaking bool
	}
	var reps []eventReport
	breaking, added := 0, 0
	actors := map[string]bool{}
	for _, c := range changes {
		er := eventReport{c: c}
		for _, v := range c.New {
			vv := verdictOf(c.Event, v)
			er.verdicts = append(er.verdicts, vv)
			if vv.prev != nil && c.Event.Level != compat.None && vv.levels[c.Event.Level] > 0 {
				er.breaking = true
			}
		}
		for _, f := range byEvent[c.Event.ID()] {
			if f.Severity == schemas.Error && f.Waived == nil {
				er.breaking = true
			}
		}
		switch {
		case er.breaking:
			breaking++
		case c.Base == nil && len(c.New) > 0:
			added++
		}
		for _, s := range c.Event.Producers {
			actors[s] = true
		}
		for _, s := range c.Event.Consumers {
			actors[s] = true
		}
		reps = append(reps, er)
	}

	var b strings.Builder
	verdict := "✅ **edactl check: ok**"
	if !r.OK {
		verdict = "❌ **edactl check: failed**"
	}
	fmt.Fprintf(&b, "%s · %d changed event(s): %d breaking, %d compatible, %d new · %d error(s), %d warning(s) · %d service(s) affected\n\n",
		verdict, len(changes), breaking, len(changes)-breaking-added, added, r.Errors, r.Warnings, len(actors))
	fmt.Fprintf(&b, "Checked %d event(s), %d version(s) against %s; changes are against %s", r.Events, r.Versions, strings.Join(r.Against, ", "), basis)
	if basis == "local" {
		b.WriteString(" (no baseline: each event's newest version is shown against its predecessor; use --against git:REF in a pull request)")
	}
	b.WriteString(".\n\n")

	if len(reps) == 0 {
		b.WriteString("No event changed.\n")
	} else {
		b.WriteString("| event | change | level | verdict | producers | consumers |\n|---|---|---|---|---|---|\n")
		for _, er := range reps {
			v := "✅ compatible"
			switch {
			case er.breaking:
				v = "❌ breaking"
			case er.c.Base == nil:
				v = "🆕 new"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdCode(er.c.Event.ID()), mdCell(changeLabel(er.c)), er.c.Event.Level, v,
				mdCell(listOr(er.c.Event.Producers, "none named")), mdCell(listOr(er.c.Event.Consumers, "none named")))
		}
		for _, er := range reps {
			writeEventSection(&b, er.c, er.verdicts, er.breaking, byEvent[er.c.Event.ID()])
		}
	}
	if len(other) > 0 {
		b.WriteString("\n### Other findings\n\n")
		for _, f := range other {
			b.WriteString(findingItem(f))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

func changeLabel(c EventChange) string {
	var parts []string
	if len(c.New) > 0 {
		from := "new"
		if c.Base != nil {
			from = fmt.Sprintf("v%d", c.Base.Number)
		}
		parts = append(parts, fmt.Sprintf("%s → v%d", from, c.New[len(c.New)-1].Number))
	}
	for _, n := range c.Modified {
		parts = append(parts, fmt.Sprintf("v%d edited", n))
	}
	return strings.Join(parts, ", ")
}

func writeEventSection(b *strings.Builder, c EventChange, verdicts []versionVerdict, breaking bool, findings []schemas.Finding) {
	e := c.Event
	mark := "✅"
	if breaking {
		mark = "❌"
	}
	fmt.Fprintf(b, "\n### %s %s %s\n\n", mark, mdCode(e.ID()), mdText(changeLabel(c)))
	fmt.Fprintf(b, "Topic %s, subject %s, kind %s, key %s, level %s.\n", mdCode(orDash(e.Topic)), mdCode(orDash(e.Subject)),
		orDash(string(e.Kind)), mdCode(orDash(e.Key)), e.Level)

	for _, vv := range verdicts {
		if vv.prev == nil {
			fmt.Fprintf(b, "\n**v%d** is the event's first version: nothing to be compatible with.\n", vv.v.Number)
			continue
		}
		if vv.v.Schema == nil {
			fmt.Fprintf(b, "\n**v%d** does not parse (see the findings).\n", vv.v.Number)
			continue
		}
		fmt.Fprintf(b, "\n**v%d** against the versions before it:\n\n| level | verdict |\n|---|---|\n", vv.v.Number)
		for _, l := range directionLevels {
			name := string(l)
			if l == e.Level {
				name = "**" + name + "** (required)"
			}
			v := "✅ compatible"
			if n := vv.levels[l]; n > 0 {
				v = fmt.Sprintf("❌ %d incompatibilit%s", n, map[bool]string{true: "y", false: "ies"}[n == 1])
			}
			fmt.Fprintf(b, "| %s | %s |\n", name, v)
		}
		changes := compat.Diff(vv.prev.Schema, vv.v.Schema)
		fmt.Fprintf(b, "\nField changes v%d → v%d:\n\n", vv.prev.Number, vv.v.Number)
		if len(changes) == 0 {
			b.WriteString("- (no field-level changes)\n")
		}
		for _, ch := range changes {
			fmt.Fprintf(b, "- %s\n", mdCode(ch.String()))
		}
	}

	if len(findings) > 0 {
		b.WriteString("\nFindings:\n\n")
		for _, f := range findings {
			b.WriteString(findingItem(f))
		}
	}

	b.WriteString("\nWho must act:\n\n")
	prod := listOr(e.Producers, "no producer named in edactl.yaml")
	cons := listOr(e.Consumers, "no consumer named in edactl.yaml")
	for _, n := range c.Modified {
		fmt.Fprintf(b, "- v%d was published and changed or removed: restore it and put the change in a new version; producers (%s) and consumers (%s) already use it.\n", n, mdText(prod), mdText(cons))
	}
	if len(verdicts) == 0 {
		return
	}
	last := verdicts[len(verdicts)-1]
	first := verdicts[0]
	back, fwd := true, true
	for _, vv := range verdicts {
		back = back && vv.back
		fwd = fwd && vv.forward
	}
	to := fmt.Sprintf("v%d", last.v.Number)
	if breaking && first.prev != nil && last.v.Schema != nil {
		fmt.Fprintf(b, "- %s breaks %s, the level this event requires, so the registry refuses it as it is: change it (the findings say where), or agree the migration with every producer and consumer named here.\n", to, e.Level)
	}
	switch {
	case first.prev == nil:
		fmt.Fprintf(b, "- New event: producers (%s) start publishing to %s; consumers (%s) subscribe.\n", mdText(prod), mdCode(orDash(e.Topic)), mdText(cons))
	case last.v.Schema == nil:
		fmt.Fprintf(b, "- %s does not parse: fix it before anyone can use it.\n", to)
	case back && fwd:
		fmt.Fprintf(b, "- No order to keep: producers (%s) may write %s and consumers (%s) may upgrade in any order.\n", mdText(prod), to, mdText(cons))
	case fwd:
		fmt.Fprintf(b, "- Producers (%s) may write %s first: consumers (%s) keep reading it with their version, but cannot move to %s while older data is on the topic (%s cannot read it).\n", mdText(prod), to, mdText(cons), to, to)
	case back:
		fmt.Fprintf(b, "- Consumers (%s) must upgrade to %s before any producer (%s) writes it: their current version cannot read %s data.\n", mdText(cons), to, mdText(prod), to)
	default:
		fmt.Fprintf(b, "- Breaking both ways: producers (%s) and consumers (%s) must coordinate (a new topic, or an upcaster with `edactl transform`); neither can deploy %s alone.\n", mdText(prod), mdText(cons), to)
	}
}

func findingItem(f schemas.Finding) string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- %s %s **%s** (%s)", mdCode(loc), mdCode(f.Rule), f.Severity, mdText(f.Subject))
	if f.Subject == "" {
		b.Reset()
		fmt.Fprintf(&b, "- %s %s **%s**", mdCode(loc), mdCode(f.Rule), f.Severity)
	}
	if f.Path != "" {
		fmt.Fprintf(&b, " %s", mdCode(f.Path))
	}
	fmt.Fprintf(&b, ": %s", mdText(f.Message))
	if w := f.Waived; w != nil {
		fmt.Fprintf(&b, " (waived until %s, owner %s: %s)", mdText(w.Expires), mdText(w.Owner), mdText(w.Reason))
	}
	b.WriteByte('\n')
	return b.String()
}

func listOr(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return strings.Join(names, ", ")
}

// mdEscaper keeps untrusted text (schema docs, names, messages) from
// becoming Markdown or HTML in the comment.
var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
	"<", "&lt;", ">", "&gt;", "|", "\\|", "#", "\\#", "\r", " ", "\n", " ",
)

func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCell is mdText for a table cell.
func mdCell(s string) string { return mdText(s) }

// mdCode writes s as an inline code span, with a fence longer than any
// run of backticks in s. Pipes are escaped so that a span stays inside its
// table cell.
func mdCode(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", "\\|").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
