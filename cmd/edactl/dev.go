package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/dev"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

type devOptions struct {
	KafkaAddr    string
	RegistryAddr string
	DataDir      string
	LogFormat    string
}

// devSeed returns the function that registers the sample catalogue
// (schemas/examples) into an empty registry at the first `edactl dev`:
// every version of every event under its subject, in version order, and the
// event's compatibility level where it differs from the registry's.
func devSeed() dev.SeedFunc {
	return func(ctx context.Context, reg *registry.Registry) error {
		tree, err := schemas.LoadFS(ctx, examples.FS())
		if err != nil {
			return fmt.Errorf("sample catalogue: %w", err)
		}
		if len(tree.Problems) > 0 {
			return fmt.Errorf("sample catalogue: %s", tree.Problems[0])
		}
		global, err := reg.Config("", true)
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

func newDevCmd(g *globals) *cobra.Command {
	opts := &devOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local Kafka broker and schema registry in one process",
		Long: `Run a development environment in one process: a Kafka-protocol broker
(franz-go's kfake) and edactl's schema registry. Data is kept under --data
(kafka/ and registry/), so a restart keeps topics, records, consumer group
offsets and schemas. Stop it with Ctrl-C.

The broker is for development and tests, not production.`,
		Example: `  edactl dev
  edactl dev --kafka-addr 127.0.0.1:19092 --registry-addr 127.0.0.1:18081 --data /tmp/edactl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), opts.LogFormat)
			if err != nil {
				return err
			}
			return dev.Run(cmd.Context(), dev.Options{
				KafkaAddr:    opts.KafkaAddr,
				RegistryAddr: opts.RegistryAddr,
				DataDir:      opts.DataDir,
				Seed:         devSeed(),
				Logger:       logger,
				Out:          cmd.OutOrStdout(),
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.KafkaAddr, "kafka-addr", defaultBrok, "broker listen address")
	f.StringVar(&opts.RegistryAddr, "registry-addr", "127.0.0.1:8081", "registry listen address")
	f.StringVar(&opts.DataDir, "data", ".edactl", "data directory")
	f.StringVar(&opts.LogFormat, "log-format", "text", "log format on stderr: text or json")
	return cmd
}
