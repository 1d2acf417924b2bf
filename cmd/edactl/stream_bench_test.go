//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// Benchmarks of the stream commands against a kfake broker in a helper
// process (testenv.KfakeProcess: this test binary, re-executed; TestMain
// calls testenv.MaybeServeKfake), so the broker's work does not count
// against edactl's.
//
//	go test ./cmd/edactl -run '^$' -bench 'Consume|Trace' -benchtime 3x
//
// EDACTL_BENCH_RECORDS sets how many records BenchmarkConsumeJSON reads
// (default 1,000,000); BenchmarkTrace always scans 4 topics × 250,000.
// Both fail, rather than report a rate, when the output is not what the
// work they time produces.

// benchValues is how many distinct values BenchmarkConsumeJSON's records
// cycle through.
const benchValues = 1000

// benchEnv is a seeded broker process and registry shared by the benchmarks.
type benchEnv struct {
	brokers  string
	registry string
	schemaID int // of orders-value, the schema the values are framed with
	records  int
	err      error
}

func benchRecords() int {
	if s := os.Getenv("EDACTL_BENCH_RECORDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

// seed writes n records to topic through a producer client, calling mk
// for each; it batches generously so seeding is quick.
func seed(ctx context.Context, brokers string, topic string, partitions int32, n int, mk func(i int, r *kgo.Record)) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ProducerLinger(5*time.Millisecond),
		kgo.MaxBufferedRecords(100_000), kgo.ProducerBatchMaxBytes(1<<20), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		return err
	}
	defer cl.Close()
	if err := createTopic(ctx, cl, topic, partitions); err != nil {
		return err
	}
	var mu sync.Mutex
	var first error
	for i := range n {
		r := &kgo.Record{Topic: topic}
		mk(i, r)
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	return first
}

func createTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32) error {
	_, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, topic)
	return err
}

// setupConsumeBench starts a broker process and a registry (both closed
// when b ends) and seeds them.
func setupConsumeBench(b *testing.B) benchEnv {
	e := &benchEnv{}
	func() {
		e.brokers = testenv.KfakeProcess(b).Addr
		reg := registrytest.Start(b, registrytest.InMemory())
		e.registry = reg.URL
		src, err := sr.NewClient(sr.URLs(reg.URL))
		if err != nil {
			e.err = err
			return
		}
		ctx := context.Background()
		// A typical event: strings, numbers, a decimal, timestamps, an
		// enum, an optional field, an array and a map.
		benchOrder := string(testenv.ReadFile(b, "schemas/bench-order.avsc"))
		ss, err := src.CreateSchema(ctx, "orders-value", sr.Schema{Schema: benchOrder})
		if err != nil {
			e.err = err
			return
		}
		e.schemaID = ss.ID
		s, err := serde.NewRegistry(src).SchemaByID(ctx, ss.ID)
		if err != nil {
			e.err = err
			return
		}
		// benchValues distinct values, cycled: the record with key
		// ord-<i> holds order_id ord-<i mod benchValues>.
		values := make([][]byte, benchValues)
		for i := range values {
			js := fmt.Sprintf(`{"order_id":"ord-%08d","customer_id":"cust-%05d","placed_at":%d,"total":%d.%02d,"currency":"EUR",`+
				`"items":[{"sku":"SKU-%d","qty":%d,"price":19.99},{"sku":"SKU-%d","qty":1,"price":5.5}],`+
				`"coupon":%s,"attrs":{"channel":"web","region":"eu-west"}}`,
				i, i%977, 1714557600000+int64(i)*1000, i%500, i%100, i%50, 1+i%3, i%70, map[bool]string{true: `"SPRING"`, false: "null"}[i%4 == 0])
			if values[i], err = avrojson.EncodeJSON(s, []byte(js)); err != nil {
				e.err = err
				return
			}
		}
		e.records = benchRecords()
		start := time.Now()
		e.err = seed(ctx, e.brokers, "orders", 4, e.records, func(i int, r *kgo.Record) {
			r.Key = fmt.Appendf(nil, "ord-%08d", i)
			r.Value = values[i%len(values)]
			r.Headers = []kgo.RecordHeader{{Key: "ce_type", Value: []byte("shop.orders.OrderPlaced")}}
		})
		fmt.Fprintf(os.Stderr, "seeded %d records in %s\n", e.records, time.Since(start).Round(time.Millisecond))
	}()
	if e.err != nil {
		b.Fatal(e.err)
	}
	return *e
}

