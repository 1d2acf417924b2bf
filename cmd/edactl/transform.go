package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/stream"
)

// transformOptions are the flags of `edactl transform`.
type transformOptions struct {
	Source, Target string
	Subject        string
	ToVersion      string
	KeySubject     string
	DLQ            string
	Group          string
	From           string
	Once           bool
	Repartition    bool
	Create         bool
	MetricsAddr    string
}

func newTransformCmd(g *globals) *cobra.Command {
	opts := &transformOptions{}
	cmd := &cobra.Command{
		Use:   "transform SOURCE TARGET",
		Short: "Republish a topic's records in another schema version",
		Long: `Consume SOURCE, whose records may be written with any registered version,
re-encode every value into --to-version of --subject (default: SOURCE's
value subject, SOURCE-value) through the registry and Avro schema
resolution, with the rules of the conversions 'edactl gen go' generates (a
rename with an alias read backwards too, long → int and double → float
checked, a null for a required field replaced by its default), so that a
downcast works as the generated Downcast functions do, and produce it to TARGET with the same key, headers, timestamp
and partition. TARGET must have as many partitions as SOURCE (checked at
start) unless --repartition, which partitions by key (Kafka's murmur2);
--create makes TARGET (and the --dlq topic) with SOURCE's partition count
when they do not exist.
Keys in the wire format are re-encoded only with --key-subject (into its
latest version).

Delivery is at-least-once: the offsets of the consumer group (--group,
default edactl-transform-SOURCE-TARGET) are committed only after TARGET
acknowledged the records, so a crash re-delivers records, never loses
them. --from says where a partition starts when the group has no committed
offset (the positions of 'edactl consume'); --once stops at the end
offsets seen at start.

A record that cannot be transformed (not in the wire format, an unknown
schema id, a writer version the target cannot read) goes to --dlq TOPIC with
its original bytes and the headers edactl.error, edactl.source.topic,
edactl.source.partition and edactl.source.offset; without --dlq the command
stops and names the record (exit 1). Progress (rate, lag) goes to stderr;
--metrics-addr serves Prometheus metrics on /metrics. SIGINT or SIGTERM
stops after the batch in flight is produced and committed.`,
		Example: `  # Republish every payment in the latest version, for new consumers
  edactl transform payments.captured payments.captured.v3

  # Downcast to version 1 for a consumer that was never upgraded
  edactl transform payments.captured payments.captured.v1 --to-version 1 --dlq payments.captured.dlq

  # A one-off backfill from the start into a new topic, then stop
  edactl transform orders.state orders.state.latest --from earliest --once --create`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source, opts.Target = args[0], args[1]
			out, err := g.output()
			if err != nil {
				return err
			}
			to, from, err := opts.parse()
			if err != nil {
				return err
			}
			if len(g.clientOptions().Registry.URLs) == 0 {
				return usageErrorf("transform needs the schema registry: set --registry or EDACTL_REGISTRY")
			}
			c, closeAll, err := g.streamClient(cmd, roles{
				admin: true, consumer: true, producer: true, registry: true,
				consumerOpts: stream.TransformGroupOpts(to.Group, to.Source, from, time.Now()),
				producerOpts: stream.TransformProducerOpts(to.Target, to.Repartition),
			})
			if err != nil {
				return err
			}
			defer closeAll()
			return runTransform(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, to, opts.MetricsAddr, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Subject, "subject", "", "subject of the target schema (default SOURCE-value)")
	f.StringVar(&opts.ToVersion, "to-version", "latest", "version of the target schema: N or latest")
	f.StringVar(&opts.KeySubject, "key-subject", "", "re-encode keys in the wire format into the latest version of this subject")
	f.StringVar(&opts.DLQ, "dlq", "", "dead-letter topic for records that cannot be transformed (default: stop at the first)")
	f.StringVar(&opts.Group, "group", "", "consumer group (default edactl-transform-SOURCE-TARGET)")
	f.StringVar(&opts.From, "from", "", "start position without a committed offset (default earliest)")
	f.BoolVar(&opts.Once, "once", false, "stop at the end offsets seen at start")
	f.BoolVar(&opts.Repartition, "repartition", false, "partition by key in TARGET instead of keeping each record's partition")
	f.BoolVar(&opts.Create, "create", false, "create TARGET and the --dlq topic when missing, with SOURCE's partition count")
	f.StringVar(&opts.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address (host:port), path /metrics")
	return cmd
}

func (o *transformOptions) parse() (stream.TransformOptions, stream.Position, error) {
	to := stream.TransformOptions{
		Source: o.Source, Target: o.Target, Subject: o.Subject, KeySubject: o.KeySubject, DLQ: o.DLQ,
		Group: o.Group, Once: o.Once, Repartition: o.Repartition, Create: o.Create,
	}
	var from stream.Position
	if o.Source == o.Target {
		return to, from, usageErrorf("refusing to transform %q into itself: it would read its own output", o.Source)
	}
	if o.DLQ != "" && (o.DLQ == o.Source || o.DLQ == o.Target) {
		return to, from, usageErrorf("--dlq %q must be another topic than SOURCE and TARGET", o.DLQ)
	}
	if to.Subject == "" {
		to.Subject = o.Source + "-value"
	}
	if to.Group == "" {
		to.Group = "edactl-transform-" + o.Source + "-" + o.Target
	}
	switch o.ToVersion {
	case "", "latest":
		to.Version = -1
	default:
		n, err := strconv.Atoi(o.ToVersion)
		if err != nil || n < 1 {
			return to, from, usageErrorf("--to-version %q: want a version number (1 or more) or latest", o.ToVersion)
		}
		to.Version = n
	}
	from = stream.Position{Kind: stream.Earliest}
	if o.From != "" {
		p, err := stream.ParsePosition(o.From)
		if err != nil {
			return to, from, usageErrorf("--from: %w", err)
		}
		from = p
	}
	to.From = from
	return to, from, nil
}

func runTransform(ctx context.Context, w, errw io.Writer, c *stream.Client, to stream.TransformOptions, metricsAddr, output string) error {
	to.Stats = &stream.TransformStats{}
	if metricsAddr != "" {
		ln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return usageErrorf("--metrics-addr %s: %w", metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /metrics", func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Content-Type", "text/plain; version=0.0.4")
			to.Stats.WriteMetrics(rw, to.Source, to.Target)
		})
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		fmt.Fprintf(errw, "metrics on http://%s/metrics\n", ln.Addr())
	}
	pr := newProgress(errw)
	version := "latest"
	if to.Version > 0 {
		version = strconv.Itoa(to.Version)
	}
	to.Progress = func(p stream.TransformProgress) {
		pr.update(fmt.Sprintf("transforming %s → %s (%s version %s): %d read, %d written, %d dead-lettered, lag %d, %s",
			to.Source, to.Target, to.Subject, version, p.Read, p.Written, p.DeadLettered, p.Lag, rate(p.Written+p.DeadLettered, p.Elapsed)))
	}
	start := time.Now()
	res, err := c.Transform(ctx, to)
	summary := fmt.Sprintf("transformed %d record(s) from %s to %s (%d dead-lettered)", res.Written, to.Source, to.Target, res.DeadLettered)
	if err != nil {
		pr.done("transform stopped: " + summary)
		if errors.Is(err, stream.ErrUnknownTopic) {
			return usageErrorf("%w", err)
		}
		return err
	}
	// The progress line ends with how long it took (as replay's does);
	// the result itself goes to stdout.
	pr.done(fmt.Sprintf("%s in %s", summary, time.Since(start).Round(time.Millisecond)))
	if output == "json" {
		return writeJSON(w, res)
	}
	fmt.Fprintln(w, summary)
	return nil
}
