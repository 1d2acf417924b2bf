package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
)

// rawControls are what must never reach the terminal from record data: ESC
// (starts every escape sequence), BEL (ends an OSC), a carriage return
// (rewrites the line), DEL, CSI as one character (U+009B) and the
// right-to-left override (U+202E, makes text read backwards).
var rawControls = []string{"\x1b", "\x07", "\r", "\x7f", "\u009b", "\u202e"}

// TestUntrustedTextIsEscaped writes records whose headers, keys and values
// carry terminal control sequences and renders them in the Messages list,
// the record detail (split and full screen) and the Trace screen (table and
// open record). The styles are plain text, as in the goldens, so any
// control character in a view can only come from record data: none may
// appear, their escaped forms must, and wide and accented text is shown
// unchanged.
func TestUntrustedTextIsEscaped(t *testing.T) {
	e := newTestEnv(t, 0)
	const id = "evil\x1b[2J"
	const greeting = "héllo ✓ 世界"
	headers := []kgo.RecordHeader{
		{Key: "ce_correlationid", Value: []byte(id)},
		{Key: "ce_type", Value: []byte("shop.orders.\x1b]0;pwned\x07Evil")},
		{Key: "ce_id", Value: []byte("\u009b31mid-1234567")},
		{Key: "x-\x1b[31mred", Value: []byte("\r\x1b[2Jcleared")},
		{Key: "binary", Value: []byte{0xff, 0xfe, 0x9b}},
		{Key: "del", Value: []byte("rub\x7fout")},
		{Key: "greeting", Value: []byte(greeting)},
	}
	// Both in partition 0, so the list's order is the order written.
	producer := e.client(kgo.RecordPartitioner(kgo.ManualPartitioner()))
	err := producer.ProduceSync(ctxT(t),
		// A JSON value: json.Compact keeps U+009B and U+202E raw.
		&kgo.Record{Topic: demo.TopicOrders, Partition: 0, Key: []byte("key\u202eyek\r"), Headers: headers,
			Value:     []byte(`{"note":"` + "\u009b2J" + `","bidi":"` + "\u202eevil" + `","greeting":"` + greeting + `"}`),
			Timestamp: flowStart},
		// A text value: UTF-8 with a carriage return and C1 controls.
		&kgo.Record{Topic: demo.TopicOrders, Partition: 0, Key: []byte(greeting), Headers: headers,
			Value:     []byte("first line\rsecond \u009b2J\u202e end\u0085"),
			Timestamp: flowStart.Add(time.Second)},
	).FirstErr()
	if err != nil {
		t.Fatal(err)
	}

	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T", "ctrl+u")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	var views []string
	check := func(what, v string) {
		t.Helper()
		for _, c := range rawControls {
			if strings.Contains(v, c) {
				t.Errorf("%s shows a raw %q:\n%s", what, c, strings.ToValidUTF8(v, "?"))
			}
		}
		views = append(views, v)
	}
	check("the Messages list and the newest record", waitView(t, tm, "buffer 2/10,000", "read 2", "headers"))
	press(tm, "enter")
	check("the newest record full screen", waitView(t, tm, "headers", greeting))
	press(tm, "esc", "k")
	check("the first record", waitView(t, tm, `"note": "\u009b2J"`))
	press(tm, "enter")
	check("the first record full screen", waitView(t, tm, `"bidi": "\u202eevil"`))
	press(tm, "esc", "t")
	check("the trace", waitView(t, tm, `trace "evil\x1b[2J": 2 record(s)`))
	press(tm, "enter")
	check("a record opened in the trace", waitView(t, tm, `"note": "\u009b2J"`, "headers"))

	all := strings.Join(views, "\n")
	for _, want := range []string{
		// keys and list previews (one line: escaped)
		`key\u202eyek\r`, `{"note":"\u009b2J","bidi":"\u202eevil"`, `first line\rsecond \u009b2J\u202e end\u0085`,
		// header keys and values (Go-quoted)
		`"x-\x1b[31mred"`, `"\r\x1b[2Jcleared"`, `"\xff\xfe\x9b"`, `"rub\x7fout"`, `"evil\x1b[2J"`, `"shop.orders.\x1b]0;pwned\aEvil"`,
		// the trace's columns: event type and id
		`"\x1b]0;pwned\aEvil"`, `"\u009b31mid-1"…`,
		// wide and accented text is left alone
		"greeting          " + greeting, `"greeting": "` + greeting + `"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no view shows %s", want)
		}
	}
	if t.Failed() {
		t.Logf("views:\n%s", strings.ToValidUTF8(all, "?"))
	}
}
