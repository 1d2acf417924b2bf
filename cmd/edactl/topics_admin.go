package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/stream"
)

// parseKeyValues parses repeated k=v flags; flag names the flag in errors.
func parseKeyValues(flag string, kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageErrorf("--%s %q: want KEY=VALUE", flag, kv)
		}
		m[strings.TrimSpace(k)] = v
	}
	return m, nil
}

// writeTopicChange reports ch as JSON or as one line of text.
func writeTopicChange(w io.Writer, ch stream.TopicChange, output string) error {
	if output == "json" {
		return writeJSON(w, ch)
	}
	switch ch.Action {
	case "created":
		fmt.Fprintf(w, "created topic %s: %d partitions, replication factor %d", ch.Topic, ch.Partitions, ch.Replicas)
		if len(ch.Set) > 0 {
			fmt.Fprintf(w, ", config %s", keyValues(ch.Set))
		}
		fmt.Fprintln(w)
	case "deleted":
		fmt.Fprintf(w, "deleted topic %s\n", ch.Topic)
	case "configured":
		var parts []string
		if len(ch.Set) > 0 {
			parts = append(parts, "set "+keyValues(ch.Set))
		}
		if len(ch.Deleted) > 0 {
			parts = append(parts, "deleted "+strings.Join(ch.Deleted, ", "))
		}
		fmt.Fprintf(w, "configured topic %s: %s\n", ch.Topic, strings.Join(parts, "; "))
	case "partitioned":
		fmt.Fprintf(w, "topic %s has %d partitions\n", ch.Topic, ch.Partitions)
	}
	return nil
}

// keyValues renders m as "a=1, b=2", sorted by key.
func keyValues(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func newTopicsCreateCmd(g *globals) *cobra.Command {
	var partitions, replicas int
	var configs []string
	cmd := &cobra.Command{
		Use:   "create TOPIC",
		Short: "Create a topic",
		Long: `Create TOPIC with --partitions partitions, --replicas replicas per
partition and --config entries (repeatable KEY=VALUE), as kafka-topics.sh
names them. -1 takes the broker's default (num.partitions,
default.replication.factor). Here --config is a topic configuration: name
another edactl.yaml with EDACTL_CONFIG.`,
		Example: `  edactl topics create orders.retry --partitions 6 --replicas 3 --config retention.ms=604800000
  edactl topics create audit --config cleanup.policy=compact -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			cfg, err := parseKeyValues("config", configs)
			if err != nil {
				return err
			}
			if partitions == 0 || partitions < -1 || replicas == 0 || replicas < -1 || replicas > 1<<15-1 {
				return usageErrorf("--partitions %d --replicas %d: want positive numbers, or -1 for the broker's default", partitions, replicas)
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			ch, err := c.CreateTopic(cmd.Context(), args[0], stream.CreateTopicOptions{Partitions: int32(partitions), Replicas: int16(replicas), Configs: cfg})
			if err != nil {
				return err
			}
			return writeTopicChange(cmd.OutOrStdout(), ch, out)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&partitions, "partitions", "p", -1, "partition count (-1: the broker's num.partitions)")
	f.IntVarP(&replicas, "replicas", "r", -1, "replication factor (-1: the broker's default.replication.factor)")
	f.StringArrayVarP(&configs, "config", "c", nil, "topic configuration KEY=VALUE (repeatable)")
	return cmd
}

func newTopicsDeleteCmd(g *globals) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete TOPIC",
		Short: "Delete a topic and all its records (asks first)",
		Long: `Delete TOPIC and every record in it. edactl asks you to type the topic's
name first, unless --yes; without a terminal to ask on, --yes is required.
Internal topics (__consumer_offsets, __transaction_state, any "__" topic)
are refused.`,
		Example: `  edactl topics delete orders.debug
  edactl topics delete orders.debug --yes -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			topic := args[0]
			out, err := g.output()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			if strings.HasPrefix(topic, "__") {
				return &usageError{fmt.Errorf("%w: %q", stream.ErrInternalTopic, topic)}
			}
			if !yes {
				if _, err := c.DescribeTopic(cmd.Context(), topic); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Delete topic %s and all its records? Type its name to confirm: ", topic)
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if strings.TrimSpace(line) != topic {
					fmt.Fprintln(cmd.ErrOrStderr())
					if err != nil {
						return usageErrorf("topic %s not deleted: no confirmation (pass --yes to delete without asking)", topic)
					}
					return usageErrorf("topic %s not deleted: the name typed was not %q", topic, topic)
				}
			}
			ch, err := c.DeleteTopic(cmd.Context(), topic)
			if errors.Is(err, stream.ErrInternalTopic) {
				return &usageError{err}
			}
			if err != nil {
				return err
			}
			return writeTopicChange(cmd.OutOrStdout(), ch, out)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

func newTopicsConfigCmd(g *globals) *cobra.Command {
	var set, del []string
	cmd := &cobra.Command{
		Use:   "config TOPIC",
		Short: "Show or change a topic's configuration",
		Long: `Without flags, show TOPIC's configuration (every entry, its value and
source). --set KEY=VALUE and --delete KEY (both repeatable) change it in one
incremental request; a deleted entry goes back to the broker's default.`,
		Example: `  edactl topics config orders
  edactl topics config orders --set retention.ms=86400000 --delete cleanup.policy
  edactl topics config orders -o json | jq '.[] | select(.source != "DEFAULT_CONFIG")'`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			sets, err := parseKeyValues("set", set)
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			if len(sets) > 0 || len(del) > 0 {
				ch, err := c.AlterTopicConfig(cmd.Context(), args[0], sets, del)
				if err != nil {
					return err
				}
				return writeTopicChange(cmd.OutOrStdout(), ch, out)
			}
			cfs, err := c.TopicConfig(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), cfs)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CONFIG\tVALUE\tSOURCE")
			for _, cf := range cfs {
				v := cf.Value
				if cf.Sensitive {
					v = "(sensitive)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", cf.Name, v, cf.Source)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVar(&set, "set", nil, "set KEY=VALUE (repeatable)")
	cmd.Flags().StringArrayVar(&del, "delete", nil, "delete KEY, back to the default (repeatable)")
	return cmd
}

func newTopicsPartitionsCmd(g *globals) *cobra.Command {
	var count int
	cmd := &cobra.Command{
		Use:   "partitions TOPIC --count N",
		Short: "Raise a topic's partition count",
		Long: `Raise TOPIC's partition count to --count. Kafka cannot remove partitions.
New partitions change which partition a key hashes to, so the order of a key's
records is kept only among those written after the change.`,
		Example: `  edactl topics partitions orders --count 12
  edactl topics partitions orders --count 12 -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			if count < 1 {
				return usageErrorf("--count %d: want a positive partition count", count)
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			ch, err := c.SetPartitions(cmd.Context(), args[0], count)
			if err != nil {
				return err
			}
			return writeTopicChange(cmd.OutOrStdout(), ch, out)
		},
	}
	cmd.Flags().IntVar(&count, "count", 0, "the new partition count")
	_ = cmd.MarkFlagRequired("count")
	return cmd
}
