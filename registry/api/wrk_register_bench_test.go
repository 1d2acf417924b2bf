package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkWrkRegister measures registrations of new subjects (one new
// schema each) against real `edactl registry serve` processes (bbolt, fsync
// per group commit, default flags, so the access log is on) under wrk with
// 16 keep-alive connections (2 threads): one with the default commit delay
// (the sequencer waits up to 2ms for the writers the last commit released)
// and one with --commit-delay 0 (each commit takes what is queued, so
// commits are sized by what is waiting), in interleaved rounds whose order
// rotates. The other baseline, measured in the same runs, is the disk: from
// each server's /metrics it takes the records per commit and the mean time
// of a commit (the fsync) of each round, and reports the rate those commits
// allow back to back (records per commit / commit time) next to the rate
// reached. Run with
//
//	go test -run '^$' -bench WrkRegister -benchtime 1x -timeout 30m ./registry/api/
//
// Environment: EDACTL_WRK_ROUNDS (default 5), EDACTL_WRK_SECONDS per run
// (default 10), EDACTL_BIN (an edactl binary; default: go build ./cmd/edactl).
// It needs wrk on PATH and skips without it. Every answer must be 200, and
// each server must hold a subject for every registration wrk counted.
func BenchmarkWrkRegister(b *testing.B) {
	e := newWrkEnv(b, "register.lua", wrkRegisterScript)
	wrk, rounds, secs, dir, bin, script := e.wrk, e.rounds, e.secs, e.dir, e.bin, e.script
	type target struct {
		name, url                            string
		flags                                []string
		registered                           float64 // registrations wrk counted, all iterations
		rates, ceilings, perCommit, commitMs []float64
		lines                                []string
	}
	targets := []*target{
		{name: "delay-2ms"},
		{name: "delay-0", flags: []string{"--commit-delay", "0"}},
	}
	for _, tg := range targets {
		tg.url = startEdactl(b, bin, filepath.Join(dir, tg.name), tg.flags)
	}
	med := func(v []float64) float64 { s := slices.Clone(v); slices.Sort(s); return s[len(s)/2] }
	runs := 0 // numbers every wrk run, so that no two register the same subjects
	for b.Loop() {
		for _, tg := range targets { // warm up
			runs++
			tg.registered += runWrkRegister(b, wrk, script, tg.url, 1, runs).requests
			tg.rates, tg.ceilings, tg.perCommit, tg.commitMs, tg.lines = nil, nil, nil, nil, nil
		}
		load0 := loadAvg()
		for r := range rounds {
			for i := range targets {
				tg := targets[(i+r)%len(targets)]
				runs++
				m0 := scrapeMetrics(b, tg.url)
				run := runWrkRegister(b, wrk, script, tg.url, secs, runs)
				m1 := scrapeMetrics(b, tg.url)
				tg.registered += run.requests
				commits := m1["edactl_registry_log_commits_total"] - m0["edactl_registry_log_commits_total"]
				records := m1["edactl_registry_log_records_total"] - m0["edactl_registry_log_records_total"]
				commitSecs := m1["edactl_registry_log_commit_seconds_total"] - m0["edactl_registry_log_commit_seconds_total"]
				if commits <= 0 || records < run.requests {
					b.Fatalf("%s: wrk counted %.0f registrations, the log took %.0f records in %.0f commits", tg.name, run.requests, records, commits)
				}
				rpc, ms := records/commits, 1000*commitSecs/commits
				tg.rates, tg.perCommit, tg.commitMs = append(tg.rates, run.rate), append(tg.perCommit, rpc), append(tg.commitMs, ms)
				tg.ceilings = append(tg.ceilings, rpc/(ms/1000))
				tg.lines = append(tg.lines, fmt.Sprintf("%.0f/s (%.1f records/commit, commit %.2fms, ceiling %.0f/s)", run.rate, rpc, ms, rpc/(ms/1000)))
			}
		}
		b.Logf("wrk -t2 -c16 -d%ds, %d rounds, interleaved; load average before %s, after %s", secs, rounds, load0, loadAvg())
		for _, tg := range targets {
			// Every registration wrk counted is a subject of its own.
			if n := countSubjects(b, tg.url); float64(n) < tg.registered {
				b.Fatalf("%s holds %d subjects, wrk counted %.0f registrations", tg.name, n, tg.registered)
			}
			b.Logf("%-9s %s", tg.name, strings.Join(tg.lines, "; "))
			b.Logf("%-9s median %.0f schemas/s; %.1f records/commit; commit %.2fms; the commits allow %.0f/s (%.2f× reached)",
				tg.name, med(tg.rates), med(tg.perCommit), med(tg.commitMs), med(tg.ceilings), med(tg.rates)/med(tg.ceilings))
			b.ReportMetric(med(tg.rates), tg.name+"-schemas/s")
			b.ReportMetric(med(tg.perCommit), tg.name+"-records/commit")
			b.ReportMetric(med(tg.commitMs)*1000, tg.name+"-commit-µs")
		}
		ratios := make([]float64, rounds)
		for r := range rounds {
			ratios[r] = targets[1].rates[r] / targets[0].rates[r]
		}
		b.Logf("delay-0 / delay-2ms per round: %v (median %.2f)", ratios, med(ratios))
		b.ReportMetric(med(ratios), "delay0/delay2ms")
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
