package main

import (
	"fmt"
	"github.com/edactl/edactl/internal/connect"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// settingJSON is one row of `edactl config -o json`.
type settingJSON struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

func newConfigCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Show the effective settings and where each one came from",
		Long: `Show the settings edactl uses after applying edactl.yaml, then the named
context, then EDACTL_* environment variables, then flags (later wins), and
where each value came from. Secrets (passwords, tokens) are shown only as
set or not; their files are shown by path.`,
		Example: `  edactl config
  EDACTL_BROKERS=kafka:9092 edactl config -o json`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			file := g.ConfigPath
			if file == "" {
				file = "(none)"
			}
			rows := []settingJSON{{"config", file, ""}}
			if g.context != nil {
				rows = append(rows, settingJSON{"context", g.context.name, g.context.source})
			} else {
				rows = append(rows, settingJSON{"context", "(none)", ""})
			}
			for _, s := range connect.Settings {
				rows = append(rows, settingJSON{s.Key, shownValue(s, g.values[s.Key]), g.sources[s.Key]})
			}
			rows = append(rows,
				settingJSON{"output", g.Output, g.sources["output"]},
				settingJSON{"color", fmt.Sprint(g.color(cmd.OutOrStdout())), ""},
			)
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Value, r.Source)
			}
			return tw.Flush()
		},
	}
}
