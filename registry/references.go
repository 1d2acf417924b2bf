package registry

import (
	"errors"
	"fmt"
)

// idKey names one schema id within a schema context.
type idKey struct {
	schemaCtx string
	id        int
}

// referenceTexts returns the texts of refs and of everything they reference,
// dependencies first, each once: the order ParseWithReferences needs.
func (st *state) referenceTexts(refs []Reference) ([]string, error) {
	vs, err := st.referenceVersions(refs)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Content.Schema
	}
	return out, nil
}

// referenceVersions returns the versions refs name and everything they
// reference, dependencies first, each content once.
func (st *state) referenceVersions(refs []Reference) ([]*Version, error) {
	var out []*Version
	seen := map[idKey]bool{}
	var visit func(refs []Reference, depth int) error
	visit = func(refs []Reference, depth int) error {
		if depth > 100 {
			return errors.New("references nested more than 100 levels deep")
		}
		for _, ref := range refs {
			v, err := st.lookupRef(ref)
			if err != nil {
				return err
			}
			k := idKey{v.Content.Context, v.Content.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			if err := visit(v.Content.References, depth+1); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	}
	if err := visit(refs, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// lookupRef finds the version a reference names (soft-deleted versions
// count: they are still resolvable).
func (st *state) lookupRef(ref Reference) (*Version, error) {
	sub := st.subject(NormalizeSubject(ref.Subject))
	if sub == nil {
		return nil, fmt.Errorf("reference %q: subject %q not found", ref.Name, ref.Subject)
	}
	if ref.Version == -1 {
		if v := sub.latest(LiveOnly); v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("reference %q: subject %q has no live version", ref.Name, ref.Subject)
	}
	i, ok := sub.find(ref.Version)
	if !ok {
		return nil, fmt.Errorf("reference %q: version %d of subject %q not found", ref.Name, ref.Version, ref.Subject)
	}
	return sub.versions[i], nil
}

// Resolved returns c's schema with referenced types inlined (format=resolved).
func (r *Registry) Resolved(c *Content) (string, error) {
	if len(c.References) == 0 {
		return c.Schema, nil
	}
	refs, err := r.snapshot().referenceTexts(c.References)
	if err != nil {
		return "", newErr(CodeInvalidSchema, "Cannot resolve the references of schema %d: %v", c.ID, err)
	}
	text, err := ResolvedText(c.Schema, refs)
	if err != nil {
		return "", newErr(CodeInvalidSchema, "Cannot resolve schema %d: %v", c.ID, err)
	}
	return text, nil
}
