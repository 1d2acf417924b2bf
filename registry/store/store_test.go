package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func collect(t *testing.T, l Log, from uint64) []string {
	t.Helper()
	var out []string
	err := l.Replay(context.Background(), from, func(off uint64, rec []byte) error {
		if want := from + uint64(len(out)); off != want {
			t.Fatalf("offset %d, want %d", off, want)
		}
		out = append(out, string(rec))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testLog(t *testing.T, l Log) {
	ctx := context.Background()
	first, err := l.Append(ctx, [][]byte{[]byte("a"), []byte("b")})
	if err != nil || first != 0 {
		t.Fatalf("Append = %d, %v; want 0, nil", first, err)
	}
	first, err = l.Append(ctx, [][]byte{[]byte("c")})
	if err != nil || first != 2 {
		t.Fatalf("Append = %d, %v; want 2, nil", first, err)
	}
	if n, err := l.Next(ctx); err != nil || n != 3 {
		t.Fatalf("Next = %d, %v; want 3", n, err)
	}
	if got := fmt.Sprint(collect(t, l, 0)); got != "[a b c]" {
		t.Fatalf("replay from 0 = %s", got)
	}
	if got := fmt.Sprint(collect(t, l, 1)); got != "[b c]" {
		t.Fatalf("replay from 1 = %s", got)
	}
	stop := errors.New("stop")
	if err := l.Replay(ctx, 0, func(uint64, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Replay did not return fn's error: %v", err)
	}
}

func TestMemory(t *testing.T) {
	m := NewMemory()
	testLog(t, m)
	m.Close()
	if _, err := m.Append(context.Background(), [][]byte{[]byte("x")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
}

func TestBoltAppendReplayReopen(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	testLog(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append(context.Background(), [][]byte{[]byte("x")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
	b, err = OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := fmt.Sprint(collect(t, b, 0)); got != "[a b c]" {
		t.Fatalf("after reopen = %s", got)
	}
	if first, err := b.Append(context.Background(), [][]byte{[]byte("d")}); err != nil || first != 3 {
		t.Fatalf("Append after reopen = %d, %v; want 3", first, err)
	}
}

func TestBoltSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = OpenBolt(dir, LockTimeout(50*time.Millisecond))
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}
