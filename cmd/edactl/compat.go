package main

import (
	"io"
	"os"

	"github.com/hamba/avro/v2"
	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

type compatOptions struct {
	Level   string
	New     string
	History []string
}

func newCompatCmd(g *globals) *cobra.Command {
	opts := &compatOptions{}
	cmd := &cobra.Command{
		Use:   "compat --level LEVEL NEW.avsc OLD.avsc [OLDER.avsc ...]",
		Short: "Check a new Avro schema against its history, offline",
		Long: `Check a new Avro schema against previous versions (newest first) under a
compatibility level, without a registry. Every incompatibility is listed with
its field path and rule:

  <path>: <RULE>: <explanation>

Levels: BACKWARD (the new schema reads old data), FORWARD (old schemas read
new data), FULL (both), their _TRANSITIVE forms (every history entry, not
just the newest) and NONE.

Exit status: 0 compatible, 1 incompatible, 2 usage error (including a schema
that does not parse).`,
		Example: `  # Can consumers on v3 read what v2 producers wrote?
  edactl compat --level BACKWARD v3.avsc v2.avsc

  # Check against the whole history, both directions, as JSON
  edactl compat --level FULL_TRANSITIVE -o json v3.avsc v2.avsc v1.avsc`,
		Args: minimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.New, opts.History = args[0], args[1:]
			out, err := g.output()
			if err != nil {
				return err
			}
			return runCompat(cmd.OutOrStdout(), opts, out)
		},
	}
	cmd.Flags().StringVarP(&opts.Level, "level", "l", "BACKWARD", "compatibility level: "+levelNames())
	_ = cmd.RegisterFlagCompletionFunc("level", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return levelList(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func levelList() []string {
	out := make([]string, len(compat.Levels))
	for i, l := range compat.Levels {
		out[i] = string(l)
	}
	return out
}

func levelNames() string {
	s := ""
	for i, l := range compat.Levels {
		if i > 0 {
			s += ", "
		}
		s += string(l)
	}
	return s
}

// compatJSON is the -o json report of `edactl compat`.
type compatJSON struct {
	Level       compat.Level           `json:"level"`
	Compatible  bool                   `json:"compatible"`
	New         string                 `json:"new"`
	History     []string               `json:"history"`
	Comparisons []compatJSONComparison `json:"comparisons"`
}

type compatJSONComparison struct {
	Against           string                   `json:"against"`
	Direction         compat.Direction         `json:"direction"`
	Compatible        bool                     `json:"compatible"`
	Incompatibilities []compat.Incompatibility `json:"incompatibilities"`
}

func runCompat(w io.Writer, opts *compatOptions, output string) error {
	level, err := compat.ParseLevel(opts.Level)
	if err != nil {
		return &usageError{err}
	}
	candidate, err := parseSchemaFile(opts.New)
	if err != nil {
		return err
	}
	history := make([]avro.Schema, len(opts.History))
	for i, p := range opts.History {
		if history[i], err = parseSchemaFile(p); err != nil {
			return err
		}
	}
	report := compat.Check(level, candidate, history)

	if output == "json" {
		out := compatJSON{Level: level, Compatible: report.Compatible, New: opts.New, History: opts.History,
			Comparisons: []compatJSONComparison{}}
		for _, c := range report.Comparisons {
			out.Comparisons = append(out.Comparisons, compatJSONComparison{Against: opts.History[c.Against],
				Direction: c.Direction, Compatible: c.Compatible(), Incompatibilities: c.Incompatibilities})
		}
		if err := writeJSON(w, out); err != nil {
			return err
		}
	} else if err := report.WriteText(w, opts.New, opts.History); err != nil {
		return err
	}
	if !report.Compatible {
		return errCheckFailed
	}
	return nil
}

// parseSchemaFile reads and parses an .avsc file; a bad file is a usage
// error naming the file (and line, for JSON syntax errors).
func parseSchemaFile(path string) (avro.Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{err}
	}
	s, err := avroschema.Parse(string(data))
	if err != nil {
		return nil, usageErrorf("%s: %w", path, err)
	}
	return s, nil
}
