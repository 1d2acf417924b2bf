package stream

import (
	"testing"
	"time"
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
