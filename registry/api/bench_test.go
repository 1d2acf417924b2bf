package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// loadResult is what one load run measured.
type loadResult struct {
	reqs     int64
	duration time.Duration
	p99      time.Duration
}

func (r loadResult) rate() float64 { return float64(r.reqs) / r.duration.Seconds() }

// load runs GETs against urls (round robin) from `clients` goroutines over
// keep-alive loopback connections for d, and measures throughput and p99.
// Every response must be 200 with the body want holds for its URL (the
// same index), else b fails.
func load(b *testing.B, urls []string, want [][]byte, clients int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var total atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			buf := make([]byte, 4096)
			ls := make([]time.Duration, 0, 1<<16)
			for i := c; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				resp, err := hc.Get(urls[i%len(urls)])
				if err != nil {
					b.Error(err)
					return
				}
				n, err := readBody(resp.Body, buf)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil {
					b.Errorf("GET %s: status %d, %v", urls[i%len(urls)], resp.StatusCode, err)
					return
				}
				if w := want[i%len(want)]; !bytes.Equal(buf[:n], w) {
					b.Errorf("GET %s: body %.100q, want %.100q", urls[i%len(urls)], buf[:n], w)
					return
				}
				ls = append(ls, time.Since(t0))
			}
			lat[c] = ls
			total.Add(int64(len(ls)))
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if b.Failed() {
		b.FailNow()
	}
	all := slices.Concat(lat...)
	if len(all) == 0 {
		b.Fatalf("no request completed in %s", d)
	}
	slices.Sort(all)
	return loadResult{reqs: total.Load(), duration: elapsed, p99: all[len(all)*99/100]}
}

// readBody reads r to its end into buf and returns how much it read; a
// body longer than buf is an error.
func readBody(r io.Reader, buf []byte) (int, error) {
	n := 0
	for {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if n == len(buf) {
			return n, fmt.Errorf("body longer than %d bytes", len(buf))
		}
	}
}

