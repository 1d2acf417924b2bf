package processor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// childEnv makes the test binary, run again, a processor process: the
// catalogue's order summary, with the flags in the variable's value
// (separated by spaces).
const childEnv = "EDACTL_TEST_PROCESSOR_CHILD"

func TestMain(m *testing.M) {
	testenv.MaybeServeKfake(nil)
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(strings.Fields(args)))
	}
	os.Exit(m.Run())
}

func runChild(args []string) int {
	ctx, stop := signalContext()
	defer stop()
	cfg, err := ParseConfig("order-summary", args, os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	reg, err := cfg.NewRegistry()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := Run(ctx, cfg, orderSummarySpec(reg)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signalNotify(ch)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// orderSummarySpec is what `edactl gen processor order-summary` generates
// for the catalogue (see codegen's processor tests), over the golden
// event types.
func orderSummarySpec(reg *serde.Registry) Spec {
	placed, paid, reserved := events.NewOrderPlacedCodec(reg), events.NewPaymentCapturedCodec(reg), events.NewStockReservedCodec(reg)
	out := events.NewOrderSummaryCodec(reg)
	return Spec{
		Name: "order-summary",
		Inputs: []Input{
			{Event: "orders/order-placed", Topic: "orders.placed", Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.OrderPlaced)
				return v, placed.Decode(ctx, b, v)
			}, Key: func(v any) string { return v.(*events.OrderPlaced).OrderID }},
			{Event: "payments/payment-captured", Topic: "payments.captured", Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.PaymentCaptured)
				return v, paid.Decode(ctx, b, v)
			}, Key: func(v any) string { return v.(*events.PaymentCaptured).OrderID }},
			{Event: "inventory/stock-reserved", Topic: "inventory.reserved", Rekey: true, Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.StockReserved)
				return v, reserved.Decode(ctx, b, v)
			}, Key: func(v any) string { return v.(*events.StockReserved).OrderID }},
		},
		Output: "orders.summary",
		Join: func(_ context.Context, key string, vals []any) (any, error) {
			o := &events.OrderSummary{OrderID: key}
			if v, _ := vals[0].(*events.OrderPlaced); v != nil {
				o.CustomerID, o.TotalCents, o.PlacedAt, o.Currency = v.CustomerID, v.TotalCents, v.PlacedAt, v.Currency
			}
			if v, _ := vals[1].(*events.PaymentCaptured); v != nil {
				o.PaymentID, o.AmountMinor, o.CapturedAt = v.PaymentID, v.AmountMinor, v.CapturedAt
			}
			if len(vals) < 3 {
				return o, nil
			}
			if v, _ := vals[2].(*events.StockReserved); v != nil {
				o.ReservationID, o.SKU, o.Quantity, o.Warehouse = v.ReservationID, v.SKU, v.Quantity, v.Warehouse
			}
			return o, nil
		},
		Encode: func(ctx context.Context, v any) ([]byte, error) { return out.Encode(ctx, v.(*events.OrderSummary)) },
	}
}

// child is a processor process.
type child struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder
	done chan struct{}
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, " "))
	pr, pw := io.Pipe()
	c.cmd.Stderr = pw
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			c.mu.Lock()
			c.log.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			if testing.Verbose() {
				fmt.Fprintln(os.Stderr, "child:", sc.Text())
			}
		}
	}()
	go func() { c.cmd.Wait(); pw.Close(); close(c.done) }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

func (c *child) logText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

var replayedRE = regexp.MustCompile(`msg=restored .* replayed=(\d+)`)

