package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

type consumeOptions struct {
	Topics     []string
	Partitions string
	From       string
	Until      string
	Count      int
	Follow     bool
	Group      string
	Key        string
	keySet     bool
	Headers    []string
	Filter     string
	Raw        bool
	Format     string
	formatSet  bool
}

func newConsumeCmd(g *globals) *cobra.Command {
	opts := &consumeOptions{}
	cmd := &cobra.Command{
		Use:   "consume TOPIC...",
		Short: "Read records, decoded through the schema registry",
		Long: `Read records from one or more topics and print them with their headers,
keys and values. Keys and values in the Confluent wire format are decoded
through the registry to JSON (logical types readable: decimals as numbers,
timestamps as RFC 3339); other payloads are shown as text, embedded JSON, or
base64. A payload that cannot be decoded (unknown schema id, garbage) is shown
raw with the reason; it never stops the read.

Positions (--from, --until), per partition with P:POSITION, comma separated:
  earliest | latest | OFFSET | -N (N before the end) | @RFC3339 | @-DURATION

By default every partition is read from the earliest offset to the end
offset when the command starts, without creating a consumer group. --follow
keeps reading new records; --until stops each partition before an offset or
at the first record at/after a time; -n stops after COUNT records. With
--group the records are read as a member of that group, starting at its
committed offsets (--from is then the reset position) and committing what
was printed.

Filters (all must hold): --key, --header name=value (repeatable), and
--filter, a CEL expression over key, value (decoded), headers (map),
topic, partition, offset and timestamp. A field holding null is absent
(has(value.couponCode) is false for a null coupon). An expression that
fails on every record read (no such field) exits 1; one that matches
nothing exits 0.

-f/--format FMT prints each record as FMT says, as kcat -f does: %t topic,
%p partition, %o offset, %k key, %v value (decoded to JSON text; the bytes
as stored with --raw), %K key length and %S value size in bytes (-1 for a
null), %T timestamp (Unix ms), %h headers (name=value,...), %% a percent
sign; escapes \n \t \r \\. Nothing is added after a record: end FMT with
\n for one line each. On a terminal, control characters from records are
escaped. (--follow's short name is -F.)

-o json prints one JSON object per record per line (JSON Lines), which
'edactl produce' reads back; header values that are not UTF-8 are written
as base64 and named in "header_encodings".`,
		Example: `  # The last 10 records of each partition, decoded
  edactl consume orders --from -10

  # What happened in the last hour, as JSON Lines for jq
  edactl consume orders payments --from @-1h -o json | jq .value

  # Partition 0 from offset 1200, partition 3 from 90 (others from the start), up to a time
  edactl consume orders --from 0:1200,3:90 --until @2024-05-01T12:00:00Z

  # Large orders of one tenant, keep tailing
  edactl consume orders.placed -F --header tenant=acme --filter 'value.totalCents > 100000'

  # kcat-style output: key, a tab, the decoded value, one record per line
  edactl consume orders.placed -f '%k\t%v\n'`,
		Args: minimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Topics = args
			opts.keySet = cmd.Flags().Changed("key")
			opts.formatSet = cmd.Flags().Changed("format")
			out, err := g.output()
			if err != nil {
				return err
			}
			spec, filter, err := opts.parse()
			if err != nil {
				return err
			}
			format, err := opts.format(out, isTerminal(cmd.OutOrStdout()))
			if err != nil {
				return err
			}
			r, err := opts.roles(spec)
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, r)
			if err != nil {
				return err
			}
			defer closeAll()
			return runConsume(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, opts, spec, filter, out, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "start position (default earliest)")
	f.StringVar(&opts.Until, "until", "", "stop position, exclusive (default: the end offset at start)")
	f.IntVarP(&opts.Count, "count", "n", 0, "stop after COUNT records")
	f.BoolVarP(&opts.Follow, "follow", "F", false, "keep reading new records")
	f.StringVarP(&opts.Format, "format", "f", "", "print each record with this kcat-style format: %t %p %o %k %v %K %S %T %h %%, \\n \\t \\r \\\\ (see --help)")
	f.StringVarP(&opts.Group, "group", "g", "", "read as a member of this consumer group and commit offsets")
	f.StringVarP(&opts.Partitions, "partitions", "p", "", "read only these partitions (comma separated)")
	f.StringVarP(&opts.Key, "key", "k", "", "only records with this key")
	f.StringArrayVar(&opts.Headers, "header", nil, "only records with this header: name=value or name (repeatable)")
	f.StringVar(&opts.Filter, "filter", "", "only records for which this CEL expression is true")
	f.BoolVar(&opts.Raw, "raw", false, "do not decode through the registry; show payloads as bytes")
	return cmd
}

