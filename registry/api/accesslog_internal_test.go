package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The buffered access log writes, byte for byte, the lines slog's text and
// JSON handlers write for the record the unbuffered path logs, so a log
// pipeline sees the same format either way.
func TestAccessLogLinesMatchSlog(t *testing.T) {
	loc := time.FixedZone("X", 2*3600+30*60)
	times := []time.Time{
		time.Date(2026, 12, 2, 7, 59, 24, 412345678, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, loc),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000_000, loc),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, loc),
		time.Date(2026, 1, 2, 3, 4, 5, 120_000, loc),
		time.Date(2026, 1, 2, 3, 4, 6, 1, loc),
		time.Date(1999, 12, 31, 23, 59, 59, 5_000_000, time.Local),
	}
	paths := []string{
		"/schemas/ids/1", "/subjects/a%2Fb.proto/versions?deleted=true", `/x?q="quoted"&b=\back`,
		"/subjects/caf\u00e9/versions", "/s?\u2028line\u2029", "/s?bad\xff\xfeutf8", "/s?tab\there", "/s?nul\x00\x1f\x7f",
		"/s?\u00a0nbsp", "", "/s?emoji\U0001F600", "/s? space",
	}
	durations := []time.Duration{0, 1, 999, 51234 * time.Nanosecond, 3*time.Millisecond + 7, 2*time.Hour + 3*time.Second}
	for _, format := range []string{"text", "json"} {
		var tc timeCache // shared, as in the log: consecutive lines reuse it
		for i, p := range paths {
			tm := times[i%len(times)]
			d := durations[i%len(durations)]
			var want bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&want, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&want, nil)
			}
			rec := slog.NewRecord(tm, slog.LevelInfo, accessLogMsg, 0)
			rec.AddAttrs(slog.String("method", "GET"), slog.String("path", p), slog.Int("status", 404), slog.Int("bytes", 51),
				slog.Duration("duration", d), slog.String("remote", "[::1]:40000"), slog.String("route", "/subjects/{subject}/versions"))
			if err := h.Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			var got []byte
			if format == "json" {
				got = appendJSONLine(nil, &tc, tm, "GET", p, 404, 51, d, "[::1]:40000", "/subjects/{subject}/versions")
			} else {
				got = appendTextLine(nil, &tc, tm, "GET", p, 404, 51, d, "[::1]:40000", "/subjects/{subject}/versions")
			}
			if string(got) != want.String() {
				t.Errorf("%s, path %q:\n got %s\nwant %s", format, p, got, want.String())
			}
		}
	}
}

// Logging a request costs no allocation: the line is formatted into the
// buffer, and the buffers are reused across flushes (a few allocations of
// the runtime's own are tolerated).
func TestAccessLogAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, format := range []string{"text", "json"} {
		a := newAccessLog(discard{}, format)
		req := httptest.NewRequest("GET", "/schemas/ids/17", nil)
		start := time.Now()
		i := 0
		allocs := testing.AllocsPerRun(5000, func() { // several buffers full: flushes included
			i++
			a.log(start.Add(time.Duration(i)*time.Millisecond), req, 200, 151, 51234*time.Nanosecond, "/schemas/ids/{id}")
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per line", format, allocs)
		}
		a.flush()
		a.mu.Lock()
		bufCap, spareCap := cap(a.buf), cap(a.spare)
		a.mu.Unlock()
		if bufCap < AccessLogBufferBytes || spareCap < AccessLogBufferBytes {
			t.Errorf("%s: after flushes the buffers hold %d and %d bytes: they are not reused", format, bufCap, spareCap)
		}
		a.close()
	}
}

// Lines reach the output within the flush interval while the server is
// idle, all of them, in few writes that each end at a line end, and close
// flushes the rest.
func TestAccessLogFlushes(t *testing.T) {
	out := &recorder{}
	a := newAccessLog(out, "text")
	req := httptest.NewRequest("GET", "/schemas/ids/1", nil)
	a.log(time.Now(), req, 200, 1, time.Millisecond, "/schemas/ids/{id}")
	deadline := time.Now().Add(10 * AccessLogFlushInterval)
	for out.lines() == 0 && time.Now().Before(deadline) {
		time.Sleep(AccessLogFlushInterval / 10)
	}
	if out.lines() != 1 {
		t.Fatalf("after %v: %d lines written, want 1", 10*AccessLogFlushInterval, out.lines())
	}
	// Enough lines to fill the buffer several times, from several
	// goroutines, then close.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				a.log(time.Now(), req, 200, 1, time.Millisecond, "/schemas/ids/{id}")
			}
		})
	}
	wg.Wait()
	a.close()
	if n := out.lines(); n != 8001 {
		t.Fatalf("%d lines written, want 8001", n)
	}
	for i, w := range out.writes {
		if !bytes.HasSuffix(w, []byte("\n")) {
			t.Fatalf("write %d of %d bytes ends inside a line: %q", i, len(w), w[len(w)-1:])
		}
	}
	if len(out.writes) > 8001/(AccessLogBufferBytes/100)+20 {
		t.Fatalf("%d writes for 8001 lines: not buffered", len(out.writes))
	}
	// After close a line is written at once.
	a.log(time.Now(), req, 200, 1, time.Millisecond, "/schemas/ids/{id}")
	if n := out.lines(); n != 8002 {
		t.Fatalf("after close: %d lines, want 8002", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

type recorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recorder) lines() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, w := range r.writes {
		n += strings.Count(string(w), "\n")
	}
	return n
}
