package tui

import (
	"context"
	"errors"
	"sync"
)

// flakySource is a registry that is down until told otherwise; it lets a
// test show the error view and its recovery without waiting for a real
// server to be killed and restarted.
type flakySource struct {
	mu   sync.Mutex
	down bool
}

func (f *flakySource) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flakySource) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	return nil
}

func (f *flakySource) URL() string                { return "http://flaky" }
func (f *flakySource) Ping(context.Context) error { return f.err() }
func (f *flakySource) Subjects(context.Context) ([]string, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return []string{"only-value"}, nil
}
func (f *flakySource) Versions(context.Context, string) ([]int, error) { return []int{1}, f.err() }
func (f *flakySource) Schema(context.Context, string, int) (string, error) {
	return `"string"`, f.err()
}
func (f *flakySource) Level(context.Context, string) (string, error) { return "BACKWARD", f.err() }
