package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/registry/compat"
)

// CompatibilityResult is the answer of a compatibility check.
type CompatibilityResult struct {
	Compatible bool
	// Messages explain every incompatibility (Confluent's verbose format).
	Messages []string
}

// CheckCompatibility checks req against subject's history without
// registering it. version -1 is the latest version, a positive version that
// version only (both in the directions of the subject's level), and 0 means
// "as registration would": the latest or every live version, per the level.
// A schema that does not parse or fails validation (outside IMPORT mode),
// or whose check exceeds the work budget, is a 42201 error. It works on a
// snapshot and takes no lock.
func (r *Registry) CheckCompatibility(_ context.Context, subject string, version int, req RegisterRequest) (CompatibilityResult, error) {
	subject = NormalizeSubject(subject)
	st := r.snapshot()
	var hist []*Version
	if version > 0 {
		v, err := st.version(subject, version, LiveOnly)
		if err != nil {
			if errors.Is(err, ErrSubjectNotFound) {
				return CompatibilityResult{}, errVersionNotFound(version)
			}
			return CompatibilityResult{}, err
		}
		hist = []*Version{v}
	}
	cand, err := r.prepare(st, subject, &req)
	if err != nil {
		return CompatibilityResult{}, err
	}
	if st.effectiveMode(subject) != ModeImport {
		if err := cand.problemsError(); err != nil {
			return CompatibilityResult{}, err
		}
	}
	cfg := st.effectiveConfig(subject, r.cfg.defaultLevel)
	level := cfg.Compatibility
	switch {
	case version == -1:
		if v, err := st.version(subject, -1, LiveOnly); err == nil {
			hist = []*Version{v}
		}
	case version == 0:
		hist = st.history(subject, cfg, cand.metadata)
		if !level.Transitive() && len(hist) > 1 {
			hist = hist[:1]
		}
	}
	if level == compat.None || len(hist) == 0 {
		return CompatibilityResult{Compatible: true}, nil
	}
	msgs, ok, err := r.compare(st, subject, level, cand, hist, r.cfg.compatBudget)
	if err != nil {
		return CompatibilityResult{}, err
	}
	if ok {
		return CompatibilityResult{Compatible: true}, nil
	}
	return CompatibilityResult{Compatible: false, Messages: msgs}, nil
}

// verdict remembers what a registration's compatibility check found
// compatible: the level it checked and the content of every version it
// compared with (a content compatible once stays compatible under the same
// level).
//
// It also carries the rules the check runs by, so that every instance
// folding the registration's command decides it by the same rules, whatever
// its own options: the server's default level and the work budget.
type verdict struct {
	level compat.Level
	ok    map[[32]byte]bool
	// def and budget are the default level and the work budget of the
	// instance that prepared the registration.
	def    compat.Level
	budget int
}

