package processor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/edactl/edactl/serde"
)

// A test event is JSON: {"order":"o-1","sku":"s-1","n":1}.
type testEvent struct {
	Order string `json:"order"`
	SKU   string `json:"sku,omitempty"`
	N     int    `json:"n"`
}

func decodeTest(_ context.Context, b []byte) (any, error) {
	var e testEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	if e.Order == "" {
		return nil, errors.New("no order")
	}
	return &e, nil
}

func testSpec(name string) Spec {
	key := func(v any) string { return v.(*testEvent).Order }
	return Spec{
		Name: name,
		Inputs: []Input{
			{Event: "t/placed", Topic: "placed", Decode: decodeTest, Key: key},
			{Event: "t/paid", Topic: "paid", Decode: decodeTest, Key: key},
			{Event: "t/reserved", Topic: "reserved", Rekey: true, Decode: decodeTest, Key: key},
		},
		Output: "summary",
		Join: func(_ context.Context, key string, vals []any) (any, error) {
			out := map[string]any{"order": key}
			for i, v := range vals {
				if v != nil {
					out[fmt.Sprint(i)] = v.(*testEvent).N
				}
			}
			if vals[1] != nil && vals[1].(*testEvent).N < 0 {
				return nil, errors.New("negative payment")
			}
			return out, nil
		},
		Encode: func(_ context.Context, v any) ([]byte, error) { return json.Marshal(v) },
	}
}

func newCluster(t *testing.T, parts map[string]int32) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl := newClient(t, c)
	for topic, n := range parts {
		if err := createTopic(cl, topic, n); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func createTopic(cl *kgo.Client, topic string, n int32) error {
	ctx := context.Background()
	_, err := kadmNew(cl).CreateTopic(ctx, n, 1, nil, topic)
	return err
}

func newClient(t *testing.T, c *kfake.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...), kgo.MetadataMinAge(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func produceJSON(t *testing.T, cl *kgo.Client, topic, key string, e testEvent) {
	t.Helper()
	b, _ := json.Marshal(e)
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Key: []byte(key), Value: b,
		Headers: []kgo.RecordHeader{{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")},
			{Key: "ce_id", Value: []byte("id-" + topic + "-" + key)}, {Key: "ce_correlationid", Value: []byte(e.Order)}}}).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

type running struct {
	p      *Processor
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		if err := r.err; err != nil {
			t.Fatalf("processor stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("processor did not stop")
	}
}

func start(t *testing.T, c *kfake.Cluster, spec Spec, dir string, mod ...func(*Config)) *running {
	t.Helper()
	cfg := DefaultConfig(spec.Name)
	cfg.Brokers = c.ListenAddrs()
	cfg.StateDir = dir
	cfg.MetricsAddr = ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := New(cfg, spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{p: p, cancel: cancel, done: make(chan struct{})}
	go func() { r.err = p.Run(ctx); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
		}
	})
	return r
}

// collect reads topic from the start until want records per key have
// arrived for every key in keys, or the timeout.
func collect(t *testing.T, c *kfake.Cluster, topic string, until func([]*kgo.Record) bool) []*kgo.Record {
	t.Helper()
	cl := newClient(t, c, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var out []*kgo.Record
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !until(out) {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("reading %s: timed out with %d records", topic, len(out))
		}
		out = append(out, fs.Records()...)
	}
	return out
}

func latestByKey(recs []*kgo.Record) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, r := range recs {
		var v map[string]any
		json.Unmarshal(r.Value, &v)
		m[string(r.Key)] = v
	}
	return m
}

func TestJoinThreeInputsWithRekey(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 3, "paid": 3, "reserved": 2})
	r := start(t, c, testSpec("svc"), t.TempDir())
	cl := newClient(t, c)
	const orders = 50
	for i := range orders {
		o := fmt.Sprintf("o-%d", i)
		produceJSON(t, cl, "placed", o, testEvent{Order: o, N: i})
		produceJSON(t, cl, "reserved", fmt.Sprintf("sku-%d", i%7), testEvent{Order: o, SKU: fmt.Sprintf("sku-%d", i%7), N: 1000 + i})
		if i%10 != 0 { // every tenth order is never paid: no summary
			produceJSON(t, cl, "paid", o, testEvent{Order: o, N: 100 + i})
		}
	}
	recs := collect(t, c, "summary", func(rs []*kgo.Record) bool { return len(latestByKey(rs)) >= orders-orders/10 })
	got := latestByKey(recs)
	for i := range orders {
		o := fmt.Sprintf("o-%d", i)
		v, ok := got[o]
		if i%10 == 0 {
			if ok {
				t.Errorf("%s emitted without a payment: %v", o, v)
			}
			continue
		}
		want := map[string]any{"order": o, "0": float64(i), "1": float64(100 + i), "2": float64(1000 + i)}
		if fmt.Sprint(v) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", o, v, want)
		}
	}
	for _, rec := range recs {
		if want := PartitionFor(rec.Key, 3); rec.Partition != want {
			t.Errorf("output %s in partition %d, murmur2 says %d", rec.Key, rec.Partition, want)
		}
		h := map[string]string{}
		for _, x := range rec.Headers {
			h[x.Key] = string(x.Value)
		}
		if len(rec.Headers) != 3 || !strings.Contains(h["traceparent"], "0af7651916cd43dd8448eb211c80319c") ||
			h["ce_correlationid"] != string(rec.Key) || !strings.HasPrefix(h["ce_causationid"], "id-") {
			t.Errorf("output %s: headers %v, want the input's traceparent and correlation id, and its ce_id as causation", rec.Key, rec.Headers)
		}
	}
	// The re-keyed records went through the repartition topic, keyed by order.
	rep := collect(t, c, "svc-repartition-reserved", func(rs []*kgo.Record) bool { return len(rs) >= orders })
	for _, rec := range rep {
		if !strings.HasPrefix(string(rec.Key), "o-") || rec.Partition != PartitionFor(rec.Key, 3) {
			t.Errorf("repartitioned record key %q partition %d", rec.Key, rec.Partition)
		}
	}
	r.stop(t)
}

