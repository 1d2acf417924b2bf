package avrojson

import (
	"sync"
	"sync/atomic"

	"github.com/edactl/edactl/serde"
)

// Plans caches the Plan of each writer schema a caller renders with, keyed
// by the *serde.Schema a serde.Registry hands out (one per schema id, for
// the Registry's life). Looking a plan up is a lock-free map read that
// allocates nothing; the first use of a schema compiles it and copies the
// map. The zero value is ready to use, and a Plans is safe for concurrent
// use. It keeps every schema it has seen, as the Registry does.
type Plans struct {
	mu sync.Mutex // serializes compiling and publishing
	m  atomic.Pointer[map[*serde.Schema]*Plan]
}

// For returns the plan of s, compiling s.Avro on first use.
func (c *Plans) For(s *serde.Schema) *Plan {
	if m := c.m.Load(); m != nil {
		if p, ok := (*m)[s]; ok {
			return p
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[*serde.Schema]*Plan
	if m := c.m.Load(); m != nil {
		old = *m
		if p, ok := old[s]; ok {
			return p
		}
	}
	next := make(map[*serde.Schema]*Plan, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	p := Compile(s.Avro)
	next[s] = p
	c.m.Store(&next)
	return p
}