// checkRegister checks cand against the versions of subject a registration
// is checked against, skipping those checked (already found compatible under
// the same level), and returns the 409 error listing every incompatibility.
// The first check of a registration, against the snapshot, compares with
// every version; the one at commit only with those committed since, so the
// sequencer rarely compares anything. A version found incompatible is
// always one of those compared, so the 409 lists the same problems a full
// check would.
func (r *Registry) checkRegister(st *state, subject string, cand *candidate, checked *verdict) error {
	if checked.def == "" {
		checked.def, checked.budget = r.cfg.defaultLevel, r.cfg.compatBudget
	}
	cfg := st.effectiveConfig(subject, checked.def)
	level := cfg.Compatibility
	if level == compat.None {
		return nil
	}
	hist := st.history(subject, cfg, cand.metadata)
	if !level.Transitive() && len(hist) > 1 {
		hist = hist[:1]
	}
	if checked.level != level {
		checked.level, checked.ok = level, make(map[[32]byte]bool, len(hist))
	}
	var todo []*Version
	for _, v := range hist {
		if !checked.ok[v.Content.key] {
			todo = append(todo, v)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	msgs, ok, err := r.compare(st, subject, level, cand, todo, checked.budget)
	if err != nil {
		return err
	}
	if !ok {
		return newErr(CodeIncompatibleSchema,
			"Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]", subject, strings.Join(msgs, ", "))
	}
	for _, v := range todo {
		checked.ok[v.Content.key] = true
	}
	return nil
}

// history returns the live versions of subject a new schema is checked
// against, newest first, keeping only those in the compatibility group of
// metadata md.
func (st *state) history(subject string, cfg Config, md *Metadata) []*Version {
	sub := st.subject(subject)
	if sub == nil {
		return nil
	}
	var out []*Version
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if v.Deleted {
			continue
		}
		if g := cfg.CompatibilityGroup; g != "" && groupValue(v.Content.Metadata, g) != groupValue(md, g) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func groupValue(md *Metadata, key string) string {
	if md == nil {
		return ""
	}
	return md.Properties[key]
}

// compare checks cand against hist (newest first) under level, within the
// work budget, and returns Confluent-style messages for every
// incompatibility. A check that exceeds the budget is a 42201 error saying
// so and what to do.
func (r *Registry) compare(st *state, subject string, level compat.Level, cand *candidate, hist []*Version, budget int) ([]string, bool, error) {
	if err := parsedCandidate(st, cand); err != nil {
		return nil, false, err
	}
	if cand.prepared == nil {
		cand.prepared = &parsedSchema{schema: cand.parsed}
	}
	versions := make([]*parsedSchema, len(hist))
	for i, v := range hist {
		p, err := r.parsedVersion(st, v)
		if err != nil {
			return nil, false, err
		}
		versions[i] = p
	}
	if r.beforeCompare != nil {
		r.beforeCompare(subject)
	}
	var rep compat.Report
	var err error
	if r.cfg.preparedChecks {
		prepared := make([]*compat.Prepared, len(versions))
		for i, p := range versions {
			prepared[i] = p.prepare()
		}
		rep, err = compat.CheckPrepared(level, cand.prepared.prepare(), prepared, budget)
	} else {
		schemas := make([]avro.Schema, len(versions))
		for i, p := range versions {
			schemas[i] = p.schema
		}
		rep, err = compat.CheckBounded(level, cand.parsed, schemas, budget)
	}
	if err != nil {
		if errors.Is(err, compat.ErrTooComplex) {
			return nil, false, errTooComplex(err)
		}
		return nil, false, fmt.Errorf("compatibility check of %q: %w", subject, err)
	}
	if rep.Compatible {
		return nil, true, nil
	}
	return compatMessages(rep, hist), false, nil
}

// compatMessages renders a report the way Confluent's verbose messages look:
// one {errorType:…, description:…, additionalInfo:…} per problem, then the
// old version and schema it was found against, then the level trailer.
func compatMessages(rep compat.Report, hist []*Version) []string {
	var out []string
	q := func(s string) string { return strings.ReplaceAll(s, "'", `\'`) }
	for _, c := range rep.Comparisons {
		if c.Compatible() {
			continue
		}
		which := "new"
		if c.Direction == compat.DirForward {
			which = "old"
		}
		for _, is := range c.Incompatibilities {
			out = append(out, fmt.Sprintf("{errorType:'%s', description:'%s: %s (at path '%s' in the %s schema)', additionalInfo:'reader type: %s, writer type: %s'}",
				is.Rule, q(is.Path), q(is.Message), q(is.Pointer), which, q(is.Reader), q(is.Writer)))
		}
		v := hist[c.Against]
		out = append(out, fmt.Sprintf("{oldSchemaVersion: %d}", v.Version), fmt.Sprintf("{oldSchema: '%s'}", q(v.Content.Schema)))
	}
	out = append(out, fmt.Sprintf("{validateFields: 'false', compatibility: '%s'}", rep.Level))
	return out
}