func (o *consumeOptions) parse() (stream.ReadSpec, *stream.Filter, error) {
	spec := stream.ReadSpec{Topics: o.Topics, Follow: o.Follow}
	var err error
	if spec.From, err = stream.ParseBound(o.From); err != nil {
		return spec, nil, usageErrorf("--from: %w", err)
	}
	if spec.Until, err = stream.ParseBound(o.Until); err != nil {
		return spec, nil, usageErrorf("--until: %w", err)
	}
	if o.Count < 0 {
		return spec, nil, usageErrorf("--count %d: want a positive number", o.Count)
	}
	if o.Partitions != "" {
		ps, err := parsePartitions(o.Partitions)
		if err != nil {
			return spec, nil, err
		}
		spec.Partitions = map[string][]int32{}
		for _, t := range o.Topics {
			spec.Partitions[t] = ps
		}
	}
	var hs []stream.HeaderMatch
	for _, h := range o.Headers {
		hm, err := stream.ParseHeaderMatch(h)
		if err != nil {
			return spec, nil, usageErrorf("--header: %w", err)
		}
		hs = append(hs, hm)
	}
	var key *string
	if o.keySet {
		key = &o.Key
	}
	filter, err := stream.NewFilter(key, hs, o.Filter)
	if err != nil {
		return spec, nil, usageErrorf("--filter: %w", err)
	}
	return spec, filter, nil
}

// roles returns the clients a read of spec needs: with --group, a
// consumer that is a member of the group, starting where --from says when
// the group has no committed offset.
func (o *consumeOptions) roles(spec stream.ReadSpec) (roles, error) {
	r := roles{admin: true, consumer: true, registry: !o.Raw}
	if o.Group == "" {
		return r, nil
	}
	if len(spec.From.Partitions) > 0 {
		return r, usageErrorf("with --group, --from is the group's reset position and cannot name partitions")
	}
	r.group, r.groupTopics = o.Group, o.Topics
	r.groupReset = stream.Position{Kind: stream.Earliest}
	if spec.From.Default != nil {
		r.groupReset = *spec.From.Default
	}
	if spec.Partitions != nil {
		return r, usageErrorf("--partitions cannot be used with --group: the group assigns partitions")
	}
	return r, nil
}

// format parses --format: nil without it. Text taken from records is
// escaped when stdout is a terminal (raw bytes go to pipes and files).
func (o *consumeOptions) format(output string, terminal bool) (*stream.Format, error) {
	if !o.formatSet {
		return nil, nil
	}
	if output == "json" {
		return nil, usageErrorf("--format and -o json cannot be combined: pick one output")
	}
	f, err := stream.ParseFormat(o.Format)
	if err != nil {
		return nil, usageErrorf("--format: %w", err)
	}
	f.Raw = o.Raw
	if terminal {
		f.Escape = termtext.Escape
	}
	return f, nil
}

