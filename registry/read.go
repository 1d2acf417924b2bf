package registry

import (
	"context"
	"sort"
	"strings"

	"github.com/edactl/edactl/registry/compat"
)

// effectiveConfig merges the subject's config over its context's and the
// global one, with def as the last resort for the level.
func (st *State) effectiveConfig(subject string, def compat.Level) Config {
	ctx, _ := SplitSubject(subject)
	scopes := []string{subject, contextScope(ctx), ""}
	var out Config
	for _, s := range scopes {
		c, ok := st.configs[s]
		if !ok {
			continue
		}
		if out.Compatibility == "" {
			out.Compatibility = c.Compatibility
		}
		if out.Normalize == nil {
			out.Normalize = c.Normalize
		}
		if out.CompatibilityGroup == "" {
			out.CompatibilityGroup = c.CompatibilityGroup
		}
	}
	if out.Compatibility == "" {
		out.Compatibility = def
	}
	return out
}

// effectiveMode is the subject's mode, else its context's, else the global
// one, else READWRITE.
func (st *State) effectiveMode(subject string) Mode {
	ctx, _ := SplitSubject(subject)
	for _, s := range []string{subject, contextScope(ctx), ""} {
		if m, ok := st.modes[s]; ok {
			return m
		}
	}
	return ModeReadWrite
}

// SchemaJSON returns the precomputed GET /schemas/ids/{id} body of id in
// context ctx ("" or "." for the default one). It is the hot read path.
func (r *Registry) SchemaJSON(ctx string, id int) ([]byte, bool) {
	r.mu.RLock()
	cs := r.pub.contexts[ctx]
	if cs == nil && (ctx == "" || ctx == DefaultContext) {
		cs = r.pub.contexts[DefaultContext]
	}
	var c *Content
	if cs != nil {
		c = cs.byID[id]
	}
	r.mu.RUnlock()
	if c == nil {
		return nil, false
	}
	return c.ssJSON, true
}

// SchemaByID returns the schema with id in context ctx (soft-deleted
// versions keep their id resolvable).
func (r *Registry) SchemaByID(ctx string, id int) (*Content, error) {
	ctx = NormalizeContext(ctx)
	r.mu.RLock()
	defer r.mu.RUnlock()
	if cs := r.pub.contexts[ctx]; cs != nil {
		if c := cs.byID[id]; c != nil {
			return c, nil
		}
	}
	return nil, errSchemaIDNotFound(id)
}

// MaxID returns the highest id ever allocated in context ctx.
func (r *Registry) MaxID(ctx string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if cs := r.pub.contexts[NormalizeContext(ctx)]; cs != nil {
		return cs.maxID
	}
	return 0
}

