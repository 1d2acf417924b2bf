package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/registry/api"
)

// BenchmarkWrkSchemaByID compares GET /schemas/ids/{id} of real `edactl
// registry serve` processes (default flags, which log every request, and
// --access-log=false) with a bare net/http server answering the same bytes,
// under wrk (50 keep-alive connections, 2 threads), in interleaved rounds so
// that load from elsewhere on the machine hits every server alike. Run with
//
//	go test -run '^$' -bench WrkSchemaByID -benchtime 1x -timeout 30m ./registry/api/
//
// Environment: EDACTL_WRK_ROUNDS (default 5), EDACTL_WRK_SECONDS per run
// (default 10), EDACTL_BIN (an edactl binary; default: go build ./cmd/edactl).
// It needs wrk on PATH and skips without it. Each edactl process writes its
// log (stderr) into a pipe that the benchmark copies to a file, as a log
// collector (journald, a container runtime) would; EDACTL_WRK_LOG_TO_FILE=1
// gives it the file itself instead.
func BenchmarkWrkSchemaByID(b *testing.B) {
	e := newWrkEnv(b, "ids.lua", wrkScript)
	wrk, rounds, secs, dir, bin, script := e.wrk, e.rounds, e.secs, e.dir, e.bin, e.script

	targets := []*wrkTarget{
		{name: "edactl-default"},
		{name: "edactl-log-off", flags: []string{"--access-log=false"}},
	}
	var bodies [][]byte
	for _, tg := range targets {
		tg.url = startEdactl(b, bin, filepath.Join(dir, tg.name), tg.flags)
		bodies = seedSchemas(b, tg.url, 1000)
	}
	bare := &wrkTarget{name: "bare-net/http", url: startBare(b, bodies)}
	targets = append([]*wrkTarget{bare}, targets...)

	b.ReportAllocs()
	for b.Loop() {
		for _, tg := range targets { // warm up
			runWrk(b, wrk, script, tg.url, 2)
		}
		load0 := loadAvg()
		for r := range rounds {
			// Rotate the order so that no server always runs first.
			for i := range targets {
				tg := targets[(i+r)%len(targets)]
				tg.runs = append(tg.runs, runWrk(b, wrk, script, tg.url, secs))
			}
		}
		load1 := loadAvg()
		bareRate, bareP99 := bare.medians()
		b.Logf("wrk -t2 -c50 -d%ds, %d rounds, interleaved; load average before %s, after %s; GOMAXPROCS %d", secs, rounds, load0, load1, runtime.GOMAXPROCS(0))
		for _, tg := range targets {
			rate, p99 := tg.medians()
			var runs []string
			for _, r := range tg.runs {
				runs = append(runs, fmt.Sprintf("%.0f/%v", r.rate, r.p99.Round(10*time.Microsecond)))
			}
			b.Logf("%-15s median %8.0f req/s (%.2f× bare), p99 %v (%.2f× bare); runs (req/s / p99): %s",
				tg.name, rate, rate/bareRate, p99.Round(10*time.Microsecond), float64(p99)/float64(bareP99), strings.Join(runs, " "))
			b.ReportMetric(rate, tg.name+"-req/s")
			b.ReportMetric(float64(p99.Microseconds()), tg.name+"-p99-µs")
		}
		// Each round's ratio to the bare server's run of the same round:
		// load from elsewhere that hits a whole round cancels out.
		for _, tg := range targets[1:] {
			ratios := make([]float64, rounds)
			var each []string
			for r := range rounds {
				ratios[r] = tg.runs[r].rate / bare.runs[r].rate
				each = append(each, fmt.Sprintf("%.2f", ratios[r]))
			}
			slices.Sort(ratios)
			b.Logf("%-15s per-round ratio to bare: median %.2f; rounds %s", tg.name, ratios[rounds/2], strings.Join(each, " "))
		}
		def, _ := targets[1].medians()
		off, _ := targets[2].medians()
		b.ReportMetric(def/bareRate, "default/bare")
		b.ReportMetric(off/bareRate, "log-off/bare")
	}
}

// wrkScript walks ids 1..1000 round robin.
const wrkScript = `counter = 0
request = function()
  counter = counter % 1000 + 1
  return wrk.format("GET", "/schemas/ids/" .. counter)
end
`

type wrkTarget struct {
	name  string
	flags []string
	url   string
	runs  []wrkRun
}

type wrkRun struct {
	rate float64
	p99  time.Duration
}

func (t *wrkTarget) medians() (float64, time.Duration) {
	rates := make([]float64, len(t.runs))
	p99s := make([]time.Duration, len(t.runs))
	for i, r := range t.runs {
		rates[i], p99s[i] = r.rate, r.p99
	}
	slices.Sort(rates)
	return rates[len(rates)/2], median(p99s)
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99  = regexp.MustCompile(`\n\s+99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkErrs = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)`)
)

