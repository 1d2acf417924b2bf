//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// Benchmarks of the stream commands against a kfake broker running in
// another process (this test binary, re-executed as TestHelperKfakeProcess),
// so the broker's work does not count against edactl's.
//
//	go test ./cmd/edactl -run '^$' -bench 'Consume|Trace' -benchtime 3x
//
// EDACTL_BENCH_RECORDS sets how many records BenchmarkConsumeJSON reads
// (default 1,000,000); BenchmarkTrace always scans 4 topics × 250,000.

// TestHelperKfakeProcess is not a test: the benchmarks run the test binary
// with EDACTL_KFAKE_PROCESS=1 to get a kfake broker in another process. It
// prints "ADDR host:port" and serves until its stdin closes.
func TestHelperKfakeProcess(t *testing.T) {
	if os.Getenv("EDACTL_KFAKE_PROCESS") != "1" {
		t.Skip("helper process for the stream benchmarks")
	}
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Printf("ADDR %s\n", kf.ListenAddrs()[0])
	io.Copy(io.Discard, os.Stdin)
	kf.Close()
	os.Exit(0)
}

// kfakeProcess starts the helper broker process.
func kfakeProcess(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKfakeProcess$")
	cmd.Env = append(os.Environ(), "EDACTL_KFAKE_PROCESS=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			go io.Copy(io.Discard, out)
			return addr
		}
	}
	b.Fatal("kfake helper process did not start")
	return ""
}

// benchEnv is a seeded broker process and registry shared by the benchmarks.
type benchEnv struct {
	brokers  string
	registry string
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
	c, err := newAdmin(cl)
	if err != nil {
		return err
	}
	_, err = c.CreateTopic(ctx, partitions, 1, nil, topic)
	return err
}

// setupConsumeBench starts a broker process and a registry (both closed
// when b ends) and seeds them.
func setupConsumeBench(b *testing.B) benchEnv {
	e := &benchEnv{}
	func() {
		e.brokers = kfakeProcess(b)
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
		s, err := serde.NewRegistry(src).SchemaByID(ctx, ss.ID)
		if err != nil {
			e.err = err
			return
		}
		// 1000 distinct values, cycled.
		values := make([][]byte, 1000)
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

// countingWriter counts lines written.
type countingWriter struct{ lines, bytes int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += int64(bytes.Count(p, []byte{'\n'}))
	w.bytes += int64(len(p))
	return len(p), nil
}

// BenchmarkConsumeJSON measures `edactl consume orders -o json` reading
// every record, with Avro decoding through the registry and with --raw.
func BenchmarkConsumeJSON(b *testing.B) {
	e := setupConsumeBench(b)
	// One untimed read first: the first read of a process pays for growing
	// the heap and warms the broker, which would otherwise be charged to
	// whichever mode runs first.
	var warm bytes.Buffer
	if code := Main(context.Background(), []string{"consume", "orders", "-o", "json", "--raw", "--brokers", e.brokers},
		Stdio{In: strings.NewReader(""), Out: &countingWriter{}, Err: &warm}, nil); code != 0 {
		b.Fatalf("warm-up read: exit %d: %s", code, warm.String())
	}
	for _, mode := range []struct {
		name  string
		extra []string
	}{{"avro", nil}, {"raw", []string{"--raw"}}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			var elapsed, cpu time.Duration
			ops := 0
			for b.Loop() {
				cpu0 := cpuTime()
				out := &countingWriter{}
				var errb bytes.Buffer
				args := append([]string{"consume", "orders", "-o", "json", "--brokers", e.brokers, "--registry", e.registry}, mode.extra...)
				start := time.Now()
				if code := Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: out, Err: &errb}, nil); code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				elapsed += time.Since(start)
				cpu += cpuTime() - cpu0
				ops++
				if out.lines != int64(e.records) {
					b.Fatalf("printed %d records, want %d", out.lines, e.records)
				}
			}
			b.ReportMetric(float64(e.records)*float64(ops)/elapsed.Seconds(), "records/s")
			// CPU edactl used (all its goroutines) per record: the
			// broker's work is in the other process.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(e.records*ops), "cpu-ns/record")
		})
	}
}

func setupTraceBench(b *testing.B) benchEnv {
	e := &benchEnv{}
	func() {
		e.brokers = kfakeProcess(b)
		e.records = 250_000
		ctx := context.Background()
		now := time.Now()
		start := time.Now()
		for ti, topic := range []string{"orders", "payments", "inventory", "shipping"} {
			// Every record belongs to some flow; flow "flow-hit" has one
			// record per topic, spread through the log.
			err := seed(ctx, e.brokers, topic, 8, e.records, func(i int, r *kgo.Record) {
				r.Key = fmt.Appendf(nil, "k%d", i%10_000)
				r.Value = fmt.Appendf(nil, `{"n":%d}`, i)
				r.Timestamp = now.Add(-30 * time.Minute).Add(time.Duration(i) * time.Millisecond)
				flow := fmt.Sprintf("flow-%d", i)
				if i == 1000+ti*50_000 {
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

// BenchmarkTrace measures `edactl trace` over 4 topics × 250,000 records
// (the last hour) finding the 4 records of one flow.
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
		var g struct {
			Scanned int64             `json:"scanned"`
			Nodes   []json.RawMessage `json:"nodes"`
		}
		if err := json.Unmarshal(out.Bytes(), &g); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		ops++
		if len(g.Nodes) != 4 || g.Scanned != 4*int64(e.records) {
			b.Fatalf("found %d hits scanning %d records, want 4 hits in %d", len(g.Nodes), g.Scanned, 4*e.records)
		}
	}
	b.ReportMetric(float64(4*e.records*ops)/elapsed.Seconds(), "records/s")
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func newAdmin(cl *kgo.Client) (*kadm.Client, error) { return kadm.NewClient(cl), nil }