func TestDeadLetterAndGoOn(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 2, "paid": 2, "reserved": 2})
	start(t, c, testSpec("dlq"), t.TempDir(), func(c *Config) { c.EmitWhen = EmitAny })
	cl := newClient(t, c)
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "placed", Key: []byte("o-x"), Value: []byte("\x00garbage"),
		Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	produceJSON(t, cl, "placed", "o-wrongkey", testEvent{Order: "o-other"})
	produceJSON(t, cl, "placed", "o-1", testEvent{Order: "o-1", N: 1})
	produceJSON(t, cl, "reserved", "s", testEvent{Order: "o-1", N: 3})
	produceJSON(t, cl, "paid", "o-1", testEvent{Order: "o-1", N: -1}) // the join fails
	produceJSON(t, cl, "paid", "o-1", testEvent{Order: "o-1", N: 2})
	dl := collect(t, c, "dlq.dlq", func(rs []*kgo.Record) bool { return len(rs) >= 3 })
	hdr := func(r *kgo.Record, k string) string {
		for _, h := range r.Headers {
			if h.Key == k {
				return string(h.Value)
			}
		}
		return ""
	}
	byKey := map[string]*kgo.Record{}
	for _, r := range dl {
		byKey[string(r.Key)+"/"+hdr(r, HeaderSourceTopic)] = r
	}
	g := byKey["o-x/placed"]
	if g == nil || string(g.Value) != "\x00garbage" || hdr(g, "h") != "v" || hdr(g, HeaderSourcePartition) == "" || hdr(g, HeaderSourceOffset) != "0" ||
		!strings.Contains(hdr(g, HeaderError), "decode t/placed") {
		t.Errorf("garbage record in the DLQ: %+v", g)
	}
	if w := byKey["o-wrongkey/placed"]; w == nil || !strings.Contains(hdr(w, HeaderError), `not the join key "o-other"`) {
		t.Errorf("mis-keyed record in the DLQ: %+v", w)
	}
	if j := byKey["o-1/paid"]; j == nil || !strings.Contains(hdr(j, HeaderError), "join: negative payment") {
		t.Errorf("failed join in the DLQ: %+v", j)
	}
	out := collect(t, c, "summary", func(rs []*kgo.Record) bool { return len(rs) >= 1 })
	if v := latestByKey(out)["o-1"]; fmt.Sprint(v) != fmt.Sprint(map[string]any{"order": "o-1", "0": 1.0, "1": 2.0, "2": 3.0}) {
		t.Errorf("processing did not go on after the DLQ records: %v", v)
	}
}

