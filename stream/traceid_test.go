package stream

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestTraceIDOf(t *testing.T) {
	hs := func(kv ...string) []Header {
		var out []Header
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, Header{Key: kv[i], Value: []byte(kv[i+1])})
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		headers    []Header
		extra      []string
		id, header string
	}{
		{"traceparent wins", hs("ce_correlationid", "ord-1", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
			nil, "4bf92f3577b34da6a3ce929d0e0e4736", "traceparent"},
		{"malformed traceparent falls back", hs("traceparent", "garbage", "correlation_id", "ord-2"), nil, "ord-2", "correlation_id"},
		{"correlation headers in table order", hs("$correlationId", "b", "CE_CorrelationID", "a"), nil, "a", "CE_CorrelationID"},
		{"spring binary uuid", []Header{{Key: "kafka_correlationId", Value: []byte(flowIDBytes)}}, nil, flowID, "kafka_correlationId"},
		{"extra header", hs("x-request-id", "req-9"), []string{"x-request-id"}, "req-9", "x-request-id"},
		{"empty value skipped", hs("ce_correlationid", "", "correlation_id", "c"), nil, "c", "correlation_id"},
		{"none", hs("ce_id", "e1"), nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, h := TraceIDOf(tc.headers, tc.extra...)
			if id != tc.id || h != tc.header {
				t.Errorf("TraceIDOf = %q, %q; want %q, %q", id, h, tc.id, tc.header)
			}
		})
	}
}

// TestTraceFindsTheIDOfTraceIDOf checks the two agree: tracing the id
// TraceIDOf returns for a hit finds that hit.
func TestTraceFindsTheIDOfTraceIDOf(t *testing.T) {
	tc, now := seedFlow(t)
	c := tc.client(WithClock(func() time.Time { return now }))
	g, err := c.Trace(ctxT(t), TraceOptions{ID: flowID})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range g.Hits {
		id, _ := TraceIDOf(h.Record.Headers)
		if id == "" {
			t.Fatalf("%s: no trace id", h.NodeName())
		}
		g2, err := c.Trace(ctxT(t), TraceOptions{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h2 := range g2.Hits {
			found = found || h2.NodeName() == h.NodeName()
		}
		if !found {
			t.Errorf("tracing %q (from %s) does not find %s", id, h.NodeName(), h.NodeName())
		}
	}
}

// FuzzTraceIDOf: for any headers, an id TraceIDOf returns is one Trace
// finds the record by: Trace trims its id, and its matcher recognises the
// header the id came from.
func FuzzTraceIDOf(f *testing.F) {
	f.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "ce_correlationid", "ord-1")
	f.Add("correlation_id", " padded ", "x", "y")
	f.Add("kafka_correlationId", flowIDBytes, "traceparent", "00-short")
	f.Add("$correlationId", "\xff\xfe", "correlation-id", "ok")
	f.Add("TRACEPARENT", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		hs := []Header{{Key: k1, Value: []byte(v1)}, {Key: k2, Value: []byte(v2)}}
		id, header := TraceIDOf(hs, "x-request-id")
		if id == "" {
			if header != "" {
				t.Fatalf("no id but header %q", header)
			}
			return
		}
		if strings.TrimSpace(id) != id {
			t.Fatalf("id %q has surrounding space: Trace would look for another id", id)
		}
		khs := []kgo.RecordHeader{{Key: k1, Value: []byte(v1)}, {Key: k2, Value: []byte(v2)}}
		if _, ok := newMatcher(id, []string{"x-request-id"}).match(khs); !ok {
			t.Fatalf("TraceIDOf(%q) = %q (from %q), but the trace matcher does not find it", hs, id, header)
		}
	})
}
