package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/stream"
)

type replayOptions struct {
	Source, Target string
	From, Until    string
	Partitions     string
	Rate           float64
}

func newReplayCmd(g *globals) *cobra.Command {
	opts := &replayOptions{}
	cmd := &cobra.Command{
		Use:   "replay SOURCE TARGET",
		Short: "Copy a range of one topic into another",
		Long: `Copy the records of SOURCE between --from and --until (the positions of
'edactl consume': earliest | latest | OFFSET | -N | @RFC3339 | @-DURATION,
per partition with P:POSITION) into TARGET, keeping each record's key,
value and headers. Records are partitioned by key in TARGET (Kafka's
murmur2 hash), so each key keeps its order. Progress goes to stderr;
--rate limits records per second. A topic is never replayed into itself.`,
		Example: `  # Re-deliver the last hour of orders to a retry topic, 200 records/s
  edactl replay orders orders.retry --from @-1h --rate 200

  # A fixed window
  edactl replay orders orders.debug --from @2024-05-01T09:00:00Z --until @2024-05-01T10:00:00Z`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source, opts.Target = args[0], args[1]
			out, err := g.output()
			if err != nil {
				return err
			}
			ro, err := opts.parse()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true, consumer: true, producer: true})
			if err != nil {
				return err
			}
			defer closeAll()
			return runReplay(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, ro, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "start position (default earliest)")
	f.StringVar(&opts.Until, "until", "", "stop position, exclusive (default: the end offset at start)")
	f.StringVarP(&opts.Partitions, "partitions", "p", "", "copy only these source partitions (comma separated)")
	f.Float64Var(&opts.Rate, "rate", 0, "records per second (default: no limit)")
	return cmd
}

func (o *replayOptions) parse() (stream.ReplayOptions, error) {
	ro := stream.ReplayOptions{Source: o.Source, Target: o.Target, Rate: o.Rate}
	if o.Source == o.Target {
		return ro, usageErrorf("refusing to replay %q into itself: it would read its own output", o.Source)
	}
	if o.Rate < 0 {
		return ro, usageErrorf("--rate %v: want records per second", o.Rate)
	}
	var err error
	if ro.From, err = stream.ParseBound(o.From); err != nil {
		return ro, usageErrorf("--from: %w", err)
	}
	if ro.Until, err = stream.ParseBound(o.Until); err != nil {
		return ro, usageErrorf("--until: %w", err)
	}
	if ro.Partitions, err = parsePartitions(o.Partitions); err != nil {
		return ro, err
	}
	return ro, nil
}

func runReplay(ctx context.Context, w, errw io.Writer, c *stream.Client, ro stream.ReplayOptions, output string) error {
	pr := newProgress(errw)
	ro.Progress = func(p stream.ReplayProgress) {
		pr.update(fmt.Sprintf("replaying %s → %s: %d/%d records (%s), %s", ro.Source, ro.Target, p.Copied, p.Total, percent(p.Copied, p.Total), rate(p.Copied, p.Elapsed)))
	}
	start := time.Now()
	res, err := c.Replay(ctx, ro)
	if err != nil {
		pr.done(fmt.Sprintf("replay stopped after %d record(s)", res.Copied))
		return err
	}
	pr.done(fmt.Sprintf("replayed %d record(s) from %s to %s in %s", res.Copied, ro.Source, ro.Target, time.Since(start).Round(time.Millisecond)))
	if output == "json" {
		return writeJSON(w, res)
	}
	fmt.Fprintf(w, "replayed %d record(s) from %s to %s\n", res.Copied, ro.Source, ro.Target)
	for _, r := range res.Ranges {
		fmt.Fprintf(w, "  %s/%d: offsets %d..%d", r.Topic, r.Partition, r.Start, r.End)
		for _, n := range r.Notes {
			fmt.Fprintf(w, " (%s)", n)
		}
		fmt.Fprintln(w)
	}
	return nil
}
