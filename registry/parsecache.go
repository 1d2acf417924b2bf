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
	// size estimates the memory the parse and its preparation hold.
	size int
}

// prepare returns p's schema prepared for compat.CheckPrepared.
func (p *parsedSchema) prepare() *compat.Prepared {
	p.once.Do(func() { p.prepared = compat.Prepare(p.schema) })
	return p.prepared
}

// parsedSize estimates what the parse and preparation of a schema text of
// n bytes hold: about 8 bytes per byte of text for records of optional
// fields, measured.
func parsedSize(n int) int { return 8*n + 512 }

// parseCache keeps parsed history schemas: parsing, and indexing what a
// check looks up, are the expensive parts of a compatibility check against a
// long history. Entries are keyed by content, so they never go stale. Its
// lock guards the maps only: parsing happens outside it.
//
// With a limit (WithParseCacheBytes) it holds two generations: entries go
// into the current one, and when that holds half the limit (by parsedSize)
// it becomes the previous one, replacing the previous; an entry found in
// the previous generation moves back to the current one. So it holds at
// most about the limit, and what checks keep using stays.
type parseCache struct {
	mu    sync.RWMutex
	m     map[parsedKey]*parsedSchema // the current generation
	old   map[parsedKey]*parsedSchema // the previous one
	size  int                         // parsedSize of m's entries
	limit int                         // 0: unbounded
}

func newParseCache(limit int) parseCache {
	return parseCache{m: map[parsedKey]*parsedSchema{}, limit: limit}
}

func (p *parseCache) get(k parsedKey) *parsedSchema {
	p.mu.RLock()
	s, ok := p.m[k]
	if !ok && p.old != nil {
		s = p.old[k]
	}
	p.mu.RUnlock()
	if ok || s == nil {
		return s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur, ok := p.m[k]; ok {
		return cur
	}
	if _, ok := p.old[k]; ok {
		delete(p.old, k)
		p.add(k, s)
	}
	return s
}

func (p *parseCache) put(k parsedKey, s *parsedSchema) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.m[k]; ok {
		p.size -= prev.size
	}
	delete(p.old, k)
	p.add(k, s)
}

// add puts s in the current generation, which becomes the previous one
// when it holds half the limit. p.mu must be held.
func (p *parseCache) add(k parsedKey, s *parsedSchema) {
	p.m[k] = s
	p.size += s.size
	if p.limit > 0 && p.size >= p.limit/2 {
		p.old, p.m, p.size = p.m, map[parsedKey]*parsedSchema{}, 0
	}
}

// entries returns how many parses the cache holds and their parsedSize.
func (p *parseCache) entries() (n, size int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, s := range p.m {
		n, size = n+1, size+s.size
	}
	for _, s := range p.old {
		n, size = n+1, size+s.size
	}
	return n, size
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
	p := &parsedSchema{schema: s, size: parsedSize(len(c.Schema))}
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
	p.size = parsedSize(len(cand.canonical))
	r.parsed.put(parsedKey{schemaCtx, cand.key}, p)
}
