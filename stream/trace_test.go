package stream

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// flowID is the correlation id of the traced flow; payments carries it as
// Spring Kafka does, as the 16 raw bytes of the UUID.
const flowID = "5f1c1a9e-9a8b-4f6d-8a3e-2b7c9d0e1f20"

var flowIDBytes = string([]byte{0x5f, 0x1c, 0x1a, 0x9e, 0x9a, 0x8b, 0x4f, 0x6d, 0x8a, 0x3e, 0x2b, 0x7c, 0x9d, 0x0e, 0x1f, 0x20})

// seedFlow writes one business flow across four topics, with noise and a
// matching record outside the window:
//
//	orders e1 ─┬─> payments e2 ──> shipping e4 ──> (e5: only by x-request-id)
//	           └─> inventory e3
func seedFlow(t *testing.T) (*testCluster, time.Time) {
	tc := newTestCluster(t, map[string]int32{"orders": 3, "payments": 2, "inventory": 2, "shipping": 1})
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return now.Add(time.Duration(m) * time.Minute) }
	tp := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var recs []*kgo.Record
	// Noise: other flows.
	for i := range 40 {
		recs = append(recs, rec([]string{"orders", "payments", "inventory", "shipping"}[i%4], -1, "noise", "x", at(-50+i),
			"ce_correlationid", "flow-2", "ce_id", "n"))
	}
	recs = append(recs,
		rec("orders", -1, "o-1", "placed-old", at(-120), "ce_correlationid", flowID, "ce_id", "old"), // before the window
		rec("orders", -1, "o-1", "placed", at(-30), "ce_correlationid", flowID, "ce_id", "e1", "traceparent", tp),
		rec("payments", -1, "o-1", "paid", at(-29), "kafka_correlationId", flowIDBytes, "traceparent", tp, "ce_id", "e2", "ce_causationid", "e1"),
		rec("inventory", -1, "o-1", "reserved", at(-28), "correlation_id", flowID, "event_id", "e3", "causation_id", "e1"),
		rec("shipping", -1, "o-1", "shipped", at(-10), "$correlationId", flowID, "event_id", "e4", "$causationId", "e2"),
		rec("shipping", -1, "o-9", "other", at(-9), "x-request-id", flowID, "event_id", "e5", "causation_id", "e4"),
	)
	// Kafka finds offsets by time assuming timestamps grow with offsets.
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Timestamp.Before(recs[j].Timestamp) })
	tc.produce(recs...)
	return tc, now
}

func TestTraceAcrossFourTopics(t *testing.T) {
	tc, now := seedFlow(t)
	c := tc.client(WithClock(func() time.Time { return now }))
	var progress []TraceProgress
	g, err := c.Trace(ctxT(t), TraceOptions{ID: flowID, Progress: func(p TraceProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range g.Hits {
		names = append(names, h.Record.Topic+":"+string(h.Record.Value.Raw)+":"+h.MatchedBy)
	}
	want := "orders:placed:ce_correlationid payments:paid:kafka_correlationId inventory:reserved:correlation_id shipping:shipped:$correlationId"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("hits\n got %s\nwant %s", got, want)
	}
	var edges []string
	for _, e := range g.Edges {
		edges = append(edges, g.Hits[e.From].EventID+"->"+g.Hits[e.To].EventID+"("+e.Via+")")
	}
	if got := strings.Join(edges, " "); got != "e1->e2(e1) e1->e3(e1) e2->e4(e2)" {
		t.Errorf("edges %s", got)
	}
	// Only the window was read: 40 noise records and the flow's 5
	// in-window records, not the record from two hours ago.
	if g.Scanned != 45 {
		t.Errorf("scanned %d records, want 45 (the window only)", g.Scanned)
	}
	if len(progress) == 0 || progress[len(progress)-1].Scanned != 45 || progress[len(progress)-1].Hits != 4 {
		t.Errorf("progress %+v", progress)
	}

	var dot bytes.Buffer
	if err := g.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"digraph trace {", `label="payments"`, `n0 -> n1 [label="e1"];`, `n1 -> n3 [label="e2"];`, `\nid e3"`} {
		if !strings.Contains(dot.String(), w) {
			t.Errorf("dot lacks %s:\n%s", w, dot.String())
		}
	}
	js, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Nodes []struct {
			EventID string          `json:"event_id"`
			Record  json.RawMessage `json:"record"`
		} `json:"nodes"`
		Edges []Edge `json:"edges"`
	}
	if err := json.Unmarshal(js, &back); err != nil || len(back.Nodes) != 4 || len(back.Edges) != 3 || !bytes.Contains(back.Nodes[0].Record, []byte(`"value":"placed"`)) {
		t.Errorf("json graph %s (%v)", js, err)
	}
}

func TestTraceOptions(t *testing.T) {
	tc, now := seedFlow(t)
	c := tc.client(WithClock(func() time.Time { return now }))

	// The trace-id of a W3C traceparent.
	g, err := c.Trace(ctxT(t), TraceOptions{ID: "4BF92F3577B34DA6A3CE929D0E0E4736", Topics: []string{"orders", "payments"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Hits) != 2 || g.Hits[1].MatchedBy != "traceparent" || len(g.Edges) != 1 {
		t.Errorf("traceparent trace: %d hits, edges %v", len(g.Hits), g.Edges)
	}

	// A configured header, a longer window.
	g, err = c.Trace(ctxT(t), TraceOptions{ID: flowID, Headers: []string{"x-request-id"}, Since: 3 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range g.Hits {
		ids = append(ids, h.EventID)
	}
	if got := strings.Join(ids, ","); got != "old,e1,e2,e3,e4,e5" {
		t.Errorf("event ids %s", got)
	}

	// An explicit window [from, until).
	g, err = c.Trace(ctxT(t), TraceOptions{ID: flowID, From: now.Add(-29 * time.Minute), Until: now.Add(-20 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Hits) != 2 || g.Hits[0].EventID != "e2" || g.Hits[1].EventID != "e3" {
		t.Errorf("window hits %v", g.Hits)
	}

	if _, err := c.Trace(ctxT(t), TraceOptions{ID: flowID, Topics: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown topic: %v", err)
	}
}

// DOT labels carry event ids from headers: escaped, then quoted for DOT.
func TestDotQuoteEscapesControls(t *testing.T) {
	for in, want := range map[string]string{
		"evt-1":          `"evt-1"`,
		"a\"b\\c\nd":     `"a\"b\\c\nd"`,
		"x\x1b[2Jy\rz":   `"x\\x1b[2Jy\\rz"`,
		"bidi\u202eevil": `"bidi\\u202eevil"`,
	} {
		if got := dotQuote(in); got != want {
			t.Errorf("dotQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
