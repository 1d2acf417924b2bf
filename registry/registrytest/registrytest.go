// Package registrytest starts a real, complete edactl schema registry for
// tests: the bolt log in t.TempDir(), the registry service and the
// Confluent-compatible HTTP API, over httptest. Use it with any Confluent
// client, e.g. franz-go's pkg/sr:
//
//	srv := registrytest.Start(t)
//	cl, _ := sr.NewClient(sr.URLs(srv.URL))
//
// Nothing is mocked: the registry behaves as `edactl registry serve` does.
//
// With the environment variable EDACTL_REGISTRYTEST_STORE=kafka, Start
// serves every registry on the kafka store instead (a topic on an
// in-process kfake cluster of three brokers), so a test suite written for
// the default store runs unchanged against the kafka one.
package registrytest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// Option configures Start.
type Option func(*config)

type config struct {
	dir      string
	memory   bool
	logger   *slog.Logger
	regOpts  []registry.Option
	apiOpts  []api.Option
	onServer func(*api.Server)
	log      store.Log
}

// WithDir keeps the log in dir instead of a fresh t.TempDir(), e.g. to
// restart a registry on the same data.
func WithDir(dir string) Option { return func(c *config) { c.dir = dir } }

// InMemory uses an in-memory log instead of the default bolt file (faster,
// not durable).
func InMemory() Option { return func(c *config) { c.memory = true } }

// WithLogger sets the server's logger, overriding the default of discarding
// logs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRegistryOptions passes options to registry.Open.
func WithRegistryOptions(opts ...registry.Option) Option {
	return func(c *config) { c.regOpts = append(c.regOpts, opts...) }
}

// WithAPIOptions passes options to the handler api.Open builds.
func WithAPIOptions(opts ...api.Option) Option {
	return func(c *config) { c.apiOpts = append(c.apiOpts, opts...) }
}

// WithServer calls fn with the assembled server before it starts serving,
// giving Go-level access (e.g. Registry.Register to seed schemas).
func WithServer(fn func(*api.Server)) Option { return func(c *config) { c.onServer = fn } }

// StoreEnv is the environment variable that, set to "kafka", makes Start
// serve every registry on the kafka store.
const StoreEnv = "EDACTL_REGISTRYTEST_STORE"

// KafkaLog starts a kfake cluster of brokers brokers (closed on
// t.Cleanup) and returns a kafka store on it. Start closes the log when
// given it with WithLog.
func KafkaLog(t testing.TB, brokers int) *store.Kafka {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(brokers))
	if err != nil {
		t.Fatalf("registrytest: kfake: %v", err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
	}})
	if err != nil {
		t.Fatalf("registrytest: kafka store: %v", err)
	}
	return k
}

// WithLog serves the registry on log (a store.Kafka, say) instead of a
// bbolt file; Start's cleanup closes it.
func WithLog(log store.Log) Option { return func(c *config) { c.log = log } }

// Start starts a registry and returns its httptest server; it is closed on
// t.Cleanup. It fails the test if the registry cannot start.
func Start(t testing.TB, opts ...Option) *httptest.Server {
	t.Helper()
	cfg := config{logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.log
	switch {
	case log != nil:
	case os.Getenv(StoreEnv) == "kafka":
		log = KafkaLog(t, 3)
	case cfg.memory:
		log = store.NewMemory()
	default:
		dir := cfg.dir
		if dir == "" {
			dir = t.TempDir()
		}
		b, err := store.OpenBolt(dir)
		if err != nil {
			t.Fatalf("registrytest: %v", err)
		}
		log = b
	}
	regOpts := append([]registry.Option{registry.WithLogger(cfg.logger)}, cfg.regOpts...)
	apiOpts := append([]api.Option{api.WithLogger(cfg.logger)}, cfg.apiOpts...)
	srv, err := api.Open(context.Background(), log, regOpts, apiOpts...)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	if cfg.onServer != nil {
		cfg.onServer(srv)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("registrytest: close: %v", err)
		}
	})
	return hs
}
