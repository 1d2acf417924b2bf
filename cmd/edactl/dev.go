package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev"
	"github.com/edactl/edactl/dev/demo"
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

The broker is for development and tests, not production.`,
		Example: `  edactl dev
  edactl dev --demo        # plus a live order flow to look at with edactl tui
  edactl dev --kafka-addr 127.0.0.1:19092 --registry-addr 127.0.0.1:18081 --data /tmp/edactl`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), opts.LogFormat)
			if err != nil {
				return err
			}
			if opts.DemoRate <= 0 {
				return usageErrorf("--demo-rate %g: want a positive number of orders per second", opts.DemoRate)
			}
			// The registry's access log: buffered lines on stderr, in the
			// log format, as `edactl registry serve` writes them.
			accessLog := api.WithAccessLogOutput(cmd.ErrOrStderr(), opts.LogFormat)
			return runDev(cmd.Context(), cmd.OutOrStdout(), logger, opts, accessLog)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.KafkaAddr, "kafka-addr", defaultBrok, "broker listen address")
	f.StringVar(&opts.RegistryAddr, "registry-addr", "127.0.0.1:8081", "registry listen address")
	f.StringVar(&opts.DataDir, "data", ".edactl", "data directory")
	f.StringVar(&opts.LogFormat, "log-format", "text", "log format on stderr: text or json")
	f.BoolVar(&opts.Demo, "demo", false, "also write a live order flow across four topics, with a lagging and an idle consumer group")
	f.Float64Var(&opts.DemoRate, "demo-rate", 2, "orders per second written by --demo")
	return cmd
}

// runDev runs the dev environment and, with --demo, the demo traffic.
// Ctrl-C stops the demo first (its clients leave their group while the
// broker is still up), then the broker and the registry.
func runDev(ctx context.Context, out io.Writer, logger *slog.Logger, opts *devOptions, apiOpts ...api.Option) error {
	devCtx, stopDev := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDev()
	demoDone := make(chan struct{})
	ready := func(a dev.Addrs) {
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
			if err := runDemo(ctx, a, opts.DemoRate, opts.DataDir, logger); err != nil {
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
	err = dev.Run(devCtx, dev.Options{
		KafkaAddr:    opts.KafkaAddr,
		RegistryAddr: opts.RegistryAddr,
		DataDir:      opts.DataDir,
		Seed:         devSeed(tree),
		Topics:       catalogueTopics(tree),
		Logger:       logger,
		Out:          out,
		Ready:        ready,
		APIOptions:   apiOpts,
	})
	return err
}

// devClientOptions are the connection settings of the demo's clients: the
// broker and registry edactl dev runs, without the user's credentials,
// which are for the registries and clusters the other commands talk to.
func devClientOptions(a dev.Addrs) clientOptions {
	return clientOptions{
		Registry: registryOptions{URLs: []string{a.Registry}},
		Kafka:    kafkaOptions{Brokers: []string{a.Kafka}},
	}
}

// runDemo writes the demo traffic to the dev broker until ctx ends, with
// one franz-go client per role.
func runDemo(ctx context.Context, a dev.Addrs, rate float64, dataDir string, logger *slog.Logger) error {
	conn := devClientOptions(a)
	// The order-summary processor joins the flow into orders.summary.
	summaryDone := make(chan struct{})
	defer func() { <-summaryDone }()
	go func() {
		defer close(summaryDone)
		if err := demo.RunSummary(ctx, conn.Kafka.Brokers, a.Registry, dataDir, logger); err != nil && ctx.Err() == nil {
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
