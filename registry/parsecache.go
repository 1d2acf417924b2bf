package registry

import (
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
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

// parseCache keeps parsed history schemas: parsing is the expensive part of
// a compatibility check. Entries are keyed by content, so they never go
// stale.
type parseCache struct {
	mu sync.RWMutex
	m  map[parsedKey]avro.Schema
}

// parsedContent returns c parsed, with its references resolved in st.
func (r *Registry) parsedContent(st *state, c *Content) (avro.Schema, error) {
	k := parsedKey{c.Context, c.key}
	r.parsed.mu.RLock()
	s := r.parsed.m[k]
	r.parsed.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	refs, err := st.referenceTexts(c.References)
	if err != nil {
		return nil, err
	}
	s, err = avroschema.ParseWithReferences(c.Schema, refs...)
	if err != nil {
		return nil, fmt.Errorf("stored schema %d does not parse: %w", c.ID, err)
	}
	r.parsed.mu.Lock()
	r.parsed.m[k] = s
	r.parsed.mu.Unlock()
	return s, nil
}
