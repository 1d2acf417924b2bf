package api

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// statusSlots are the statuses counted separately; anything else is "other".
var statusSlots = []int{200, 400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 431, 500, 503}

var durationBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type routeMetrics struct {
	byStatus [15]atomic.Uint64 // len(statusSlots)+1
	buckets  [15]atomic.Uint64 // len(durationBuckets)+1 (+Inf)
	sumNanos atomic.Uint64
}

// metrics are per-route request counters and latency histograms, lock-free
// on the request path, rendered in the Prometheus text format.
type metrics struct {
	routes map[*route]*routeMetrics
}

func newMetrics() *metrics {
	m := &metrics{routes: make(map[*route]*routeMetrics, len(allRoutes))}
	for _, rt := range allRoutes {
		m.routes[rt] = &routeMetrics{}
	}
	return m
}

func statusSlot(s int) int {
	for i, v := range statusSlots {
		if v == s {
			return i
		}
	}
	return len(statusSlots)
}

func (m *metrics) observe(rt *route, status int, d time.Duration) {
	rm := m.routes[rt]
	if rm == nil {
		return
	}
	rm.byStatus[statusSlot(status)].Add(1)
	secs := d.Seconds()
	i := 0
	for i < len(durationBuckets) && secs > durationBuckets[i] {
		i++
	}
	rm.buckets[i].Add(1)
	rm.sumNanos.Add(uint64(d))
}

func (m *metrics) render(h *Handler) []byte {
	reg := h.reg
	var b bytes.Buffer
	b.WriteString("# HELP edactl_http_requests_total HTTP requests by route and status.\n# TYPE edactl_http_requests_total counter\n")
	for _, rt := range allRoutes {
		rm := m.routes[rt]
		for i := range rm.byStatus {
			n := rm.byStatus[i].Load()
			if n == 0 {
				continue
			}
			code := "other"
			if i < len(statusSlots) {
				code = strconv.Itoa(statusSlots[i])
			}
			fmt.Fprintf(&b, "edactl_http_requests_total{route=%q,code=%q} %d\n", rt.name, code, n)
		}
	}
	b.WriteString("# HELP edactl_http_request_duration_seconds HTTP request latency by route.\n# TYPE edactl_http_request_duration_seconds histogram\n")
	for _, rt := range allRoutes {
		rm := m.routes[rt]
		var total uint64
		for i := range rm.buckets {
			total += rm.buckets[i].Load()
		}
		if total == 0 {
			continue
		}
		var cum uint64
		for i, le := range durationBuckets {
			cum += rm.buckets[i].Load()
			fmt.Fprintf(&b, "edactl_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", rt.name, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "edactl_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt.name, total)
		fmt.Fprintf(&b, "edactl_http_request_duration_seconds_sum{route=%q} %g\n", rt.name, time.Duration(rm.sumNanos.Load()).Seconds())
		fmt.Fprintf(&b, "edactl_http_request_duration_seconds_count{route=%q} %d\n", rt.name, total)
	}
	subjects, schemas := reg.Counts()
	st := reg.Stats()
	fmt.Fprintf(&b, "# HELP edactl_registry_subjects Subjects with at least one live version.\n# TYPE edactl_registry_subjects gauge\nedactl_registry_subjects %d\n", subjects)
	fmt.Fprintf(&b, "# HELP edactl_registry_schemas Schema ids currently resolvable.\n# TYPE edactl_registry_schemas gauge\nedactl_registry_schemas %d\n", schemas)
	fmt.Fprintf(&b, "# HELP edactl_registry_log_commits_total Group commits (one fsync each) to the log.\n# TYPE edactl_registry_log_commits_total counter\nedactl_registry_log_commits_total %d\n", st.Commits)
	fmt.Fprintf(&b, "# HELP edactl_registry_log_records_total Records appended to the log.\n# TYPE edactl_registry_log_records_total counter\nedactl_registry_log_records_total %d\n", st.Records)
	fmt.Fprintf(&b, "# HELP edactl_registry_log_commit_seconds_total Time spent committing to the log.\n# TYPE edactl_registry_log_commit_seconds_total counter\nedactl_registry_log_commit_seconds_total %g\n", st.CommitDuration.Seconds())
	g := h.checks
	fmt.Fprintf(&b, "# HELP edactl_http_checks_in_flight Register, lookup and compatibility requests holding a slot.\n# TYPE edactl_http_checks_in_flight gauge\nedactl_http_checks_in_flight %d\n", len(g.slots))
	fmt.Fprintf(&b, "# HELP edactl_http_checks_queued Register, lookup and compatibility requests waiting for a slot.\n# TYPE edactl_http_checks_queued gauge\nedactl_http_checks_queued %d\n", max(g.queued.Load(), 0))
	fmt.Fprintf(&b, "# HELP edactl_http_checks_refused_total Register, lookup and compatibility requests refused with 503.\n# TYPE edactl_http_checks_refused_total counter\nedactl_http_checks_refused_total %d\n", g.refused.Load())
	if l := h.conns.Load(); l != nil {
		fmt.Fprintf(&b, "# HELP edactl_http_connections_open Open HTTP connections.\n# TYPE edactl_http_connections_open gauge\nedactl_http_connections_open %d\n", l.open.Load())
		fmt.Fprintf(&b, "# HELP edactl_http_connections_refused_total Connections refused over the connection limit.\n# TYPE edactl_http_connections_refused_total counter\nedactl_http_connections_refused_total %d\n", l.refused.Load())
	}
	return b.Bytes()
}
