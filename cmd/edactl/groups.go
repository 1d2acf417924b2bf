package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

func newGroupsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "groups",
		Short: "List consumer groups with their state, members and lag",
		Example: `  edactl groups
  edactl groups -o json | jq '.[] | select(.lag > 1000)'
  edactl groups describe billing`,
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
			return runGroups(cmd.Context(), cmd.OutOrStdout(), c, out)
		},
	}
	cmd.AddCommand(newGroupsDescribeCmd(g))
	return cmd
}

func newGroupsDescribeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "describe GROUP",
		Short: "Show a group's members and, per partition, committed offset and lag",
		Example: `  edactl groups describe billing
  edactl groups describe billing -o json | jq '.offsets[] | select(.lag > 0)'`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			return runGroupDescribe(cmd.Context(), cmd.OutOrStdout(), c, args[0], out)
		},
	}
}

func runGroups(ctx context.Context, w io.Writer, c *stream.Client, output string) error {
	gs, err := c.ListGroups(ctx)
	if err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(w, gs)
	}
	if len(gs) == 0 {
		fmt.Fprintln(w, "no consumer groups")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tSTATE\tMEMBERS\tLAG")
	for _, g := range gs {
		lag := fmt.Sprint(g.Lag)
		if g.Lag < 0 {
			lag = "? (" + g.Err + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", termtext.Quote(g.Name), g.State, g.Members, lag)
	}
	return tw.Flush()
}

func runGroupDescribe(ctx context.Context, w io.Writer, c *stream.Client, group, output string) error {
	d, err := c.DescribeGroup(ctx, group)
	if err != nil {
		return err
	}
	if output == "json" {
		return writeJSON(w, d)
	}
	fmt.Fprintf(w, "Group:        %s\nState:        %s\n", termtext.Quote(d.Name), d.State)
	switch {
	case d.ProtocolType != "" && d.Protocol != "":
		fmt.Fprintf(w, "Protocol:     %s/%s\n", termtext.Quote(d.ProtocolType), termtext.Quote(d.Protocol))
	case d.ProtocolType != "":
		fmt.Fprintf(w, "Protocol:     %s\n", termtext.Quote(d.ProtocolType))
	}
	fmt.Fprintf(w, "Coordinator:  %d\nLag:          %d\nMembers:      %d\n", d.Coordinator, d.Lag, len(d.Members))
	for _, m := range d.Members {
		var as []string
		topics := make([]string, 0, len(m.Assigned))
		for t := range m.Assigned {
			topics = append(topics, t)
		}
		sort.Strings(topics)
		for _, t := range topics {
			ps := make([]string, len(m.Assigned[t]))
			for i, p := range m.Assigned[t] {
				ps[i] = fmt.Sprint(p)
			}
			// The group leader chose these names: they are not checked.
			as = append(as, termtext.Quote(t)+":"+strings.Join(ps, ","))
		}
		fmt.Fprintf(w, "  %s  client %s  host %s  %s\n", termtext.Quote(m.ID), termtext.Quote(m.ClientID), termtext.Quote(m.Host), strings.Join(as, " "))
	}
	fmt.Fprintln(w)
	if len(d.Offsets) == 0 {
		fmt.Fprintln(w, "no committed offsets")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITION\tCOMMITTED\tSTART\tEND\tLAG\tCLIENT\tERROR")
	for _, o := range d.Offsets {
		committed, lag, client := fmt.Sprint(o.Committed), fmt.Sprint(o.Lag), termtext.Quote(o.ClientID)
		if o.Committed < 0 {
			committed = "-"
		}
		if o.Lag < 0 {
			lag = "?"
		}
		if client == "" {
			client = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", termtext.Quote(o.Topic), o.Partition, committed, o.Start, o.End, lag, client, o.Err)
	}
	return tw.Flush()
}
