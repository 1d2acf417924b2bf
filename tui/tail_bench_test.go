//go:build unix

package tui

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// BenchmarkTail is the TUI's performance acceptance run: a topic receives
// EDACTL_TAIL_RATE records/s (default 50,000) for EDACTL_TAIL_SECONDS
// (default 30) while the real program (App, every screen, bubbletea's
// event loop and renderer) tails it on the Messages screen, and a key is
// pressed every 100ms through the program's input. It reports the key
// round trip (from writing the key to the end of the View() that shows its
// effect), the peak resident memory of the process, and the records per
// second that reached the screen.
//
//	go test ./tui -run '^$' -bench Tail -benchtime 1x -timeout 10m
//
// The broker (kfake) and the producer run in another process (this test
// binary re-executed as TestHelperTailProducer), so their work and memory
// do not count against the UI's. The process runs under MemoryLimit, as
// edactl tui does (set GOMEMLIMIT=off to see the difference).
func BenchmarkTail(b *testing.B) {
	rate := envInt("EDACTL_TAIL_RATE", 50_000)
	seconds := envInt("EDACTL_TAIL_SECONDS", 30)
	if os.Getenv("GOMEMLIMIT") == "" { // as edactl tui does
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit))
	}

	// The registry and realistic records: OrderPlaced values of the demo,
	// encoded with the sample catalogue's schema, with their headers.
	regURL, src := sampleRegistry(b)
	reg := serde.NewRegistry(src)
	file := filepath.Join(b.TempDir(), "records.json")
	if err := writeBenchRecords(reg, file, 2000); err != nil {
		b.Fatal(err)
	}
	h := startTailProducer(b, file, rate)

	for b.Loop() {
		load0 := loadAverage()
		res := runTail(b, h, regURL, reg, time.Duration(seconds)*time.Second)
		b.Logf("machine load average (1 min) %s before, %s after; %d CPUs", load0, loadAverage(), runtime.NumCPU())
		b.ReportMetric(res.p50.Seconds()*1000, "key-p50-ms")
		b.ReportMetric(res.p99.Seconds()*1000, "key-p99-ms")
		b.ReportMetric(res.max.Seconds()*1000, "key-max-ms")
		b.ReportMetric(float64(res.peakRSS)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(res.peakHeap)/(1<<20), "peak-heap-MB")
		b.ReportMetric(res.shownRate, "shown-rec/s")
		b.ReportMetric(res.producedRate, "produced-rec/s")
		b.ReportMetric(res.cores, "cpu-cores")
		b.Logf("%d records/s produced for %s: %d key presses, round trip p50 %s p99 %s max %s (over 100ms: %d); "+
			"peak RSS %.1f MB, peak heap %.1f MB; %.0f records/s reached the screen (%d read, %d dropped from the %d-record buffer); %.2f CPU cores",
			int(res.producedRate), res.elapsed.Round(time.Millisecond), res.keys, res.p50, res.p99, res.max, res.over100,
			float64(res.peakRSS)/(1<<20), float64(res.peakHeap)/(1<<20), res.shownRate, res.read, res.dropped, 10_000, res.cores)
	}
}

type tailResult struct {
	keys, over100          int
	cores                  float64 // CPU time of the UI process over wall time
	p50, p99, max, elapsed time.Duration
	peakRSS, peakHeap      uint64
	shownRate              float64
	producedRate           float64
	read, dropped          int64
}

// latencyProbe wraps the app: the sender queues the time it wrote each
// key; the probe takes it when the key reaches Update and records the round
// trip when the following View() returns.
type latencyProbe struct {
	*App
	mu      *sync.Mutex
	sent    *[]time.Time
	waiting *[]time.Time
	samples *[]time.Duration
}

