package processor

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/serde"
)

func benchKeys(b *testing.B) int {
	if v, err := strconv.Atoi(os.Getenv("EDACTL_BENCH_KEYS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// BenchmarkJoinTwoInputs is goka's benchmark shape: two 3-partition topics
// of N records each (orders.placed, payments.captured), joined by key
// with the changelog on, at-least-once, one output per key; kfake runs in
// another process. Each round is a new processor (group, changelog) over
// the same inputs, and ends when all N outputs are written. It reports
// input records per second. N is EDACTL_BENCH_KEYS (default 100,000).
func BenchmarkJoinTwoInputs(b *testing.B) {
	n := benchKeys(b)
	e := newE2E(b)
	e.produceTwo(b, n)
	spec := orderSummarySpec(e.reg)
	spec.Inputs = spec.Inputs[:2]
	round := 0
	var total time.Duration
	for b.Loop() {
		round++
		s := spec
		s.Name = fmt.Sprintf("bench-%d", round)
		s.Output = fmt.Sprintf("bench-out-%d", round)
		cfg := DefaultConfig(s.Name)
		cfg.Brokers = []string{e.brokers}
		cfg.Registry = e.registry
		cfg.StateDir = b.TempDir()
		cfg.MetricsAddr = ""
		cfg.Tracing = os.Getenv("EDACTL_BENCH_TRACING") != "off"
		if v, err := strconv.Atoi(os.Getenv("EDACTL_BENCH_POLL")); err == nil {
			cfg.MaxPollRecords = v
		}
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		p, err := New(cfg, s)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- p.Run(ctx) }()
		adm := kadm.NewClient(e.cl)
		for {
			ends, err := adm.ListEndOffsets(context.Background(), s.Output)
			var sum int64
			if err == nil {
				ends.Each(func(o kadm.ListedOffset) { sum += max(o.Offset, 0) })
			}
			if sum >= int64(n) {
				break
			}
			select {
			case err := <-done:
				b.Fatalf("processor stopped: %v", err)
			case <-time.After(5 * time.Millisecond):
			}
		}
		total += time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*n*round)/total.Seconds(), "input-records/s")
}

// BenchmarkCopyBaseline is the baseline for BenchmarkJoinTwoInputs: a
// plain franz-go consume → produce copy of the same 2N records in a
// consumer group, at-least-once (produce, flush, then commit), on the same
// kind of kfake process. It reports input records per second.
func BenchmarkCopyBaseline(b *testing.B) {
	n := benchKeys(b)
	e := newE2E(b)
	e.produceTwo(b, n)
	round := 0
	var total time.Duration
	for b.Loop() {
		round++
		out := fmt.Sprintf("copy-out-%d", round)
		if _, err := kadm.NewClient(e.cl).CreateTopic(context.Background(), 3, 1, nil, out); err != nil {
			b.Fatal(err)
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers), kgo.ConsumerGroup(fmt.Sprintf("copy-%d", round)),
			kgo.ConsumeTopics("orders.placed", "payments.captured"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.DisableAutoCommit(), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.MaxBufferedRecords(1<<20), kgo.ProducerLinger(0))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		start := time.Now()
		copied := 0
		for copied < 2*n {
			fs := cl.PollRecords(ctx, 50000)
			fs.EachRecord(func(r *kgo.Record) {
				cl.Produce(ctx, &kgo.Record{Topic: out, Key: r.Key, Value: r.Value, Partition: r.Partition}, nil)
				copied++
			})
			if err := cl.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
		cl.Close()
	}
	b.ReportMetric(float64(2*n*round)/total.Seconds(), "input-records/s")
}

func (e *e2eEnv) produceTwo(tb testing.TB, n int) {
	ctx := context.Background()
	placed := events.NewOrderPlacedCodec(e.reg, serde.WithAutoRegister())
	paid := events.NewPaymentCapturedCodec(e.reg, serde.WithAutoRegister())
	at := time.UnixMilli(1_780_000_000_000).UTC()
	const chunk = 20_000
	for from := 0; from < n; from += chunk {
		var recs []*kgo.Record
		for i := from; i < min(n, from+chunk); i++ {
			id := orderID(i)
			b1, err := placed.Encode(ctx, &events.OrderPlaced{OrderID: id, CustomerID: "cus", TotalCents: int64(i), PlacedAt: at, Currency: "EUR", Channel: events.OrderPlacedSalesChannelWeb})
			if err != nil {
				tb.Fatal(err)
			}
			b2, err := paid.Encode(ctx, &events.PaymentCaptured{PaymentID: "pay", OrderID: id, AmountMinor: int64(i), Currency: "EUR", CapturedAt: at, Method: events.PaymentCapturedPaymentMethodCard})
			if err != nil {
				tb.Fatal(err)
			}
			recs = append(recs, &kgo.Record{Topic: "orders.placed", Key: []byte(id), Value: b1},
				&kgo.Record{Topic: "payments.captured", Key: []byte(id), Value: b2})
		}
		if err := e.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRestore restores N keys from a changelog of 2N records (every
// key written twice, the catalogue's two-input state), kfake in another
// process, no local snapshot. It reports the keys and records restored
// per second and checks the key count.
func BenchmarkRestore(b *testing.B) {
	n := benchKeys(b)
	e := newE2E(b)
	spec := orderSummarySpec(e.reg)
	spec.Inputs = spec.Inputs[:2]
	spec.Name = "restore"
	adm := kadm.NewClient(e.cl)
	if _, err := adm.CreateTopic(context.Background(), 3, 1, map[string]*string{}, spec.ChangelogTopic()); err != nil {
		b.Fatal(err)
	}
	val := appendChangelog(nil, &entry{raw: [][]byte{make([]byte, 120), make([]byte, 90)}})
	const chunk = 50_000
	for range 2 {
		for from := 0; from < n; from += chunk {
			var recs []*kgo.Record
			for i := from; i < min(n, from+chunk); i++ {
				k := []byte(orderID(i))
				recs = append(recs, &kgo.Record{Topic: spec.ChangelogTopic(), Key: k, Value: val, Partition: PartitionFor(k, 3)})
			}
			if err := e.cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				b.Fatal(err)
			}
		}
	}
	cfg := DefaultConfig(spec.Name)
	cfg.Brokers = []string{e.brokers}
	cfg.StateDir = b.TempDir()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	var took time.Duration
	rounds := 0
	for b.Loop() {
		p, err := New(cfg, spec)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		states, replayed, err := p.restore(context.Background(), []int32{0, 1, 2})
		took += time.Since(start)
		rounds++
		if err != nil {
			b.Fatal(err)
		}
		keys := 0
		for _, st := range states {
			keys += len(st.entries)
		}
		if keys != n || replayed != int64(2*n) {
			b.Fatalf("restored %d keys from %d records, want %d from %d", keys, replayed, n, 2*n)
		}
	}
	b.ReportMetric(took.Seconds()/float64(rounds), "s/restore")
	b.ReportMetric(float64(2*n*rounds)/took.Seconds(), "records/s")
}
