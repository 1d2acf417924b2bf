package registry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edactl/edactl/registry/store"
)

// openTest opens a registry on log (a fresh in-memory one if nil), closed
// when the test ends.
func openTest(t *testing.T, log store.Log, opts ...Option) *Registry {
	t.Helper()
	if log == nil {
		log = store.NewMemory()
	}
	r, err := Open(context.Background(), log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// logBuffer collects what a registry logs, safely from any goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// wantCode fails unless err is an *Error with code.
func wantCode(t *testing.T, what string, err error, code int) *Error {
	t.Helper()
	var re *Error
	if !errors.As(err, &re) || re.Code != code {
		t.Fatalf("%s: got %v (%T), want error_code %d", what, err, err, code)
	}
	return re
}

// within fails the test unless fn returns within d, and with fn's error if
// it returns one. It never waits for fn longer than d (fn keeps running on
// its goroutine, and what it returns late is dropped).
func within(t *testing.T, d time.Duration, what string, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// record builds a record schema named name with the given fields (JSON).
func recordSchema(name string, fields ...string) string {
	return `{"type":"record","name":"` + name + `","fields":[` + strings.Join(fields, ",") + `]}`
}