func TestPartitionMismatchRefused(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 3, "paid": 2, "reserved": 5})
	cfg := DefaultConfig("mm")
	cfg.Brokers = c.ListenAddrs()
	cfg.MetricsAddr = ""
	cfg.StateDir = t.TempDir()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := Run(ctx, cfg, testSpec("mm"))
	if !errors.Is(err, ErrPartitions) || !strings.Contains(err.Error(), "placed has 3, paid has 2") {
		t.Fatalf("got %v, want ErrPartitions naming both counts", err)
	}

	// An output that exists with another count cannot be repaired either.
	c2 := newCluster(t, map[string]int32{"placed": 3, "paid": 3, "reserved": 5, "summary": 4})
	cfg.Brokers = c2.ListenAddrs()
	err = Run(ctx, cfg, testSpec("mm"))
	if !errors.Is(err, ErrPartitions) || !strings.Contains(err.Error(), "summary has 4") || !strings.Contains(err.Error(), "have 3 partitions") {
		t.Fatalf("got %v, want ErrPartitions naming the output's count", err)
	}
}

func TestRestoreFromChangelogAndCheckpoint(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 2, "paid": 2, "reserved": 2})
	dir := t.TempDir()
	spec := testSpec("rs")
	r := start(t, c, spec, dir)
	cl := newClient(t, c)
	for i := range 20 {
		o := fmt.Sprintf("o-%d", i)
		produceJSON(t, cl, "placed", o, testEvent{Order: o, N: i})
		produceJSON(t, cl, "reserved", "s", testEvent{Order: o, N: 1})
	}
	collect(t, c, "rs-changelog", func(rs []*kgo.Record) bool { return len(latestByKey(rs)) >= 20 && countReserved(rs) >= 20 })
	waitIdle(t, r.p)
	r.stop(t)
	snaps, _ := filepath.Glob(filepath.Join(dir, "rs", "*.state"))
	if len(snaps) != 2 {
		t.Fatalf("snapshots after a clean stop: %v, want one per partition", snaps)
	}

	// A clean restart replays nothing: the checkpoint has it all. The
	// payments then complete every order from the restored state.
	r2 := start(t, c, spec, dir)
	for i := range 20 {
		o := fmt.Sprintf("o-%d", i)
		produceJSON(t, cl, "paid", o, testEvent{Order: o, N: 100})
	}
	out := collect(t, c, "summary", func(rs []*kgo.Record) bool { return len(latestByKey(rs)) >= 20 })
	for k, v := range latestByKey(out) {
		if len(v) != 4 {
			t.Errorf("%s: %v, want all three inputs", k, v)
		}
	}
	if n := r2.p.Replayed(); n != 0 {
		t.Errorf("clean restart replayed %d changelog records, want 0", n)
	}
	waitIdle(t, r2.p)
	r2.stop(t)

	// Without the local state, everything comes back from the changelog.
	os.RemoveAll(dir)
	r3 := start(t, c, spec, dir)
	produceJSON(t, cl, "paid", "o-3", testEvent{Order: "o-3", N: 300})
	out = collect(t, c, "summary", func(rs []*kgo.Record) bool {
		v := latestByKey(rs)["o-3"]
		return v != nil && v["1"] == 300.0
	})
	if v := latestByKey(out)["o-3"]; len(v) != 4 || v["0"] != 3.0 || v["2"] != 1.0 {
		t.Errorf("o-3 after a restore from the changelog: %v", v)
	}
	if n := r3.p.Replayed(); n < 20 {
		t.Errorf("restore without local state replayed %d changelog records, want at least 20 (one per key)", n)
	}
	r3.stop(t)
}

func countReserved(rs []*kgo.Record) int {
	n := 0
	for _, r := range rs {
		e, err := parseChangelog(r.Value, 3)
		if err == nil && e.raw[2] != nil {
			n++
		}
	}
	return n
}

// waitIdle waits until the processor is ready and its consumer group has
// committed everything it read.
func waitIdle(t *testing.T, p *Processor) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !p.Ready() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
}