// BenchmarkGetSchemaByID measures GET /schemas/ids/{id} with 1,000 schemas
// and 50 concurrent clients over loopback, next to a bare net/http handler
// returning a body of the same size, measured in the same run. Run with
//
//	go test -run '^$' -bench GetSchemaByID -benchtime 1x ./registry/api/
//
// (each iteration is a fixed-duration load run; EDACTL_BENCH_SECONDS
// overrides the default of 5 seconds per server).
func BenchmarkGetSchemaByID(b *testing.B) {
	ctx := context.Background()
	srv, err := api.Open(ctx, store.NewMemory(), nil, api.WithAccessLog(false))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	// The ids the registry gave, and the body GET /schemas/ids/{id} must
	// answer for each.
	ids := map[int]bool{}
	regURLs := make([]string, 0, 1000)
	regBodies := make([][]byte, 0, 1000)
	for i := range 1000 {
		res, err := srv.Registry.Register(ctx, fmt.Sprintf("bench-%d-value", i), registry.RegisterRequest{
			Schema: fmt.Sprintf(`{"type":"record","name":"Event%d","namespace":"bench","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0.0},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`, i)})
		if err != nil {
			b.Fatal(err)
		}
		if ids[res.ID] {
			b.Fatalf("schema %d got id %d, which an earlier one has", i, res.ID)
		}
		ids[res.ID] = true
		body, err := srv.Registry.SchemaJSON(".", res.ID)
		if err != nil || !bytes.Contains(body, fmt.Appendf(nil, `Event%d\"`, i)) {
			b.Fatalf("schema %d (id %d): no body (%v), or not its own: %s", i, res.ID, err, body)
		}
		regURLs = append(regURLs, fmt.Sprintf("/schemas/ids/%d", res.ID))
		regBodies = append(regBodies, body)
	}
	bodyLen := len(regBodies[len(regBodies)-1])
	bare := bytes.Repeat([]byte{'x'}, bodyLen)
	// Both servers run as real listeners on loopback with the same
	// http.Server settings.
	regTS := newServer(srv.Handler)
	defer regTS.Close()
	bareTS := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		w.Write(bare)
	}))
	defer bareTS.Close()

	d := 5 * time.Second
	if s, err := strconv.Atoi(os.Getenv("EDACTL_BENCH_SECONDS")); err == nil && s > 0 {
		d = time.Duration(s) * time.Second
	}
	bareURLs := make([]string, len(regURLs))
	bareBodies := [][]byte{bare}
	for i, u := range regURLs {
		regURLs[i] = regTS.URL + u
		bareURLs[i] = bareTS.URL + u
	}
	b.ReportAllocs()
	for b.Loop() {
		load(b, bareURLs, bareBodies, 50, time.Second) // warm both up
		load(b, regURLs, regBodies, 50, time.Second)
		// Alternate one-second rounds so that load from elsewhere on the
		// machine hits both alike.
		var bareRes, regRes loadResult
		var bareLat, regLat []time.Duration
		for range int(d / time.Second) {
			r := load(b, bareURLs, bareBodies, 50, time.Second)
			bareRes.reqs, bareRes.duration = bareRes.reqs+r.reqs, bareRes.duration+r.duration
			bareLat = append(bareLat, r.p99)
			r = load(b, regURLs, regBodies, 50, time.Second)
			regRes.reqs, regRes.duration = regRes.reqs+r.reqs, regRes.duration+r.duration
			regLat = append(regLat, r.p99)
		}
		bareRes.p99, regRes.p99 = median(bareLat), median(regLat)
		b.ReportMetric(regRes.rate(), "registry-req/s")
		b.ReportMetric(bareRes.rate(), "bare-req/s")
		b.ReportMetric(100*regRes.rate()/bareRes.rate(), "%-of-bare")
		b.ReportMetric(float64(regRes.p99.Microseconds()), "registry-p99-µs")
		b.ReportMetric(float64(bareRes.p99.Microseconds()), "bare-p99-µs")
		b.Logf("body %d bytes; registry %.0f req/s p99 %v; bare %.0f req/s p99 %v; ratio %.1f%%, p99 ratio %.2f (p99: median over rounds)",
			bodyLen, regRes.rate(), regRes.p99, bareRes.rate(), bareRes.p99, 100*regRes.rate()/bareRes.rate(),
			float64(regRes.p99)/float64(bareRes.p99))
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func newServer(h http.Handler) *httptest.Server {
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ReadHeaderTimeout = api.ReadHeaderTimeout
	ts.Config.IdleTimeout = api.IdleTimeout
	ts.Start()
	return ts
}

// BenchmarkRegister measures durable registrations of new schemas (bolt
// log, fsync per group commit) from 16 concurrent HTTP clients. Each
// iteration is one registration; the schemas/s metric is the throughput.
// It fails unless every registration answered 200 with an id of its own.
// cpu-µs/schema is the process's CPU time per registration (the clients'
// included), which a machine shared with other work disturbs less than the
// rate; EDACTL_BENCH_CPUPROFILE=file profiles the registrations.
//
//	go test -run '^$' -bench '^BenchmarkRegister$' -benchtime 20000x ./registry/api/
func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	log, err := store.OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	var regOpts []registry.Option
	if d, err := time.ParseDuration(os.Getenv("EDACTL_BENCH_COMMIT_DELAY")); err == nil {
		regOpts = append(regOpts, registry.WithCommitDelay(d))
	}
	srv, err := api.Open(ctx, log, regOpts, api.WithAccessLog(false))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ts := newServer(srv.Handler)
	defer ts.Close()
	b.ReportAllocs()
	stopProfile := startBenchProfile(b)
	defer stopProfile()
	cpu0 := testenv.CPUTime(b)
	rate := registerLoad(b, []string{ts.URL})
	cpu := testenv.CPUTime(b) - cpu0
	stopProfile()
	st := srv.Registry.Stats()
	if st.Records < uint64(b.N) {
		b.Fatalf("%d registrations appended %d records to the log", b.N, st.Records)
	}
	b.ReportMetric(rate, "schemas/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/schema")
	b.ReportMetric(float64(st.Records)/float64(max(st.Commits, 1)), "records/commit")
}

// startBenchProfile starts a CPU profile into the file EDACTL_BENCH_CPUPROFILE
// names, if set, and returns what stops it (safe to call twice).
func startBenchProfile(b *testing.B) (stop func()) {
	b.Helper()
	f := os.Getenv("EDACTL_BENCH_CPUPROFILE")
	if f == "" {
		return func() {}
	}
	out, err := os.Create(f)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		b.Fatal(err)
	}
	var once sync.Once
	return func() { once.Do(func() { pprof.StopCPUProfile(); out.Close() }) }
}
