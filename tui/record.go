package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

// row is a record as the UI keeps it: copied out of the read's buffers.
// stream carves payloads from shared slabs and franz-go's header values
// point into fetched batches, so a kept *stream.Record would pin memory far
// larger than itself (a sparse filter keeping one record per slab would
// hold gigabytes); a row holds only its own bytes.
type row struct {
	topic     string
	partition int32
	offset    int64
	ts        time.Time
	headers   []stream.Header
	key       shown
	value     shown
}

// shown is a payload as the UI shows it.
type shown struct {
	enc    stream.Encoding
	json   []byte // the payload's JSON (stream.Payload.JSON), in the row's buffer
	schema *stream.SchemaRef
	err    string
}

// newRow copies what the UI shows of r: the key's and value's JSON and the
// header values go into one buffer, so a row costs three allocations.
func newRow(r *stream.Record) *row {
	n := len(r.Key.JSON) + len(r.Value.JSON)
	for _, h := range r.Headers {
		n += len(h.Value)
	}
	buf := make([]byte, 0, n)
	keep := func(b []byte) []byte {
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	rw := &row{topic: r.Topic, partition: r.Partition, offset: r.Offset, ts: r.Timestamp,
		key:   shown{enc: r.Key.Encoding, json: keep(r.Key.JSON), schema: r.Key.Schema},
		value: shown{enc: r.Value.Encoding, json: keep(r.Value.JSON), schema: r.Value.Schema}}
	if r.Key.Err != nil {
		rw.key.err = r.Key.Err.Error()
	}
	if r.Value.Err != nil {
		rw.value.err = r.Value.Err.Error()
	}
	if len(r.Headers) > 0 {
		rw.headers = make([]stream.Header, len(r.Headers))
		for i, h := range r.Headers {
			rw.headers[i] = stream.Header{Key: h.Key, Value: keep(h.Value)}
		}
	}
	return rw
}

// text is the payload on one line: JSON for decoded and JSON payloads, the
// text of UTF-8 ones, base64 otherwise.
func (s shown) text() string {
	if s.enc == stream.EncUTF8 || s.enc == stream.EncBase64 {
		var t string
		if json.Unmarshal(s.json, &t) == nil {
			return t
		}
	}
	return string(s.json)
}

// pretty is the payload as indented JSON where it is JSON.
func (s shown) pretty() string {
	if s.enc == stream.EncAvro || s.enc == stream.EncJSON {
		var b bytes.Buffer
		if json.Indent(&b, s.json, "", "  ") == nil {
			return b.String()
		}
	}
	return s.text()
}

// describe says how the payload was read: "avro orders-value v3 (schema id 7)".
func (s shown) describe() string {
	d := string(s.enc)
	if s.schema != nil {
		if s.schema.Subject != "" {
			d += fmt.Sprintf(" %s v%d", oneLine(s.schema.Subject), s.schema.Version)
		}
		d += fmt.Sprintf(" (schema id %d)", s.schema.ID)
	}
	return d
}

// oneLine squeezes s onto one line of text that is safe to print:
// newlines and tabs become spaces, every other character that is not
// printable (a lone carriage return, ESC, C1 controls such as U+009B,
// bidirectional overrides, invalid UTF-8) is shown by its Go escape
// (termtext.Escape), so data from Kafka never reaches the terminal
// as a control sequence.
func oneLine(s string) string { return termtext.OneLine(s) }

// textBlock makes multi-line text safe to print: what is not printable is
// escaped as by oneLine, newlines are kept and tabs become four spaces (a
// tab's width depends on where it lands, so it would break the layout).
func textBlock(s string) string {
	s = termtext.Escape(s)
	if strings.Contains(s, "\t") {
		s = strings.ReplaceAll(s, "\t", "    ")
	}
	return s
}

// headerText shows a header key or value: as is when printable on one
// line, Go-quoted otherwise (termtext.Quote), so control
// characters and invalid bytes are visible rather than acted on.
func headerText(v string) string { return termtext.Quote(v) }

// timestamp formats a record time as the CLI does (UTC, milliseconds).
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// recordDetail renders a record: where it is, key, writer schema, headers
// and the value as pretty JSON, wrapped to width. Every line fits width.
func recordDetail(st Styles, r *row, width int) []string {
	var out []string
	add := func(s string) { out = append(out, truncate(s, width)) }
	add(st.Header.Render(fmt.Sprintf("%s/%d@%d", oneLine(r.topic), r.partition, r.offset)) + "  " + timestamp(r.ts))
	notDecoded := func(reason string) {
		const label = "not decoded:"
		for i, l := range wrap(label+" "+oneLine(reason), width-7) {
			if i == 0 && strings.HasPrefix(l, label) {
				l = st.Error.Render(label) + l[len(label):]
			}
			add("       " + l)
		}
	}
	add(st.Key.Render("key    ") + oneLine(r.key.text()) + st.Dim.Render("  ("+r.key.describe()+")"))
	if r.key.err != "" {
		notDecoded(r.key.err)
	}
	add(st.Key.Render("value  ") + r.value.describe())
	if r.value.err != "" {
		notDecoded(r.value.err)
	}
	if len(r.headers) > 0 {
		keys := make([]string, len(r.headers))
		w := 0
		for i, h := range r.headers {
			keys[i] = headerText(h.Key)
			w = max(w, lipgloss.Width(keys[i]))
		}
		add(st.Key.Render("headers"))
		for i, h := range r.headers {
			add("  " + pad(keys[i], w) + "  " + headerText(string(h.Value)))
		}
	}
	out = append(out, "")
	for _, l := range strings.Split(textBlock(r.value.pretty()), "\n") {
		for _, w := range wrap(l, width) {
			add(w)
		}
	}
	return out
}

// wrap cuts s into lines of at most width display cells, at word
// boundaries: a line ends at its last space (the space ends that line),
// and only a word longer than width is cut, never splitting a character
// (one wider than width gets a line of its own); a width below one counts
// as one.
func wrap(s string, width int) []string {
	width = max(width, 1)
	if len(s) <= width || ansi.StringWidth(s) <= width {
		return []string{s}
	}
	var out []string
	start, w := 0, 0
	space, spaceW := -1, 0 // the last space of the line after its start, and the width up to it
	for i := 0; i < len(s); {
		c, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if c == "" {
			c = s[i : i+1]
		}
		if w > 0 && w+cw > width {
			if c == " " {
				// The space that overflows ends the line.
				out = append(out, s[start:i])
				i++
				start, w, space = i, 0, -1
				continue
			}
			if space > start {
				out = append(out, s[start:space+1])
				start, w, space = space+1, w-spaceW, -1
				continue // this character again, on the new line
			} else {
				out = append(out, s[start:i])
				start, w, space = i, 0, -1
			}
		}
		if c == " " && i > start {
			space, spaceW = i, w+cw
		}
		i += len(c)
		w += cw
	}
	return append(out, s[start:])
}