func TestMurmur2MatchesTheDefaultPartitioner(t *testing.T) {
	c := newCluster(t, map[string]int32{"m": 7})
	cl := newClient(t, c, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	var mu sync.Mutex
	got := map[string]int32{}
	for i := range 200 {
		k := fmt.Sprintf("key-%d-%s", i, strings.Repeat("x", i%9))
		r := &kgo.Record{Topic: "m", Key: []byte(k)}
		if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got[k] = r.Partition
		mu.Unlock()
	}
	for k, p := range got {
		if want := PartitionFor([]byte(k), 7); p != want {
			t.Errorf("%q: franz-go's default partitioner chose %d, PartitionFor %d", k, p, want)
		}
	}
	// Kafka's own test vectors (Utils.murmur2).
	for in, want := range map[string]int32{"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, "abc": 479470107} {
		if got := Murmur2([]byte(in)); got != want {
			t.Errorf("Murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestHealthAndReady(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 1, "paid": 1, "reserved": 1})
	r := start(t, c, testSpec("hr"), t.TempDir())
	srv := httptest.NewServer(r.p.Handler())
	defer srv.Close()
	get := func(path string) int {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/healthz"); got != 200 {
		t.Errorf("/healthz: %d", got)
	}
	waitIdle(t, r.p)
	if got := get("/readyz"); got != 200 {
		t.Errorf("/readyz after restore: %d", got)
	}
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"edactl_processor_ready", "edactl_processor_records_processed_total", "edactl_processor_kafka_"} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

func TestChangelogAndSnapshotEncoding(t *testing.T) {
	e := &entry{raw: [][]byte{[]byte("a"), nil, {}}}
	b := appendChangelog(nil, e)
	got, err := parseChangelog(b, 3)
	if err != nil || string(got.raw[0]) != "a" || got.raw[1] != nil || got.raw[2] == nil || len(got.raw[2]) != 0 {
		t.Fatalf("round trip: %v %q", err, got)
	}
	for _, bad := range [][]byte{nil, {2}, b[:len(b)-1], append(b, 0)} {
		if _, err := parseChangelog(bad, 3); err == nil {
			t.Errorf("parseChangelog(%q) accepted it", bad)
		}
	}
	if _, err := parseChangelog(b, 2); err == nil || !strings.Contains(err.Error(), "holds 3 inputs") {
		t.Errorf("input count mismatch: %v", err)
	}
	dir := t.TempDir()
	ps := newPartState()
	ps.next = 42
	ps.entries["k"] = e
	path := snapshotPath(dir, "x-changelog", 1)
	if err := writeSnapshot(path, ps, 3); err != nil {
		t.Fatal(err)
	}
	back, err := readSnapshot(path, 3)
	if err != nil || back.next != 42 || string(back.entries["k"].raw[0]) != "a" {
		t.Fatalf("snapshot round trip: %v %+v", err, back)
	}
	data, _ := os.ReadFile(path)
	data[len(data)-6] ^= 0xff
	os.WriteFile(path, data, 0o644)
	if _, err := readSnapshot(path, 3); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged snapshot: %v", err)
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"EDACTL_STATE_DIR": "/env", "EDACTL_EMIT_WHEN": "any", "EDACTL_BROKERS": "a:1,b:2"}
	cfg, err := ParseConfig("svc", []string{"--state-dir", "/flag", "--exactly-once"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StateDir != "/flag" || cfg.EmitWhen != EmitAny || !cfg.ExactlyOnce || strings.Join(cfg.Brokers, ";") != "a:1;b:2" || cfg.Group != "svc" {
		t.Errorf("precedence defaults < env < flags: %+v", cfg)
	}
	if _, err := ParseConfig("svc", []string{"--emit-when", "sometimes"}, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "--emit-when") {
		t.Errorf("bad --emit-when: %v", err)
	}
	if _, err := ParseConfig("svc", nil, func(k string) string {
		if k == "EDACTL_EXACTLY_ONCE" {
			return "maybe"
		}
		return ""
	}, io.Discard); err == nil || !strings.Contains(err.Error(), "EDACTL_EXACTLY_ONCE") {
		t.Errorf("bad env: %v", err)
	}
	c := Config{Registry: "http://u:secret@h:1"}
	if strings.Contains(c.String(), "secret") {
		t.Errorf("String prints the password: %s", c.String())
	}
}

func TestTracingNeedsAProvider(t *testing.T) {
	cfg := DefaultConfig("x")
	if tp := cfg.tracerProvider(); tp != nil {
		t.Errorf("no provider installed, got %T", tp)
	}
	cfg.TracerProvider = tracenoop.NewTracerProvider()
	if cfg.tracerProvider() == nil {
		t.Error("a configured provider is not used")
	}
	cfg.Tracing = false
	if cfg.tracerProvider() != nil {
		t.Error("--tracing=false still traces")
	}
}

func TestGroupNamesTheInternalTopics(t *testing.T) {
	cfg := DefaultConfig("svc")
	cfg.Group = "svc-blue"
	p, err := New(cfg, testSpec("svc"))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.spec.ChangelogTopic(); got != "svc-blue-changelog" {
		t.Errorf("changelog of group svc-blue: %s", got)
	}
	if got := p.spec.RepartitionTopic(2); got != "svc-blue-repartition-reserved" {
		t.Errorf("repartition topic of group svc-blue: %s", got)
	}
	cfg.Group = "Bad Group"
	if _, err := New(cfg, testSpec("svc")); err == nil || !strings.Contains(err.Error(), "--group") {
		t.Errorf("a group that cannot name topics: %v", err)
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 1, "paid": 1, "reserved": 1})
	spec := testSpec("retry")
	var mu sync.Mutex
	failures := 0
	inner := spec.Inputs[1].Decode
	spec.Inputs[1].Decode = func(ctx context.Context, b []byte) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if failures < 3 {
			failures++
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return inner(ctx, b)
	}
	r := start(t, c, spec, t.TempDir())
	cl := newClient(t, c)
	produceJSON(t, cl, "placed", "o-1", testEvent{Order: "o-1", N: 1})
	produceJSON(t, cl, "reserved", "s", testEvent{Order: "o-1", N: 3})
	produceJSON(t, cl, "paid", "o-1", testEvent{Order: "o-1", N: 2})
	out := collect(t, c, "summary", func(rs []*kgo.Record) bool { return len(rs) >= 1 })
	if v := latestByKey(out)["o-1"]; len(v) != 4 {
		t.Errorf("after transient decode errors: %v", v)
	}
	if got := testutilCounter(r.p.m.retries); got != 3 {
		t.Errorf("retries counted: %v, want 3", got)
	}
	if dl := r.p.m.dlq["paid"]; testutilCounter(dl) != 0 {
		t.Error("a transient error sent the record to the DLQ")
	}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{&serde.RegistryError{StatusCode: 503}, true},
		{&serde.RegistryError{StatusCode: 404, Code: 40403}, false},
		{fmt.Errorf("x: %w", serde.ErrNotFramed), false},
		{errors.New("join said no"), false},
	} {
		if got := Transient(c.err); got != c.want {
			t.Errorf("Transient(%v) = %v", c.err, got)
		}
	}
}

func testutilCounter(c prometheus.Counter) float64 {
	var m dto.Metric
	c.Write(&m)
	return m.GetCounter().GetValue()
}

// logBuffer collects a processor's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestExactlyOnceThroughRebalances: other members join and leave the
// group while records stream in, so transactions are aborted and the state
// is dropped and restored mid-stream; the read-committed output still has
// exactly one summary per order.
func TestExactlyOnceThroughRebalances(t *testing.T) {
	c := newCluster(t, map[string]int32{"placed": 3, "paid": 3, "reserved": 2})
	logs := &logBuffer{}
	spec := testSpec("eos")
	r := start(t, c, spec, t.TempDir(), func(cfg *Config) {
		cfg.ExactlyOnce = true
		cfg.MaxPollRecords = 20
		cfg.SessionTimeout = 6 * time.Second
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	cl := newClient(t, c)
	const orders = 300
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range orders {
			o := fmt.Sprintf("o-%d", i)
			for _, rec := range []struct{ topic, key string }{{"placed", o}, {"reserved", fmt.Sprintf("sku-%d", i%5)}, {"paid", o}} {
				b, _ := json.Marshal(testEvent{Order: o, N: i})
				cl.Produce(context.Background(), &kgo.Record{Topic: rec.topic, Key: []byte(rec.key), Value: b}, nil)
			}
			if i%20 == 0 {
				cl.Flush(context.Background())
				time.Sleep(20 * time.Millisecond)
			}
		}
		cl.Flush(context.Background())
	}()
	// Two idle members come and go: each join and leave revokes the
	// processor's partitions.
	for range 2 {
		time.Sleep(300 * time.Millisecond)
		other := newClient(t, c, kgo.ConsumerGroup("eos"), kgo.Balancers(kgo.RangeBalancer()),
			kgo.ConsumeTopics("placed", "paid", "reserved", "eos-repartition-reserved"), kgo.DisableAutoCommit(),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		for ctx.Err() == nil {
			other.PollFetches(ctx) // polled, never committed
		}
		cancel()
		other.Close()
	}
	<-done
	cons := newClient(t, c, kgo.ConsumeTopics("summary"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	counts := map[string]int{}
	total := 0
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(counts) < orders {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of %d orders summarised\n%s", len(counts), orders, logs.String())
		}
		for _, rec := range fs.Records() {
			counts[string(rec.Key)]++
			total++
		}
	}
	// Anything late would show up within a moment.
	late, lcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	for late.Err() == nil {
		for _, rec := range cons.PollFetches(late).Records() {
			counts[string(rec.Key)]++
			total++
		}
	}
	lcancel()
	if total != orders {
		t.Errorf("%d summaries for %d orders: duplicates under rebalances", total, orders)
	}
	t.Logf("rebalances: %d revokes, %d aborted transactions (state dropped and restored)",
		strings.Count(logs.String(), "partitions revoked"), strings.Count(logs.String(), "state dropped"))
	r.stop(t)
}