// jsonLines is the output of a consume: it counts the JSON lines written
// and those ending in want (the value's encoding and schema reference as
// stream.AppendJSON writes them last on a line), keeps the first line and
// decodes every sampleEvery-th line in full for a closer look. The check
// is part of the measured time: a comparison of a few tens of bytes per
// line, alike for both modes (a search of the whole line cost 150-250 ns,
// more for the longer decoded lines, which charged decoded output for the
// check).
type jsonLines struct {
	want     []byte
	decoded  bool   // check the sampled lines' values against their keys
	partial  []byte // a line split across writes
	first    []byte
	lines    int64
	carrying int64
	sampled  int64
	bad      error // the first sampled line that failed its check
}

// sampleEvery is how often a line is decoded and checked in full.
const sampleEvery = 4096

func (w *jsonLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := p[:i]
		if len(w.partial) > 0 {
			w.partial = append(w.partial, line...)
			line = w.partial
		}
		w.lines++
		if bytes.HasSuffix(line, w.want) {
			w.carrying++
		}
		if w.first == nil {
			w.first = bytes.Clone(line)
		}
		if w.lines%sampleEvery == 1 && w.bad == nil {
			w.sampled++
			w.bad = checkLine(line, w.decoded)
		}
		w.partial = w.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

// check returns an error unless every one of n records was printed on a
// line of its own ending in w.want, and every sampled line (the first among
// them) is a record of the seeded topic with, when decoded, the value that
// was encoded for its key.
func (w *jsonLines) check(n int, decoded bool) error {
	if len(w.partial) > 0 {
		return fmt.Errorf("the output ends in an unterminated line: %.200q", w.partial)
	}
	if w.lines != int64(n) || w.carrying != int64(n) {
		return fmt.Errorf("printed %d lines, %d of them ending in %s; want %d records, all ending so (first line: %.300s)", w.lines, w.carrying, w.want, n, w.first)
	}
	if want := (int64(n) + sampleEvery - 1) / sampleEvery; w.decoded != decoded || w.sampled != want {
		return fmt.Errorf("checked %d sampled lines (decoded: %v), want %d (decoded: %v)", w.sampled, w.decoded, want, decoded)
	}
	return w.bad
}

// checkLine returns an error unless line is a record of the seeded topic
// with, when decoded, the value that was encoded for its key.
func checkLine(line []byte, decoded bool) error {
	var rec struct {
		Topic string          `json:"topic"`
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return fmt.Errorf("line: %v: %.300s", err, line)
	}
	var i int
	if _, err := fmt.Sscanf(rec.Key, "ord-%d", &i); err != nil || rec.Topic != "orders" {
		return fmt.Errorf("line is not a seeded record: %.300s", line)
	}
	if !decoded {
		return nil
	}
	var value struct {
		OrderID string `json:"order_id"`
	}
	if err := json.Unmarshal(rec.Value, &value); err != nil {
		return fmt.Errorf("record with key %s: value: %v: %.300s", rec.Key, err, line)
	}
	if want := fmt.Sprintf("ord-%08d", i%benchValues); value.OrderID != want {
		return fmt.Errorf("record with key %s decoded with order_id %q, want %q: %.300s", rec.Key, value.OrderID, want, line)
	}
	return nil
}

// BenchmarkConsumeJSON measures `edactl consume orders -o json` reading
// every record, with Avro decoding through the registry and with --raw.
// It fails unless every record is printed, as Avro decoded through the
// registry ("value_encoding":"avro") or, with --raw, as the framed bytes
// in base64 ("value_encoding":"base64"), and every sampled line holds the
// seeded record (decoded: the value encoded for its key).
//
// avro and raw time each mode on its own; avro-vs-raw alternates a raw
// and a decoding read in each iteration, so that both see the same load on
// a shared machine, and reports their rates and decoded/raw, the ratio the
// decoding path is held to (at least 0.9), by wall time and by CPU time.
func BenchmarkConsumeJSON(b *testing.B) {
	e := setupConsumeBench(b)
	// One untimed read first: the first read of a process pays for growing
	// the heap and warms the broker, which would otherwise be charged to
	// whichever mode runs first.
	if _, err := consumeRead(e, "raw"); err != nil {
		b.Fatalf("warm-up read: %v", err)
	}
	for _, mode := range []string{"avro", "raw"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			var elapsed, cpu time.Duration
			ops := 0
			for b.Loop() {
				cpu0 := testenv.CPUTime(b)
				d, err := consumeRead(e, mode)
				if err != nil {
					b.Fatal(err)
				}
				elapsed += d
				cpu += testenv.CPUTime(b) - cpu0
				ops++
			}
			b.ReportMetric(float64(e.records)*float64(ops)/elapsed.Seconds(), "records/s")
			// CPU edactl used (all its goroutines) per record: the
			// broker's work is in the other process.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(e.records*ops), "cpu-ns/record")
		})
	}
	b.Run("avro-vs-raw", func(b *testing.B) {
		var elapsed, cpu [2]time.Duration // raw, avro
		ops := 0
		for b.Loop() {
			for k := range 2 {
				// Alternate which mode goes first.
				m := (k + ops) % 2
				cpu0 := testenv.CPUTime(b)
				d, err := consumeRead(e, []string{"raw", "avro"}[m])
				if err != nil {
					b.Fatal(err)
				}
				elapsed[m] += d
				cpu[m] += testenv.CPUTime(b) - cpu0
			}
			ops++
		}
		n := float64(e.records) * float64(ops)
		raw, avro := n/elapsed[0].Seconds(), n/elapsed[1].Seconds()
		b.ReportMetric(raw, "raw-records/s")
		b.ReportMetric(avro, "avro-records/s")
		b.ReportMetric(avro/raw, "avro/raw")
		b.ReportMetric(float64(cpu[0].Nanoseconds())/n, "raw-cpu-ns/record")
		b.ReportMetric(float64(cpu[1].Nanoseconds())/n, "avro-cpu-ns/record")
		// The same ratio by CPU time (records per CPU second, decoded
		// over raw): on a shared machine it holds stiller than wall time.
		b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "avro/raw-by-cpu")
	})
}

