package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev"
	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/internal/connect"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

type devOptions struct {
	KafkaAddr    string
	RegistryAddr string
	DataDir      string
	LogFormat    string
	Demo         bool
	DemoRate     float64
	Secure       bool
	Store        string
	AccessLog    string
}

// devSeed returns the function that registers the sample catalogue
// (schemas/examples) into an empty registry at the first `edactl dev`:
// every version of every event under its subject, in version order, and the
// event's compatibility level where it differs from the registry's.
func devSeed(tree *schemas.Tree) dev.SeedFunc {
	return func(ctx context.Context, reg *registry.Registry) error {
		global, err := reg.Config("", registry.DefaultToGlobal)
		if err != nil {
			return err
		}
		for _, e := range tree.Events {
			if e.Level != global.Compatibility {
				level := string(e.Level)
				if _, err := reg.SetConfig(ctx, e.Subject, registry.ConfigUpdate{Compatibility: &level}); err != nil {
					return fmt.Errorf("sample catalogue: %s: %w", e.Subject, err)
				}
			}
			for _, v := range e.Versions {
				if _, err := reg.Register(ctx, e.Subject, registry.RegisterRequest{Schema: string(v.Source)}); err != nil {
					return fmt.Errorf("sample catalogue: register %s version %d: %w", e.Subject, v.Number, err)
				}
			}
		}
		return nil
	}
}

// loadCatalogue loads the sample catalogue (schemas/examples), embedded in
// the binary.
func loadCatalogue(ctx context.Context) (*schemas.Tree, error) {
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		return nil, fmt.Errorf("sample catalogue: %w", err)
	}
	if len(tree.Problems) > 0 {
		return nil, fmt.Errorf("sample catalogue: %s", tree.Problems[0])
	}
	return tree, nil
}

// catalogueTopics returns the topics of the catalogue's events with their
// partition counts: the demo's counts for its topics, 3 for the rest.
func catalogueTopics(tree *schemas.Tree) map[string]int32 {
	topics := map[string]int32{}
	for _, e := range tree.Events {
		if e.Topic != "" {
			topics[e.Topic] = 3
		}
	}
	for _, t := range demo.Topics() {
		topics[t.Name] = t.Partitions
	}
	return topics
}

