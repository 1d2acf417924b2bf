package stream

import (
	"strings"
	"unicode/utf8"
)

// TraceIDOf returns the id a trace of a record with these headers looks
// for, and the name of the header it came from: the trace-id of a W3C
// traceparent header (32 hex digits), else the value of the first correlation header
// (CorrelationHeaders, then extra; names compare case-insensitively; a
// 16-byte binary value is read as a UUID, as Spring Kafka writes it). It
// returns "" when the headers carry neither. Trace finds a record by the
// id returned here.
func TraceIDOf(headers []Header, extra ...string) (id, header string) {
	for _, h := range headers {
		if strings.EqualFold(h.Key, "traceparent") {
			if t := traceID(h.Value); isHex(t) {
				return t, h.Key
			}
		}
	}
	for _, names := range [][]string{CorrelationHeaders, extra} {
		for _, name := range names {
			for _, h := range headers {
				if !strings.EqualFold(h.Key, name) {
					continue
				}
				if len(h.Value) == 16 && !isText(h.Value) {
					return uuidString(h.Value), h.Key
				}
				// Only a value Trace can look for: Trace trims its id and
				// compares it with the header's bytes.
				if v := string(h.Value); v != "" && utf8.ValidString(v) && strings.TrimSpace(v) == v {
					return v, h.Key
				}
			}
		}
	}
	return "", ""
}

// isHex reports whether s is a non-empty run of hex digits (a W3C trace-id
// is 32 of them).
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}
