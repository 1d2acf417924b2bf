package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/jsontree"
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

// candidate is a schema prepared for registration, lookup or a check: parsed,
// canonicalised, keyed and validated. Preparing happens outside the
// sequencer, against a snapshot.
type candidate struct {
	schemaType string
	canonical  string
	refs       []Reference
	// refKeys are the content keys of the versions refs name, as the
	// snapshot had them; the commit refuses the candidate if one changed.
	refKeys  [][32]byte
	metadata *Metadata
	key      [32]byte
	parsed   avro.Schema
	// prepared is parsed as checks use it, made by the first check.
	prepared *parsedSchema
	// checked is the verdict of the check against the caller's snapshot,
	// and checkedRec the command's record of it (setChecked): the
	// sequencer, deciding the command, starts from checked instead of
	// decoding checkedRec's hex keys when the command still carries it.
	checked    *verdict
	checkedRec *checkedRecord
	// problems are what validation found that hamba/avro lets through
	// (avroschema.Validate, names two texts define differently): a new
	// version with problems is refused (42201) except in IMPORT mode,
	// which accepts what a source registry held.
	problems []string
}

// matches reports whether content is the candidate's schema. A candidate
// without metadata matches content whatever its metadata, as Confluent's
// lookup does; one with metadata matches only the same metadata.
func (c *candidate) matches(content *Content) bool {
	if c.metadata == nil {
		return content.SchemaType == c.schemaType && content.Schema == c.canonical && slices.Equal(content.References, c.refs)
	}
	return content.key == c.key
}

// problemsError returns the 42201 error for the candidate's problems, nil
// if it has none.
func (c *candidate) problemsError() error {
	if len(c.problems) == 0 {
		return nil
	}
	return newErr(CodeInvalidSchema, "Invalid schema: %s", strings.Join(c.problems, "; "))
}

