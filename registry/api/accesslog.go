package api

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// How the buffered access log (WithAccessLogOutput) flushes.
const (
	// AccessLogFlushInterval is the longest a line waits in the buffer.
	AccessLogFlushInterval = 100 * time.Millisecond
	// AccessLogBufferBytes is how much may wait before the writer is woken
	// at once.
	AccessLogBufferBytes = 64 << 10
	// accessLogMaxBytes is how much may wait at most: when the output is
	// slower than the requests, requests wait for the writer (as they
	// would for a slog handler's write) instead of growing the buffer.
	accessLogMaxBytes = 4 << 20
)

// accessLog formats one line per request into a buffer, with no
// allocation, and a goroutine of its own writes the buffer out when
// AccessLogFlushInterval has passed since its first line or when
// AccessLogBufferBytes are waiting, and on close. A request costs a short
// critical section: no formatted slog record, no system call.
type accessLog struct {
	out  io.Writer
	json bool

	mu      sync.Mutex // guards buf, spare, clock and closed
	buf     []byte
	spare   []byte
	clock   timeCache
	closed  bool
	drained *sync.Cond // the writer took buf

	wake      chan struct{} // a line arrived in an empty buffer, or it is full
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	wmu sync.Mutex // one flush at a time, so lines leave in order
}

func newAccessLog(out io.Writer, format string) *accessLog {
	a := &accessLog{
		out: out, json: format == "json",
		buf: make([]byte, 0, AccessLogBufferBytes+1024), spare: make([]byte, 0, AccessLogBufferBytes+1024),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	a.drained = sync.NewCond(&a.mu)
	go a.run()
	return a
}

// log appends the line for one request, finished at t.
func (a *accessLog) log(t time.Time, r *http.Request, status, n int, d time.Duration, route string) {
	path := r.RequestURI
	if path == "" || path[0] != '/' {
		path = r.URL.RequestURI() // absolute-form or "*": log it as it was routed
	}
	a.mu.Lock()
	for len(a.buf) >= accessLogMaxBytes && !a.closed {
		a.drained.Wait()
	}
	empty := len(a.buf) == 0
	if a.json {
		a.buf = appendJSONLine(a.buf, &a.clock, t, r.Method, path, status, n, d, r.RemoteAddr, route)
	} else {
		a.buf = appendTextLine(a.buf, &a.clock, t, r.Method, path, status, n, d, r.RemoteAddr, route)
	}
	full, closed := len(a.buf) >= AccessLogBufferBytes, a.closed
	a.mu.Unlock()
	switch {
	case closed:
		a.flush()
	case empty || full:
		select {
		case a.wake <- struct{}{}:
		default: // the writer has been woken already
		}
	}
}

// run is the writer: woken by the first line in an empty buffer, it writes
// the buffer when it is full or the interval has passed.
func (a *accessLog) run() {
	defer close(a.done)
	t := time.NewTimer(AccessLogFlushInterval)
	t.Stop()
	for {
		select {
		case <-a.wake:
		case <-a.stop:
			return
		}
		t.Reset(AccessLogFlushInterval)
	wait:
		for !a.full() {
			select {
			case <-a.wake:
			case <-t.C:
				break wait
			case <-a.stop:
				t.Stop()
				return
			}
		}
		t.Stop()
		a.flush()
	}
}

func (a *accessLog) full() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.buf) >= AccessLogBufferBytes
}

// flush writes out what is buffered.
func (a *accessLog) flush() {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	out := a.buf
	a.buf, a.spare = a.spare[:0], nil
	a.drained.Broadcast()
	a.mu.Unlock()
	// One write of whole lines: an *os.File holds its write lock for all of
	// it, so the error log's lines, written to the same file, never land
	// inside a line of ours; and a write per buffer, not per line, is what
	// makes the log cheap.
	if len(out) > 0 {
		a.out.Write(out) // like slog: a failing log output does not fail requests
	}
	a.mu.Lock()
	if cap(out) <= 2*accessLogMaxBytes {
		a.spare = out[:0]
	} else {
		a.spare = make([]byte, 0, AccessLogBufferBytes+1024)
	}
	a.mu.Unlock()
}

