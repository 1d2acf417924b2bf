package registry

import "sort"

// SchemaJSON returns the precomputed GET /schemas/ids/{id} body of id in
// schema context schemaCtx ("" or "." for the default one):
// {"schema":…} plus schemaType, references and metadata when set. It is the
// hot read path; callers must not modify the bytes.
func (r *Registry) SchemaJSON(schemaCtx string, id int) ([]byte, error) {
	st := r.snapshot()
	cs := st.context(schemaCtx)
	if cs == nil && (schemaCtx == "" || schemaCtx == DefaultContext) {
		cs = st.context(DefaultContext)
	}
	var c *Content
	if cs != nil {
		c = cs.byID.at(id)
	}
	if c == nil {
		return nil, errSchemaIDNotFound(id)
	}
	return c.schemaJSON(), nil
}

// SchemaByID returns the schema with id in schema context schemaCtx
// (soft-deleted versions keep their id resolvable).
func (r *Registry) SchemaByID(schemaCtx string, id int) (*Content, error) {
	schemaCtx = NormalizeContext(schemaCtx)
	if cs := r.snapshot().context(schemaCtx); cs != nil {
		if c := cs.byID.at(id); c != nil {
			return c, nil
		}
	}
	return nil, errSchemaIDNotFound(id)
}

// MaxID returns the highest id ever allocated in schema context schemaCtx.
func (r *Registry) MaxID(schemaCtx string) int {
	if cs := r.snapshot().context(NormalizeContext(schemaCtx)); cs != nil {
		return cs.maxID
	}
	return 0
}

// SubjectVersion names one version of one subject.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// VersionsByID returns every subject-version of schema context schemaCtx
// that uses id and that d admits, sorted.
func (r *Registry) VersionsByID(schemaCtx string, id int, d Deleted) ([]SubjectVersion, error) {
	schemaCtx = NormalizeContext(schemaCtx)
	st := r.snapshot()
	cs := st.context(schemaCtx)
	if cs == nil || !cs.byID.has(id) {
		return nil, errSchemaIDNotFound(id)
	}
	out := []SubjectVersion{}
	for name, sub := range st.subjects.all {
		if subjectCtx, _ := SplitSubject(name); subjectCtx != schemaCtx {
			continue
		}
		for _, v := range sub.versions {
			if v.Content.ID == id && d.admits(v.Deleted) {
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
