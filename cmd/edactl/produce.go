package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/stream"
)

// produceOptions are the argument and flags of `edactl produce`.
type produceOptions struct {
	stream.ProduceOptions
	File            string
	MaxMessageBytes int32
	// partition is --partition, partitionSet whether it was given.
	partition    int32
	partitionSet bool
	// keySepSet says whether -K was given.
	keySepSet bool
	// versionSet and maxBytesSet say whether --version and
	// --max-message-bytes were given.
	versionSet, maxBytesSet bool
}

// checkVersion checks --version.
func (o *produceOptions) checkVersion() error {
	if o.Version < -1 || o.Version == 0 && o.versionSet {
		return usageErrorf("--version %d: want a version number (1 or more) or -1 for the latest", o.Version)
	}
	return nil
}

// roles returns the clients a produce needs: the producer with
// --max-message-bytes as its batch limit when given.
func (o *produceOptions) roles() (roles, error) {
	r := roles{admin: true, producer: true, registry: true}
	if o.maxBytesSet {
		if o.MaxMessageBytes <= 0 {
			return r, usageErrorf("--max-message-bytes %d: want a positive size in bytes", o.MaxMessageBytes)
		}
		r.producerOpts = []kgo.Opt{kgo.ProducerBatchMaxBytes(o.MaxMessageBytes)}
	}
	if o.partitionSet {
		if o.partition < 0 {
			return r, usageErrorf("--partition %d: want a partition number (0 or more)", o.partition)
		}
		o.Partition = &o.partition
		r.producerOpts = append(r.producerOpts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	}
	if o.NullValue && o.KeySeparator == "" {
		return r, usageErrorf("--null-value needs -K (raw KEY<sep>VALUE lines)")
	}
	if o.KeySeparator == "" && o.keySepSet {
		return r, usageErrorf("-K: the key separator must not be empty")
	}
	return r, nil
}

func newProduceCmd(g *globals) *cobra.Command {
	opts := &produceOptions{}
	cmd := &cobra.Command{
		Use:   "produce TOPIC",
		Short: "Write records from JSON lines, encoded with a registry schema",
		Long: `Read records as JSON lines from stdin (or --file) and write them to TOPIC:

  {"key": "o-1", "value": {"id": "o-1", "total": 12.5}, "headers": {"ce_type": "OrderPlaced"}}

Values are encoded in the Confluent wire format with the latest schema of
the subject <topic>-value (or --subject, --version). Keys are written as
text unless --key-subject is given. A line may say how to write a payload
instead: "value_encoding" (or "key_encoding") "utf8", "json", "base64" or
"null". Header values are text unless "header_encodings" maps the name to
"base64" ({"bin":"base64"}), as consume writes values that are not UTF-8.
The output of 'edactl consume -o json' is valid input.

Every line is checked before anything is written: if any line is invalid
(bad JSON, a field the schema does not have, a wrong type), each bad line is
reported with its number and field path and nothing is written. A record
larger than the producer's max batch size is invalid too: by default
1,000,012 bytes (franz-go's default, Kafka's max.message.bytes before 0.11;
brokers since accept 1,048,588), --max-message-bytes changes it. If the
broker then refuses a record (e.g. the topic's max.message.bytes is
smaller), the write stops early; records already handed to the client may
still be written, and the lines that were and were not written are reported
exactly; the exit status is 1. Records are partitioned by key like any Kafka
producer, or all written to --partition N.

-K SEP reads raw lines instead, as kcat -K: KEY SEP VALUE, split at the
first SEP. The key is text (a JSON value with --key-subject), the value a
JSON value encoded with the schema. An empty value part is invalid unless
--null-value makes it a tombstone; a line without SEP is invalid.`,
		Example: `  echo '{"key":"o-1","value":{"id":"o-1","total":12.5}}' | edactl produce orders

  # Encode with version 2 of the subject
  edactl produce orders --version 2 < orders.jsonl

  # Raw KEY:VALUE lines (as kcat -K) to partition 0; "sku-2:" is a tombstone
  printf 'sku-1:{"requestId":"r-1","sku":"sku-1","replyTo":"inventory.answers"}\nsku-2:\n' | edactl produce inventory.queries -K : --null-value --partition 0

  # Copy records between clusters
  edactl consume orders --brokers old:9092 -o json | edactl produce orders --brokers new:9092`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Topic = args[0]
			opts.versionSet = cmd.Flags().Changed("version")
			opts.maxBytesSet = cmd.Flags().Changed("max-message-bytes")
			opts.partitionSet = cmd.Flags().Changed("partition")
			opts.keySepSet = cmd.Flags().Changed("key-separator")
			out, err := g.output()
			if err != nil {
				return err
			}
			if err := opts.checkVersion(); err != nil {
				return err
			}
			in := cmd.InOrStdin()
			if opts.File != "" && opts.File != "-" {
				f, err := os.Open(opts.File)
				if err != nil {
					return usageErrorf("%w", err)
				}
				defer f.Close()
				in = f
			}
			r, err := opts.roles()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, r)
			if err != nil {
				return err
			}
			defer closeAll()
			return runProduce(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, opts, in, out)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.File, "file", "f", "", "read JSON lines from this file instead of stdin")
	f.StringVar(&opts.ValueSubject, "subject", "", "subject whose schema encodes values (default <topic>-value)")
	f.IntVar(&opts.Version, "version", -1, "version of the subject (default the latest)")
	f.StringVar(&opts.KeySubject, "key-subject", "", "encode keys with this subject's latest schema (default: keys are text)")
	f.Int32Var(&opts.MaxMessageBytes, "max-message-bytes", 1000012, "the largest record batch the producer writes (as the topic's max.message.bytes)")
	f.Int32VarP(&opts.partition, "partition", "p", 0, "write every record to this partition (default: partitioned by key)")
	f.StringVarP(&opts.KeySeparator, "key-separator", "K", "", "read raw KEY<sep>VALUE lines split at the first SEP (as kcat -K): key as text, value a JSON value for the schema")
	f.BoolVar(&opts.NullValue, "null-value", false, "with -K, a line with an empty value part is a tombstone (null value)")
	return cmd
}

