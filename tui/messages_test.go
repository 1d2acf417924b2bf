package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/dev/demo"
)

// TestTopicsToMessagesTailDecodesAndFilters is the Messages flow: enter on
// a topic in Topics tails it; records are decoded through the registry
// (writer subject and version shown); records written later arrive; a CEL
// filter narrows them to exactly the matching records.
func TestTopicsToMessagesTailDecodesAndFilters(t *testing.T) {
	e := newTestEnv(t, 6)
	tm := startProbe(t, e.app(time.Hour))

	v := waitView(t, tm, "Topics (4)", demo.TopicOrders, "6", "RATE")
	golden(t, "topics", e.mask(v))

	// orders.placed is the second topic by name; enter tails it.
	press(tm, "j", "enter")
	v = waitView(t, tm, "2 Messages", "orders.placed  from -100  ▶ live", "buffer 6/10,000", "read 6")
	for _, want := range []string{"avro orders.placed-value v3 (schema id", "traceparent", "ce_correlationid", `"orderId": "`} {
		if !strings.Contains(v, want) {
			t.Errorf("the selected record lacks %q:\n%s", want, v)
		}
	}

	// Records written now arrive in the running tail.
	e.produceFlows(4, flowStart.Add(time.Minute))
	waitView(t, tm, "buffer 10/10,000", "read 10")

	// f jumps: to a time (the first record at or after it in each
	// partition), then back to the earliest.
	at := flowStart.Add(3 * time.Second)
	fromAt := 0
	for _, f := range e.flows {
		if !f.Events[0].Time.Before(at) {
			fromAt++
		}
	}
	press(tm, "f", "ctrl+u")
	typeText(tm, "@"+at.Format(time.RFC3339))
	press(tm, "enter")
	waitView(t, tm, "from @2024-05-01T10:00:03Z", fmt.Sprintf("buffer %d/10,000", fromAt), fmt.Sprintf("read %d", fromAt))
	press(tm, "f", "ctrl+u")
	typeText(tm, "yesterday")
	press(tm, "enter")
	waitView(t, tm, `position "yesterday"`) // the grammar error, shown under the input
	press(tm, "ctrl+u")
	typeText(tm, "earliest")
	press(tm, "enter")
	waitView(t, tm, "from earliest", "buffer 10/10,000")

	// A CEL filter over the decoded value narrows the records.
	var big []string
	for _, f := range e.flows {
		var o struct{ TotalCents int64 }
		if err := json.Unmarshal([]byte(f.Events[0].Value), &o); err != nil {
			t.Fatal(err)
		}
		if o.TotalCents > 5000 {
			big = append(big, f.OrderID)
		}
	}
	if len(big) == 0 || len(big) == len(e.flows) {
		t.Fatalf("the seed gives %d of %d orders over 5000 cents; pick a threshold that narrows", len(big), len(e.flows))
	}
	press(tm, "/")
	typeText(tm, "value.totalCents > 5000")
	press(tm, "enter")
	v = waitView(t, tm, "filter value.totalCents > 5000", fmt.Sprintf("buffer %d/10,000", len(big)), fmt.Sprintf("shown %d", len(big)))
	for _, f := range e.flows {
		shown := strings.Contains(v, f.OrderID[:20])
		want := false
		for _, id := range big {
			want = want || id == f.OrderID
		}
		if shown != want {
			t.Errorf("order %s shown %v, want %v:\n%s", f.OrderID, shown, want, v)
		}
	}

	// A filter that does not compile is refused with the position.
	press(tm, "/", "ctrl+u")
	typeText(tm, "value.totalCents >")
	press(tm, "enter")
	waitView(t, tm, "ERROR: <input>:1:")
	press(tm, "esc")

	// Golden: one partition, so the order of the list is the offset order.
	press(tm, "/", "ctrl+u")
	typeText(tm, "partition == 0")
	press(tm, "enter")
	v = waitView(t, tm, "filter partition == 0", "read ")
	time.Sleep(300 * time.Millisecond) // let the read reach the end
	v = view(t, tm)
	golden(t, "messages", e.mask(v))

	// enter shows the record full screen; esc goes back.
	press(tm, "enter")
	v = waitView(t, tm, `"lines": [`, `"sku": "SKU-`)
	if strings.Contains(v, "P@OFFSET") {
		t.Errorf("zoomed view still shows the list:\n%s", v)
	}
	press(tm, "esc")
	waitView(t, tm, "P@OFFSET")
}

// TestMessagesPauseHoldsRecordsInKafka checks pause: records written while
// paused are not read until resumed, and none is lost.
func TestMessagesPauseHoldsRecordsInKafka(t *testing.T) {
	e := newTestEnv(t, 2)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2") // Messages, where T asks for a topic
	press(tm, "T", "ctrl+u")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, "buffer 2/10,000")
	// The status line names the start point the first T used.
	if v := view(t, tm); strings.Contains(v, "from -") && !strings.Contains(v, "from -100") {
		t.Errorf("status line names no start point:\n%s", v)
	}
	press(tm, "space")
	waitView(t, tm, "⏸ paused")
	e.produceFlows(3, flowStart.Add(time.Minute))
	time.Sleep(500 * time.Millisecond)
	if v := view(t, tm); !strings.Contains(v, "buffer 2/10,000") {
		t.Fatalf("records arrived while paused:\n%s", v)
	}
	press(tm, "space")
	waitView(t, tm, "▶ live", "buffer 5/10,000", "dropped 0")
}

// TestMessagesBufferDropsOldest fills a small buffer: the newest records
// are kept and the dropped count says how many went.
func TestMessagesBufferDropsOldest(t *testing.T) {
	e := newTestEnv(t, 12)
	c := plainCommon()
	m := newMessagesScreen(ctxT(t), c, e.tail, MessagesOptions{Buffer: 5, From: "earliest"})
	app := newApp(appOptions{Screens: []screen{m}, Common: c})
	tm := startProbe(t, app)
	tm.Send(openTopicMsg{Topic: demo.TopicOrders})
	v := waitView(t, tm, "buffer 5/5", "dropped 7", "read 12")
	list := v[strings.Index(v, "P@OFFSET"):strings.Index(v, "────")]
	shown := 0
	for _, f := range e.flows {
		if strings.Contains(list, f.OrderID) {
			shown++
		}
	}
	if shown != 5 {
		t.Errorf("%d records listed, want the 5 kept:\n%s", shown, v)
	}
}
