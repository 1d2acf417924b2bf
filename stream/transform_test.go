package stream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

// orderVersions registers the sample catalogue's orders/order v1..v3 under
// subject and returns their ids.
func orderVersions(t testing.TB, reg *testRegistry, subject string) []int {
	t.Helper()
	var ids []int
	for v := 1; v <= 3; v++ {
		text, err := fs.ReadFile(examples.FS(), fmt.Sprintf("schemas/orders/order/v%d.avsc", v))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, reg.register(t, subject, string(text)))
	}
	return ids
}

// orderJSON is an order in the JSON form of version v (1..3).
func orderJSON(i, v int) string {
	statuses := []string{"PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "RETURNED"}
	status := statuses[i%len(statuses)]
	if v == 1 && (status == "DELIVERED" || status == "RETURNED") {
		status = "CANCELLED"
	}
	if v == 2 && status == "RETURNED" {
		status = "SHIPPED"
	}
	js := fmt.Sprintf(`{"orderId":"o-%d","customerId":"c-%d","status":%q,"totalCents":%d,"updatedAt":%d`, i, i%7, status, 100*i, 1714560000000+int64(i))
	if v >= 2 {
		js += fmt.Sprintf(`,"itemCount":%d`, i%5+1)
	}
	if v >= 3 {
		js += fmt.Sprintf(`,"trackingNumber":"tn%d"`, i)
	}
	return js + "}"
}

// transformRun runs Transform with fresh group and producer clients.
func (tc *testCluster) transform(t testing.TB, reg *serde.Registry, opts TransformOptions) (TransformResult, error) {
	t.Helper()
	if opts.Group == "" {
		opts.Group = "g-" + opts.Target
	}
	consumer := tc.newClient(TransformGroupOpts(opts.Group, opts.Source, opts.From, time.Now())...)
	producer := tc.newClient(TransformProducerOpts(opts.Target, opts.Repartition)...)
	c, err := New(WithAdmin(tc.admin), WithConsumer(consumer), WithProducer(producer), WithRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	return c.Transform(ctxT(t), opts)
}

// readAll reads every record of topic from the start until n arrived.
func (tc *testCluster) readAll(t testing.TB, topic string, n int) []*kgo.Record {
	t.Helper()
	cl := tc.newClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	ctx := ctxT(t)
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s: %d of %d records arrived", topic, len(out), n)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				out = append(out, r)
			}
		})
	}
	return out
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// TestTransformMixedVersions: records of v1, v2 and v3 of orders/order are
// upcast to the latest and downcast to v1, each keeping its key, headers,
// timestamp and partition, its value what Avro resolution makes of it, and
// the group's offsets committed at the end.
func TestTransformMixedVersions(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 3, "orders.latest": 3, "orders.v1": 3})
	reg := startRegistry(t)
	ids := orderVersions(t, reg, "orders-value")
	sreg := reg.serde()
	prod := tc.newClient(manual())
	const n = 60
	var sent []*kgo.Record
	for i := range n {
		v := i%3 + 1
		r := &kgo.Record{Topic: "orders", Partition: int32(i % 3), Key: []byte("o-" + strconv.Itoa(i)),
			Value: reg.encode(t, ids[v-1], orderJSON(i, v)), Timestamp: time.UnixMilli(1714560000000 + int64(i)),
			Headers: []kgo.RecordHeader{{Key: "trace", Value: []byte("t" + strconv.Itoa(i))}}}
		sent = append(sent, r)
	}
	if err := prod.ProduceSync(ctxT(t), sent...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	bySource := map[string]*kgo.Record{}
	for _, r := range sent {
		bySource[string(r.Key)] = r
	}

	for _, c := range []struct {
		target  string
		version int
		id      int
		check   string // a field of the JSON form of o-0, written with v1
	}{
		{"orders.latest", -1, ids[2], `"itemCount":0`},
		{"orders.v1", 1, ids[0], `"status":"PENDING"`},
	} {
		t.Run(c.target, func(t *testing.T) {
			res, err := tc.transform(t, sreg, TransformOptions{Source: "orders", Target: c.target, Subject: "orders-value", Version: c.version, Once: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Read != n || res.Written != n || res.DeadLettered != 0 {
				t.Fatalf("result %+v, want %d read and written", res, n)
			}
			target, err := sreg.SchemaByID(context.Background(), c.id)
			if err != nil {
				t.Fatal(err)
			}
			got := tc.readAll(t, c.target, n)
			if len(got) != n {
				t.Fatalf("%d records in %s, want %d", len(got), c.target, n)
			}
			for _, r := range got {
				src := bySource[string(r.Key)]
				if src == nil {
					t.Fatalf("unexpected key %q", r.Key)
				}
				if r.Partition != src.Partition || !r.Timestamp.Equal(src.Timestamp) || header(r, "trace") != header(src, "trace") || len(r.Headers) != 1 {
					t.Fatalf("record %s: partition %d, timestamp %v, headers %v; source had %d, %v, %v", r.Key, r.Partition, r.Timestamp, r.Headers, src.Partition, src.Timestamp, src.Headers)
				}
				id, body, err := serde.ParseHeader(r.Value)
				if err != nil || id != c.id {
					t.Fatalf("record %s: schema id %d (%v), want %d", r.Key, id, err, c.id)
				}
				// The value is what resolution makes of the source value.
				sid, sbody, _ := serde.ParseHeader(src.Value)
				ws, _ := sreg.SchemaByID(context.Background(), sid)
				rs, err := serde.NewResolver(ws.Avro, target.Avro)
				if err != nil {
					t.Fatal(err)
				}
				want, err := rs.Append(nil, sbody)
				if err != nil || string(want) != string(body) {
					t.Fatalf("record %s: value %x, resolution gives %x (%v)", r.Key, body, want, err)
				}
				if string(r.Key) == "o-0" {
					js, err := avrojson.AppendJSON(nil, target.Avro, body)
					if err != nil || !strings.Contains(string(js), c.check) {
						t.Fatalf("o-0 in %s: %s (%v), want %s", c.target, js, err, c.check)
					}
				}
			}
			offs, err := kadm.NewClient(tc.admin).FetchOffsets(ctxT(t), "g-"+c.target)
			if err != nil {
				t.Fatal(err)
			}
			for p := int32(0); p < 3; p++ {
				if o, ok := offs.Lookup("orders", p); !ok || o.At != n/3 {
					t.Errorf("group offset of orders/%d: %+v, want %d", p, o, n/3)
				}
			}
			// A second run with the same group has nothing left to do.
			again, err := tc.transform(t, sreg, TransformOptions{Source: "orders", Target: c.target, Subject: "orders-value", Version: c.version, Once: true})
			if err != nil || again.Read != 0 {
				t.Fatalf("second run: %+v, %v; want nothing read", again, err)
			}
		})
	}
}

// TestTransformDeadLetters: garbage and an unknown schema id go to the DLQ
// with the original bytes and the edactl headers; without a DLQ, Transform
// stops at the first and names it, having committed what came before.
func TestTransformDeadLetters(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"in": 1, "out": 1, "dlq": 1, "out2": 1})
	reg := startRegistry(t)
	ids := orderVersions(t, reg, "in-value")
	sreg := reg.serde()
	unknown := serde.AppendHeader(nil, 99999)
	unknown = append(unknown, 2, 'x')
	recs := []*kgo.Record{
		{Topic: "in", Key: []byte("a"), Value: reg.encode(t, ids[0], orderJSON(1, 1))},
		{Topic: "in", Key: []byte("b"), Value: []byte("not avro at all"), Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}},
		{Topic: "in", Key: []byte("c"), Value: unknown},
		{Topic: "in", Key: []byte("d"), Value: nil}, // a tombstone passes
		{Topic: "in", Key: []byte("e"), Value: reg.encode(t, ids[1], orderJSON(2, 2))},
	}
	tc.produce(recs...)

	res, err := tc.transform(t, sreg, TransformOptions{Source: "in", Target: "out", Subject: "in-value", DLQ: "dlq", Once: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 5 || res.Written != 3 || res.DeadLettered != 2 {
		t.Fatalf("result %+v, want 5 read, 3 written, 2 dead-lettered", res)
	}
	dead := tc.readAll(t, "dlq", 2)
	for i, want := range []struct{ key, err string }{{"b", "not a framed record"}, {"c", "unknown schema id"}} {
		r := dead[i]
		src := recs[i+1]
		if string(r.Key) != want.key || string(r.Value) != string(src.Value) {
			t.Fatalf("dlq #%d: key %q value %q, want the original record %q", i, r.Key, r.Value, want.key)
		}
		if !strings.Contains(header(r, HeaderError), want.err) || header(r, HeaderSourceTopic) != "in" ||
			header(r, HeaderSourcePartition) != "0" || header(r, HeaderSourceOffset) != strconv.Itoa(i+1) {
			t.Fatalf("dlq #%d headers %v", i, r.Headers)
		}
	}
	if header(dead[0], "h") != "v" {
		t.Errorf("the original headers are lost: %v", dead[0].Headers)
	}
	out := tc.readAll(t, "out", 3)
	if string(out[1].Key) != "d" || out[1].Value != nil {
		t.Errorf("the tombstone became %q=%q", out[1].Key, out[1].Value)
	}

	// Without a DLQ: stop at offset 1, after committing offset 0.
	_, err = tc.transform(t, sreg, TransformOptions{Source: "in", Target: "out2", Subject: "in-value", Group: "g2", Once: true})
	if !errors.Is(err, ErrUntransformable) || !strings.Contains(err.Error(), "in/0@1") {
		t.Fatalf("err %v, want ErrUntransformable naming in/0@1", err)
	}
	offs, err := kadm.NewClient(tc.admin).FetchOffsets(ctxT(t), "g2")
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := offs.Lookup("in", 0); !ok || o.At != 1 {
		t.Fatalf("group g2 committed %+v, want offset 1", o)
	}
	if got := tc.readAll(t, "out2", 1); string(got[0].Key) != "a" {
		t.Fatalf("out2 got %q", got[0].Key)
	}
}

// TestTransformChecksPartitions: a target with another partition count is
// refused unless the output is repartitioned by key.
func TestTransformChecksPartitions(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"in": 3, "out": 2})
	reg := startRegistry(t)
	ids := orderVersions(t, reg, "in-value")
	tc.produce(&kgo.Record{Topic: "in", Key: []byte("k"), Value: reg.encode(t, ids[2], orderJSON(3, 3))})
	_, err := tc.transform(t, reg.serde(), TransformOptions{Source: "in", Target: "out", Subject: "in-value", Once: true})
	if err == nil || !strings.Contains(err.Error(), "in has 3 partition(s) and out 2") {
		t.Fatalf("err %v", err)
	}
	res, err := tc.transform(t, reg.serde(), TransformOptions{Source: "in", Target: "out", Subject: "in-value", Once: true, Repartition: true})
	if err != nil || res.Written != 1 {
		t.Fatalf("with repartition: %+v, %v", res, err)
	}
	// A missing target is an error, or, with Create, made like the source.
	if _, err := tc.transform(t, reg.serde(), TransformOptions{Source: "in", Target: "new", Subject: "in-value", Once: true}); !errors.Is(err, ErrUnknownTopic) {
		t.Fatalf("missing target: %v, want ErrUnknownTopic", err)
	}
	if res, err := tc.transform(t, reg.serde(), TransformOptions{Source: "in", Target: "new", DLQ: "new.dlq", Subject: "in-value", Once: true, Create: true}); err != nil || res.Written != 1 {
		t.Fatalf("with Create: %+v, %v", res, err)
	}
	tds, err := kadm.NewClient(tc.newClient()).ListTopics(ctxT(t), "new", "new.dlq") // a client without metadata cached
	if err != nil || len(tds["new"].Partitions) != 3 || len(tds["new.dlq"].Partitions) != 3 {
		t.Fatalf("created topics %+v (%v), want 3 partitions each", tds, err)
	}
}