// close stops the writer, flushes, and makes every later line flush at
// once. It may be called more than once.
func (a *accessLog) close() {
	a.closeOnce.Do(func() {
		a.mu.Lock()
		a.closed = true
		a.drained.Broadcast()
		a.mu.Unlock()
		close(a.stop)
		<-a.done
	})
	a.flush()
}

// The access log record: the message and attributes the slog path logs.
const accessLogMsg = "http request"

// appendTextLine appends what slog.NewTextHandler(w, nil) writes for the
// access log record.
func appendTextLine(b []byte, tc *timeCache, t time.Time, method, path string, status, n int, d time.Duration, remote, route string) []byte {
	b = append(b, "time="...)
	b = tc.appendMillis(b, t)
	b = append(b, ` level=INFO msg="`+accessLogMsg+`" method=`...)
	b = appendTextString(b, method)
	b = append(b, " path="...)
	b = appendTextString(b, path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, " duration="...)
	b = append(b, d.String()...) // inlined: the string stays on the stack
	b = append(b, " remote="...)
	b = appendTextString(b, remote)
	b = append(b, " route="...)
	b = append(b, route...) // a route name: never quoted
	return append(b, '\n')
}

// appendJSONLine appends what slog.NewJSONHandler(w, nil) writes for the
// access log record.
func appendJSONLine(b []byte, tc *timeCache, t time.Time, method, path string, status, n int, d time.Duration, remote, route string) []byte {
	b = append(b, `{"time":"`...)
	b = tc.appendNano(b, t)
	b = append(b, `","level":"INFO","msg":"`+accessLogMsg+`","method":`...)
	b = appendJSONString(b, method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, `,"remote":`...)
	b = appendJSONString(b, remote)
	b = append(b, `,"route":"`...)
	b = append(b, route...) // a route name: never escaped
	b = append(b, '"')
	return append(b, "}\n"...)
}

// timeCache keeps the formatted date, time of day to the second and zone
// of the last second logged, so a line formats only its fraction: RFC 3339
// formatting is most of a line's cost otherwise.
type timeCache struct {
	sec  int64
	loc  *time.Location
	day  []byte // "2006-01-02T15:04:05"
	zone []byte // "Z" or "+07:00"
}

func (tc *timeCache) update(t time.Time) {
	if sec := t.Unix(); sec != tc.sec || t.Location() != tc.loc || tc.day == nil {
		tc.sec, tc.loc = sec, t.Location()
		tc.day = t.AppendFormat(tc.day[:0], "2006-01-02T15:04:05")
		tc.zone = t.AppendFormat(tc.zone[:0], "Z07:00")
	}
}

// appendMillis formats t as RFC 3339 with exactly three fractional digits,
// as slog's text handler does.
func (tc *timeCache) appendMillis(b []byte, t time.Time) []byte {
	tc.update(t)
	ms := t.Nanosecond() / 1e6
	b = append(b, tc.day...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, tc.zone...)
}

// appendNano formats t as time.RFC3339Nano does (the fraction without
// trailing zeros, none if zero), as slog's JSON handler does.
func (tc *timeCache) appendNano(b []byte, t time.Time) []byte {
	tc.update(t)
	b = append(b, tc.day...)
	if ns := t.Nanosecond(); ns != 0 {
		var digits [10]byte
		digits[0] = '.'
		for i := 9; i >= 1; i-- {
			digits[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for digits[n-1] == '0' {
			n--
		}
		b = append(b, digits[:n]...)
	}
	return append(b, tc.zone...)
}

// appendTextString appends s as slog's text handler does: bare, or quoted
// with Go syntax when it is empty or holds a space, '=', '"', a control or
// non-printing character or invalid UTF-8.
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func textNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '=' || c == '"' || c < 0x20 {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONString appends s as a JSON string the way slog's JSON handler
// escapes it: no HTML escaping; control characters, invalid UTF-8 and
// U+2028/U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
