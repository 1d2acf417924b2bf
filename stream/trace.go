package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/termtext"
)

// CorrelationHeaders are the headers whose value is compared with a trace
// id, besides the trace-id part of a W3C traceparent header: CloudEvents'
// Kafka binding, the common spellings, Spring Kafka's, and NServiceBus-
// style "$" names. Names compare case-insensitively.
var CorrelationHeaders = []string{"ce_correlationid", "correlation_id", "correlation-id", "kafka_correlationId", "$correlationId"}

// CausationHeaders carry the event id of the event that caused a record.
var CausationHeaders = []string{"ce_causationid", "causation_id", "$causationId"}

// EventIDHeaders carry a record's own event id.
var EventIDHeaders = []string{"ce_id", "event_id"}

// TraceOptions say what Trace looks for and where.
type TraceOptions struct {
	// ID is the trace or correlation id to find.
	ID string
	// Topics to scan; empty means every non-internal topic.
	Topics []string
	// Since is how far back the window starts (default 1h). From, when
	// set, is an absolute start instead.
	Since time.Duration
	From  time.Time
	// Until, when set, ends the window; default: the end offsets when the
	// trace starts.
	Until time.Time
	// Headers are more header names whose value is compared with ID.
	Headers []string
	// Raw skips registry decoding of the hits' keys and values.
	Raw bool
	// Progress, if set, is called from the scanning goroutine as
	// partitions are read (at most every 100ms, and once at the end).
	Progress func(TraceProgress)
}

// TraceProgress reports a running trace.
type TraceProgress struct {
	Partitions int   // partitions in the window
	Done       int   // partitions read to their end
	Scanned    int64 // records examined
	Total      int64 // records in the window (offsets, an upper bound)
	Hits       int
}

// Hit is a record that carries the trace id.
type Hit struct {
	Record *Record
	// MatchedBy names the header that carried the id.
	MatchedBy string
	// EventID and CausationID are the record's event id and the id of the
	// event that caused it, from the headers (empty if absent).
	EventID     string
	CausationID string
}

// Edge is a causation edge: the hit at From caused the hit at To (indexes
// into Graph.Hits).
type Edge struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Via  string `json:"via"` // the causation id
}

// Graph is the result of a trace: the hits ordered by timestamp (then
// topic, partition, offset) and the causation edges between them.
type Graph struct {
	ID    string
	From  time.Time
	Until time.Time
	// Topics are the topics scanned; Ranges the offsets read.
	Topics []string
	Ranges []PartitionRange
	// Scanned counts the records examined.
	Scanned int64
	Hits    []Hit
	Edges   []Edge
	Elapsed time.Duration
}

