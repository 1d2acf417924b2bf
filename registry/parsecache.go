package registry

import (
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

// parsedKey identifies stored content by what it is (the hash of its
// schema, references and metadata) within a schema context, not by its id:
// an id handed out speculatively in a batch whose append then failed is
// handed out again for other content, and must not find the first
// content's parse.
type parsedKey struct {
	schemaCtx string
	key       [32]byte
}

// parsedSchema is a stored schema as compatibility checks use it: parsed, and
// prepared by compat.Prepare (its records' field indexes and field shapes)
// once, by the first check that compares with it.
type parsedSchema struct {
	schema   avro.Schema
	once     sync.Once
	prepared *compat.Prepared
}

// prepare returns p's schema prepared for compat.CheckPrepared.
func (p *parsedSchema) prepare() *compat.Prepared {
	p.once.Do(func() { p.prepared = compat.Prepare(p.schema) })
	return p.prepared
}

// parseCache keeps parsed history schemas: parsing, and indexing what a
// check looks up, are the expensive parts of a compatibility check against a
// long history. Entries are keyed by content, so they never go stale. Its
// lock guards the map only: parsing happens outside it.
type parseCache struct {
	mu sync.RWMutex
	m  map[parsedKey]*parsedSchema
}

func (p *parseCache) get(k parsedKey) *parsedSchema {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.m[k]
}

func (p *parseCache) put(k parsedKey, s *parsedSchema) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[k] = s
}

// parsedVersion returns the schema of v parsed, with its references
// resolved in st. A stored schema that cannot be parsed (one whose
// references no longer resolve, in a log written by an older edactl) is a
// 42201 error naming the version, never an internal one: the client can act
// on it.
func (r *Registry) parsedVersion(st *state, v *Version) (*parsedSchema, error) {
	c := v.Content
	k := parsedKey{c.Context, c.key}
	if s := r.parsed.get(k); s != nil {
		return s, nil
	}
	refs, err := st.referenceTexts(c.References)
	if err != nil {
		return nil, errUnreadableVersion(v, err)
	}
	s, err := avroschema.ParseWithReferences(c.Schema, refs...)
	if err != nil {
		return nil, errUnreadableVersion(v, err)
	}
	p := &parsedSchema{schema: s}
	r.parsed.put(k, p)
	return p, nil
}

// remember caches the parse of content registered from a candidate, so that
// the sequencer, re-checking a registration at commit against versions
// committed since its snapshot, and later registrations find it parsed.
func (r *Registry) remember(schemaCtx string, cand *candidate) {
	p := cand.prepared
	if p == nil {
		p = &parsedSchema{schema: cand.parsed}
	}
	r.parsed.put(parsedKey{schemaCtx, cand.key}, p)
}