func (c *child) replayed() int {
	n := 0
	for _, m := range replayedRE.FindAllStringSubmatch(c.logText(), -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

type e2eEnv struct {
	brokers  string
	registry string
	cl       *kgo.Client
	reg      *serde.Registry
}

func newE2E(t testing.TB) *e2eEnv {
	kf := testenv.KfakeProcess(t)
	srv := registrytest.Start(t, registrytest.InMemory())
	rcl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	e := &e2eEnv{brokers: kf.Addr, registry: srv.URL, reg: serde.NewRegistry(rcl)}
	e.cl, err = kgo.NewClient(kgo.SeedBrokers(kf.Addr), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.cl.Close)
	ctx := context.Background()
	adm := kadm.NewClient(e.cl)
	// The output exists up front (the processor accepts it: same count).
	for topic, n := range map[string]int32{"orders.placed": 3, "payments.captured": 3, "inventory.reserved": 2, "orders.summary": 3} {
		if _, err := adm.CreateTopic(ctx, n, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := events.NewOrderSummaryCodec(e.reg, serde.WithAutoRegister()).ID(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

var skus = []string{"SKU-TEA-001", "SKU-MUG-014", "SKU-KETTLE-2", "SKU-BEANS-1K", "SKU-FILTER-40", "SKU-GRINDER-7", "SKU-CUP-SET"}

func orderID(i int) string { return fmt.Sprintf("order-%04d", i) }

// produceOrders writes orders [from, to): one record on each of the three
// topics per order, the reservation keyed by its sku.
func (e *e2eEnv) produceOrders(from, to int) error {
	ctx := context.Background()
	placed := events.NewOrderPlacedCodec(e.reg, serde.WithAutoRegister())
	paid := events.NewPaymentCapturedCodec(e.reg, serde.WithAutoRegister())
	reserved := events.NewStockReservedCodec(e.reg, serde.WithAutoRegister())
	at := time.UnixMilli(1_780_000_000_000).UTC()
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		id := orderID(i)
		tp := []kgo.RecordHeader{{Key: "traceparent", Value: fmt.Appendf(nil, "00-%032x-%016x-01", i+1, i+1)}}
		b1, err := placed.Encode(ctx, &events.OrderPlaced{OrderID: id, CustomerID: fmt.Sprintf("cus-%d", i), TotalCents: int64(i) * 100,
			PlacedAt: at, Currency: "EUR", Channel: events.OrderPlacedSalesChannelWeb})
		if err != nil {
			return err
		}
		b2, err := paid.Encode(ctx, &events.PaymentCaptured{PaymentID: fmt.Sprintf("pay-%d", i), OrderID: id, AmountMinor: int64(i) * 100,
			Currency: "EUR", CapturedAt: at, Method: events.PaymentCapturedPaymentMethodCard})
		if err != nil {
			return err
		}
		sku := skus[i%len(skus)]
		b3, err := reserved.Encode(ctx, &events.StockReserved{ReservationID: fmt.Sprintf("res-%d", i), OrderID: id, SKU: sku,
			Quantity: int32(i%5 + 1), Warehouse: "AMS-1", Remaining: -1})
		if err != nil {
			return err
		}
		recs = append(recs,
			&kgo.Record{Topic: "orders.placed", Key: []byte(id), Value: b1, Headers: tp},
			&kgo.Record{Topic: "inventory.reserved", Key: []byte(sku), Value: b3, Headers: tp},
			&kgo.Record{Topic: "payments.captured", Key: []byte(id), Value: b2, Headers: tp})
	}
	return e.cl.ProduceSync(ctx, recs...).FirstErr()
}

// summaries reads orders.summary from the start until every order in
// [0, n) has a complete summary, and returns the latest per key and the
// number of records read.
func (e *e2eEnv) summaries(t *testing.T, n int, committed bool, timeout time.Duration) (map[string]*events.OrderSummary, int) {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(e.brokers), kgo.ConsumeTopics("orders.summary"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec := events.NewOrderSummaryCodec(e.reg)
	got := map[string]*events.OrderSummary{}
	total := 0
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("after %v: %d of %d orders summarised", timeout, len(got), n)
		}
		for _, r := range fs.Records() {
			v := new(events.OrderSummary)
			if err := codec.Decode(ctx, r.Value, v); err != nil {
				t.Fatalf("summary at partition %d offset %d: %v", r.Partition, r.Offset, err)
			}
			if string(r.Key) != v.OrderID {
				t.Errorf("summary keyed %q holds order %q", r.Key, v.OrderID)
			}
			total++
			got[v.OrderID] = v
		}
	}
	return got, total
}

func checkSummaries(t *testing.T, got map[string]*events.OrderSummary, n int) {
	t.Helper()
	for i := range n {
		v := got[orderID(i)]
		want := events.OrderSummary{OrderID: orderID(i), CustomerID: fmt.Sprintf("cus-%d", i), TotalCents: int64(i) * 100, Currency: "EUR",
			PaymentID: fmt.Sprintf("pay-%d", i), AmountMinor: int64(i) * 100, ReservationID: fmt.Sprintf("res-%d", i),
			SKU: skus[i%len(skus)], Quantity: int32(i%5 + 1), Warehouse: "AMS-1"}
		if v == nil {
			t.Errorf("%s: no summary", orderID(i))
			continue
		}
		w := want
		w.PlacedAt, w.CapturedAt = v.PlacedAt, v.CapturedAt
		if *v != w || v.PlacedAt.UnixMilli() != 1_780_000_000_000 {
			t.Errorf("%s: got %+v, want %+v", orderID(i), *v, want)
		}
	}
}

// waitSummaries polls until at least n summaries exist (any order).
func (e *e2eEnv) waitEmitted(t *testing.T, n int64) {
	t.Helper()
	adm := kadm.NewClient(e.cl)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ends, err := adm.ListEndOffsets(context.Background(), "orders.summary")
		var sum int64
		if err == nil {
			ends.Each(func(o kadm.ListedOffset) { sum += o.Offset })
		}
		if sum >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("fewer than %d summaries within a minute", n)
}

func killTest(t *testing.T, exactlyOnce bool, extra ...string) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	e := newE2E(t)
	dir := t.TempDir()
	args := []string{"--brokers", e.brokers, "--registry", e.registry, "--state-dir", dir, "--metrics-addr", "127.0.0.1:0",
		"--max-poll-records", "200", "--checkpoint-interval", "1h", "--session-timeout", "6s"}
	if exactlyOnce {
		args = append(args, "--exactly-once")
	}
	args = append(args, extra...) // later flags win
	const orders = 1000
	p1 := startChild(t, args...)
	// The orders arrive in chunks while the processor runs; it is killed
	// once 300 summaries are out, and restarted while orders still arrive.
	produced := make(chan error, 1)
	var sent atomic.Int64
	go func() {
		for from := 0; from < orders; from += 10 {
			if err := e.produceOrders(from, from+10); err != nil {
				produced <- err
				return
			}
			sent.Store(int64(from + 10))
			time.Sleep(10 * time.Millisecond)
		}
		produced <- nil
	}()
	e.waitEmitted(t, 200)
	p1.cmd.Process.Signal(syscall.SIGKILL)
	<-p1.done
	killedAt := sent.Load()
	atKill := changelogEnd(t, e)
	p2 := startChild(t, args...)
	if err := <-produced; err != nil {
		t.Fatal(err)
	}
	if killedAt >= orders {
		t.Errorf("every order was written before the SIGKILL: not mid-stream")
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p2.logText(), "msg=restored") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// A garbage record on an input goes to the DLQ; processing goes on.
	if err := e.cl.ProduceSync(context.Background(), &kgo.Record{Topic: "payments.captured", Key: []byte(orderID(0)), Value: []byte("not avro")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	got, total := e.summaries(t, orders, exactlyOnce, 2*time.Minute)
	checkSummaries(t, got, orders)
	replayed := p2.replayed()
	t.Logf("exactly-once=%v: killed with %d of %d orders written; %d summaries for %d orders (%d duplicates); the restart replayed %d changelog records",
		exactlyOnce, killedAt, orders, total, len(got), total-len(got), replayed)
	t.Logf("the changelog held %d records (transaction markers included) at the SIGKILL", atKill)
	switch {
	case len(extra) > 0 && (replayed == 0 || int64(replayed) >= atKill):
		t.Errorf("with checkpoints the restart replayed %d of the %d changelog records: want some, fewer than all", replayed, atKill)
	case len(extra) == 0 && !exactlyOnce && int64(replayed) != atKill:
		t.Errorf("without a checkpoint the restart replayed %d changelog records, want all %d", replayed, atKill)
	case len(extra) == 0 && exactlyOnce && (replayed == 0 || int64(replayed) > atKill):
		t.Errorf("without a checkpoint the restart replayed %d changelog records, want the committed ones of %d", replayed, atKill)
	}
	if exactlyOnce && total != orders {
		t.Errorf("exactly-once: %d summaries for %d orders: duplicates", total, orders)
	}
	dl := collectDLQ(t, e.brokers, exactlyOnce)
	if string(dl.Value) != "not avro" || header(dl, HeaderSourceTopic) != "payments.captured" || !strings.Contains(header(dl, HeaderError), "decode payments/payment-captured") {
		t.Errorf("DLQ record: %q headers %v", dl.Value, dl.Headers)
	}
	p2.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p2.done:
		if code := p2.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("SIGTERM: exit code %d\n%s", code, p2.logText())
		}
	case <-time.After(30 * time.Second):
		t.Error("SIGTERM: the processor did not stop within 30 s")
	}
	// After a clean stop the restart replays nothing: the checkpoint has it all.
	p3 := startChild(t, args...)
	deadline = time.Now().Add(30 * time.Second)
	for !strings.Contains(p3.logText(), "msg=restored") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := p3.replayed(); n != 0 || !strings.Contains(p3.logText(), "msg=restored") {
		t.Errorf("restart after a clean stop replayed %d changelog records, want 0\n%s", n, p3.logText())
	}
}

func collectDLQ(t *testing.T, brokers string, committed bool) *kgo.Record {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(brokers), kgo.ConsumeTopics("order-summary.dlq"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("no DLQ record")
		}
		if r := fs.Records(); len(r) > 0 {
			return r[0]
		}
	}
}

func header(r *kgo.Record, k string) string {
	for _, h := range r.Headers {
		if h.Key == k {
			return string(h.Value)
		}
	}
	return ""
}

// TestEndToEndPartitionMismatch: a processor process whose inputs keyed
// by the join key have different partition counts exits 1 at start, naming
// them.
func TestEndToEndPartitionMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	kf := testenv.KfakeProcess(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(kf.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for topic, n := range map[string]int32{"orders.placed": 3, "payments.captured": 2, "inventory.reserved": 2} {
		if _, err := adm.CreateTopic(context.Background(), n, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	}
	p := startChild(t, "--brokers", kf.Addr, "--registry", "http://127.0.0.1:1", "--state-dir", t.TempDir(), "--metrics-addr", "127.0.0.1:0")
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the processor did not stop")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(p.logText(), "orders.placed has 3, payments.captured has 2") {
		t.Errorf("exit code %d, want 1 with the counts named:\n%s", code, p.logText())
	}
	if ts, err := adm.ListTopics(context.Background(), "orders.summary", "order-summary-changelog"); err == nil {
		for _, d := range ts {
			if d.Err == nil {
				t.Errorf("a refused processor created %s", d.Topic)
			}
		}
	}
}

func TestEndToEndKillAtLeastOnce(t *testing.T) { killTest(t, false) }

func TestEndToEndKillExactlyOnce(t *testing.T) { killTest(t, true) }

// TestEndToEndKillWithCheckpoints: with a checkpoint every 100 ms the
// restart after the SIGKILL replays only what the last checkpoint lacks.
func TestEndToEndKillWithCheckpoints(t *testing.T) {
	killTest(t, false, "--checkpoint-interval", "100ms")
}

func changelogEnd(t *testing.T, e *e2eEnv) int64 {
	t.Helper()
	ends, err := kadm.NewClient(e.cl).ListEndOffsets(context.Background(), "order-summary-changelog")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}
