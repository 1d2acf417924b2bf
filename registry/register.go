package registry

import (
	"context"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
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
// canonicalised and keyed. Preparing happens outside the sequencer.
type candidate struct {
	schemaType string
	canonical  string
	refs       []Reference
	metadata   *Metadata
	key        [32]byte
	parsed     avro.Schema
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

// prepare validates and canonicalises req against st. st must be read-locked
// (or owned) by the caller.
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
	if err := CheckSubject(subject); err != nil {
		return RegisterResult{}, err
	}
	r.mu.RLock()
	if strings.TrimSpace(req.Schema) == "" {
		// An empty schema registers the latest version's schema again, with
		// the request's metadata.
		if sub := r.pub.subjects[subject]; sub != nil {
			if latest := sub.latest(LiveOnly); latest != nil {
				req.Schema, req.References = latest.Content.Schema, latest.Content.References
			}
		}
	}
	cand, err := r.prepare(r.pub, subject, &req)
	r.mu.RUnlock()
	if err != nil {
		return RegisterResult{}, err
	}
	return submit(ctx, r, func(st *state) ([]record, RegisterResult, error) {
		return r.register(st, subject, &req, cand)
	})
}

// register decides, in the sequencer, what registering cand under subject
// does: nothing (it is already a live version), or a new version with an id.
func (r *Registry) register(st *state, subject string, req *RegisterRequest, cand *candidate) ([]record, RegisterResult, error) {
	mode := st.effectiveMode(subject)
	if mode.readOnly() {
		return nil, RegisterResult{}, errReadOnly(subject)
	}
	importing := mode == ModeImport
	if req.ID > 0 && !importing && mode != ModeForward {
		return nil, RegisterResult{}, newErr(CodeOperationNotPermitted, "Subject %s is not in import mode; an explicit id is only accepted in IMPORT mode", subject)
	}
	for _, ref := range cand.refs {
		if _, err := st.lookupRef(ref); err != nil {
			return nil, RegisterResult{}, newErr(CodeInvalidSchema, "Invalid schema: %v", err)
		}
	}
	schemaCtx, _ := SplitSubject(subject)
	sub := st.subjects[subject]
	if sub != nil {
		for i := len(sub.versions) - 1; i >= 0; i-- {
			v := sub.versions[i]
			if v.Deleted || !cand.matches(v.Content) {
				continue
			}
			if req.ID > 0 && req.ID != v.Content.ID {
				return nil, RegisterResult{}, newErr(CodeIDDoesNotMatch, "Schema already registered with id %d instead of input id %d", v.Content.ID, req.ID)
			}
			return nil, RegisterResult{ID: v.Content.ID, Version: v.Version, Existing: true}, nil
		}
	}
	if req.ID > maxIDOrVersion || req.Version > maxIDOrVersion {
		return nil, RegisterResult{}, newErr(CodeInvalidSchema, "id %d and version %d must be at most %d", req.ID, req.Version, maxIDOrVersion)
	}
	next := 1
	if sub != nil {
		next = sub.maxVersion() + 1
	}
	if next > maxIDOrVersion {
		return nil, RegisterResult{}, newErr(CodeInvalidSchema, "subject %s has reached the last version number, %d", subject, maxIDOrVersion)
	}
	version := next
	if req.Version > 0 {
		if importing {
			if sub != nil {
				if _, ok := sub.find(req.Version); ok {
					return nil, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite of version %d of subject %s is not permitted", req.Version, subject)
				}
			}
		} else if req.Version != next {
			return nil, RegisterResult{}, newErr(CodeInvalidSchema, "Version is not one more than previous version")
		}
		version = req.Version
	}
	if !importing {
		if err := r.checkRegister(st, subject, cand); err != nil {
			return nil, RegisterResult{}, err
		}
	}
	cs := st.contexts[schemaCtx]
	var id int
	switch {
	case req.ID > 0:
		if cs != nil {
			if c := cs.byID[req.ID]; c != nil && c.key != cand.key {
				return nil, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted.", req.ID)
			}
			if cs.retired[req.ID] {
				return nil, RegisterResult{}, newErr(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: the id belonged to a deleted schema and is never reused.", req.ID)
			}
		}
		id = req.ID
	case cs != nil && cs.byKey[cand.key] > 0:
		id = cs.byKey[cand.key]
	default:
		id = 1
		if cs != nil {
			if cs.maxID >= maxIDOrVersion {
				return nil, RegisterResult{}, newErr(CodeStoreError, "no schema id is left: the largest, %d, is taken", maxIDOrVersion)
			}
			id = cs.maxID + 1
		}
	}
	rec := record{Kind: schemaRegistered, Subject: subject, Version: version, ID: id,
		Schema: cand.canonical, References: cand.refs, Metadata: cand.metadata}
	return []record{rec}, RegisterResult{ID: id, Version: version}, nil
}
