package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

// RegisterRequest is the body of a registration (or lookup, or
// compatibility check).
type RegisterRequest struct {
	// Schema is the schema text. Empty means "the latest version's schema"
	// (to change metadata only) when registering.
	Schema string
	// SchemaType is "" or AVRO; other types are refused.
	SchemaType string
	// References are the named types the schema takes from other subjects.
	References []Reference
	// Metadata is stored with the version and is part of the id's content.
	Metadata *Metadata
	// RuleSet is validated (42210) and then dropped, as Confluent's
	// community edition does.
	RuleSet *RuleSet
	// ID asks for an explicit id; only in IMPORT (or FORWARD) mode.
	ID int
	// Version asks for an explicit version: any unused one in IMPORT mode,
	// otherwise it must be the next one.
	Version int
	// Normalize registers the normalized form (see Canonical).
	Normalize bool
}

// RegisterResult says what a registration did.
type RegisterResult struct {
	ID      int
	Version int
	// Existing is true when the schema was already a live version of the
	// subject and nothing was written.
	Existing bool
}

// RuleSet is Confluent's data-contract rule set.
type RuleSet struct {
	MigrationRules []Rule `json:"migrationRules,omitempty"`
	DomainRules    []Rule `json:"domainRules,omitempty"`
}

// Rule is one data-contract rule.
type Rule struct {
	Name      string            `json:"name"`
	Doc       string            `json:"doc,omitempty"`
	Kind      string            `json:"kind"`
	Mode      string            `json:"mode"`
	Type      string            `json:"type"`
	Tags      []string          `json:"tags,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	Expr      string            `json:"expr,omitempty"`
	OnSuccess string            `json:"onSuccess,omitempty"`
	OnFailure string            `json:"onFailure,omitempty"`
	Disabled  bool              `json:"disabled,omitempty"`
}

// Validate checks a rule set the way Confluent does before it accepts one:
// every rule named once, with a known kind and mode and a type.
func (rs *RuleSet) Validate() error {
	if rs == nil {
		return nil
	}
	names := map[string]bool{}
	check := func(list string, rules []Rule) error {
		for i, r := range rules {
			switch {
			case r.Name == "":
				return newErr(CodeInvalidRuleSet, "Invalid rule set: %s[%d] has no name", list, i)
			case names[r.Name]:
				return newErr(CodeInvalidRuleSet, "Invalid rule set: duplicate rule name %q", r.Name)
			case !slices.Contains([]string{"TRANSFORM", "CONDITION"}, strings.ToUpper(r.Kind)):
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has kind %q (want TRANSFORM or CONDITION)", r.Name, r.Kind)
			case !slices.Contains([]string{"UPGRADE", "DOWNGRADE", "UPDOWN", "WRITE", "READ", "WRITEREAD"}, strings.ToUpper(r.Mode)):
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has mode %q (want UPGRADE, DOWNGRADE, UPDOWN, WRITE, READ or WRITEREAD)", r.Name, r.Mode)
			case r.Type == "":
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has no type", r.Name)
			}
			names[r.Name] = true
		}
		return nil
	}
	if err := check("migrationRules", rs.MigrationRules); err != nil {
		return err
	}
	return check("domainRules", rs.DomainRules)
}

// candidate is a schema prepared for registration, lookup or a check: parsed,
// canonicalised and keyed. Preparing happens outside the sequencer.
type candidate struct {
	schemaType string
	canonical  string
	refs       []Reference
	metadata   *Metadata
	key        [32]byte
	parsed     avro.Schema
}

func (c *candidate) matches(content *Content, ignoreMetadata bool) bool {
	if ignoreMetadata && c.metadata == nil {
		return content.SchemaType == c.schemaType && content.Schema == c.canonical && slices.Equal(content.References, c.refs)
	}
	return content.key == c.key
}

// prepare validates and canonicalises req against st. st must be read-locked
// (or owned) by the caller.
func (r *Registry) prepare(st *State, subject string, req *RegisterRequest, fillEmpty bool) (*candidate, error) {
	if err := req.RuleSet.Validate(); err != nil {
		return nil, err
	}
	st2 := strings.ToUpper(req.SchemaType)
	if st2 != "" && st2 != "AVRO" {
		return nil, newErr(CodeInvalidSchema, "Invalid schema type %s: this registry supports AVRO only", req.SchemaType)
	}
	text, refs := req.Schema, req.References
	if strings.TrimSpace(text) == "" {
		var latest *Version
		if sub := st.subjects[subject]; sub != nil && fillEmpty {
			latest = sub.latest(false)
		}
		if latest == nil {
			return nil, newErr(CodeInvalidSchema, "Empty schema")
		}
		text, refs = latest.Content.Schema, latest.Content.References
	}
	if len(text) > r.cfg.maxSchemaBytes {
		return nil, newErr(CodeSchemaTooLarge, "Schema too large: %d bytes (the limit is %d)", len(text), r.cfg.maxSchemaBytes)
	}
	resolved := make([]Reference, len(refs))
	for i, ref := range refs {
		if ref.Name == "" {
			return nil, newErr(CodeInvalidSchema, "Invalid schema: reference %d has no name", i+1)
		}
		if !ValidSubject(ref.Subject) {
			return nil, newErr(CodeInvalidSchema, "Invalid schema: reference %q has an invalid subject %q", ref.Name, ref.Subject)
		}
		if ref.Version < 1 && ref.Version != -1 {
			return nil, newErr(CodeInvalidSchema, "Invalid schema: reference %q has invalid version %d", ref.Name, ref.Version)
		}
		v, err := st.lookupRef(ref)
		if err != nil {
			return nil, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
		}
		resolved[i] = Reference{Name: ref.Name, Subject: v.Subject, Version: v.Version}
	}
	refTexts, err := st.referenceTexts(resolved)
	if err != nil {
		return nil, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
	}
	parsed, err := avroschema.ParseWithReferences(text, refTexts...)
	if err != nil {
		return nil, errInvalidSchema(err)
	}
	normalize := req.Normalize
	if cfg := st.effectiveConfig(subject, r.cfg.defaultLevel); cfg.Normalize != nil && *cfg.Normalize {
		normalize = true
	}
	canon, err := Canonical(text, refTexts, normalize)
	if err != nil {
		return nil, errInvalidSchema(err)
	}
	if normalize {
		slices.SortFunc(resolved, func(a, b Reference) int { return strings.Compare(a.Name, b.Name) })
	}
	md := req.Metadata
	if md.empty() {
		md = nil
	}
	if len(resolved) == 0 {
		resolved = nil
	}
	return &candidate{
		canonical: canon,
		refs:      resolved,
		metadata:  md,
		key:       contentKey("", canon, resolved, md),
		parsed:    parsed,
	}, nil
}

// Register registers a schema under subject, as POST
// /subjects/{subject}/versions does: idempotent, content-addressed ids shared
// across subjects, compatibility checked against the subject's history
// unless the mode is IMPORT.
func (r *Registry) Register(ctx context.Context, subject string, req RegisterRequest) (RegisterResult, error) {
	subject = NormalizeSubject(subject)
	if !ValidSubject(subject) {
		return RegisterResult{}, errInvalidSubject(subject)
	}
	r.mu.RLock()
	cand, err := r.prepare(r.pub, subject, &req, true)
	r.mu.RUnlock()
	if err != nil {
		return RegisterResult{}, err
	}
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		return r.registerCmd(st, subject, &req, cand)
	})
	if err != nil {
		return RegisterResult{}, err
	}
	return res.(RegisterResult), nil
}

func (r *Registry) registerCmd(st *State, subject string, req *RegisterRequest, cand *candidate) ([]Record, any, error) {
	mode := st.effectiveMode(subject)
	if mode.readOnly() {
		return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", subject)
	}
	importing := mode == ModeImport
	if req.ID > 0 && !importing && mode != ModeForward {
		return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is not in import mode; an explicit id is only accepted in IMPORT mode", subject)
	}
	for _, ref := range cand.refs {
		if _, err := st.lookupRef(ref); err != nil {
			return nil, nil, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
		}
	}
	ctxName, _ := SplitSubject(subject)
	sub := st.subjects[subject]
	if sub != nil {
		for i := len(sub.versions) - 1; i >= 0; i-- {
			v := sub.versions[i]
			if v.Deleted || !cand.matches(v.Content, true) {
				continue
			}
			if req.ID > 0 && req.ID != v.Content.ID {
				return nil, nil, newErr(CodeIDDoesNotMatch, "Schema already registered with id %d instead of input id %d", v.Content.ID, req.ID)
			}
			return nil, RegisterResult{ID: v.Content.ID, Version: v.Version, Existing: true}, nil
		}
	}
	if req.ID > MaxID || req.Version > MaxID {
		return nil, nil, newErr(CodeInvalidSchema, "id %d and version %d must be at most %d", req.ID, req.Version, MaxID)
	}
	next := 1
	if sub != nil {
		next = sub.maxVersion() + 1
	}
	if next > MaxID {
		return nil, nil, newErr(CodeInvalidSchema, "subject %s has reached the last version number, %d", subject, MaxID)
	}
	version := next
	if req.Version > 0 {
		if importing {
			if sub != nil {
				if _, ok := sub.find(req.Version); ok {
					return nil, nil, newErr(CodeOperationNotPermitted, "Overwrite of version %d of subject %s is not permitted", req.Version, subject)
				}
			}
		} else if req.Version != next {
			return nil, nil, newErr(CodeInvalidSchema, "Version is not one more than previous version")
		}
		version = req.Version
	}
	if !importing {
		if err := r.checkRegister(st, subject, cand); err != nil {
			return nil, nil, err
		}
	}
	cs := st.contexts[ctxName]
	var id int
	switch {
	case req.ID > 0:
		if cs != nil {
			if c := cs.byID[req.ID]; c != nil && c.key != cand.key {
				return nil, nil, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted.", req.ID)
			}
			if cs.retired[req.ID] {
				return nil, nil, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: the id belonged to a deleted schema and is never reused.", req.ID)
			}
		}
		id = req.ID
	case cs != nil && cs.byKey[cand.key] > 0:
		id = cs.byKey[cand.key]
	default:
		id = 1
		if cs != nil {
			if cs.maxID >= MaxID {
				return nil, nil, newErr(CodeStoreError, "no schema id is left: the largest, %d, is taken", MaxID)
			}
			id = cs.maxID + 1
		}
	}
	rec := Record{Kind: SchemaRegistered, Subject: subject, Version: version, ID: id,
		Schema: cand.canonical, References: cand.refs, Metadata: cand.metadata}
	return []Record{rec}, RegisterResult{ID: id, Version: version}, nil
}

// history returns the live versions of subject a new schema is checked
// against, newest first, keeping only those in cand's compatibility group.
func (st *State) history(subject string, cfg Config, md *Metadata) []*Version {
	sub := st.subjects[subject]
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

func (r *Registry) checkRegister(st *State, subject string, cand *candidate) error {
	cfg := st.effectiveConfig(subject, r.cfg.defaultLevel)
	level := cfg.Compatibility
	if level == compat.None {
		return nil
	}
	hist := st.history(subject, cfg, cand.metadata)
	if !level.Transitive() && len(hist) > 1 {
		hist = hist[:1]
	}
	if len(hist) == 0 {
		return nil
	}
	msgs, ok, err := r.compare(st, level, cand, hist)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	return &Error{Code: CodeIncompatibleSchema, Message: fmt.Sprintf(
		"Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]", subject, strings.Join(msgs, ", "))}
}

// compare checks cand against hist (newest first) under level and returns
// Confluent-style messages for every incompatibility.
func (r *Registry) compare(st *State, level compat.Level, cand *candidate, hist []*Version) ([]string, bool, error) {
	schemas := make([]avro.Schema, len(hist))
	for i, v := range hist {
		s, err := r.parsedContent(st, v.Content)
		if err != nil {
			return nil, false, err
		}
		schemas[i] = s
	}
	rep := compat.Check(level, cand.parsed, schemas)
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

// DeleteSubject soft deletes every live version of subject, or with
// permanent removes every (already soft-deleted) version. It returns the
// versions deleted.
func (r *Registry) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	subject = NormalizeSubject(subject)
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		if st.effectiveMode(subject).readOnly() {
			return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", subject)
		}
		sub := st.subjects[subject]
		if sub == nil {
			return nil, nil, errSubjectNotFound(subject)
		}
		live := sub.live()
		if !permanent && live == 0 {
			return nil, nil, newErr(CodeSubjectSoftDeleted, "Subject '%s' was soft deleted.Set permanent=true to delete permanently", subject)
		}
		if permanent && live > 0 {
			return nil, nil, newErr(CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", subject)
		}
		var versions []int
		for _, v := range sub.versions {
			if st.referenced(subject, v.Version) {
				return nil, nil, errReferenced(subject, v.Version)
			}
			if permanent || !v.Deleted {
				versions = append(versions, v.Version)
			}
		}
		return []Record{{Kind: SubjectDeleted, Subject: subject, Permanent: permanent}}, versions, nil
	})
	if err != nil {
		return nil, err
	}
	return res.([]int), nil
}

func errReferenced(subject string, version int) *Error {
	return newErr(CodeReferenceExists, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%d}.", subject, version)
}

// DeleteVersion soft deletes one version (-1 = latest live), or with
// permanent removes an already soft-deleted one (-1 = latest, deleted or
// not). It returns the version number.
func (r *Registry) DeleteVersion(ctx context.Context, subject string, version int, permanent bool) (int, error) {
	subject = NormalizeSubject(subject)
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		if st.effectiveMode(subject).readOnly() {
			return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", subject)
		}
		sub := st.subjects[subject]
		if sub == nil {
			return nil, nil, errSubjectNotFound(subject)
		}
		var v *Version
		if version == -1 {
			if v = sub.latest(permanent); v == nil {
				return nil, nil, errSubjectNotFound(subject)
			}
		} else {
			i, ok := sub.find(version)
			if !ok {
				return nil, nil, errVersionNotFound(version)
			}
			v = sub.versions[i]
		}
		if !permanent && v.Deleted {
			return nil, nil, newErr(CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, v.Version)
		}
		if permanent && !v.Deleted {
			return nil, nil, newErr(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, v.Version)
		}
		if st.referenced(subject, v.Version) {
			return nil, nil, errReferenced(subject, v.Version)
		}
		return []Record{{Kind: VersionDeleted, Subject: subject, Version: v.Version, Permanent: permanent}}, v.Version, nil
	})
	if err != nil {
		return 0, err
	}
	return res.(int), nil
}

// ConfigUpdate is a PUT /config body; nil fields keep their current value.
type ConfigUpdate struct {
	Compatibility      *string `json:"compatibility"`
	Normalize          *bool   `json:"normalize"`
	CompatibilityGroup *string `json:"compatibilityGroup"`
}

// checkScope validates a config/mode scope: "" (global), ":.ctx:" or a
// subject.
func checkScope(scope string) error {
	if !validScope(scope) {
		return errInvalidSubject(scope)
	}
	return nil
}

// ParseLevel parses a compatibility level, returning the 42203 error for an
// unknown one.
func ParseLevel(s string) (compat.Level, error) {
	l, err := compat.ParseLevel(s)
	if err != nil {
		return "", newErr(CodeInvalidCompatibilityLevel, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")
	}
	return l, nil
}

// SetConfig updates the config of a scope ("" global, ":.ctx:" context, or a
// subject, which need not exist) and returns the stored config.
func (r *Registry) SetConfig(ctx context.Context, scope string, u ConfigUpdate) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	var level compat.Level
	if u.Compatibility != nil {
		l, err := ParseLevel(*u.Compatibility)
		if err != nil {
			return Config{}, err
		}
		level = l
	}
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		if m := st.effectiveMode(scope); m.readOnly() {
			return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", scopeName(scope))
		}
		c := st.configs[scope]
		if level != "" {
			c.Compatibility = level
		}
		if u.Normalize != nil {
			n := *u.Normalize
			c.Normalize = &n
		}
		if u.CompatibilityGroup != nil {
			c.CompatibilityGroup = *u.CompatibilityGroup
		}
		cc := c
		return []Record{{Kind: ConfigSet, Subject: scope, Config: &cc}}, c, nil
	})
	if err != nil {
		return Config{}, err
	}
	return res.(Config), nil
}

func scopeName(scope string) string {
	if scope == "" {
		return "__GLOBAL"
	}
	return scope
}

// DeleteConfig removes the config of a scope and returns the old one. For the
// global scope the old config includes the server default level, and there
// is nothing to remove if it was never set.
func (r *Registry) DeleteConfig(ctx context.Context, scope string) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		if m := st.effectiveMode(scope); m.readOnly() {
			return nil, nil, newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", scopeName(scope))
		}
		old, ok := st.configs[scope]
		if scope == "" {
			if old.Compatibility == "" {
				old.Compatibility = r.cfg.defaultLevel
			}
			if !ok {
				return nil, old, nil
			}
		} else if !ok {
			return nil, nil, errSubjectNotFound(scope)
		}
		return []Record{{Kind: ConfigDeleted, Subject: scope}}, old, nil
	})
	if err != nil {
		return Config{}, err
	}
	return res.(Config), nil
}

// SetMode sets the mode of a scope. IMPORT needs force while the scope has
// live subjects; FORWARD is global only.
func (r *Registry) SetMode(ctx context.Context, scope, mode string, force bool) (Mode, error) {
	scope = NormalizeSubject(scope)
	m, err := ParseMode(mode)
	if err != nil {
		return "", err
	}
	if m == ModeForward && scope != "" {
		return "", newErr(CodeInvalidMode, "Forward mode only supported on global level")
	}
	if err := checkScope(scope); err != nil {
		return "", err
	}
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		if m == ModeImport && !force {
			for name, sub := range st.subjects {
				if inScope(scope, name) && sub.live() > 0 {
					return nil, nil, newErr(CodeOperationNotPermitted, "Cannot import since found existing subjects")
				}
			}
		}
		return []Record{{Kind: ModeSet, Subject: scope, Mode: m}}, m, nil
	})
	if err != nil {
		return "", err
	}
	return res.(Mode), nil
}

// DeleteMode removes the mode of a scope (with recursive, also of every
// subject inside it) and returns the old mode ("" when none was set).
func (r *Registry) DeleteMode(ctx context.Context, scope string, recursive bool) (Mode, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return "", err
	}
	res, err := r.submit(ctx, func(st *State) ([]Record, any, error) {
		old, ok := st.modes[scope]
		if scope == "" && !ok {
			old = ModeReadWrite
		}
		if !recursive {
			if !ok {
				if scope == "" {
					return nil, old, nil
				}
				return nil, nil, errSubjectNotFound(scope)
			}
			return []Record{{Kind: ModeDeleted, Subject: scope}}, old, nil
		}
		any := false
		for k := range st.modes {
			if inScope(scope, k) {
				any = true
			}
		}
		if !any {
			return nil, old, nil
		}
		return []Record{{Kind: ModeDeleted, Subject: scope, Recursive: true}}, old, nil
	})
	if err != nil {
		return "", err
	}
	return res.(Mode), nil
}
