//go:build unix

package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// BenchmarkTail is the TUI's performance acceptance run: a topic receives
// EDACTL_TAIL_RATE records/s (default 50,000) for EDACTL_TAIL_SECONDS
// (default 30) while the real program (App, every screen, bubbletea's
// event loop and renderer, output discarded) tails it on the Messages
// screen, and a key ("k", "G" in turn) is written to the program's input
// every 100ms.
//
//	go test ./tui -run '^$' -bench Tail -benchtime 1x -timeout 10m
//
// The broker (kfake) and the producer run in a helper process (this test
// binary re-executed by testenv.KfakeProcess, running produceTail), so
// their work and memory do not count against the UI's. The benchmark's
// process holds the UI, the registry it reads schemas from
// (registrytest, in memory) and the benchmark itself; it runs under
// MemoryLimit, as edactl tui does (set GOMEMLIMIT=off to see the
// difference). It reports:
//
//   - key-to-view-{p50,p99,max}-ms: from writing a key to the program's
//     input until the View() that follows the key's Update returns, over
//     every key press (bubbletea calls View after each Update; writing the
//     frame to the terminal, at most 1/60 s later, is not included);
//   - proc-peak-RSS-MiB: the benchmark process's peak resident set size
//     since it started (getrusage; the setup is in it too);
//   - peak-heap-inuse-MiB: the largest Go heap in use, sampled every 100ms
//     during the run;
//   - decoded-rec/s: records the Messages screen's read decoded and handed
//     to the screen during the produce window, per second (the screen keeps
//     the newest 10,000 of them);
//   - produced-rec/s: records the helper's producer had acknowledged by the
//     broker, per second of the window;
//   - proc-cpu-cores: the CPU time of the benchmark process during the
//     window over its wall time.
//
// It fails rather than report when fewer than 90% of the key presses
// reached a View, nothing was decoded, or a record kept on the screen was
// not decoded from Avro through the registry.
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
		b.ReportMetric(res.p50.Seconds()*1000, "key-to-view-p50-ms")
		b.ReportMetric(res.p99.Seconds()*1000, "key-to-view-p99-ms")
		b.ReportMetric(res.max.Seconds()*1000, "key-to-view-max-ms")
		b.ReportMetric(float64(res.peakRSS)/(1<<20), "proc-peak-RSS-MiB")
		b.ReportMetric(float64(res.peakHeap)/(1<<20), "peak-heap-inuse-MiB")
		b.ReportMetric(res.decodedRate, "decoded-rec/s")
		b.ReportMetric(res.producedRate, "produced-rec/s")
		b.ReportMetric(res.cores, "proc-cpu-cores")
		b.Logf("%d records/s produced for %s: %d key presses, key to view p50 %s p99 %s max %s (over 100ms: %d); "+
			"process peak RSS %.1f MiB, peak heap in use %.1f MiB; %.0f records/s decoded for the screen "+
			"(%d in the window, %d by the end; %d dropped from the %d-record buffer); %.2f CPU cores",
			int(res.producedRate), res.elapsed.Round(time.Millisecond), res.keys, res.p50, res.p99, res.max, res.over100,
			float64(res.peakRSS)/(1<<20), float64(res.peakHeap)/(1<<20), res.decodedRate, res.decoded, res.end.read, res.end.dropped,
			res.end.buffer, res.cores)
	}
}

type tailResult struct {
	keys, over100          int
	cores                  float64 // CPU time of the benchmark process over wall time
	p50, p99, max, elapsed time.Duration
	peakRSS, peakHeap      uint64
	decoded                int64 // records decoded for the screen during the window
	decodedRate            float64
	producedRate           float64
	end                    tailStats // the screen's counters at the end of the run
}

