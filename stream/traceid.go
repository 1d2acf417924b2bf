package stream

import "strings"

// TraceIDOf returns the id a trace of a record with these headers looks
// for, and the name of the header it came from: the trace-id of a W3C
// traceparent header, else the value of the first correlation header
// (CorrelationHeaders, then extra; names compare case-insensitively; a
// 16-byte binary value is read as a UUID, as Spring Kafka writes it). It
// returns "" when the headers carry neither. Trace finds a record by the
// id returned here.
func TraceIDOf(headers []Header, extra ...string) (id, header string) {
	for _, h := range headers {
		if strings.EqualFold(h.Key, "traceparent") {
			if t := traceID(h.Value); t != "" {
				return t, h.Key
			}
		}
	}
	for _, names := range [][]string{CorrelationHeaders, extra} {
		for _, name := range names {
			for _, h := range headers {
				if !strings.EqualFold(h.Key, name) || len(h.Value) == 0 {
					continue
				}
				if len(h.Value) == 16 && !isText(h.Value) {
					return uuidString(h.Value), h.Key
				}
				return headerText(h.Value), h.Key
			}
		}
	}
	return "", ""
}
