package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/stream"
)

type topicsOptions struct {
	Internal bool
	Topic    string // describe
}

func newTopicsCmd(g *globals) *cobra.Command {
	opts := &topicsOptions{}
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "List, describe, create, delete and configure Kafka topics",
		Long: `List the topics of the cluster with their partition count, replication
factor, retained records and end offset per partition. Internal topics
(__consumer_offsets, ...) are listed with --internal.

The subcommands describe, create and delete topics, change their
configuration and raise their partition count, all with -o json.`,
		Example: `  edactl topics --brokers localhost:9092
  edactl topics -o json | jq -r '.[].name'
  edactl topics describe orders`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			return runTopics(cmd.Context(), cmd.OutOrStdout(), c, opts, out)
		},
	}
	cmd.Flags().BoolVar(&opts.Internal, "internal", false, "include internal topics")
	cmd.AddCommand(newTopicsDescribeCmd(g), newTopicsCreateCmd(g), newTopicsDeleteCmd(g), newTopicsConfigCmd(g), newTopicsPartitionsCmd(g))
	return cmd
}

func newTopicsDescribeCmd(g *globals) *cobra.Command {
	opts := &topicsOptions{}
	return &cobra.Command{
		Use:   "describe TOPIC",
		Short: "Show a topic's partitions (leader, replicas, start/end offsets) and configuration",
		Example: `  edactl topics describe orders
  edactl topics describe orders -o json | jq '.partitions[] | {partition, end}'`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Topic = args[0]
			out, err := g.output()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			return runTopicDescribe(cmd.Context(), cmd.OutOrStdout(), c, opts, out)
		},
	}
}

func runTopics(ctx context.Context, w io.Writer, c *stream.Client, opts *topicsOptions, output string) error {
	ts, err := c.ListTopics(ctx, opts.Internal)
	if err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(w, ts)
	}
	if len(ts) == 0 {
		fmt.Fprintln(w, "no topics")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITIONS\tREPLICAS\tRECORDS\tEND OFFSETS")
	for _, t := range ts {
		ends := make([]string, len(t.EndOffsets))
		for i, e := range t.EndOffsets {
			ends[i] = fmt.Sprintf("%d:%d", i, e)
		}
		name := t.Name
		if t.Internal {
			name += " (internal)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", name, t.Partitions, t.Replicas, t.Records, strings.Join(ends, " "))
	}
	return tw.Flush()
}

func runTopicDescribe(ctx context.Context, w io.Writer, c *stream.Client, opts *topicsOptions, output string) error {
	d, err := c.DescribeTopic(ctx, opts.Topic)
	if err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(w, d)
	}
	fmt.Fprintf(w, "Topic:       %s\n", d.Name)
	if d.ID != "" {
		fmt.Fprintf(w, "ID:          %s\n", d.ID)
	}
	var records int64
	for _, p := range d.Partitions {
		records += p.Records
	}
	fmt.Fprintf(w, "Partitions:  %d\nRecords:     %d\n\n", len(d.Partitions), records)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tLEADER\tREPLICAS\tISR\tSTART\tEND\tRECORDS\tERROR")
	for _, p := range d.Partitions {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%d\t%d\t%s\n", p.Partition, p.Leader, ints(p.Replicas), ints(p.ISR), p.Start, p.End, p.Records, p.Err)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONFIG\tVALUE\tSOURCE")
	for _, cf := range d.Configs {
		v := cf.Value
		if cf.Sensitive {
			v = "(sensitive)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cf.Name, v, cf.Source)
	}
	return tw.Flush()
}

func ints(v []int32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}