// runWrk runs wrk against url for secs seconds and returns its rate and
// p99; any socket error or non-2xx answer fails the benchmark.
func runWrk(b *testing.B, wrk, script, url string, secs int) wrkRun {
	b.Helper()
	out, err := exec.Command(wrk, "-t2", "-c50", fmt.Sprintf("-d%ds", secs), "--latency", "-s", script, url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	if m := wrkErrs.FindSubmatch(out); m != nil {
		b.Fatalf("wrk against %s saw errors:\n%s", url, out)
	}
	rm, pm := wrkRate.FindSubmatch(out), wrkP99.FindSubmatch(out)
	if rm == nil || pm == nil {
		b.Fatalf("cannot read wrk's output:\n%s", out)
	}
	rate, _ := strconv.ParseFloat(string(rm[1]), 64)
	v, _ := strconv.ParseFloat(string(pm[1]), 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(pm[2])]
	return wrkRun{rate: rate, p99: time.Duration(v * float64(unit))}
}

// startEdactl starts `edactl registry serve` on a free loopback port with
// its data and its log (stderr) in dir, and returns its URL once it
// answers /healthz. The process is stopped (SIGINT) on cleanup.
func startEdactl(b *testing.B, bin, dir string, flags []string) string {
	b.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"registry", "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data")}, flags...)...)
	// A pipe, read by a collector that appends to a file, as journald or a
	// container runtime reads a service's stderr.
	cmd.Stderr, cmd.Stdout = logf, logf
	if os.Getenv("EDACTL_WRK_LOG_TO_FILE") == "" {
		cmd.Stderr = struct{ io.Writer }{logf}
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	})
	listening := regexp.MustCompile(`schema registry listening"? url="?(http://[0-9.:]+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(logf.Name())
		if m := listening.FindSubmatch(data); m != nil {
			url := string(m[1])
			resp, err := http.Get(url + "/healthz")
			if err == nil {
				resp.Body.Close()
				return url
			}
			b.Logf("%s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	data, _ := os.ReadFile(logf.Name())
	b.Fatalf("edactl registry serve did not start:\n%s", data)
	return ""
}

// seedSchemas registers n record schemas over HTTP and returns the body of
// GET /schemas/ids/{id} for ids 1..n (index 0 is id 1).
func seedSchemas(b *testing.B, url string, n int) [][]byte {
	b.Helper()
	bodies := make([][]byte, n)
	for i := range n {
		schema := fmt.Sprintf(`{"type":"record","name":"Event%d","namespace":"bench","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0.0},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`, i)
		reqBody := fmt.Sprintf(`{"schema":%q}`, schema)
		resp, err := http.Post(fmt.Sprintf("%s/subjects/bench-%d-value/versions", url, i), "application/vnd.schemaregistry.v1+json", strings.NewReader(reqBody))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("register %d: status %d", i, resp.StatusCode)
		}
	}
	for i := range n {
		resp, err := http.Get(fmt.Sprintf("%s/schemas/ids/%d", url, i+1))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i], _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	return bodies
}

// startBare serves bodies[id-1] at /schemas/ids/{id} from a bare net/http
// handler with the same http.Server timeouts as api.Serve, and returns its
// URL.
func startBare(b *testing.B, bodies [][]byte) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{
		ReadHeaderTimeout: api.ReadHeaderTimeout,
		ReadTimeout:       api.ReadTimeout,
		WriteTimeout:      api.WriteTimeout,
		IdleTimeout:       api.IdleTimeout,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/schemas/ids/"))
			if err != nil || id < 1 || id > len(bodies) {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			w.Write(bodies[id-1])
		}),
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := bytes.Fields(data)
	if len(f) < 3 {
		return "unknown"
	}
	return string(bytes.Join(f[:3], []byte(" ")))
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

// wrkEnv is what the wrk benchmarks share: wrk's path, an edactl binary
// (EDACTL_BIN, or one built into dir), a scratch directory, the Lua script
// written into it, and the rounds and seconds per run (EDACTL_WRK_ROUNDS,
// default 5; EDACTL_WRK_SECONDS, default 10). Without wrk the benchmark
// skips.
type wrkEnv struct {
	wrk, bin, dir, script string
	rounds, secs          int
}

func newWrkEnv(b *testing.B, scriptName, script string) wrkEnv {
	b.Helper()
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed")
	}
	e := wrkEnv{wrk: wrk, dir: b.TempDir(), rounds: envInt("EDACTL_WRK_ROUNDS", 5), secs: envInt("EDACTL_WRK_SECONDS", 10)}
	e.bin = os.Getenv("EDACTL_BIN")
	if e.bin == "" {
		e.bin = filepath.Join(e.dir, "edactl")
		build := exec.Command("go", "build", "-o", e.bin, "github.com/edactl/edactl/cmd/edactl")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			b.Fatalf("go build ./cmd/edactl: %v", err)
		}
	}
	e.script = filepath.Join(e.dir, scriptName)
	if err := os.WriteFile(e.script, []byte(script), 0o600); err != nil {
		b.Fatal(err)
	}
	return e
}
