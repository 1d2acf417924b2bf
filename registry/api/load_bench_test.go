package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// BenchmarkLoad is the registry's load test: a complete registry as
// `edactl registry serve` runs it (bolt log with fsync, default limits,
// buffered access log to a file, Server.Serve on loopback) with 1,000
// schemas, and 200 keep-alive clients sending reads and 20% writes for a
// fixed time. Reads are 70% GET /schemas/ids/{id}, 20% GET
// /subjects/{s}/versions/latest and 10% lookups (POST /subjects/{s});
// writes register a new version (one more field, with a default) of one of
// the client's subjects, 20 versions per subject. Every answer must be 200;
// any error fails the benchmark. Run with
//
//	go test -run '^$' -bench Load -benchtime 1x ./registry/api/
//
// EDACTL_LOAD_SECONDS sets the duration (default 10; 60 for the full run),
// EDACTL_LOAD_CLIENTS the number of clients (default 200).
func BenchmarkLoad(b *testing.B) {
	secs := envInt("EDACTL_LOAD_SECONDS", 10)
	clients := envInt("EDACTL_LOAD_CLIENTS", 200)
	dir := b.TempDir()
	bolt, err := store.OpenBolt(filepath.Join(dir, "data"))
	if err != nil {
		b.Fatal(err)
	}
	accessLog, err := os.Create(filepath.Join(dir, "access.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer accessLog.Close()
	srv, err := api.Open(context.Background(), bolt, nil, api.WithAccessLogOutput(accessLog, "text"),
		api.WithLogger(slog.New(slog.NewTextHandler(accessLog, nil))))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	const seeded = 1000
	seedSchema := func(i int) string {
		return fmt.Sprintf(`{"type":"record","name":"Event%d","namespace":"load","fields":[{"name":"id","type":"string"},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`, i)
	}
	for i := range seeded {
		if _, err := srv.Registry.Register(context.Background(), fmt.Sprintf("seed-%d-value", i), registry.RegisterRequest{Schema: seedSchema(i)}); err != nil {
			b.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			b.Error(err)
		}
	}()
	url := "http://" + ln.Addr().String()

	b.ReportAllocs()
	for b.Loop() {
		tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
		hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
		var (
			errs     atomic.Int64
			firstErr atomic.Value
			wg       sync.WaitGroup
		)
		reads := make([][]time.Duration, clients)
		writes := make([][]time.Duration, clients)
		fail := func(err error) {
			errs.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
		}
		do := func(method, u, body string) bool {
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, _ := http.NewRequest(method, u, rd)
			if body != "" {
				req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			}
			resp, err := hc.Do(req)
			if err != nil {
				fail(err)
				return false
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				fail(fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, data))
				return false
			}
			return true
		}
		start := time.Now()
		deadline := start.Add(time.Duration(secs) * time.Second)
		for c := range clients {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(c), 1))
				rs := make([]time.Duration, 0, 1<<14)
				ws := make([]time.Duration, 0, 1<<12)
				version := 0
				for time.Now().Before(deadline) {
					t0 := time.Now()
					if rng.IntN(5) == 0 {
						subject, fields := fmt.Sprintf("load-%d-%d-value", c, version/20), version%20
						var extra strings.Builder
						for f := range fields {
							fmt.Fprintf(&extra, `,{"name":"f%d","type":"int","default":%d}`, f, f)
						}
						schema := fmt.Sprintf(`{"type":"record","name":"Load%d","namespace":"load","fields":[{"name":"id","type":"string"}%s]}`, c, extra.String())
						version++
						if !do("POST", url+"/subjects/"+subject+"/versions", fmt.Sprintf(`{"schema":%q}`, schema)) {
							return
						}
						ws = append(ws, time.Since(t0))
						continue
					}
					i := rng.IntN(seeded)
					var okay bool
					switch p := rng.IntN(10); {
					case p < 7:
						okay = do("GET", fmt.Sprintf("%s/schemas/ids/%d", url, i+1), "")
					case p < 9:
						okay = do("GET", fmt.Sprintf("%s/subjects/seed-%d-value/versions/latest", url, i), "")
					default:
						okay = do("POST", fmt.Sprintf("%s/subjects/seed-%d-value", url, i), fmt.Sprintf(`{"schema":%q}`, seedSchema(i)))
					}
					if !okay {
						return
					}
					rs = append(rs, time.Since(t0))
				}
				reads[c], writes[c] = rs, ws
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		tr.CloseIdleConnections()
		if n := errs.Load(); n > 0 {
			b.Fatalf("%d errors; the first: %v", n, firstErr.Load())
		}
		r, w := slices.Concat(reads...), slices.Concat(writes...)
		all := slices.Concat(r, w)
		for _, s := range [][]time.Duration{r, w, all} {
			slices.Sort(s)
		}
		pct := func(s []time.Duration, p float64) time.Duration {
			if len(s) == 0 {
				return 0
			}
			return s[min(len(s)-1, int(float64(len(s))*p))].Round(10 * time.Microsecond)
		}
		st := srv.Registry.Stats()
		b.Logf("%d clients for %v on loopback (load average after: %s): %d requests, 0 errors, %.0f req/s", clients, elapsed.Round(time.Millisecond), loadAvg(), len(all), float64(len(all))/elapsed.Seconds())
		b.Logf("reads:  %7d (%.0f/s) p50 %v p99 %v max %v", len(r), float64(len(r))/elapsed.Seconds(), pct(r, 0.5), pct(r, 0.99), pct(r, 1))
		b.Logf("writes: %7d (%.0f/s, %.1f%%) p50 %v p99 %v max %v; %d commits, %.1f records per commit",
			len(w), float64(len(w))/elapsed.Seconds(), 100*float64(len(w))/float64(len(all)), pct(w, 0.5), pct(w, 0.99), pct(w, 1),
			st.Commits, float64(st.Records)/float64(max(st.Commits, 1)))
		b.Logf("all:    p50 %v p99 %v", pct(all, 0.5), pct(all, 0.99))
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(pct(all, 0.99).Microseconds()), "p99-µs")
		b.ReportMetric(float64(pct(r, 0.99).Microseconds()), "read-p99-µs")
		b.ReportMetric(float64(pct(w, 0.99).Microseconds()), "write-p99-µs")
		b.ReportMetric(0, "errors")
	}
}