// SubjectVersion names one version of one subject.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// VersionsByID returns every subject-version that uses id, sorted; with
// deleted, soft-deleted ones too.
func (r *Registry) VersionsByID(ctx string, id int, deleted bool) ([]SubjectVersion, error) {
	ctx = NormalizeContext(ctx)
	r.mu.RLock()
	defer r.mu.RUnlock()
	cs := r.pub.contexts[ctx]
	if cs == nil || cs.byID[id] == nil {
		return nil, errSchemaIDNotFound(id)
	}
	out := []SubjectVersion{}
	for name, sub := range r.pub.subjects {
		if c, _ := SplitSubject(name); c != ctx {
			continue
		}
		for _, v := range sub.versions {
			if v.Content.ID == id && (deleted || !v.Deleted) {
				out = append(out, SubjectVersion{name, v.Version})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

// SubjectsByID returns the subjects that use id, sorted.
func (r *Registry) SubjectsByID(ctx string, id int, deleted bool) ([]string, error) {
	svs, err := r.VersionsByID(ctx, id, deleted)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, sv := range svs {
		if len(out) == 0 || out[len(out)-1] != sv.Subject {
			out = append(out, sv.Subject)
		}
	}
	return out, nil
}

// MatchPrefix reports whether subject matches a Confluent subjectPrefix:
// "" and ":*:" match everything; ":.ctx:p" matches names starting with p in
// context .ctx; a plain p matches names starting with p in the default
// context.
func MatchPrefix(prefix, subject string) bool {
	if prefix == "" || prefix == ":*:" {
		return true
	}
	pctx, pname := SplitSubject(prefix)
	if strings.HasPrefix(prefix, ":.") && strings.HasSuffix(prefix, ":") && pname == "" {
		pctx = prefix[1 : len(prefix)-1]
	}
	sctx, sname := SplitSubject(subject)
	return sctx == pctx && strings.HasPrefix(sname, pname)
}

// Subjects lists subjects matching prefix, sorted. By default only subjects
// with a live version; deleted adds soft-deleted subjects; deletedOnly lists
// only subjects whose versions are all soft deleted.
func (r *Registry) Subjects(prefix string, deleted, deletedOnly bool) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []string{}
	for name, sub := range r.pub.subjects {
		if !MatchPrefix(prefix, name) {
			continue
		}
		live := sub.live() > 0
		switch {
		case deletedOnly:
			if live {
				continue
			}
		case !deleted && !live:
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Contexts lists the contexts that have subjects, sorted; the default
// context is always listed.
func (r *Registry) Contexts() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := map[string]bool{DefaultContext: true}
	for name := range r.pub.subjects {
		c, _ := SplitSubject(name)
		set[c] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (st *State) subjectFor(subject string, deleted bool) (*subjectState, error) {
	sub := st.subjects[subject]
	if sub == nil || !deleted && sub.live() == 0 {
		return nil, errSubjectNotFound(subject)
	}
	return sub, nil
}

// Versions lists the version numbers of subject: live ones, plus soft-deleted
// ones with deleted, or only soft-deleted ones with deletedOnly.
func (r *Registry) Versions(subject string, deleted, deletedOnly bool) ([]int, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	sub, err := r.pub.subjectFor(subject, deleted || deletedOnly)
	if err != nil {
		return nil, err
	}
	out := []int{}
	for _, v := range sub.versions {
		if deletedOnly && !v.Deleted || !deleted && !deletedOnly && v.Deleted {
			continue
		}
		out = append(out, v.Version)
	}
	return out, nil
}

// Version returns one version of subject (-1 = latest). Soft-deleted
// versions are found only with deleted.
func (r *Registry) Version(subject string, version int, deleted bool) (*Version, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.pub.version(subject, version, deleted)
}

func (st *State) version(subject string, version int, deleted bool) (*Version, error) {
	sub, err := st.subjectFor(subject, deleted)
	if err != nil {
		return nil, err
	}
	if version == -1 {
		if v := sub.latest(deleted); v != nil {
			return v, nil
		}
		return nil, errSubjectNotFound(subject)
	}
	i, ok := sub.find(version)
	if !ok || sub.versions[i].Deleted && !deleted {
		return nil, errVersionNotFound(version)
	}
	return sub.versions[i], nil
}

// SchemasFilter selects versions for GET /schemas.
type SchemasFilter struct {
	SubjectPrefix string
	Deleted       bool
	LatestOnly    bool
}

// Schemas lists versions matching f, sorted by subject then version.
func (r *Registry) Schemas(f SchemasFilter) []*Version {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.pub.subjects))
	for name := range r.pub.subjects {
		if MatchPrefix(f.SubjectPrefix, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []*Version
	for _, name := range names {
		sub := r.pub.subjects[name]
		if f.LatestOnly {
			if v := sub.latest(f.Deleted); v != nil {
				out = append(out, v)
			}
			continue
		}
		for _, v := range sub.versions {
			if f.Deleted || !v.Deleted {
				out = append(out, v)
			}
		}
	}
	return out
}

// ReferencedBy returns the ids of the versions whose schemas reference the
// given subject-version, sorted; soft-deleted referrers only with deleted.
func (r *Registry) ReferencedBy(subject string, version int, deleted bool) ([]int, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	target, err := r.pub.version(subject, version, true)
	if err != nil {
		return nil, err
	}
	set := map[int]bool{}
	for _, sub := range r.pub.subjects {
		for _, v := range sub.versions {
			if v.Deleted && !deleted {
				continue
			}
			for _, ref := range v.Content.References {
				if ref.Subject == subject && ref.Version == target.Version {
					set[v.Content.ID] = true
				}
			}
		}
	}
	out := make([]int, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Ints(out)
	return out, nil
}

// Lookup finds the version of subject whose schema is req's (POST
// /subjects/{subject}); with deleted, soft-deleted versions count.
func (r *Registry) Lookup(_ context.Context, subject string, req RegisterRequest, deleted bool) (*Version, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	sub, err := r.pub.subjectFor(subject, deleted)
	if err != nil {
		return nil, err
	}
	cand, err := r.prepare(r.pub, subject, &req, false)
	if err != nil {
		return nil, err
	}
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if (deleted || !v.Deleted) && cand.matches(v.Content, true) {
			return v, nil
		}
	}
	return nil, newErr(CodeSchemaNotFound, "Schema not found")
}

// LatestWithMetadata returns the newest version of subject whose metadata
// properties contain every key/value pair of props (GET
// /subjects/{subject}/metadata, what Confluent serializers call with
// use.latest.with.metadata). As on Confluent, a version without metadata
// properties never matches, and soft-deleted versions count only with
// deleted. A subject without such versions is 40401; no match is 40403.
func (r *Registry) LatestWithMetadata(subject string, props map[string]string, deleted bool) (*Version, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	sub, err := r.pub.subjectFor(subject, deleted)
	if err != nil {
		return nil, err
	}
next:
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if v.Deleted && !deleted || v.Content.Metadata == nil || len(v.Content.Metadata.Properties) == 0 {
			continue
		}
		for k, want := range props {
			if got, ok := v.Content.Metadata.Properties[k]; !ok || got != want {
				continue next
			}
		}
		return v, nil
	}
	return nil, newErr(CodeSchemaNotFound, "Schema not found")
}

// Config returns the config of a scope. A subject (or context) without its
// own config is 40408 unless defaultToGlobal, which returns the effective
// config. The global scope always answers, with the server default level.
func (r *Registry) Config(scope string, defaultToGlobal bool) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, name := SplitSubject(scope); name == "" {
		// The global and context scopes always answer, with what applies.
		return r.pub.effectiveConfig(scope, r.cfg.defaultLevel), nil
	}
	c, ok := r.pub.configs[scope]
	if defaultToGlobal {
		return r.pub.effectiveConfig(scope, r.cfg.defaultLevel), nil
	}
	if !ok {
		return Config{}, newErr(CodeSubjectCompatibilityNotConfig, "Subject '%s' does not have subject-level compatibility configured", scope)
	}
	return c, nil
}

// Mode returns the mode of a scope. A subject without its own mode is 40409
// unless defaultToGlobal.
func (r *Registry) Mode(scope string, defaultToGlobal bool) (Mode, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return "", err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, name := SplitSubject(scope); name == "" || defaultToGlobal {
		return r.pub.effectiveMode(scope), nil
	}
	m, ok := r.pub.modes[scope]
	if !ok {
		return "", newErr(CodeSubjectModeNotConfigured, "Subject '%s' does not have subject-level mode configured", scope)
	}
	return m, nil
}

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
// With verbose, an unparsable schema is an incompatible result with the
// parse error as its message instead of a 42201 error.
func (r *Registry) CheckCompatibility(_ context.Context, subject string, version int, req RegisterRequest, verbose bool) (CompatibilityResult, error) {
	subject = NormalizeSubject(subject)
	r.mu.RLock()
	defer r.mu.RUnlock()
	st := r.pub
	var hist []*Version
	if version > 0 {
		v, err := st.version(subject, version, false)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Code == CodeSubjectNotFound {
				return CompatibilityResult{}, errVersionNotFound(version)
			}
			return CompatibilityResult{}, err
		}
		hist = []*Version{v}
	}
	cand, err := r.prepare(st, subject, &req, false)
	if err != nil {
		if e, ok := err.(*Error); ok && verbose && e.Code == CodeInvalidSchema {
			return CompatibilityResult{Compatible: false, Messages: []string{e.Message}}, nil
		}
		return CompatibilityResult{}, err
	}
	cfg := st.effectiveConfig(subject, r.cfg.defaultLevel)
	level := cfg.Compatibility
	switch {
	case version == -1:
		if v, err := st.version(subject, -1, false); err == nil {
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
	msgs, ok, err := r.compare(st, level, cand, hist)
	if err != nil {
		return CompatibilityResult{}, err
	}
	if ok {
		return CompatibilityResult{Compatible: true}, nil
	}
	return CompatibilityResult{Compatible: false, Messages: msgs}, nil
}

// Resolved returns c's schema with referenced types inlined (format=resolved).
func (r *Registry) Resolved(c *Content) (string, error) {
	if len(c.References) == 0 {
		return c.Schema, nil
	}
	r.mu.RLock()
	refs, err := r.pub.referenceTexts(c.References)
	r.mu.RUnlock()
	if err != nil {
		return "", newErr(CodeInvalidSchema, "Cannot resolve the references of schema %d: %v", c.ID, err)
	}
	text, err := ResolvedText(c.Schema, refs)
	if err != nil {
		return "", newErr(CodeInvalidSchema, "Cannot resolve schema %d: %v", c.ID, err)
	}
	return text, nil
}