func runProduce(ctx context.Context, w, errw io.Writer, c *stream.Client, opts *produceOptions, in io.Reader, output string) error {
	res, err := c.Produce(ctx, opts.ProduceOptions, in)
	name := "stdin"
	if opts.File != "" && opts.File != "-" {
		name = opts.File
	}
	var les stream.LineErrors
	if errors.As(err, &les) {
		for _, le := range les {
			fmt.Fprintf(errw, "edactl: %s: %v\n", name, le)
		}
		fmt.Fprintf(errw, "edactl: %d invalid line(s); nothing was written to %s\n", len(les), opts.Topic)
		return errCheckFailed
	}
	var pe *stream.ProduceError
	if errors.As(err, &pe) {
		// Some records may have been written: say what was, then why the
		// rest was not.
		if werr := writeProduceResult(w, res, opts.Topic, output); werr != nil {
			return werr
		}
		fmt.Fprintf(errw, "edactl: %s: %v\n", name, pe)
		return errCheckFailed
	}
	if err != nil {
		return err
	}
	return writeProduceResult(w, res, opts.Topic, output)
}

func writeProduceResult(w io.Writer, res stream.ProduceResult, topic, output string) error {
	if output == "json" {
		return writeJSON(w, res)
	}
	fmt.Fprintf(w, "produced %d record(s) to %s", res.Records, topic)
	if res.ValueSchema != nil {
		fmt.Fprintf(w, " (values: %s v%d, schema id %d)", res.ValueSchema.Subject, res.ValueSchema.Version, res.ValueSchema.ID)
	}
	fmt.Fprintln(w)
	ps := make([]int32, 0, len(res.Partitions))
	for p := range res.Partitions {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	for _, p := range ps {
		fmt.Fprintf(w, "  partition %d: %d\n", p, res.Partitions[p])
	}
	return nil
}
