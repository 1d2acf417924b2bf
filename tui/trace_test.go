package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/stream"
)

// TestTraceFromAMessageShowsTheFourTopicFlow presses t on a record in
// Messages: the Trace screen traces the record's traceparent trace-id and
// shows the order's flow across the four topics as a causation tree; enter
// opens a record.
func TestTraceFromAMessageShowsTheFourTopicFlow(t *testing.T) {
	e := newTestEnv(t, 5)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T", "ctrl+u")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, "buffer 5/10,000")
	// Select the record of a flow with two or more order lines (so the
	// tree branches) with a filter, then trace it.
	f := e.flows[0]
	for _, fl := range e.flows {
		if len(fl.Events) >= 5 {
			f = fl
			break
		}
	}
	press(tm, "/")
	typeText(tm, fmt.Sprintf("value.orderId == %q", f.OrderID))
	press(tm, "enter")
	waitView(t, tm, "buffer 1/10,000", "orders.placed/")
	press(tm, "t")

	v := waitView(t, tm, "trace "+f.TraceID+": ", "5 Trace")
	nInv := len(f.Events) - 3
	want := []string{
		fmt.Sprintf("%d record(s) on 4 topic(s), %d causation edge(s)", len(f.Events), len(f.Events)-1),
		"FLOW (indented by causation)",
		"OrderPlaced", "PaymentCaptured", "StockReserved", "ShipmentDispatched",
		"└─ " + demo.TopicPayments + "/",
	}
	for _, w := range want {
		if !strings.Contains(v, w) {
			t.Errorf("trace view lacks %q:\n%s", w, v)
		}
	}
	// The tree: order → payment → reservations (one per line) → dispatch
	// under the last reservation.
	lines := strings.Split(v, "\n")
	depth := map[string]int{}
	for _, l := range lines {
		for _, topic := range []string{demo.TopicOrders, demo.TopicPayments, demo.TopicInventory, demo.TopicShipping} {
			if i := strings.Index(l, topic+"/"); i >= 0 && strings.Contains(l, "+") {
				depth[topic] = max(depth[topic], i)
			}
		}
	}
	if !(depth[demo.TopicOrders] < depth[demo.TopicPayments] && depth[demo.TopicPayments] < depth[demo.TopicInventory] &&
		depth[demo.TopicInventory] < depth[demo.TopicShipping]) {
		t.Errorf("the flow is not indented by causation (%v):\n%s", depth, v)
	}
	if nInv < 2 || !strings.Contains(v, "├─ "+demo.TopicInventory+"/") {
		t.Errorf("want a flow with %d reservations as siblings:\n%s", nInv, v)
	}
	golden(t, "trace", e.mask(v))

	// enter on the last row opens the dispatch record.
	press(tm, "end", "enter")
	v = waitView(t, tm, demo.TopicShipping+"/", "avro shipping.dispatched-value v2", `"trackingNumber": "TRK`)
	press(tm, "esc")
	waitView(t, tm, "FLOW (indented by causation)")

	// Tracing by the order id (the correlation header) finds the same flow.
	press(tm, "/", "ctrl+u")
	typeText(tm, f.OrderID)
	press(tm, "enter")
	waitView(t, tm, "trace "+f.OrderID+": ", fmt.Sprintf("%d record(s) on 4 topic(s)", len(f.Events)))
}

func TestTraceTreeOrdersByCausation(t *testing.T) {
	rec := func(topic string, off int64) *stream.Record {
		return &stream.Record{Topic: topic, Offset: off}
	}
	// 0 ─┬─ 1 ── 3
	//    └─ 2 (also caused by 1)
	// 4 (root)
	g := &stream.Graph{
		Hits:  []stream.Hit{{Record: rec("a", 0)}, {Record: rec("b", 0)}, {Record: rec("c", 0)}, {Record: rec("d", 0)}, {Record: rec("e", 0)}},
		Edges: []stream.Edge{{From: 0, To: 1}, {From: 0, To: 2}, {From: 1, To: 2}, {From: 1, To: 3}},
	}
	var got []string
	for _, r := range traceTree(g) {
		got = append(got, fmt.Sprintf("%s%d%v", r.prefix, r.hit, r.also))
	}
	want := []string{"0[]", "├─ 1[]", "│  └─ 3[]", "└─ 2[1]", "4[]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tree\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