// TestTransformKeys: with KeySubject, keys in the wire format are
// re-encoded into the key subject's latest version; without it they are
// copied as they are.
func TestTransformKeys(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"in": 1, "out": 1, "out2": 1})
	reg := startRegistry(t)
	ids := orderVersions(t, reg, "in-value")
	k1 := reg.register(t, "in-key", `{"type":"record","name":"OrderKey","namespace":"shop","fields":[{"name":"id","type":"string"}]}`)
	k2 := reg.register(t, "in-key", `{"type":"record","name":"OrderKey","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"region","type":"string","default":"eu"}]}`)
	key := reg.encode(t, k1, `{"id":"o-1"}`)
	tc.produce(&kgo.Record{Topic: "in", Key: key, Value: reg.encode(t, ids[0], orderJSON(1, 1))})
	sreg := reg.serde()
	if _, err := tc.transform(t, sreg, TransformOptions{Source: "in", Target: "out", Subject: "in-value", KeySubject: "in-key", Once: true}); err != nil {
		t.Fatal(err)
	}
	got := tc.readAll(t, "out", 1)[0]
	id, body, err := serde.ParseHeader(got.Key)
	if err != nil || id != k2 {
		t.Fatalf("key schema id %d (%v), want %d", id, err, k2)
	}
	s, _ := sreg.SchemaByID(context.Background(), k2)
	js, err := avrojson.AppendJSON(nil, s.Avro, body)
	if err != nil || string(js) != `{"id":"o-1","region":"eu"}` {
		t.Fatalf("key %s (%v)", js, err)
	}
	if _, err := tc.transform(t, sreg, TransformOptions{Source: "in", Target: "out2", Subject: "in-value", Once: true}); err != nil {
		t.Fatal(err)
	}
	if got := tc.readAll(t, "out2", 1)[0]; string(got.Key) != string(key) {
		t.Fatalf("without KeySubject the key changed: %x, want %x", got.Key, key)
	}
}