func (p latencyProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if r, ok := msg.(readStats); ok {
		read, _ := r.m.tail.stats()
		r.ch <- [2]int64{read, r.m.dropped}
		return p, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && (k.String() == "k" || k.String() == "G") {
		p.mu.Lock()
		if len(*p.sent) > 0 {
			*p.waiting = append(*p.waiting, (*p.sent)[0])
			*p.sent = (*p.sent)[1:]
		}
		p.mu.Unlock()
	}
	m, cmd := p.App.Update(msg)
	p.App = m.(*App)
	return p, cmd
}

func (p latencyProbe) View() string {
	v := p.App.View()
	p.mu.Lock()
	now := time.Now()
	for _, t := range *p.waiting {
		*p.samples = append(*p.samples, now.Sub(t))
	}
	*p.waiting = (*p.waiting)[:0]
	p.mu.Unlock()
	return v
}

func runTail(b *testing.B, h *tailProducer, regURL string, reg *serde.Registry, d time.Duration) tailResult {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := func() *kgo.Client {
		cl, err := kgo.NewClient(stream.ClientOpts([]string{h.addr})...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(cl.Close)
		return cl
	}
	admin := client()
	cluster, _ := stream.New(stream.WithAdmin(admin), stream.WithConsumer(client()), stream.WithRegistry(reg))
	tail, _ := stream.New(stream.WithAdmin(admin), stream.WithConsumer(client()), stream.WithRegistry(reg))
	c := &Common{Styles: NewStyles(io.Discard, true), Keys: DefaultGlobalKeys()}
	app := Build(Config{Ctx: ctx, Common: c, Topics: cluster, Groups: cluster, Rewinds: cluster, Tracer: cluster, Tail: tail,
		Registry: NewRegistrySource(reg.Client(), regURL), Brokers: h.addr, BrokerHealth: admin.Ping,
		Messages: MessagesOptions{From: "latest"}, Topic: demo.TopicOrders})
	var mu sync.Mutex
	var sent, waiting []time.Time
	var samples []time.Duration
	probe := latencyProbe{App: app, mu: &mu, sent: &sent, waiting: &waiting, samples: &samples}
	in, keys := io.Pipe()
	p := tea.NewProgram(probe, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithoutSignals())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	msgs := app.opts.Screens[1].(*MessagesScreen)

	// Memory: sampled every 100ms (RSS also as the kernel's peak, VmHWM).
	var peakHeap atomic.Uint64
	stopMem := make(chan struct{})
	memDone := make(chan struct{})
	go func() {
		defer close(memDone)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stopMem:
				return
			case <-t.C:
			}
		}
	}()

	time.Sleep(time.Second) // the tail starts at the end offsets
	cpu0 := cpuTime()
	start := time.Now()
	h.start(d)
	n := 0
	for time.Since(start) < d {
		key := "k"
		if n%2 == 1 {
			key = "G"
		}
		mu.Lock()
		sent = append(sent, time.Now())
		mu.Unlock()
		if _, err := io.WriteString(keys, key); err != nil {
			b.Fatal(err)
		}
		n++
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	produced := h.wait()
	time.Sleep(500 * time.Millisecond) // the last keys' views
	read := make(chan [2]int64, 1)
	p.Send(readStats{msgs, read})
	st := <-read
	close(stopMem)
	<-memDone
	p.Quit()
	keys.Close()
	<-done

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(samples)
	res := tailResult{keys: len(samples), elapsed: elapsed, cores: cpu.Seconds() / elapsed.Seconds(), peakRSS: peakRSS(), peakHeap: peakHeap.Load(),
		read: st[0], dropped: st[1], producedRate: float64(produced) / elapsed.Seconds(), shownRate: float64(st[0]) / elapsed.Seconds()}
	if len(samples) < n*9/10 {
		b.Fatalf("only %d of %d key presses reached the screen", len(samples), n)
	}
	res.p50 = samples[len(samples)/2]
	res.p99 = samples[len(samples)*99/100]
	res.max = samples[len(samples)-1]
	for _, s := range samples {
		if s > 100*time.Millisecond {
			res.over100++
		}
	}
	return res
}

// readStats asks the program loop for the Messages screen's counters.
type readStats struct {
	m  *MessagesScreen
	ch chan [2]int64
}

// loadAverage is the machine's one-minute load average: other work on the
// machine competes with both processes of the benchmark.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set size (VmHWM).
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchRecord is one record the helper producer cycles through.
type benchRecord struct {
	Key     string        `json:"key"`
	Value   []byte        `json:"value"`
	Headers []demo.Header `json:"headers"`
}

func writeBenchRecords(reg *serde.Registry, file string, n int) error {
	g := demo.NewGenerator(1)
	p := demo.NewProducer(nil, reg)
	var recs []benchRecord
	for i := 0; len(recs) < n; i++ {
		f := g.Flow(flowStart.Add(time.Duration(i) * time.Second))
		r, err := p.Record(context.Background(), f.Events[0])
		if err != nil {
			return err
		}
		br := benchRecord{Key: string(r.Key), Value: r.Value}
		for _, h := range r.Headers {
			br.Headers = append(br.Headers, demo.Header{Key: h.Key, Value: string(h.Value)})
		}
		recs = append(recs, br)
	}
	b, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

// tailProducer is the helper process: a kfake broker and a producer.
type tailProducer struct {
	addr  string
	stdin io.WriteCloser
	out   *bufio.Scanner
}

func startTailProducer(b *testing.B, file string, rate int) *tailProducer {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTailProducer$")
	cmd.Env = append(os.Environ(), "EDACTL_TAIL_HELPER=1", "EDACTL_TAIL_RECORDS="+file, "EDACTL_TAIL_RATE="+strconv.Itoa(rate))
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
	h := &tailProducer{stdin: stdin, out: bufio.NewScanner(out)}
	for h.out.Scan() {
		if addr, ok := strings.CutPrefix(h.out.Text(), "ADDR "); ok {
			h.addr = addr
			return h
		}
	}
	b.Fatal("tail producer process did not start")
	return nil
}

// start makes the helper produce for d.
func (h *tailProducer) start(d time.Duration) { fmt.Fprintf(h.stdin, "RUN %d\n", d.Milliseconds()) }

// wait returns how many records the helper produced.
func (h *tailProducer) wait() int64 {
	for h.out.Scan() {
		if s, ok := strings.CutPrefix(h.out.Text(), "PRODUCED "); ok {
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		}
	}
	return 0
}

// TestHelperTailProducer is not a test: BenchmarkTail runs the test binary
// with EDACTL_TAIL_HELPER=1 to get a broker and a paced producer in another
// process. It prints "ADDR host:port", produces at EDACTL_TAIL_RATE for the
// milliseconds each "RUN ms" line on stdin says, then prints "PRODUCED n".
func TestHelperTailProducer(t *testing.T) {
	if os.Getenv("EDACTL_TAIL_HELPER") != "1" {
		t.Skip("helper process for BenchmarkTail")
	}
	var recs []benchRecord
	b, err := os.ReadFile(os.Getenv("EDACTL_TAIL_RECORDS"))
	if err == nil {
		err = json.Unmarshal(b, &recs)
	}
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	rate := envInt("EDACTL_TAIL_RATE", 50_000)
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	defer kf.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kf.ListenAddrs()...), kgo.ProducerLinger(2*time.Millisecond),
		kgo.MaxBufferedRecords(200_000), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	defer cl.Close()
	ctx := context.Background()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 3, 1, nil, demo.TopicOrders); err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Printf("ADDR %s\n", kf.ListenAddrs()[0])
	kr := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		kr[i] = &kgo.Record{Topic: demo.TopicOrders, Key: []byte(r.Key), Value: r.Value}
		for _, h := range r.Headers {
			kr[i].Headers = append(kr[i].Headers, kgo.RecordHeader{Key: h.Key, Value: []byte(h.Value)})
		}
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		ms, ok := strings.CutPrefix(sc.Text(), "RUN ")
		if !ok {
			continue
		}
		d, _ := strconv.Atoi(ms)
		var produced atomic.Int64
		start := time.Now()
		const step = 5 * time.Millisecond
		tick := time.NewTicker(step)
		sent := 0
		for now := time.Now(); now.Sub(start) < time.Duration(d)*time.Millisecond; now = <-tick.C {
			due := int(float64(rate) * now.Sub(start).Seconds())
			for ; sent < due; sent++ {
				src := kr[sent%len(kr)]
				r := &kgo.Record{Topic: src.Topic, Key: src.Key, Value: src.Value, Headers: src.Headers}
				cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
					if err == nil {
						produced.Add(1)
					}
				})
			}
		}
		tick.Stop()
		cl.Flush(ctx)
		fmt.Printf("PRODUCED %d\n", produced.Load())
	}
	os.Exit(0)
}