func newDevCmd(g *globals) *cobra.Command {
	opts := &devOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local Kafka broker and schema registry in one process",
		Long: `Run a development environment in one process: a Kafka-protocol broker
(franz-go's kfake) and edactl's schema registry. Data is kept under --data
(kafka/ and registry/), so a restart keeps topics, records, consumer group
offsets and schemas. The first start registers the sample catalogue
(schemas/examples); every start creates its topics if they are missing.
Stop it with Ctrl-C.

--demo also writes live traffic for 'edactl tui', 'consume' and 'trace' to look
at: orders flowing through orders.placed, payments.captured,
inventory.reserved and shipping.dispatched (encoded with the sample
catalogue's schemas, with traceparent and CloudEvents causation headers), a
consumer group (analytics) that falls behind, an idle one (accounting)
to rewind, and the order-summary processor (see edactl gen processor)
joining each order, its payment and its stock reservation into
orders.summary.

--secure makes the broker speak only TLS and require SASL SCRAM-SHA-512,
and the registry speak only HTTPS and require basic auth, with a CA and
credentials generated under DATA/secure/ (kept across restarts). It prints
the CA's path and the credentials, writes them as EDACTL_* variables to
DATA/secure.env (set -a; . .edactl/secure.env; set +a configures any later
command) and as the context dev-secure in the user config file.

The broker is for development and tests, not production.`,
		Example: `  edactl dev
  edactl dev --demo        # plus a live order flow to look at with edactl tui
  edactl dev --secure      # TLS, SASL SCRAM-SHA-512 and registry auth, to try a secured setup
  edactl dev --store kafka # the registry's log on the dev broker, as with registry serve --store kafka
  edactl dev --kafka-addr 127.0.0.1:19092 --registry-addr 127.0.0.1:18081 --data /tmp/edactl`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), opts.LogFormat)
			if err != nil {
				return err
			}
			if opts.Store != "bolt" && opts.Store != "kafka" {
				return usageErrorf("invalid --store %q: want bolt or kafka", opts.Store)
			}
			if opts.DemoRate <= 0 {
				return usageErrorf("--demo-rate %g: want a positive number of orders per second", opts.DemoRate)
			}
			// The registry's access log, in the log format, as `edactl
			// registry serve` writes it: to a file in the data directory,
			// so the terminal shows what runs and what goes wrong, or to
			// stderr with --access-log -.
			accessLog, closeLog, err := devAccessLog(cmd.ErrOrStderr(), opts)
			if err != nil {
				return err
			}
			defer closeLog()
			return runDev(cmd.Context(), cmd.OutOrStdout(), logger, opts, g.userConfigPath(), accessLog, api.WithVersion(currentBuild().Version))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.KafkaAddr, "kafka-addr", defaultBrok, "broker listen address")
	f.StringVar(&opts.RegistryAddr, "registry-addr", "127.0.0.1:8081", "registry listen address")
	f.StringVar(&opts.DataDir, "data", ".edactl", "data directory")
	f.StringVar(&opts.AccessLog, "access-log", "", "where the registry's access log goes: a file (default DATA/registry-access.log), - for stderr, off for none")
	f.StringVar(&opts.LogFormat, "log-format", "text", "log format on stderr: text or json")
	f.StringVar(&opts.Store, "store", "bolt", "the registry's log: bolt (a file under --data) or kafka (a topic on the dev broker, as registry serve --store kafka)")
	f.BoolVar(&opts.Demo, "demo", false, "also write a live order flow across four topics, with a lagging and an idle consumer group")
	f.Float64Var(&opts.DemoRate, "demo-rate", 2, "orders per second written by --demo")
	f.BoolVar(&opts.Secure, "secure", false, "broker with TLS and SASL SCRAM-SHA-512, registry with HTTPS and basic auth; writes DATA/secure.env and the context "+devSecureContext)
	return cmd
}

// runDev runs the dev environment and, with --demo, the demo traffic.
// Ctrl-C stops the demo first (its clients leave their group while the
// broker is still up), then the broker and the registry.
func runDev(ctx context.Context, out io.Writer, logger *slog.Logger, opts *devOptions, userConfig string, apiOpts ...api.Option) error {
	devCtx, stopDev := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDev()
	dopts := dev.Options{
		KafkaAddr:    opts.KafkaAddr,
		RegistryAddr: opts.RegistryAddr,
		DataDir:      opts.DataDir,
		Store:        opts.Store,
		Logger:       logger,
		Out:          out,
		APIOptions:   apiOpts,
		// The topics are created through edactl's Kafka constructor, as
		// every client is; --secure replaces it with one that has the
		// generated credentials.
		NewKafkaClient: func(broker string, extra ...kgo.Opt) (*kgo.Client, error) {
			return newKafkaClient(kafkaOptions{Brokers: []string{broker}}, extra...)
		},
	}
	var sec *devSecurity
	if opts.Secure {
		var err error
		if sec, err = setupDevSecurity(opts.DataDir, opts.KafkaAddr, opts.RegistryAddr); err != nil {
			return err
		}
		if err := sec.apply(&dopts); err != nil {
			return err
		}
	}
	demoDone := make(chan struct{})
	ready := func(a dev.Addrs) {
		if sec != nil {
			if err := sec.writeEnv(a); err != nil {
				logger.Error("secure.env not written", "err", err)
			}
			written := userConfig
			if userConfig != "" {
				if err := sec.writeContext(userConfig, a); err != nil {
					logger.Error("context "+devSecureContext+" not written", "err", err)
					written = ""
				}
			}
			sec.printSecurity(out, a, written)
		}
		if !opts.Demo {
			close(demoDone)
			return
		}
		fmt.Fprintf(out, "demo: %g order(s)/s through %s → %s → %s → %s;\n"+
			"      group %s lags behind %s, group %s is idle (rewind it in edactl tui);\n"+
			"      processor %s joins them into %s\n\n",
			opts.DemoRate, demo.TopicOrders, demo.TopicPayments, demo.TopicInventory, demo.TopicShipping,
			demo.LaggingGroup, demo.TopicOrders, demo.IdleGroup, demo.SummaryProcessor, demo.TopicSummary)
		go func() {
			defer close(demoDone)
			if err := runDemo(ctx, devClientOptions(a, sec), opts.DemoRate, opts.DataDir, logger); err != nil {
				logger.Error("demo stopped", "err", err)
			}
		}()
	}
	go func() {
		<-ctx.Done()
		select {
		case <-demoDone:
		case <-time.After(10 * time.Second):
		}
		stopDev()
	}()
	tree, err := loadCatalogue(ctx)
	if err != nil {
		return err
	}
	dopts.Seed, dopts.Topics, dopts.Ready = devSeed(tree), catalogueTopics(tree), ready
	return dev.Run(devCtx, dopts)
}