// TestTransformStatsMetrics renders the counters for Prometheus.
func TestTransformStatsMetrics(t *testing.T) {
	var s TransformStats
	s.Read.Add(5)
	s.Written.Add(4)
	s.DeadLettered.Add(1)
	s.Lag.Store(7)
	var b strings.Builder
	if err := s.WriteMetrics(&b, "in", "out"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`edactl_transform_records_read_total{source="in",target="out"} 5`,
		`edactl_transform_records_written_total{source="in",target="out"} 4`,
		`edactl_transform_records_dead_lettered_total{source="in",target="out"} 1`,
		`edactl_transform_lag{source="in",target="out"} 7`,
		"# TYPE edactl_transform_lag gauge",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

// TestTransformDowncastPayments downcasts the catalogue's payments/payment-
// captured (a rename with an alias in v2, int → long in v3) to v1, as the
// generated DowncastPaymentCaptured does: the amount follows the alias
// backwards, and an amount that does not fit an int goes to the DLQ naming
// the field.
func TestTransformDowncastPayments(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"pay": 1, "pay.v1": 1, "dlq": 1})
	reg := startRegistry(t)
	var ids []int
	for v := 1; v <= 3; v++ {
		text, err := fs.ReadFile(examples.FS(), fmt.Sprintf("schemas/payments/payment-captured/v%d.avsc", v))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, reg.register(t, "pay-value", string(text)))
	}
	base := `"paymentId":"p","orderId":"o","currency":"EUR","capturedAt":1714560000000`
	tc.produce(
		&kgo.Record{Topic: "pay", Key: []byte("1"), Value: reg.encode(t, ids[0], `{`+base+`,"amountCents":100}`)},
		&kgo.Record{Topic: "pay", Key: []byte("2"), Value: reg.encode(t, ids[1], `{`+base+`,"amountMinor":200,"method":"CARD"}`)},
		&kgo.Record{Topic: "pay", Key: []byte("3"), Value: reg.encode(t, ids[2], `{`+base+`,"amountMinor":300,"method":"PAYPAL","providerReference":"r"}`)},
		&kgo.Record{Topic: "pay", Key: []byte("4"), Value: reg.encode(t, ids[2], `{`+base+`,"amountMinor":9999999999,"method":"CARD","providerReference":null}`)},
	)
	sreg := reg.serde()
	res, err := tc.transform(t, sreg, TransformOptions{Source: "pay", Target: "pay.v1", Subject: "pay-value", Version: 1, DLQ: "dlq", Once: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 3 || res.DeadLettered != 1 {
		t.Fatalf("result %+v, want 3 written and 1 dead-lettered", res)
	}
	v1, _ := sreg.SchemaByID(context.Background(), ids[0])
	for i, r := range tc.readAll(t, "pay.v1", 3) {
		_, body, _ := serde.ParseHeader(r.Value)
		js, err := avrojson.AppendJSON(nil, v1.Avro, body)
		want := fmt.Sprintf(`"amountCents":%d`, 100*(i+1))
		if err != nil || !strings.Contains(string(js), want) {
			t.Fatalf("record %s: %s (%v), want %s", r.Key, js, err, want)
		}
	}
	dead := tc.readAll(t, "dlq", 1)[0]
	if e := header(dead, HeaderError); string(dead.Key) != "4" || !strings.Contains(e, "PaymentCaptured.amountCents") || !strings.Contains(e, "does not fit in an int") {
		t.Fatalf("dead letter %s: %s", dead.Key, e)
	}
}
