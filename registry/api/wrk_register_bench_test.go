package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkWrkRegister measures registrations of new subjects (one new
// schema each) against a real `edactl registry serve` (bbolt, fsync per
// group commit, default flags, so the access log is on) under wrk with 16
// keep-alive connections (2 threads), in rounds. The baseline measured in
// the same run is the disk: from the server's /metrics it takes, per round,
// the records per commit and the mean time of a commit (the fsync), and
// reports the ceiling those allow (records per commit / commit time) next to
// the rate reached. Run with
//
//	go test -run '^$' -bench WrkRegister -benchtime 1x -timeout 30m ./registry/api/
//
// Environment: EDACTL_WRK_ROUNDS (default 5), EDACTL_WRK_SECONDS per run
// (default 10), EDACTL_BIN (an edactl binary; default: go build ./cmd/edactl).
// It needs wrk on PATH and skips without it. Every answer must be 200, and
// the server must hold a subject for every registration wrk counted.
func BenchmarkWrkRegister(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed")
	}
	rounds := envInt("EDACTL_WRK_ROUNDS", 5)
	secs := envInt("EDACTL_WRK_SECONDS", 10)
	dir := b.TempDir()
	bin := os.Getenv("EDACTL_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "edactl")
		build := exec.Command("go", "build", "-o", bin, "github.com/edactl/edactl/cmd/edactl")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			b.Fatalf("go build ./cmd/edactl: %v", err)
		}
	}
	script := filepath.Join(dir, "register.lua")
	if err := os.WriteFile(script, []byte(wrkRegisterScript), 0o600); err != nil {
		b.Fatal(err)
	}
	url := startEdactl(b, bin, filepath.Join(dir, "serve"), nil)

	done := 0.0 // registrations of the iterations before
	runs := 0   // numbers every wrk run, so that no two register the same subjects
	for b.Loop() {
		runs++
		registered := runWrkRegister(b, wrk, script, url, 1, runs).requests // warm up
		var rates, ceilings, perCommit, commitMs []float64
		var lines []string
		for range rounds {
			runs++
			m0 := scrapeMetrics(b, url)
			run := runWrkRegister(b, wrk, script, url, secs, runs)
			registered += run.requests
			m1 := scrapeMetrics(b, url)
			commits := m1["edactl_registry_log_commits_total"] - m0["edactl_registry_log_commits_total"]
			records := m1["edactl_registry_log_records_total"] - m0["edactl_registry_log_records_total"]
			commitSecs := m1["edactl_registry_log_commit_seconds_total"] - m0["edactl_registry_log_commit_seconds_total"]
			if commits <= 0 || records < run.requests {
				b.Fatalf("wrk counted %.0f registrations, the log took %.0f records in %.0f commits", run.requests, records, commits)
			}
			rpc, ms := records/commits, 1000*commitSecs/commits
			rates, perCommit, commitMs = append(rates, run.rate), append(perCommit, rpc), append(commitMs, ms)
			ceilings = append(ceilings, rpc/(ms/1000))
			lines = append(lines, fmt.Sprintf("%.0f/s (%.1f records/commit, commit %.2fms, ceiling %.0f/s)", run.rate, rpc, ms, rpc/(ms/1000)))
		}
		// Every registration wrk counted is a subject of its own.
		if n := countSubjects(b, url); float64(n) < registered+done {
			b.Fatalf("the server holds %d subjects, wrk counted %.0f registrations", n, registered)
		}
		med := func(v []float64) float64 { s := slices.Clone(v); slices.Sort(s); return s[len(s)/2] }
		b.Logf("wrk -t2 -c16 -d%ds, %d rounds: %s", secs, rounds, strings.Join(lines, "; "))
		b.Logf("median %.0f schemas/s; %.1f records/commit; commit %.2fms; the commits allow %.0f/s (%.2f× reached)",
			med(rates), med(perCommit), med(commitMs), med(ceilings), med(rates)/med(ceilings))
		b.ReportMetric(med(rates), "schemas/s")
		b.ReportMetric(med(perCommit), "records/commit")
		b.ReportMetric(med(commitMs)*1000, "commit-µs")
		b.ReportMetric(med(ceilings), "ceiling-schemas/s")
		done += registered
	}
}

// wrkRegisterScript registers a new record schema under a new subject per
// request; the subjects of the two threads (and of each run: its number is
// the script's argument) differ.
const wrkRegisterScript = `local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  run = args[1]
  counter = 0
end
request = function()
  counter = counter + 1
  local n = tid .. "_" .. run .. "_" .. counter
  local name = string.gsub(n, "-", "_")
  local body = '{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"R' .. name .. '\\",\\"namespace\\":\\"wrk\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"string\\"},{\\"name\\":\\"n\\",\\"type\\":\\"long\\",\\"default\\":0}]}"}'
  return wrk.format("POST", "/subjects/wrk-" .. n .. "-value/versions", {["Content-Type"] = "application/vnd.schemaregistry.v1+json"}, body)
end
`

type wrkRegisterRun struct {
	rate, requests float64
}

var wrkRequests = regexp.MustCompile(`(\d+) requests in`)

// runWrkRegister runs wrk with the registration script as run number run;
// any socket error or non-2xx answer fails the benchmark.
func runWrkRegister(b *testing.B, wrk, script, url string, secs, run int) wrkRegisterRun {
	b.Helper()
	out, err := exec.Command(wrk, "-t2", "-c16", fmt.Sprintf("-d%ds", secs), "-s", script, url, "--", strconv.Itoa(run)).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	if m := wrkErrs.FindSubmatch(out); m != nil {
		b.Fatalf("wrk against %s saw errors:\n%s", url, out)
	}
	rm, nm := wrkRate.FindSubmatch(out), wrkRequests.FindSubmatch(out)
	if rm == nil || nm == nil {
		b.Fatalf("cannot read wrk's output:\n%s", out)
	}
	rate, _ := strconv.ParseFloat(string(rm[1]), 64)
	n, _ := strconv.ParseFloat(string(nm[1]), 64)
	return wrkRegisterRun{rate: rate, requests: n}
}

// scrapeMetrics returns the unlabelled samples of url's /metrics.
func scrapeMetrics(b *testing.B, url string) map[string]float64 {
	b.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && !strings.HasPrefix(line, "#") {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				m[f[0]] = v
			}
		}
	}
	return m
}

// countSubjects returns how many subjects url holds.
func countSubjects(b *testing.B, url string) int {
	b.Helper()
	resp, err := http.Get(url + "/subjects")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var subjects []string
	if err := json.NewDecoder(resp.Body).Decode(&subjects); err != nil {
		b.Fatal(err)
	}
	return len(subjects)
}
