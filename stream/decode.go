package stream

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/edactl/edactl/serde"
)

// payload renders b, decoding it through the registry when it is in the
// Confluent wire format. Decoding failures never fail the read: the bytes
// are shown as base64 with the reason in Payload.Err.
func (c *Client) payload(ctx context.Context, b []byte) Payload {
	if b == nil || c.reg == nil {
		return rawPayload(b)
	}
	id, _, err := serde.ParseHeader(b)
	if errors.Is(err, serde.ErrNotFramed) {
		return rawPayload(b)
	}
	if err == nil {
		if cached := c.unknown.get(id); cached != nil {
			p := base64Payload(b)
			p.Err = cached
			return p
		}
	}
	js, s, err := c.reg.DecodeJSON(ctx, b)
	if err != nil {
		p := base64Payload(b)
		p.Err = err
		if s != nil {
			p.Schema = schemaRef(s)
		} else if ctx.Err() == nil {
			// The schema could not be fetched (unknown id, registry
			// down): do not ask again for every record.
			c.unknown.put(id, err)
		}
		return p
	}
	return Payload{Raw: b, Encoding: EncAvro, JSON: js, Schema: schemaRef(s)}
}

func schemaRef(s *serde.Schema) *SchemaRef {
	return &SchemaRef{ID: s.ID, Subject: s.Subject, Version: s.Version}
}

// negativeCache remembers, for a short time, schema ids that could not be
// fetched, so a topic full of records with an unknown id costs one registry
// request per id and interval, not one per record.
type negativeCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[int]negEntry
}

type negEntry struct {
	err     error
	expires time.Time
}

func (n *negativeCache) get(id int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.m[id]
	if !ok {
		return nil
	}
	if n.now().After(e.expires) {
		delete(n.m, id)
		return nil
	}
	return e.err
}

func (n *negativeCache) put(id int, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.m[id] = negEntry{err: err, expires: n.now().Add(n.ttl)}
}
