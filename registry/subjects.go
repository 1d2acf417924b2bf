package registry

import (
	"context"
	"sort"
)

// Deleted says which soft-deleted subjects or versions a read includes.
type Deleted int

const (
	// LiveOnly leaves soft-deleted subjects and versions out. Confluent's
	// default.
	LiveOnly Deleted = iota
	// IncludeDeleted includes soft-deleted ones (?deleted=true).
	IncludeDeleted
	// DeletedOnly includes soft-deleted ones only (?deletedOnly=true).
	DeletedOnly
)

// admits reports whether d includes a subject or version that is (or is
// not) soft deleted.
func (d Deleted) admits(softDeleted bool) bool {
	switch d {
	case IncludeDeleted:
		return true
	case DeletedOnly:
		return softDeleted
	}
	return !softDeleted
}

// Subjects lists the subjects matching a Confluent subjectPrefix, sorted:
// "" and ":*:" match everything, ":.ctx:p" names starting with p in context
// .ctx, a plain p names starting with p in the default context. A subject
// is soft deleted when all its versions are.
func (r *Registry) Subjects(prefix string, d Deleted) []string {
	out := []string{}
	for name, sub := range r.snapshot().subjects.all {
		if matchPrefix(prefix, name) && d.admits(sub.live() == 0) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Contexts lists the schema contexts that have subjects, sorted; the
// default context is always listed.
func (r *Registry) Contexts() []string {
	set := map[string]bool{DefaultContext: true}
	for name := range r.snapshot().subjects.all {
		schemaCtx, _ := SplitSubject(name)
		set[schemaCtx] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// subjectFor returns subject's state; a subject whose versions are all soft
// deleted is found only if d includes soft-deleted versions.
func (st *state) subjectFor(subject string, d Deleted) (*subjectState, error) {
	sub := st.subject(subject)
	if sub == nil || !d.admits(true) && sub.live() == 0 {
		return nil, errSubjectNotFound(subject)
	}
	return sub, nil
}

// Versions lists the version numbers of subject that d admits.
func (r *Registry) Versions(subject string, d Deleted) ([]int, error) {
	subject = NormalizeSubject(subject)
	sub, err := r.snapshot().subjectFor(subject, d)
	if err != nil {
		return nil, err
	}
	out := []int{}
	for _, v := range sub.versions {
		if d.admits(v.Deleted) {
			out = append(out, v.Version)
		}
	}
	return out, nil
}

// Version returns one version of subject (-1 = the latest one d admits).
func (r *Registry) Version(subject string, version int, d Deleted) (*Version, error) {
	subject = NormalizeSubject(subject)
	return r.snapshot().version(subject, version, d)
}

func (st *state) version(subject string, version int, d Deleted) (*Version, error) {
	sub, err := st.subjectFor(subject, d)
	if err != nil {
		return nil, err
	}
	if version == -1 {
		if v := sub.latest(d); v != nil {
			return v, nil
		}
		return nil, errSubjectNotFound(subject)
	}
	i, ok := sub.find(version)
	if !ok || !d.admits(sub.versions[i].Deleted) {
		return nil, errVersionNotFound(version)
	}
	return sub.versions[i], nil
}

// SchemasFilter selects versions for GET /schemas.
type SchemasFilter struct {
	// SubjectPrefix is a Confluent subjectPrefix (see Subjects).
	SubjectPrefix string
	// Deleted says which soft-deleted versions count.
	Deleted Deleted
	// LatestOnly keeps the latest version (of those counted) per subject.
	LatestOnly bool
}

// Schemas lists versions matching f, sorted by subject then version.
func (r *Registry) Schemas(f SchemasFilter) []*Version {
	st := r.snapshot()
	names := make([]string, 0, st.subjects.len())
	for name := range st.subjects.all {
		if matchPrefix(f.SubjectPrefix, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []*Version
	for _, name := range names {
		sub := st.subject(name)
		if f.LatestOnly {
			if v := sub.latest(f.Deleted); v != nil {
				out = append(out, v)
			}
			continue
		}
		for _, v := range sub.versions {
			if f.Deleted.admits(v.Deleted) {
				out = append(out, v)
			}
		}
	}
	return out
}

// ReferencedBy returns the ids of the versions whose schemas reference the
// given subject-version (which may be soft deleted), sorted; d says which
// soft-deleted referrers count.
func (r *Registry) ReferencedBy(subject string, version int, d Deleted) ([]int, error) {
	subject = NormalizeSubject(subject)
	st := r.snapshot()
	target, err := st.version(subject, version, IncludeDeleted)
	if err != nil {
		return nil, err
	}
	set := map[int]bool{}
	for _, sub := range st.subjects.all {
		for _, v := range sub.versions {
			if !d.admits(v.Deleted) {
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

// Lookup finds the newest version of subject, of those d admits, whose
// schema is req's (POST /subjects/{subject}).
func (r *Registry) Lookup(_ context.Context, subject string, req RegisterRequest, d Deleted) (*Version, error) {
	subject = NormalizeSubject(subject)
	st := r.snapshot()
	sub, err := st.subjectFor(subject, d)
	if err != nil {
		return nil, err
	}
	cand, err := r.prepare(st, subject, &req)
	if err != nil {
		return nil, err
	}
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if d.admits(v.Deleted) && cand.matches(v.Content) {
			return v, nil
		}
	}
	return nil, newErr(CodeSchemaNotFound, "Schema not found")
}

// LatestWithMetadata returns the newest version of subject whose metadata
// properties contain every key/value pair of props (GET
// /subjects/{subject}/metadata, what Confluent serializers call with
// use.latest.with.metadata). As on Confluent, a version without metadata
// properties never matches; d says which soft-deleted versions count. A
// subject without such versions is 40401; no match is 40403.
func (r *Registry) LatestWithMetadata(subject string, props map[string]string, d Deleted) (*Version, error) {
	subject = NormalizeSubject(subject)
	sub, err := r.snapshot().subjectFor(subject, d)
	if err != nil {
		return nil, err
	}
next:
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if !d.admits(v.Deleted) || v.Content.Metadata == nil || len(v.Content.Metadata.Properties) == 0 {
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