// consumeRead runs `edactl consume orders -o json` in mode "avro"
// (decoding through the registry) or "raw" (--raw) over the seeded topic
// and returns how long it took, or an error unless the output is every
// record, with the value's encoding of the mode and, sampled, the seeded
// values.
func consumeRead(e benchEnv, mode string) (time.Duration, error) {
	out := &jsonLines{want: fmt.Appendf(nil, `,"value_encoding":"avro","value_schema":{"id":%d,"subject":"orders-value","version":1}}`, e.schemaID), decoded: true}
	args := []string{"consume", "orders", "-o", "json", "--brokers", e.brokers, "--registry", e.registry}
	if mode == "raw" {
		out = &jsonLines{want: []byte(`,"value_encoding":"base64"}`)}
		args = append(args, "--raw")
	}
	var errb bytes.Buffer
	start := time.Now()
	if code := Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: out, Err: &errb}, nil); code != 0 {
		return 0, fmt.Errorf("%s: exit %d: %s", mode, code, errb.String())
	}
	d := time.Since(start)
	return d, out.check(e.records, mode == "avro")
}

func setupTraceBench(b *testing.B) benchEnv {
	e := &benchEnv{}
	func() {
		e.brokers = testenv.KfakeProcess(b).Addr
		e.records = 250_000
		ctx := context.Background()
		now := time.Now()
		start := time.Now()
		for ti, topic := range traceTopics() {
			// Every record belongs to some flow; flow "flow-hit" has one
			// record per topic, spread through the log.
			err := seed(ctx, e.brokers, topic, 8, e.records, func(i int, r *kgo.Record) {
				r.Key = fmt.Appendf(nil, "k%d", i%10_000)
				r.Value = fmt.Appendf(nil, `{"n":%d}`, i)
				r.Timestamp = now.Add(-30 * time.Minute).Add(time.Duration(i) * time.Millisecond)
				flow := fmt.Sprintf("flow-%d", i)
				if i == traceHit(ti) {
					flow = "flow-hit"
				}
				r.Headers = []kgo.RecordHeader{
					{Key: "ce_id", Value: fmt.Appendf(nil, "%s-%d", topic, i)},
					{Key: "ce_correlationid", Value: []byte(flow)},
					{Key: "ce_type", Value: []byte("shop." + topic)},
				}
			})
			if err != nil {
				e.err = err
				return
			}
		}
		fmt.Fprintf(os.Stderr, "seeded 4 × %d records in %s\n", e.records, time.Since(start).Round(time.Millisecond))
	}()
	if e.err != nil {
		b.Fatal(e.err)
	}
	return *e
}