// tailStats are the Messages screen's counters, read in the program loop.
type tailStats struct {
	read, dropped  int64 // delivered by the screen's read; evicted from its buffer
	buffer         int   // the buffer's size
	kept, keptAvro int   // rows in the buffer; those whose value was decoded from Avro
	notAvro        string
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
		r.ch <- screenStats(r.m)
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
		cl, err := kgo.NewClient(stream.ClientOpts([]string{h.Addr})...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(cl.Close)
		return cl
	}
	admin := client()
	cluster, _ := stream.New(stream.WithAdmin(admin), stream.WithConsumer(client()), stream.WithRegistry(reg))
	tail, _ := stream.New(stream.WithAdmin(admin), stream.WithConsumer(client()), stream.WithRegistry(reg))
	c := &Common{Styles: newStyles(io.Discard, true), Keys: DefaultGlobalKeys()}
	app := Build(Config{Ctx: ctx, Common: c, Topics: cluster, Groups: cluster, Rewinds: cluster, Tracer: cluster, Tail: tail,
		Registry: NewRegistrySource(reg.Client(), regURL), Brokers: h.Addr, BrokerHealth: admin.Ping,
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
	msgs := app.opts.Screens[1].(*messagesScreen)

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
	stats := func() tailStats {
		ch := make(chan tailStats, 1)
		p.Send(readStats{msgs, ch})
		return <-ch
	}
	before := stats()
	cpu0 := testenv.CPUTime(b)
	start := time.Now()
	h.start(b, d)
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
	cpu := testenv.CPUTime(b) - cpu0
	inWindow := stats()
	produced := h.wait(b)
	time.Sleep(500 * time.Millisecond) // the last keys' views
	end := stats()
	close(stopMem)
	<-memDone
	p.Quit()
	keys.Close()
	<-done

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(samples)
	decoded := inWindow.read - before.read
	res := tailResult{keys: len(samples), elapsed: elapsed, cores: cpu.Seconds() / elapsed.Seconds(), peakRSS: testenv.PeakRSS(b), peakHeap: peakHeap.Load(),
		decoded: decoded, decodedRate: float64(decoded) / elapsed.Seconds(), producedRate: float64(produced) / elapsed.Seconds(), end: end}
	if len(samples) < n*9/10 {
		b.Fatalf("only %d of %d key presses reached the screen", len(samples), n)
	}
	switch {
	case produced == 0:
		b.Fatal("the helper produced nothing")
	case decoded == 0:
		b.Fatalf("the Messages screen decoded none of the %d records produced", produced)
	case end.read > produced:
		b.Fatalf("the Messages screen read %d records of the %d produced", end.read, produced)
	case end.kept == 0 || end.keptAvro != end.kept:
		b.Fatalf("%d of the %d records kept on the screen were decoded from Avro (one was shown as %s)", end.keptAvro, end.kept, end.notAvro)
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
	m  *messagesScreen
	ch chan tailStats
}

// screenStats reads m's counters and looks at every row it keeps; it runs
// in the program loop, which owns m.
func screenStats(m *messagesScreen) tailStats {
	st := tailStats{dropped: m.dropped, buffer: len(m.buf.buf)}
	if m.tail != nil {
		st.read, _ = m.tail.stats()
	}
	for seq := m.buf.first; seq <= m.buf.last(); seq++ {
		rw := m.buf.at(seq)
		st.kept++
		if rw.value.enc == stream.EncAvro && rw.value.schema != nil && rw.value.err == "" {
			st.keptAvro++
		} else if st.notAvro == "" {
			st.notAvro = fmt.Sprintf("%s: %.100s", rw.value.enc, rw.value.json)
		}
	}
	return st
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

// tailProducer is the helper process: a kfake broker and produceTail.
type tailProducer struct{ *testenv.Kfake }

func startTailProducer(b *testing.B, file string, rate int) *tailProducer {
	k := testenv.KfakeProcess(b, testenv.WithKfakeDriver(tailProducerDriver),
		testenv.WithKfakeEnv("EDACTL_TAIL_RECORDS="+file, "EDACTL_TAIL_RATE="+strconv.Itoa(rate)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := k.Await(ctx, "READY"); err != nil {
		b.Fatal(err)
	}
	return &tailProducer{k}
}

// start makes the helper produce for d.
func (h *tailProducer) start(b *testing.B, d time.Duration) {
	if err := h.Send(fmt.Sprintf("RUN %d", d.Milliseconds())); err != nil {
		b.Fatal(err)
	}
}

// wait returns how many records the helper produced.
func (h *tailProducer) wait(b *testing.B) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := h.Await(ctx, "PRODUCED")
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		b.Fatalf("the helper's PRODUCED line: %v", err)
	}
	return n
}
