package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

type traceOptions struct {
	stream.TraceOptions
	Since string
	Until string
}

func newTraceCmd(g *globals) *cobra.Command {
	opts := &traceOptions{}
	cmd := &cobra.Command{
		Use:   "trace ID",
		Short: "Follow one business flow across topics by its trace or correlation id",
		Long: `Find every record whose headers carry ID and show the flow they form.

A record matches when ID is the trace-id of its W3C traceparent header, or
the value of one of the correlation headers ` + strings.Join(stream.CorrelationHeaders, ", ") + `
(or a header given with --header, listed in EDACTL_TRACE_HEADERS, comma
separated, or under trace.headers in edactl.yaml). Hits are ordered by timestamp. A hit whose
causation header (` + strings.Join(stream.CausationHeaders, ", ") + `) names the event id
(` + strings.Join(stream.EventIDHeaders, ", ") + `) of another hit gets an edge from that hit.

All partitions of --topics (default: every non-internal topic) are read in
parallel from the offset where the window starts (a timestamp lookup), so
only the window is read. Output: a timeline (text), a graph (-o json) or
Graphviz (-o dot).`,
		Example: `  edactl trace 4bf92f3577b34da6a3ce929d0e0e4736
  edactl trace ord-7781 --topics orders,payments,shipping --since 6h
  edactl trace ord-7781 --header x-request-id -o dot | dot -Tsvg > flow.svg`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			out, err := g.output("text", "json", "dot")
			if err != nil {
				return err
			}
			if err := opts.parse(time.Now()); err != nil {
				return err
			}
			if !cmd.Flags().Changed("header") {
				opts.Headers = splitList(g.getenv("EDACTL_TRACE_HEADERS"))
				if len(opts.Headers) == 0 && g.Config != nil {
					opts.Headers = g.Config.Trace.Headers
				}
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true, consumer: true, registry: !opts.Raw})
			if err != nil {
				return err
			}
			defer closeAll()
			return runTrace(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, opts, out)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&opts.Topics, "topics", "t", nil, "topics to scan, comma separated (default all non-internal)")
	f.StringVar(&opts.Since, "since", "1h", "start of the window: a duration back from now (90m) or an RFC 3339 time")
	f.StringVar(&opts.Until, "until", "", "end of the window: a duration back from now or an RFC 3339 time (default now)")
	f.StringArrayVar(&opts.Headers, "header", nil, "another header whose value is compared with ID (repeatable; default EDACTL_TRACE_HEADERS, then trace.headers in edactl.yaml)")
	f.BoolVar(&opts.Raw, "raw", false, "do not decode the hits through the registry")
	return cmd
}

func (o *traceOptions) parse(now time.Time) error {
	t, err := windowTime(o.Since, now)
	if err != nil {
		return usageErrorf("--since: %w", err)
	}
	o.From = t
	if o.Until != "" {
		if o.TraceOptions.Until, err = windowTime(o.Until, now); err != nil {
			return usageErrorf("--until: %w", err)
		}
		if !o.TraceOptions.Until.After(o.From) {
			return usageErrorf("--until %s is not after --since %s", o.Until, o.Since)
		}
	}
	return nil
}

// windowTime reads "90m" (back from now) or an RFC 3339 time.
func windowTime(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: want a positive duration", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a duration like 90m or an RFC 3339 time", s)
	}
	return t, nil
}

func runTrace(ctx context.Context, w, errw io.Writer, c *stream.Client, opts *traceOptions, output string) error {
	pr := newProgress(errw)
	topts := opts.TraceOptions
	topts.Progress = func(p stream.TraceProgress) {
		pr.update(fmt.Sprintf("tracing: %d/%d partitions, %d/%d records (%s), %d hit(s)",
			p.Done, p.Partitions, p.Scanned, p.Total, percent(p.Scanned, p.Total), p.Hits))
	}
	g, err := c.Trace(ctx, topts)
	if err != nil {
		return err
	}
	pr.done(fmt.Sprintf("traced %d record(s) on %d topic(s) in %s: %d hit(s)", g.Scanned, len(g.Topics), g.Elapsed.Round(time.Millisecond), len(g.Hits)))
	var err2 error
	switch output {
	case "json":
		err2 = writeJSON(w, g)
	case "dot":
		err2 = g.WriteDOT(w)
	default:
		err2 = writeTimeline(w, g)
	}
	if err2 != nil {
		return err2
	}
	// Like grep: no hit is exit 1, so a script can tell "not found".
	if len(g.Hits) == 0 {
		fmt.Fprintf(errw, "trace: no record carries %q in the window searched\n", opts.ID)
		return errCheckFailed
	}
	return nil
}

// writeTimeline prints the hits in time order, each with what caused it.
func writeTimeline(w io.Writer, g *stream.Graph) error {
	topics := map[string]bool{}
	for _, h := range g.Hits {
		topics[h.Record.Topic] = true
	}
	fmt.Fprintf(w, "trace %s: %d record(s) on %d topic(s), %d causation edge(s)\nwindow %s .. %s\n",
		g.ID, len(g.Hits), len(topics), len(g.Edges), g.From.Format(time.RFC3339), g.Until.Format(time.RFC3339))
	if len(g.Hits) == 0 {
		return nil
	}
	causes := map[int][]string{}
	for _, e := range g.Edges {
		causes[e.To] = append(causes[e.To], fmt.Sprintf("#%d", e.From))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tTIME\tRECORD\tEVENT ID\tCAUSED BY\tMATCHED BY\tVALUE")
	for i, h := range g.Hits {
		by := strings.Join(causes[i], ",")
		if by == "" {
			by = "-"
			if h.CausationID != "" {
				by = h.CausationID + " (not found)"
			}
		}
		id := h.EventID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", i, h.Record.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"),
			termtext.Quote(h.NodeName()), termtext.Quote(id), termtext.Quote(by), h.MatchedBy, clip(h.Record.Value.Text(), 60))
	}
	return tw.Flush()
}

// clip shows s on one line in at most n runes, control characters escaped.
func clip(s string, n int) string {
	s = termtext.OneLine(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
