// Package dev runs edactl's development environment in one process: a
// Kafka-protocol broker (franz-go's kfake) and the schema registry, both
// keeping their data under one directory so a restart keeps topics, records,
// group offsets and schemas.
//
// Design decisions:
//
//   - The broker is kfake with DataDir persistence: a real Kafka protocol
//     implementation, so every Kafka client works against it. It is for
//     development, not production.
//   - The registry is the same stack `edactl registry serve` runs (bolt log,
//     registry, Confluent API).
//   - A Seed function runs once, when the registry's log is empty, so a
//     sample catalogue can be registered at first start through the
//     Go-level registry API (no HTTP round trips).
//   - Run blocks until its context is cancelled, then stops the HTTP server
//     gracefully, closes the registry and the log, and closes the broker
//     (which saves its state).
//
// Imports: registry, registry/api, registry/store, kfake (and kgo/kadm to
// create topics).
package dev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"path/filepath"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// SeedFunc registers a starting catalogue into an empty registry.
type SeedFunc func(ctx context.Context, reg *registry.Registry) error

// Options configure Run.
type Options struct {
	// KafkaAddr is the broker's listen address (default 127.0.0.1:9092).
	KafkaAddr string
	// RegistryAddr is the registry's listen address (default 127.0.0.1:8081).
	RegistryAddr string
	// DataDir holds kafka/ and registry/ (default ./.edactl).
	DataDir string
	// Seed, if set, runs at first start (empty registry log).
	Seed SeedFunc
	// Topics, name to partition count, are created at every start when
	// missing (existing topics are left as they are), so the catalogue's
	// topics can be consumed before anything was produced.
	Topics map[string]int32
	// Logger receives logs (default: discarded).
	Logger *slog.Logger
	// Out receives the "what is running, what to try next" banner (default:
	// discarded).
	Out io.Writer
	// Ready, if set, is called once both servers listen, with their
	// addresses.
	Ready func(Addrs)
	// Store is where the registry's log lives: "" or "bolt" (a file under
	// DataDir/registry), or "kafka" (the topic store.DefaultKafkaTopic on
	// the broker Run starts, as `registry serve --store kafka` keeps it).
	Store string
	// RegistryOptions and APIOptions are passed through to the registry.
	RegistryOptions []registry.Option
	APIOptions      []api.Option
}

// Addrs are the addresses Run listens on.
type Addrs struct {
	Kafka    string // host:port of the broker
	Registry string // http://host:port of the registry
}

func (o *Options) setDefaults() {
	if o.KafkaAddr == "" {
		o.KafkaAddr = "127.0.0.1:9092"
	}
	if o.RegistryAddr == "" {
		o.RegistryAddr = "127.0.0.1:8081"
	}
	if o.DataDir == "" {
		o.DataDir = ".edactl"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// kfakeLogger adapts slog to kfake's logger (warnings and errors only).
type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	switch level {
	case kfake.LogLevelError:
		k.l.Error("kafka: " + fmt.Sprintf(msg, args...))
	case kfake.LogLevelWarn:
		k.l.Warn("kafka: " + fmt.Sprintf(msg, args...))
	}
}

// Run starts the broker and the registry and serves until ctx is done.
func Run(ctx context.Context, opts Options) (err error) {
	opts.setDefaults()
	log := opts.Logger
	regDir := filepath.Join(opts.DataDir, "registry")
	kafkaDir := filepath.Join(opts.DataDir, "kafka")

	ln, err := net.Listen("tcp", opts.RegistryAddr)
	if err != nil {
		return fmt.Errorf("registry: listen on %s: %w", opts.RegistryAddr, err)
	}
	defer ln.Close()

	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, opts.KafkaAddr) }),
		kfake.DataDir(kafkaDir),
		kfake.AllowAutoTopicCreation(),
		kfake.ClusterID("edactl-dev"),
		kfake.WithLogger(kfakeLogger{log}),
	)
	if err != nil {
		return fmt.Errorf("kafka: start broker on %s: %w", opts.KafkaAddr, err)
	}
	defer cluster.Close()

	var regLog store.Log
	var where string
	switch opts.Store {
	case "", "bolt":
		bolt, err := store.OpenBolt(regDir)
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		regLog, where = bolt, bolt.Path()
	case "kafka":
		brokers := cluster.ListenAddrs()
		k, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: func(extra ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, extra...)...)
		}})
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		regLog, where = k, "topic "+k.Topic()
		opts.RegistryOptions = append([]registry.Option{registry.WithSnapshotFile(filepath.Join(regDir, k.Topic()+".snapshot"))}, opts.RegistryOptions...)
	default:
		return fmt.Errorf("registry: unknown store %q (want bolt or kafka)", opts.Store)
	}
	fresh, err := regLog.Next(ctx)
	if err != nil {
		regLog.Close()
		return err
	}
	regOpts := append([]registry.Option{registry.WithLogger(log)}, opts.RegistryOptions...)
	apiOpts := append([]api.Option{api.WithLogger(log)}, opts.APIOptions...)
	srv, err := api.Open(ctx, regLog, regOpts, apiOpts...)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if fresh == 0 && opts.Seed != nil {
		if err := opts.Seed(ctx, srv.Registry); err != nil {
			return fmt.Errorf("seed the registry: %w", err)
		}
	}

	addrs := Addrs{Kafka: cluster.ListenAddrs()[0], Registry: "http://" + ln.Addr().String()}
	if err := createTopics(ctx, addrs.Kafka, opts.Topics); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	printBanner(opts.Out, addrs, kafkaDir, where)
	if opts.Ready != nil {
		opts.Ready(addrs)
	}
	err = srv.Serve(ctx, ln)
	fmt.Fprintln(opts.Out, "edactl dev stopped; data kept in", opts.DataDir)
	return err
}

// createTopics creates the topics that do not exist yet.
func createTopics(ctx context.Context, broker string, topics map[string]int32) error {
	if len(topics) == 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for _, name := range slices.Sorted(maps.Keys(topics)) {
		_, err := adm.CreateTopic(ctx, topics[name], 1, nil, name)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", name, err)
		}
	}
	return nil
}

func printBanner(w io.Writer, a Addrs, kafkaDir, regFile string) {
	fmt.Fprintf(w, `edactl dev is running (Ctrl-C to stop)

  Kafka broker     %-28s data %s
  Schema registry  %-28s data %s

Try next (in another terminal):
  export EDACTL_BROKERS=%s EDACTL_REGISTRY=%s
  edactl tui                                  topics, live messages, groups, rewinds, traces, schemas
  edactl consume orders.placed --from -10     decoded records (add -f to follow)
  edactl trace <trace-id or order id>         one flow across topics
  edactl registry subjects
  curl %s/subjects
  (any Kafka client works against the broker; 'edactl dev --demo' adds live traffic)

`, a.Kafka, kafkaDir, a.Registry, regFile, a.Kafka, a.Registry, a.Registry)
}