// Trace finds every record in the window whose headers carry opts.ID, and
// the causation edges between them. Partitions are read in parallel from
// the offset of the window's start (a timestamp lookup), so only the window
// is read. Only headers are examined while scanning; hits are decoded.
func (c *Client) Trace(ctx context.Context, opts TraceOptions) (*Graph, error) {
	if c.consumer == nil {
		return nil, ErrNoConsumer
	}
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	id := strings.TrimSpace(opts.ID)
	if id == "" {
		return nil, errors.New("no trace id given")
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()

	start := c.now()
	topics := opts.Topics
	if len(topics) == 0 {
		tds, err := c.admin.ListTopics(ctx)
		if err != nil {
			return nil, fmt.Errorf("list topics: %w", err)
		}
		topics = tds.Names()
		if len(topics) == 0 {
			return nil, errors.New("the cluster has no topics to trace")
		}
	}
	from := opts.From
	if from.IsZero() {
		since := opts.Since
		if since <= 0 {
			since = time.Hour
		}
		from = start.Add(-since)
	}
	spec := ReadSpec{Topics: topics, From: Bound{Default: &Position{Kind: AtTime, Time: from}}}
	until := start
	if !opts.Until.IsZero() {
		until = opts.Until
		spec.Until = Bound{Default: &Position{Kind: AtTime, Time: until}}
	}
	ranges, err := c.ResolveRanges(ctx, spec)
	if err != nil {
		return nil, err
	}
	g := &Graph{ID: id, From: from.UTC(), Until: until.UTC(), Topics: topics, Ranges: ranges}

	m := newMatcher(id, opts.Headers)
	var total int64
	for _, r := range ranges {
		total += r.len()
	}
	var scanned int64
	var hits []*kgo.Record
	var matched []string
	prog := TraceProgress{Partitions: len(ranges), Total: total}
	for _, r := range ranges {
		if r.len() == 0 {
			prog.Done++
		}
	}
	lastReport := time.Now()
	report := func(force bool) {
		if opts.Progress == nil || !force && time.Since(lastReport) < 100*time.Millisecond {
			return
		}
		lastReport = time.Now()
		prog.Scanned, prog.Hits = scanned, len(hits)
		opts.Progress(prog)
	}
	err = c.readRanges(ctx, ranges, func(ps *partState, recs []*kgo.Record) error {
		for _, r := range recs {
			if name, ok := m.match(r.Headers); ok {
				hits = append(hits, r)
				matched = append(matched, name)
			}
		}
		scanned += int64(len(recs))
		if n := len(recs); n > 0 && ps.r.End >= 0 && recs[n-1].Offset+1 >= ps.r.End {
			prog.Done++
		}
		report(false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	prog.Done = len(ranges)
	g.Scanned = scanned
	b := &builder{c: c, raw: opts.Raw, small: len(hits) < 64}
	for i, kr := range hits {
		h := Hit{Record: b.record(ctx, kr), MatchedBy: matched[i]}
		h.EventID = firstHeader(kr.Headers, EventIDHeaders)
		h.CausationID = firstHeader(kr.Headers, CausationHeaders)
		g.Hits = append(g.Hits, h)
	}
	report(true)
	sort.SliceStable(g.Hits, func(i, j int) bool {
		a, b := g.Hits[i].Record, g.Hits[j].Record
		if !a.Timestamp.Equal(b.Timestamp) {
			return a.Timestamp.Before(b.Timestamp)
		}
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		if a.Partition != b.Partition {
			return a.Partition < b.Partition
		}
		return a.Offset < b.Offset
	})
	byEvent := map[string][]int{}
	for i, h := range g.Hits {
		if h.EventID != "" {
			byEvent[h.EventID] = append(byEvent[h.EventID], i)
		}
	}
	for i, h := range g.Hits {
		if h.CausationID == "" {
			continue
		}
		for _, j := range byEvent[h.CausationID] {
			if j != i {
				g.Edges = append(g.Edges, Edge{From: j, To: i, Via: h.CausationID})
			}
		}
	}
	g.Elapsed = c.now().Sub(start)
	return g, nil
}

// matcher recognises the trace id in record headers.
type matcher struct {
	id      string
	headers []string
}

func newMatcher(id string, extra []string) *matcher {
	return &matcher{id: id, headers: append(append([]string{}, CorrelationHeaders...), extra...)}
}

// match returns the name of the first header carrying the id.
func (m *matcher) match(hs []kgo.RecordHeader) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Key, "traceparent") {
			if traceID(h.Value) == m.id || strings.EqualFold(traceID(h.Value), m.id) {
				return h.Key, true
			}
			continue
		}
		for _, name := range m.headers {
			if strings.EqualFold(h.Key, name) {
				if string(h.Value) == m.id || len(h.Value) == 16 && !isText(h.Value) && uuidString(h.Value) == strings.ToLower(m.id) {
					return h.Key, true
				}
			}
		}
	}
	return "", false
}

// traceID returns the trace-id field of a W3C traceparent value
// ("00-<32 hex>-<16 hex>-<2 hex>"), or "" if it is not one.
func traceID(v []byte) string {
	if len(v) < 55 || v[2] != '-' || v[35] != '-' {
		return ""
	}
	return string(v[3:35])
}

// uuidString formats 16 bytes as a UUID (Spring Kafka writes correlation
// ids as raw bytes).
func uuidString(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

func firstHeader(hs []kgo.RecordHeader, names []string) string {
	for _, name := range names {
		for _, h := range hs {
			if strings.EqualFold(h.Key, name) {
				return headerText(h.Value)
			}
		}
	}
	return ""
}

// MarshalJSON renders the graph with its hits as nodes:
//
//	{"id":…, "from":…, "until":…, "topics":[…], "scanned":N,
//	 "nodes":[{"index":0, "topic":…, "partition":…, "offset":…, "timestamp":…,
//	           "matched_by":…, "event_id":…, "causation_id":…, "headers":{…},
//	           "key":…, "key_encoding":…, "value":…, "value_encoding":…}],
//	 "edges":[{"from":0,"to":1,"via":"<causation id>"}]}
func (g *Graph) MarshalJSON() ([]byte, error) {
	type node struct {
		Index       int             `json:"index"`
		MatchedBy   string          `json:"matched_by"`
		EventID     string          `json:"event_id,omitempty"`
		CausationID string          `json:"causation_id,omitempty"`
		Record      json.RawMessage `json:"record"`
	}
	type graph struct {
		ID        string    `json:"id"`
		From      time.Time `json:"from"`
		Until     time.Time `json:"until"`
		Topics    []string  `json:"topics"`
		Scanned   int64     `json:"scanned"`
		ElapsedMS int64     `json:"elapsed_ms"`
		Nodes     []node    `json:"nodes"`
		Edges     []Edge    `json:"edges"`
	}
	out := graph{ID: g.ID, From: g.From, Until: g.Until, Topics: g.Topics, Scanned: g.Scanned,
		ElapsedMS: g.Elapsed.Milliseconds(), Nodes: []node{}, Edges: g.Edges}
	if out.Edges == nil {
		out.Edges = []Edge{}
	}
	for i, h := range g.Hits {
		out.Nodes = append(out.Nodes, node{Index: i, MatchedBy: h.MatchedBy, EventID: h.EventID,
			CausationID: h.CausationID, Record: h.Record.AppendJSON(nil)})
	}
	return json.Marshal(out)
}

// NodeName is how a hit is named in text and DOT output: topic/partition@offset.
func (h Hit) NodeName() string {
	return fmt.Sprintf("%s/%d@%d", h.Record.Topic, h.Record.Partition, h.Record.Offset)
}

// WriteDOT writes the graph in Graphviz DOT: one node per hit (labelled
// with topic, partition, offset, time and event id), one edge per
// causation, hits on the same topic grouped in a cluster.
func (g *Graph) WriteDOT(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph trace {\n\tlabel=%s;\n\trankdir=LR;\n\tnode [shape=box, fontname=\"monospace\"];\n", dotQuote("trace "+g.ID))
	byTopic := map[string][]int{}
	var topics []string
	for i, h := range g.Hits {
		if _, ok := byTopic[h.Record.Topic]; !ok {
			topics = append(topics, h.Record.Topic)
		}
		byTopic[h.Record.Topic] = append(byTopic[h.Record.Topic], i)
	}
	for ci, t := range topics {
		fmt.Fprintf(&b, "\tsubgraph cluster_%d {\n\t\tlabel=%s;\n", ci, dotQuote(t))
		for _, i := range byTopic[t] {
			h := g.Hits[i]
			label := fmt.Sprintf("%s\n%s", h.NodeName(), h.Record.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"))
			if h.EventID != "" {
				label += "\nid " + h.EventID
			}
			fmt.Fprintf(&b, "\t\tn%d [label=%s];\n", i, dotQuote(label))
		}
		b.WriteString("\t}\n")
	}
	for _, e := range g.Edges {
		fmt.Fprintf(&b, "\tn%d -> n%d [label=%s];\n", e.From, e.To, dotQuote(e.Via))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotQuote quotes s as a DOT string (newlines become \n line breaks).
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	// Record data (ids, names) never reaches a terminal raw: control
	// characters are escaped first (their backslashes are then quoted).
	return `"` + r.Replace(termtext.Escape(s)) + `"`
}