func runConsume(ctx context.Context, w, errw io.Writer, c *stream.Client, opts *consumeOptions, spec stream.ReadSpec, filter *stream.Filter, output string, format *stream.Format) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	var buf []byte
	deliver := func(r *stream.Record) error {
		if format != nil {
			buf = format.Append(buf[:0], r)
		} else if output == "json" {
			buf = r.AppendJSON(buf[:0])
			buf = append(buf, '\n')
		} else {
			buf = appendRecordText(buf[:0], r)
		}
		_, err := bw.Write(buf)
		if err == nil && opts.Follow {
			err = bw.Flush() // show followed records as they come
		}
		return err
	}
	// deliver copies each record into the output buffer: nothing of it is
	// kept, so the read may reuse its memory.
	st, err := c.Consume(ctx, stream.ConsumeOptions{ReadSpec: spec, Limit: opts.Count, Filter: filter, Raw: opts.Raw, Transient: true}, deliver)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		err = nil // interrupted (Ctrl-C): what was read has been printed
	}
	// An expression that failed on every record read (a misspelt field)
	// is the command failing, not a filter that matched nothing.
	allFailed := st.Read > 0 && st.FilterErrors == st.Read
	if st.FilterErrors > 0 && !allFailed {
		fmt.Fprintf(errw, "edactl: the filter failed on %d record(s), which were skipped; first: %s\n", st.FilterErrors, st.FirstFilterError)
	}
	if output == "text" && format == nil {
		fmt.Fprintf(errw, "%d record(s) shown, %d read\n", st.Delivered, st.Read)
	}
	if err == nil && allFailed {
		err = fmt.Errorf("--filter failed on every record read (%d of %d); first: %s", st.FilterErrors, st.Read, st.FirstFilterError)
	}
	return err
}

// appendRecordText renders a record as two or more lines:
//
//	orders/0@42  2024-05-01T10:00:00.000Z  key o-1  ce_id=e1 ce_type=OrderPlaced
//	  {"id":"o-1","amount":12.50}  (avro, orders-value v2, id 3)
//
// Text from the record (key, header names and values, the value) never
// reaches the terminal raw: one-line fields are Go-quoted when they hold
// anything not printable, and the value keeps its newlines and tabs but has
// every other control character escaped, so an ESC or CR in a record shows
// as \x1b or \r instead of acting on the terminal.
func appendRecordText(dst []byte, r *stream.Record) []byte {
	dst = fmt.Appendf(dst, "%s/%d@%d  %s", termtext.Quote(r.Topic), r.Partition, r.Offset, r.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"))
	switch r.Key.Encoding {
	case stream.EncNull:
		dst = append(dst, "  key null"...)
	case stream.EncUTF8:
		dst = fmt.Appendf(dst, "  key %s", termtext.Quote(r.Key.Text()))
	default:
		dst = fmt.Appendf(dst, "  key %s (%s)", termtext.Quote(r.Key.Text()), payloadInfo(r.Key))
	}
	for i, h := range r.Headers {
		if i == 0 {
			dst = append(dst, ' ')
		}
		dst = fmt.Appendf(dst, " %s=%s", headerKeyText(h.Key), headerValueText(h.Value))
	}
	dst = append(dst, "\n  "...)
	dst = append(dst, strings.ReplaceAll(termtext.Escape(r.Value.Text()), "\n", "\n  ")...)
	if r.Value.Encoding != stream.EncUTF8 {
		dst = fmt.Appendf(dst, "  (%s)", payloadInfo(r.Value))
	}
	return append(dst, '\n')
}

func payloadInfo(p stream.Payload) string {
	s := string(p.Encoding)
	if p.Schema != nil {
		if p.Schema.Subject != "" {
			s += fmt.Sprintf(", %s v%d", p.Schema.Subject, p.Schema.Version)
		}
		s += fmt.Sprintf(", schema id %d", p.Schema.ID)
	}
	if p.Err != nil {
		s += "; not decoded: " + termtext.OneLine(p.Err.Error())
	}
	return s
}

// headerValueText shows a header value after "name=": as is when it is
// printable and has no space or quote (so the line splits back into
// name=value pairs), Go-quoted otherwise.
func headerValueText(b []byte) string { return quoteIf(string(b), " \"") }

// headerKeyText shows a header name: Go-quoted when it is not printable or
// holds a space, '=' or quote.
func headerKeyText(k string) string { return quoteIf(k, " =\"") }

// quoteIf Go-quotes s when it is not printable or holds any of special.
func quoteIf(s, special string) string {
	if !termtext.Printable(s) || strings.ContainsAny(s, special) {
		return strconv.Quote(s)
	}
	return s
}