// prepare validates and canonicalises req against st, a snapshot or the
// sequencer's working state.
func (r *Registry) prepare(st *state, subject string, req *RegisterRequest) (*candidate, error) {
	if err := req.RuleSet.validate(); err != nil {
		return nil, err
	}
	schemaType := strings.ToUpper(req.SchemaType)
	if schemaType != "" && schemaType != "AVRO" {
		return nil, newErr(CodeInvalidSchema, "Invalid schema type %s: this registry supports AVRO only", req.SchemaType)
	}
	text, refs := req.Schema, req.References
	if strings.TrimSpace(text) == "" {
		return nil, newErr(CodeInvalidSchema, "Empty schema")
	}
	if len(text) > r.cfg.maxSchemaBytes {
		return nil, newErr(CodeSchemaTooLarge, "Schema too large: %d bytes (the limit is %d)", len(text), r.cfg.maxSchemaBytes)
	}
	resolved := make([]Reference, len(refs))
	refKeys := make([][32]byte, len(refs))
	for i, ref := range refs {
		if ref.Name == "" {
			return nil, newErr(CodeInvalidSchema, "Invalid schema: reference %d has no name", i+1)
		}
		if !validSubject(ref.Subject) {
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
		refKeys[i] = v.Content.key
	}
	refVersions, err := st.referenceVersions(resolved)
	if err != nil {
		return nil, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
	}
	refTexts := make([]string, len(refVersions))
	for i, v := range refVersions {
		refTexts[i] = v.Content.Schema
	}
	// The text is parsed as JSON once, for the Avro parse and validation
	// and for the canonical form; if the tree cannot be built, each
	// decodes the text itself (and fails as it does).
	tp := treeParsers.Get().(*jsontree.Parser)
	defer treeParsers.Put(tp) // nothing prepare returns holds the tree
	root, rootErr := tp.ParseString(text)
	tree := root
	if rootErr != nil {
		tree = nil
	}
	parsed, redefs, invalid, err := avroschema.ParseAndValidateTree(text, tree, refTexts...)
	if err != nil {
		return nil, errInvalidSchema(err)
	}
	var problems []string
	for _, d := range redefs {
		problems = append(problems, redefinitionProblem(d, resolved, refVersions))
	}
	for _, p := range invalid {
		problems = append(problems, p.String())
	}
	normalize := req.Normalize
	if cfg := st.effectiveConfig(subject, r.cfg.defaultLevel); cfg.Normalize != nil && *cfg.Normalize {
		normalize = true
	}
	var canon string
	if rootErr == nil {
		canon, err = canonicalTree(root, len(text), refTexts, normalize, true)
	} else {
		canon, err = Canonical(text, refTexts, normalize)
	}
	if err != nil {
		return nil, errInvalidSchema(err)
	}
	if normalize {
		perm := make([]int, len(resolved))
		for i := range perm {
			perm[i] = i
		}
		slices.SortFunc(perm, func(a, b int) int { return strings.Compare(resolved[a].Name, resolved[b].Name) })
		sortedRefs, sortedKeys := make([]Reference, len(perm)), make([][32]byte, len(perm))
		for i, j := range perm {
			sortedRefs[i], sortedKeys[i] = resolved[j], refKeys[j]
		}
		resolved, refKeys = sortedRefs, sortedKeys
	}
	md := req.Metadata
	if md.empty() {
		md = nil
	}
	if len(resolved) == 0 {
		resolved, refKeys = nil, nil
	}
	return &candidate{
		canonical: canon,
		refs:      resolved,
		refKeys:   refKeys,
		metadata:  md,
		key:       contentKey("", canon, resolved, md),
		parsed:    parsed,
		problems:  problems,
	}, nil
}

// treeParsers keep the memory of the trees prepare parses schemas into.
var treeParsers = sync.Pool{New: func() any { return new(jsontree.Parser) }}

// redefinitionProblem describes a name two texts of a candidate define
// differently, naming the references (refs, the request's) or the versions
// they reach (vs, the texts in parse order, then the schema itself).
func redefinitionProblem(d avroschema.Redefinition, refs []Reference, vs []*Version) string {
	name := func(i int) string {
		if i >= len(vs) {
			return "the schema itself"
		}
		v := vs[i]
		for _, ref := range refs {
			if ref.Subject == v.Subject && ref.Version == v.Version {
				return fmt.Sprintf("reference %q (subject %s, version %d)", ref.Name, v.Subject, v.Version)
			}
		}
		return fmt.Sprintf("subject %s, version %d (referenced indirectly)", v.Subject, v.Version)
	}
	return fmt.Sprintf("%s and %s both define %s, differently: a name may be defined once", name(d.First), name(d.Second), d.Name)
}

// Register registers a schema under subject, as POST
// /subjects/{subject}/versions does: idempotent, content-addressed ids shared
// across subjects, compatibility checked against the subject's history
// unless the mode is IMPORT.
//
// The registration is decided first against a snapshot, on the caller's
// goroutine: parsing, validation and the compatibility check, the expensive
// parts, run there, and a registration that changes nothing (an error, or a
// schema that is already a live version) is answered from the snapshot.
// Otherwise the registration is appended as a command, and the fold decides
// it again at its place in the log (execute), re-checking compatibility
// only against versions committed since the snapshot.
func (r *Registry) Register(ctx context.Context, subject string, req RegisterRequest) (RegisterResult, error) {
	subject = NormalizeSubject(subject)
	if err := CheckSubject(subject); err != nil {
		return RegisterResult{}, err
	}
	snap := r.snapshot()
	if strings.TrimSpace(req.Schema) == "" {
		// An empty schema registers the latest version's schema again, with
		// the request's metadata.
		if sub := snap.subject(subject); sub != nil {
			if latest := sub.latest(LiveOnly); latest != nil {
				req.Schema, req.References = latest.Content.Schema, latest.Content.References
			}
		}
	}
	cand, err := r.prepare(snap, subject, &req)
	if err != nil {
		return RegisterResult{}, err
	}
	checked := verdict{def: r.cfg.defaultLevel, budget: r.cfg.compatBudget}
	if _, res, err := r.register(snap, subject, &req, cand, &checked); err != nil || res.Existing {
		return res, err
	}
	rec := registerCommand(subject, &req, cand)
	rec.setChecked(&checked)
	cand.checked, cand.checkedRec = &checked, rec.Checked
	res, err := submit[RegisterResult](ctx, r, rec, cand)
	if err != nil || res.Existing {
		return res, err
	}
	if kept := r.snapshot().keptOnRegister(subject, res.ID); len(kept) > 0 {
		r.logger.Warn("registered a schema again without tombstoning its earlier soft-deleted versions, which other schemas still reference",
			"subject", subject, "version", res.Version, "id", res.ID, "kept", kept)
	}
	if len(cand.problems) > 0 {
		r.logger.Warn("imported a schema that fails validation, as the source registry held it",
			"subject", subject, "version", res.Version, "id", res.ID, "problems", cand.problems)
	}
	return res, nil
}

// register decides, against st, what registering cand under subject does:
// nothing (it is already a live version; the fact returned has no Kind), or
// a new version with an id. It runs twice, against the caller's snapshot
// and in the sequencer; checked
// carries over the versions the first run found compatible, so the second
// compares only with versions committed in between.
func (r *Registry) register(st *state, subject string, req *RegisterRequest, cand *candidate, checked *verdict) (record, RegisterResult, error) {
	mode := st.effectiveMode(subject)
	if mode.readOnly() {
		return record{}, RegisterResult{}, errReadOnly(subject)
	}
	importing := mode == ModeImport
	if req.ID > 0 && !importing && mode != ModeForward {
		return record{}, RegisterResult{}, newErr(CodeOperationNotPermitted, "Subject %s is not in import mode; an explicit id is only accepted in IMPORT mode", subject)
	}
	for i, ref := range cand.refs {
		v, err := st.lookupRef(ref)
		if err != nil {
			return record{}, RegisterResult{}, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
		}
		if v.Content.key != cand.refKeys[i] {
			return record{}, RegisterResult{}, newErr(CodeInvalidSchema,
				"Invalid schema: reference %q (subject %s, version %d) was replaced while the schema was being registered; register it again", ref.Name, ref.Subject, ref.Version)
		}
	}
	schemaCtx, _ := SplitSubject(subject)
	sub := st.subject(subject)
	if sub != nil {
		for i := len(sub.versions) - 1; i >= 0; i-- {
			v := sub.versions[i]
			if v.Deleted || !cand.matches(v.Content) {
				continue
			}
			if req.ID > 0 && req.ID != v.Content.ID {
				return record{}, RegisterResult{}, newErr(CodeIDDoesNotMatch, "Schema already registered with id %d instead of input id %d", v.Content.ID, req.ID)
			}
			return record{}, RegisterResult{ID: v.Content.ID, Version: v.Version, Existing: true}, nil
		}
	}
	if !importing {
		if err := cand.problemsError(); err != nil {
			return record{}, RegisterResult{}, err
		}
	}
	if req.ID > maxIDOrVersion || req.Version > maxIDOrVersion {
		return record{}, RegisterResult{}, newErr(CodeInvalidSchema, "id %d and version %d must be at most %d", req.ID, req.Version, maxIDOrVersion)
	}
	next := 1
	if sub != nil {
		next = sub.maxVersion() + 1
	}
	if next > maxIDOrVersion {
		return record{}, RegisterResult{}, newErr(CodeInvalidSchema, "subject %s has reached the last version number, %d", subject, maxIDOrVersion)
	}
	version := next
	if req.Version > 0 {
		if importing {
			if sub != nil {
				if _, ok := sub.find(req.Version); ok {
					return record{}, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite of version %d of subject %s is not permitted", req.Version, subject)
				}
			}
		} else if req.Version != next {
			return record{}, RegisterResult{}, newErr(CodeInvalidSchema, "Version is not one more than previous version")
		}
		version = req.Version
	}
	if !importing {
		if err := r.checkRegister(st, subject, cand, checked); err != nil {
			return record{}, RegisterResult{}, err
		}
	}
	cs := st.context(schemaCtx)
	var id int
	switch {
	case req.ID > 0:
		if cs != nil {
			if c := cs.byID.at(req.ID); c != nil && c.key != cand.key {
				return record{}, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted.", req.ID)
			}
			if cs.retired.has(req.ID) {
				return record{}, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: the id belonged to a deleted schema and is never reused.", req.ID)
			}
		}
		id = req.ID
	case cs != nil && cs.byKey.has(cand.key):
		id = cs.byKey.at(cand.key)
	default:
		var ok bool
		if id, ok = st.nextID(schemaCtx, r.cfg.maxID); !ok {
			return record{}, RegisterResult{}, errIDSpaceFull(schemaCtx, r.cfg.maxID)
		}
	}
	rec := record{Kind: schemaRegistered, Subject: subject, Version: version, ID: id,
		Schema: cand.canonical, References: cand.refs, Metadata: cand.metadata, key: &cand.key}
	return rec, RegisterResult{ID: id, Version: version}, nil
}