// traceTopics are the topics BenchmarkTrace scans; the flow it finds has
// one record in each: the traceHit(topic index)th of the topic.
func traceTopics() []string { return []string{"orders", "payments", "inventory", "shipping"} }

// traceHit is the index, among its topic's seeded records, of the flow's
// record in topic ti.
func traceHit(ti int) int { return 1000 + ti*50_000 }

// BenchmarkTrace measures `edactl trace --raw` over 4 topics × 250,000
// records (the last hour) finding the 4 records of one flow. It fails
// unless the trace scanned every record and found exactly the flow's
// records, matched by their correlation id, with their JSON values.
func BenchmarkTrace(b *testing.B) {
	e := setupTraceBench(b)
	b.ReportAllocs()
	var elapsed time.Duration
	ops := 0
	for b.Loop() {
		start := time.Now()
		var out, errb bytes.Buffer
		args := []string{"trace", "flow-hit", "--since", "1h", "-o", "json", "--brokers", e.brokers, "--raw"}
		if code := Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, nil); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		var g traceGraph
		if err := json.Unmarshal(out.Bytes(), &g); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		ops++
		g.check(b, 4*int64(e.records))
	}
	b.ReportMetric(float64(4*e.records*ops)/elapsed.Seconds(), "records/s")
}

// traceGraph is the part of `edactl trace -o json` BenchmarkTrace checks.
type traceGraph struct {
	Scanned int64 `json:"scanned"`
	Nodes   []struct {
		MatchedBy string `json:"matched_by"`
		EventID   string `json:"event_id"`
		Record    struct {
			Topic         string          `json:"topic"`
			Value         json.RawMessage `json:"value"`
			ValueEncoding string          `json:"value_encoding"`
		} `json:"record"`
	} `json:"nodes"`
}

func (g *traceGraph) check(b *testing.B, scanned int64) {
	b.Helper()
	topics := traceTopics()
	if len(g.Nodes) != len(topics) || g.Scanned != scanned {
		b.Fatalf("found %d hits scanning %d records, want %d hits in %d", len(g.Nodes), g.Scanned, len(topics), scanned)
	}
	found := map[string]bool{}
	for _, n := range g.Nodes {
		ti := slices.Index(topics, n.Record.Topic)
		if ti < 0 || found[n.Record.Topic] {
			b.Fatalf("hit in topic %q: want one in each of %v", n.Record.Topic, topics)
		}
		found[n.Record.Topic] = true
		i := traceHit(ti)
		if want := fmt.Sprintf("%s-%d", n.Record.Topic, i); n.EventID != want || n.MatchedBy != "ce_correlationid" {
			b.Fatalf("hit %s matched by %q, want %s matched by ce_correlationid", n.EventID, n.MatchedBy, want)
		}
		var value bytes.Buffer
		if err := json.Compact(&value, n.Record.Value); err != nil {
			b.Fatalf("hit %s: value: %v", n.EventID, err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); n.Record.ValueEncoding != "json" || value.String() != want {
			b.Fatalf("hit %s has value %s (%s), want %s (json)", n.EventID, value.String(), n.Record.ValueEncoding, want)
		}
	}
}
