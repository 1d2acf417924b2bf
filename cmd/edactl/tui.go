package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
	"github.com/edactl/edactl/tui"
)

type tuiOptions struct {
	Topic   string
	From    string
	Buffer  int
	UndoDir string
	Refresh time.Duration
	LogFile string
}

func newTUICmd(g *globals) *cobra.Command {
	opts := &tuiOptions{}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Interactive terminal UI: topics, live messages, groups, rewinds, traces and schemas",
		Long: `Open edactl's terminal UI on the cluster (--brokers) and registry (--registry).

Screens, switched with the number keys or ':' (command palette), each with
'?' listing its keys:
  1 Topics    partitions, records, end offsets and live rate; enter tails a topic
  2 Messages  a live tail decoded through the registry; CEL filter (/), start
              or jump (f: earliest, latest, OFFSET, -N, @TIME, @-1h), pause
              (space), t traces the record's trace or correlation id
  3 Groups    state, members, lag per partition; r rewinds the group
  4 Rewind    before/after preview; apply by typing the group name (refused
              while the group is active); undo file and undo (u)
  5 Trace     one flow across topics as a causation tree; enter opens a record
  6 Schemas   subjects, versions, compatibility level, field-level diffs

The status line shows whether the broker and the registry answer; screens
recover on their own when a service comes back. q or Ctrl-C quits.
Colours follow the terminal; --no-color or NO_COLOR turns them off.`,
		Example: `  # Against edactl dev (try 'edactl dev --demo' for live traffic)
  edactl tui

  # Open Messages on a topic straight away, from an hour ago
  edactl tui --topic orders.placed --from @-1h

  edactl tui --brokers kafka-1:9092,kafka-2:9092 --registry http://registry:8081`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := stream.ParseBound(opts.From); err != nil {
				return usageErrorf("--from %q: %w", opts.From, err)
			}
			if opts.Buffer < 1 {
				return usageErrorf("--buffer %d: want at least 1", opts.Buffer)
			}
			return runTUI(cmd.Context(), g, cmd.InOrStdin(), cmd.OutOrStdout(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Topic, "topic", "", "open Messages on this topic at start")
	f.StringVar(&opts.From, "from", "-100", "where a tail starts: earliest, latest, OFFSET, -N, @TIME, @-DURATION, P:POS,…")
	f.IntVar(&opts.Buffer, "buffer", 10_000, "records the Messages screen keeps (older ones are dropped and counted)")
	f.StringVar(&opts.UndoDir, "undo-dir", defaultUndoDir, "where rewinds write their undo files")
	f.DurationVar(&opts.Refresh, "refresh", 2*time.Second, "how often lists, rates and health are refreshed")
	f.StringVar(&opts.LogFile, "log-file", "", "write diagnostics, and outages and recoveries of the broker and the registry, to this file (the screen is the UI's)")
	return cmd
}

// runTUI builds one franz-go client per role — admin, the trace reader and
// the tail reader (stream runs one read at a time per consumer) — and the
// registry client, runs the UI, and closes everything when it ends.
func runTUI(ctx context.Context, g *globals, in io.Reader, out io.Writer, opts *tuiOptions) error {
	conn := g.clientOptions()
	clients := &kafkaClients{opts: conn.Kafka}
	defer clients.close()
	build := func(role string) (*kgo.Client, error) {
		// A metadata refresh may follow another after 1s (franz-go's
		// default is 5s): a broker that comes back is noticed sooner.
		return clients.add(kgo.ClientID("edactl-tui-"+role), kgo.MetadataMinAge(time.Second))
	}
	admin, err := build("admin")
	if err != nil {
		return err
	}
	tracer, err := build("trace")
	if err != nil {
		return err
	}
	tailer, err := build("tail")
	if err != nil {
		return err
	}
	conn.Registry.Timeout = decodeRegistryTimeout
	src, err := newRegistryClient(conn.Registry)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if opts.LogFile != "" {
		f, err := os.OpenFile(opts.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return usageErrorf("--log-file: %w", err)
		}
		defer f.Close()
		log = slog.New(slog.NewTextHandler(f, nil))
	}
	reg := serde.NewRegistry(src, serde.WithLogger(log))
	cluster, err := stream.New(stream.WithAdmin(admin), stream.WithConsumer(tracer), stream.WithRegistry(reg), stream.WithLogger(log))
	if err != nil {
		return err
	}
	tail, err := stream.New(stream.WithAdmin(admin), stream.WithConsumer(tailer), stream.WithRegistry(reg), stream.WithLogger(log))
	if err != nil {
		return err
	}
	if g.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(tui.MemoryLimit))
	}
	// Reads and requests end with the UI, before the clients close.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	common := &tui.Common{Styles: tui.NewStylesOn(out, !g.NoColor, darkBackground(g.getenv("COLORFGBG"))), Keys: tui.DefaultGlobalKeys()}
	app := tui.Build(tui.Config{
		Ctx: ctx, Common: common,
		Topics: cluster, Groups: cluster, Rewinds: cluster, Tracer: cluster, Tail: tail,
		Registry: tui.NewRegistrySource(src, g.Registry),
		Brokers:  g.Brokers, BrokerHealth: admin.Ping,
		Messages: tui.MessagesOptions{Buffer: opts.Buffer, From: opts.From},
		Topic:    opts.Topic, UndoDir: opts.UndoDir, Refresh: opts.Refresh, Log: log,
	})
	if err := tui.Run(ctx, app, in, out); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// darkBackground reads the terminal background from COLORFGBG ("fg;bg",
// set by rxvt, Konsole, iTerm2 and others): light for the ANSI colours 7
// and 15, dark otherwise and when unset.
func darkBackground(colorfgbg string) bool {
	i := strings.LastIndexByte(colorfgbg, ';')
	bg := colorfgbg[i+1:]
	return bg != "7" && bg != "15"
}
