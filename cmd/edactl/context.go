package main

import (
	"errors"
	"fmt"
	"github.com/edactl/edactl/internal/connect"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// contextJSON is one context in `edactl context list -o json`; secrets are
// shown only as set.
type contextJSON struct {
	Name     string            `json:"name"`
	Current  bool              `json:"current"`
	Settings map[string]string `json:"settings"`
}

func newContextCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "context",
		Short: "Named cluster contexts: brokers, registry and security settings",
		Long: `Manage named contexts in the user config file
($XDG_CONFIG_HOME/edactl/config.yaml, default ~/.config/edactl/config.yaml,
or EDACTL_USER_CONFIG). A context holds the connection settings of one
environment: brokers, registry, Kafka TLS and SASL, the registry's TLS and
credentials, under the keys edactl config lists.

Every command runs with the current context, or the one --context or
EDACTL_CONTEXT names; the precedence is edactl.yaml < context < EDACTL_* <
flags. Prefer *_file keys for secrets: a context file is written readable by
its owner only, but a file can be rotated without editing it.`,
		Example: `  edactl context set prod --brokers kafka-1.example.com:9093 --kafka-tls \
      --kafka-sasl-mechanism SCRAM-SHA-512 --kafka-sasl-user svc --kafka-sasl-password-file ~/.secrets/kafka \
      --registry https://registry.example.com --registry-token-file ~/.secrets/registry
  edactl context use prod
  edactl context list
  edactl --context staging topics`,
	}
	cmd.AddCommand(newContextListCmd(g), newContextUseCmd(g), newContextCurrentCmd(g), newContextSetCmd(g), newContextDeleteCmd(g))
	return cmd
}

func newContextListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the contexts; * marks the current one",
		Example: `  edactl context list
  edactl context list -o json | jq -r '.[].name'`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			uc, err := loadUserConfig(g.userConfigPath())
			if err != nil {
				return err
			}
			current := ""
			if g.context != nil {
				current = g.context.name
			}
			list := []contextJSON{}
			for _, name := range slices.Sorted(maps.Keys(uc.Contexts)) {
				shown := map[string]string{}
				for k, v := range uc.Contexts[name] {
					shown[k] = shownValue(mustSetting(k), v)
				}
				list = append(list, contextJSON{Name: name, Current: name == current, Settings: shown})
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), list)
			}
			if len(list) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "no contexts in %s; add one with edactl context set NAME\n", g.userConfigPath())
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CURRENT\tNAME\tBROKERS\tREGISTRY\tSASL\tKAFKA TLS")
			for _, c := range list {
				mark := ""
				if c.Current {
					mark = "*"
				}
				tlsOn := "no"
				if c.Settings["kafka_tls"] == "true" || c.Settings["kafka_ca_file"] != "" || c.Settings["kafka_cert_file"] != "" {
					tlsOn = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, c.Name, c.Settings["brokers"], c.Settings["registry"], c.Settings["kafka_sasl_mechanism"], tlsOn)
			}
			return tw.Flush()
		},
	}
}

func newContextUseCmd(g *globals) *cobra.Command {
	var none bool
	cmd := &cobra.Command{
		Use:   "use NAME | --none",
		Short: "Make NAME the current context (--none: no current context)",
		Example: `  edactl context use prod
  edactl context use --none   # back to edactl.yaml, EDACTL_* and the defaults`,
		Args: func(cmd *cobra.Command, args []string) error {
			if none {
				return noArgs()(cmd, args)
			}
			return exactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path := g.userConfigPath()
			uc, err := loadUserConfig(path)
			if err != nil {
				return err
			}
			if none {
				uc.CurrentContext = ""
				if err := uc.save(path); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "no current context")
				return nil
			}
			if _, ok := uc.Contexts[args[0]]; !ok {
				return usageErrorf("no context %q in %s; see edactl context list", args[0], path)
			}
			uc.CurrentContext = args[0]
			if err := uc.save(path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "current context: %s\n", args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&none, "none", false, "unset the current context")
	return cmd
}

func newContextCurrentCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "current",
		Short: "Print the context commands run with, and why",
		Example: `  edactl context current
  EDACTL_CONTEXT=staging edactl context current`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.context == nil {
				return errors.New("no current context: set one with edactl context use NAME")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\t(%s)\n", g.context.name, g.context.source)
			return nil
		},
	}
}

func newContextSetCmd(g *globals) *cobra.Command {
	var unset []string
	cmd := &cobra.Command{
		Use:   "set NAME",
		Short: "Create or change a context from the connection flags given",
		Long: `Create the context NAME, or change it: every connection flag given on
the command line (--brokers, --registry, --kafka-*, --user, --token, ...)
is stored under its key; --unset KEY removes a key. Values come from the
flags only, not from the environment or another context. The first context
set becomes the current one.`,
		Example: `  edactl context set local --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081
  edactl context set prod --kafka-sasl-mechanism SCRAM-SHA-512 --kafka-sasl-user svc --kafka-sasl-password-file /run/secrets/kafka
  edactl context set prod --unset kafka_ca_file`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			path := g.userConfigPath()
			uc, err := loadUserConfig(path)
			if err != nil {
				return err
			}
			if uc.Contexts == nil {
				uc.Contexts = map[string]map[string]string{}
			}
			c := uc.Contexts[name]
			if c == nil {
				c = map[string]string{}
			}
			var changed []string
			for _, s := range connect.Settings {
				if cmd.Flags().Changed(s.Flag) {
					c[s.Key] = g.flags.flagValue(s)
					changed = append(changed, s.Key)
				}
			}
			for _, k := range unset {
				if _, ok := settingByKey(k); !ok {
					return usageErrorf("--unset %q: not a setting (known: %s)", k, strings.Join(settingKeys(), ", "))
				}
				delete(c, k)
				changed = append(changed, "-"+k)
			}
			if len(changed) == 0 {
				return usageErrorf("nothing to set: give connection flags (--brokers, --registry, --kafka-*, ...) or --unset KEY")
			}
			uc.Contexts[name] = c
			if uc.CurrentContext == "" {
				uc.CurrentContext = name
			}
			if err := uc.save(path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "context %s in %s: %s\n", name, path, strings.Join(changed, ", "))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&unset, "unset", nil, "remove this key from the context (repeatable)")
	return cmd
}

func newContextDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "delete NAME",
		Short:   "Remove a context",
		Example: `  edactl context delete staging`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := g.userConfigPath()
			uc, err := loadUserConfig(path)
			if err != nil {
				return err
			}
			if _, ok := uc.Contexts[args[0]]; !ok {
				return usageErrorf("no context %q in %s", args[0], path)
			}
			delete(uc.Contexts, args[0])
			if uc.CurrentContext == args[0] {
				uc.CurrentContext = ""
			}
			if err := uc.save(path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted context %s\n", args[0])
			return nil
		},
	}
}