// devClientOptions are the connection settings of the demo's clients: the
// broker and registry edactl dev runs, with the generated credentials of
// --secure (sec, nil without it), not the user's, which are for the
// registries and clusters the other commands talk to.
func devClientOptions(a dev.Addrs, sec *devSecurity) clientOptions {
	if sec != nil {
		return sec.clientOptions(a)
	}
	return clientOptions{
		Registry: registryOptions{URLs: []string{a.Registry}},
		Kafka:    kafkaOptions{Brokers: []string{a.Kafka}},
	}
}

// runDemo writes the demo traffic to the dev broker until ctx ends, with
// one franz-go client per role.
func runDemo(ctx context.Context, conn clientOptions, rate float64, dataDir string, logger *slog.Logger) error {
	// The order-summary processor joins the flow into orders.summary, over
	// the same connection (TLS and SASL with --secure) as the demo.
	kopts, err := connect.KafkaOpts(conn.Kafka)
	if err != nil {
		return configUsage(err)
	}
	ropts, err := connect.RegistryOpts(conn.Registry)
	if err != nil {
		return configUsage(err)
	}
	summaryDone := make(chan struct{})
	defer func() { <-summaryDone }()
	go func() {
		defer close(summaryDone)
		err := demo.RunSummary(ctx, demo.SummaryOptions{Brokers: conn.Kafka.Brokers, Registry: conn.Registry.URLs[0], DataDir: dataDir,
			KafkaOpts: kopts, RegistryOpts: ropts, Logger: logger})
		if err != nil && ctx.Err() == nil {
			logger.Error("order-summary processor stopped", "err", err)
		}
	}()
	clients := &kafkaClients{opts: conn.Kafka}
	defer clients.close()
	admin, err := clients.add()
	if err != nil {
		return err
	}
	producer, err := clients.add(kgo.ProducerLinger(10 * time.Millisecond))
	if err != nil {
		return err
	}
	lagging, err := clients.add(demo.LaggingConsumerOpts()...)
	if err != nil {
		return err
	}
	src, err := newRegistryClient(conn.Registry)
	if err != nil {
		return err
	}
	return demo.Run(ctx, demo.Options{Producer: producer, Admin: admin, Lagging: lagging,
		Registry: serde.NewRegistry(src), OrdersPerSecond: rate, Logger: logger})
}

// devAccessLog returns the access-log option of opts.AccessLog: a file
// (default DATA/registry-access.log, appended to), "-" for stderr, "off" for
// none; and what closes the file.
func devAccessLog(stderr io.Writer, opts *devOptions) (api.Option, func(), error) {
	switch opts.AccessLog {
	case "off":
		return api.WithAccessLog(false), func() {}, nil
	case "-":
		return api.WithAccessLogOutput(stderr, opts.LogFormat), func() {}, nil
	}
	path := opts.AccessLog
	if path == "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("--data %s: %w", opts.DataDir, err)
		}
		path = filepath.Join(opts.DataDir, "registry-access.log")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, usageErrorf("--access-log: %w", err)
	}
	return api.WithAccessLogOutput(f, opts.LogFormat), func() { f.Close() }, nil
}
