package processor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the processor's Prometheus metrics; the Kafka client's own
// (kprom) are registered on the same registry.
type metrics struct {
	reg              *prometheus.Registry
	processed        map[string]prometheus.Counter // by topic
	dlq              map[string]prometheus.Counter // by source topic
	emitted          prometheus.Counter
	retries          prometheus.Counter
	restored         prometheus.Counter
	restoreRemaining *prometheus.GaugeVec
	lag              *prometheus.GaugeVec
	keys             *prometheus.GaugeVec
}

func newMetrics(s Spec, p *Processor) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{reg: reg, processed: map[string]prometheus.Counter{}, dlq: map[string]prometheus.Counter{}}
	labels := prometheus.Labels{"processor": s.Name}
	processed := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edactl_processor_records_processed_total",
		Help: "Input records processed, by topic (re-keyed sources and joined topics).", ConstLabels: labels}, []string{"topic"})
	dlq := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edactl_processor_dlq_records_total",
		Help: "Records sent to the dead-letter topic, by source topic.", ConstLabels: labels}, []string{"topic"})
	m.emitted = prometheus.NewCounter(prometheus.CounterOpts{Name: "edactl_processor_records_emitted_total",
		Help: "Joined records written to the output topic.", ConstLabels: labels})
	m.retries = prometheus.NewCounter(prometheus.CounterOpts{Name: "edactl_processor_retries_total",
		Help: "Transient errors retried (registry, broker).", ConstLabels: labels})
	m.restored = prometheus.NewCounter(prometheus.CounterOpts{Name: "edactl_processor_restore_records_total",
		Help: "Changelog records replayed into the state.", ConstLabels: labels})
	m.restoreRemaining = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "edactl_processor_restore_remaining_records",
		Help: "Changelog records left to replay, by partition.", ConstLabels: labels}, []string{"partition"})
	m.lag = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "edactl_processor_lag_records",
		Help: "Records behind the high watermark at the last fetch, by topic and partition.", ConstLabels: labels}, []string{"topic", "partition"})
	m.keys = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "edactl_processor_state_keys",
		Help: "Keys in the local state, by partition.", ConstLabels: labels}, []string{"partition"})
	ready := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edactl_processor_ready",
		Help: "1 when every assigned partition's state is restored.", ConstLabels: labels}, func() float64 {
		if p.Ready() {
			return 1
		}
		return 0
	})
	reg.MustRegister(processed, dlq, m.emitted, m.retries, m.restored, m.restoreRemaining, m.lag, m.keys, ready)
	for _, t := range p.roleTopics() {
		m.processed[t] = processed.WithLabelValues(t)
		m.dlq[t] = dlq.WithLabelValues(t)
	}
	return m
}

func (p *Processor) roleTopics() []string {
	var out []string
	for t := range p.roles {
		out = append(out, t)
	}
	return out
}

// Handler serves /metrics (Prometheus), /healthz (200 while running) and
// /readyz (200 once every assigned partition's state is restored, else
// 503).
func (p *Processor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !p.Ready() {
			http.Error(w, "restoring state", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// serveHTTP serves Handler on addr; the returned function stops it.
func (p *Processor) serveHTTP(addr string) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second}
	p.log.Info("serving /metrics, /healthz and /readyz", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("http", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
