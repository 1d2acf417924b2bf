package tui

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/edactl/edactl/stream"
)

func testRecord(p int32, off int64) *stream.Record {
	return &stream.Record{Topic: "t", Partition: p, Offset: off,
		Headers: []stream.Header{{Key: "h", Value: []byte("v")}},
		Key:     stream.Payload{Encoding: stream.EncUTF8, JSON: []byte(`"k"`)},
		Value:   stream.Payload{Encoding: stream.EncJSON, JSON: []byte(fmt.Sprintf(`{"n":%d}`, off))}}
}

func TestRingKeepsTheNewestAndCountsEvictions(t *testing.T) {
	r := newRing(3)
	rows := func(from, n int) []*row {
		var out []*row
		for i := range n {
			out = append(out, newRow(testRecord(0, int64(from+i))))
		}
		return out
	}
	offsets := func() []int64 {
		var out []int64
		for s := r.first; s <= r.last(); s++ {
			out = append(out, r.at(s).offset)
		}
		return out
	}
	for _, tc := range []struct {
		push    []*row
		evicted int64
		want    string
	}{
		{rows(0, 2), 0, "[0 1]"},
		{rows(2, 2), 1, "[1 2 3]"},
		{rows(4, 5), 5, "[6 7 8]"}, // more than the ring: 3 kept rows and 2 new ones go
		{nil, 0, "[6 7 8]"},
	} {
		if got := r.push(tc.push); got != tc.evicted {
			t.Errorf("push evicted %d, want %d", got, tc.evicted)
		}
		if got := fmt.Sprint(offsets()); got != tc.want {
			t.Errorf("ring holds %s, want %s", got, tc.want)
		}
	}
	if r.first != 6 || r.at(5) != nil || r.at(9) != nil {
		t.Errorf("sequence numbers: first %d", r.first)
	}
	r.reset()
	if r.n != 0 || r.last() != r.first-1 {
		t.Errorf("after reset: n %d first %d last %d", r.n, r.first, r.last())
	}
}

// TestTailWaitsForTheScreen: the read blocks once a buffer's worth of rows
// is pending, and goes on when the screen takes them; pause blocks it too;
// a cancelled read never stays blocked.
func TestTailWaitsForTheScreen(t *testing.T) {
	tl := newTail(2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deliver := tl.deliver(ctx, nil)
	sent := make(chan int64, 10)
	go func() {
		for i := range int64(5) {
			if err := deliver(testRecord(1, i)); err != nil {
				return
			}
			sent <- i
		}
	}()
	waitSent := func(want int64) {
		t.Helper()
		select {
		case got := <-sent:
			if got != want {
				t.Fatalf("delivered %d, want %d", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("record %d was not delivered", want)
		}
	}
	waitSent(0)
	waitSent(1)
	select {
	case i := <-sent:
		t.Fatalf("record %d delivered beyond the pending limit", i)
	case <-time.After(100 * time.Millisecond):
	}
	if rows := tl.take(); len(rows) != 2 {
		t.Fatalf("took %d rows", len(rows))
	}
	waitSent(2)
	waitSent(3)
	tl.take()
	tl.setPaused(true)
	select {
	case i := <-sent:
		t.Fatalf("record %d delivered while paused", i)
	case <-time.After(100 * time.Millisecond):
	}
	tl.setPaused(false)
	waitSent(4)
	read, next := tl.stats()
	if read != 5 || next[1] != 5 {
		t.Errorf("stats: read %d, next %v", read, next)
	}

	// A paused read ends when its context does.
	tl.setPaused(true)
	done := make(chan error, 1)
	go func() { done <- deliver(testRecord(1, 5)) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("deliver returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a paused deliver did not end with its context")
	}
}

// TestRowOwnsItsBytes: a row does not share memory with the record it was
// made from (which would pin the read's slabs and fetch buffers).
func TestRowOwnsItsBytes(t *testing.T) {
	r := testRecord(0, 7)
	rw := newRow(r)
	r.Headers[0].Value[0] = 'X'
	r.Value.JSON[1] = 'X'
	r.Key.JSON[1] = 'X'
	if string(rw.headers[0].Value) != "v" || rw.value.text() != `{"n":7}` || rw.key.text() != "k" {
		t.Errorf("row changed with its record: %q %q %q", rw.headers[0].Value, rw.value.text(), rw.key.text())
	}
}
