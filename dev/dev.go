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
//
//   - The registry is the same stack `edactl registry serve` runs (bolt log,
//     registry, Confluent API).
//
//   - A Seed function runs once, when the registry's log is empty, so a
//     sample catalogue can be registered at first start through the
//     Go-level registry API (no HTTP round trips).
//
//   - Run blocks until its context is cancelled, then stops the HTTP server
//     gracefully, closes the registry and the log, and closes the broker
//     (which saves its state).
//
//   - Security is optional and given from outside: TLS configurations for
//     the broker and the registry, SASL superusers, and the constructor of
//     the client that creates topics (edactl's own, so it speaks the same
//     TLS and SASL); `edactl dev --secure` makes the certificates and
//     credentials.
//
// Imports: registry, registry/api, registry/store, kfake (and kgo/kadm to
// create topics).
package dev

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

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

	// KafkaTLS, when set, makes the broker speak only TLS with it.
	KafkaTLS *tls.Config
	// KafkaUsers, when set, make the broker require SASL: each is a
	// superuser (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).
	KafkaUsers []User
	// RegistryTLS, when set, makes the registry serve only HTTPS with it
	// (Addrs.Registry is then an https:// URL).
	RegistryTLS *tls.Config
	// NewKafkaClient builds the client Run creates topics with (default:
	// a plain franz-go client). A broker with KafkaTLS or KafkaUsers needs
	// one that speaks TLS and SASL.
	NewKafkaClient func(broker string, extra ...kgo.Opt) (*kgo.Client, error)
	// EnvHint, when set, replaces the banner's "export EDACTL_BROKERS=…"
	// line, e.g. with how to load the secured setup's variables.
	EnvHint string
}

// User is a SASL user of the broker.
type User struct {
	Mechanism, Name, Password string
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
	if o.NewKafkaClient == nil {
		o.NewKafkaClient = func(broker string, extra ...kgo.Opt) (*kgo.Client, error) {
			return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(broker)}, extra...)...)
		}
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

	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, opts.KafkaAddr) }),
		kfake.DataDir(kafkaDir),
		kfake.AllowAutoTopicCreation(),
		kfake.ClusterID("edactl-dev"),
		kfake.WithLogger(kfakeLogger{log}),
	}
	if opts.KafkaTLS != nil {
		kopts = append(kopts, kfake.TLS(opts.KafkaTLS))
	}
	if len(opts.KafkaUsers) > 0 {
		// The broker's persisted SASL users (sasl.json) replace the
		// superusers given as options when it loads its data: a data
		// directory a plain dev wrote holds none, and a secured start on
		// it would refuse its own credentials. The users of a secured dev
		// are exactly opts.KafkaUsers.
		if err := os.Remove(filepath.Join(kafkaDir, "sasl.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("kafka: %w", err)
		}
		kopts = append(kopts, kfake.EnableSASL())
		for _, u := range opts.KafkaUsers {
			kopts = append(kopts, kfake.Superuser(u.Mechanism, u.Name, u.Password))
		}
	}
	cluster, err := kfake.NewCluster(kopts...)
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
		broker := cluster.ListenAddrs()[0]
		k, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: func(extra ...kgo.Opt) (*kgo.Client, error) {
			return opts.NewKafkaClient(broker, extra...)
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
	scheme := "http"
	if opts.RegistryTLS != nil {
		apiOpts = append(apiOpts, api.WithTLS(opts.RegistryTLS))
		scheme = "https"
	}
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

	addrs := Addrs{Kafka: cluster.ListenAddrs()[0], Registry: scheme + "://" + ln.Addr().String()}
	if err := createTopics(ctx, opts.NewKafkaClient, addrs.Kafka, opts.Topics); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	if len(opts.KafkaUsers) > 0 {
		if err := listSASLHandshakeV0(ctx, cluster, opts.NewKafkaClient, addrs.Kafka); err != nil {
			log.Warn("kafka: librdkafka clients (kcat) may not find SASL", "err", err)
		}
	}
	printBanner(opts.Out, addrs, kafkaDir, where, opts.EnvHint)
	if opts.Ready != nil {
		opts.Ready(addrs)
	}
	err = srv.Serve(ctx, ln)
	fmt.Fprintln(opts.Out, "edactl dev stopped; data kept in", opts.DataDir)
	return err
}

// createTopics creates the topics that do not exist yet.
func createTopics(ctx context.Context, newClient func(string, ...kgo.Opt) (*kgo.Client, error), broker string, topics map[string]int32) error {
	if len(topics) == 0 {
		return nil
	}
	cl, err := newClient(broker)
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

// listSASLHandshakeV0 makes the broker's ApiVersions answers list
// SaslHandshake from version 0, as Kafka's do. kfake serves version 1 only
// and says so, and librdkafka (so kcat, and the clients built on it)
// looks for version 0 to decide that the broker supports SASL at all, then
// uses version 1 with SaslAuthenticate. The answer is kfake's own, asked
// for once with an authenticated client, with that one range widened.
func listSASLHandshakeV0(ctx context.Context, cluster *kfake.Cluster, newClient func(string, ...kgo.Opt) (*kgo.Client, error), broker string) error {
	cl, err := newClient(broker)
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return err
	}
	keys := slices.Clone(resp.ApiKeys)
	for i := range keys {
		if keys[i].ApiKey == kmsg.SASLHandshake.Int16() && keys[i].MinVersion == 1 {
			keys[i].MinVersion = 0
		}
	}
	cluster.ControlKey(kmsg.ApiVersions.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		r := req.(*kmsg.ApiVersionsRequest)
		if r.Version > resp.Version {
			return nil, nil, false // kfake answers UNSUPPORTED_VERSION itself
		}
		out := r.ResponseKind().(*kmsg.ApiVersionsResponse)
		out.ApiKeys = slices.Clone(keys)
		out.SupportedFeatures, out.FinalizedFeatures, out.FinalizedFeaturesEpoch = resp.SupportedFeatures, resp.FinalizedFeatures, resp.FinalizedFeaturesEpoch
		return out, nil, true
	})
	return nil
}

func printBanner(w io.Writer, a Addrs, kafkaDir, regFile, envHint string) {
	curl := "curl " + a.Registry + "/subjects\n  "
	if envHint == "" {
		envHint = fmt.Sprintf("export EDACTL_BROKERS=%s EDACTL_REGISTRY=%s", a.Kafka, a.Registry)
	} else {
		curl = "" // the secured registry needs the CA and credentials
	}
	fmt.Fprintf(w, `edactl dev is running (Ctrl-C to stop)

  Kafka broker     %-28s data %s
  Schema registry  %-28s data %s

Try next (in another terminal):
  %s
  edactl tui                                  topics, live messages, groups, rewinds, traces, schemas
  edactl consume orders.placed --from -10     decoded records (add -F to follow)
  edactl trace <trace-id or order id>         one flow across topics
  edactl registry subjects
  %s(any Kafka client works against the broker; 'edactl dev --demo' adds live traffic)

`, a.Kafka, kafkaDir, a.Registry, regFile, envHint, curl)
}
