package store

import (
	"context"
	"sync"
)

// Memory is a Log kept in memory only. It is not durable: use it in tests
// and benchmarks that do not measure the disk.
type Memory struct {
	mu     sync.RWMutex
	recs   [][]byte
	closed bool
}

// NewMemory returns an empty in-memory log.
func NewMemory() *Memory { return &Memory{} }

// Append implements Log. The records are copied.
func (m *Memory) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	first := uint64(len(m.recs))
	for _, r := range recs {
		m.recs = append(m.recs, append([]byte(nil), r...))
	}
	return first, nil
}

// Replay implements Log.
func (m *Memory) Replay(ctx context.Context, from uint64, fn func(uint64, []byte) error) error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	recs := m.recs
	m.mu.RUnlock()
	for i := from; i < uint64(len(recs)); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(i, recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Next implements Log.
func (m *Memory) Next(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, ErrClosed
	}
	return uint64(len(m.recs)), nil
}

// Close implements Log.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}
