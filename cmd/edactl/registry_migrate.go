package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/regmigrate"
)

// The migration commands of `edactl registry`: export, import and verify
// (internal/regmigrate does the work).

// --- export ----------------------------------------------------------------

func newRegistryExportCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export everything a registry holds as JSON Lines",
		Long: `Export every subject and version of the registry (--registry), soft-deleted
ones too, with ids, references and metadata, and every config and mode, as
JSON Lines: a header line, then one line per version, config and mode. Works
against any Confluent-API registry (Confluent, Karapace, Redpanda, edactl).
The file is what 'edactl registry import' reads.`,
		Example: `  edactl registry export --out registry.jsonl
  edactl registry export --registry http://old-registry:8081 > registry.jsonl`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := g.registryCall(cmd, "text")
			if err != nil {
				return err
			}
			return runRegistryExport(cmd.Context(), r, cmd.ErrOrStderr(), out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: stdout)")
	return cmd
}

func runRegistryExport(ctx context.Context, r registryCall, errw io.Writer, out string) error {
	pr := newProgress(errw)
	entries, err := regmigrate.Fetch(ctx, r.cl, func(done, total int, subject string) {
		pr.update(fmt.Sprintf("exporting: %d/%d subjects (%s)", done, total, subject))
	})
	if err != nil {
		return r.fail(err)
	}
	w := r.w
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := regmigrate.Write(w, r.url, entries); err != nil {
		return fmt.Errorf("write %s: %w", nameOr(out, "stdout"), err)
	}
	if f, ok := w.(*os.File); ok && out != "" {
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	versions, deleted := 0, 0
	for _, e := range entries {
		if e.Kind == regmigrate.KindSchema {
			versions++
			if e.Deleted {
				deleted++
			}
		}
	}
	pr.done(fmt.Sprintf("exported %d version(s) (%d soft deleted) and %d config/mode entries from %s to %s",
		versions, deleted, len(entries)-versions, r.url, nameOr(out, "stdout")))
	return nil
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// --- import ----------------------------------------------------------------

// registryImportOptions are the flags of `edactl registry import`.
type registryImportOptions struct {
	From      string
	FromTopic string
	DryRun    bool
}

func newRegistryImportCmd(g *globals) *cobra.Command {
	opts := &registryImportOptions{}
	cmd := &cobra.Command{
		Use:   "import [FILE]",
		Short: "Import an export, a running registry or a _schemas topic, keeping every id",
		Long: `Import into the registry (--registry) every version with its id and version
number, soft deletes, configs and modes, from one of:

  FILE                  a file written by 'edactl registry export'
  --from URL            a running Confluent-API registry (credentials in the
                        URL: https://user:password@host)
  --from-topic TOPIC    a Confluent Schema Registry _schemas topic on --brokers,
                        for a registry that no longer runs

The target should be empty (or hold an earlier import of the same source):
versions are registered in IMPORT mode, switched on for the import, and the
global mode is then set to the source's. A version the target holds with
another id is a conflict and nothing is written. Re-running changes nothing
that is already there; --dry-run lists what would change. The id counter
continues after the highest imported id.`,
		Example: `  edactl registry import registry.jsonl --dry-run
  edactl registry import registry.jsonl
  edactl registry import --from http://old-registry:8081
  edactl registry import --from-topic _schemas --brokers old-kafka:9092`,
		Args: maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			n := 0
			for _, s := range []string{file, opts.From, opts.FromTopic} {
				if s != "" {
					n++
				}
			}
			if n != 1 {
				return usageErrorf("name one source: a FILE, --from URL or --from-topic TOPIC")
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			entries, source, err := readImportSource(cmd.Context(), g, cmd.ErrOrStderr(), file, opts)
			if err != nil {
				return err
			}
			return runRegistryImport(cmd.Context(), r, cmd.ErrOrStderr(), entries, source, opts.DryRun)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "source registry URL")
	f.StringVar(&opts.FromTopic, "from-topic", "", "source Confluent _schemas topic (on --brokers)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "list what would change, change nothing")
	return cmd
}

// readImportSource reads the entries of the source the flags name.
func readImportSource(ctx context.Context, g *globals, errw io.Writer, file string, opts *registryImportOptions) ([]regmigrate.Entry, string, error) {
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		entries, err := regmigrate.Read(f, file)
		if err != nil {
			return nil, "", &usageError{err}
		}
		return entries, file, nil
	case opts.From != "":
		u, err := url.Parse(opts.From)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, "", usageErrorf("--from %q: want a registry URL like http://host:8081", opts.From)
		}
		ro := registryOptions{}
		if u.User != nil {
			ro.User = u.User.Username()
			ro.Password, _ = u.User.Password()
			u.User = nil
		}
		ro.URLs = []string{u.String()}
		cl, err := newRegistryClient(ro)
		if err != nil {
			return nil, "", err
		}
		src := registryCall{cl: cl, url: u.String()}
		pr := newProgress(errw)
		entries, err := regmigrate.Fetch(ctx, cl, func(done, total int, subject string) {
			pr.update(fmt.Sprintf("reading the source: %d/%d subjects (%s)", done, total, subject))
		})
		if err != nil {
			return nil, "", src.fail(err)
		}
		pr.done(fmt.Sprintf("read %d entries from %s", len(entries), u))
		return entries, u.String(), nil
	default:
		kopts := g.clientOptions().Kafka
		entries, stats, err := regmigrate.ReadSchemasTopic(ctx, func(extra ...kgo.Opt) (*kgo.Client, error) {
			return newKafkaClient(kopts, extra...)
		}, opts.FromTopic)
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(errw, "read %d record(s) of %s (%d of kinds that hold no schema state): %d entries\n",
			stats.Records, opts.FromTopic, stats.Skipped, len(entries))
		return entries, "topic " + opts.FromTopic, nil
	}
}

// importJSON is the -o json report of `edactl registry import`.
type importJSON struct {
	Source    string   `json:"source"`
	Target    string   `json:"target"`
	DryRun    bool     `json:"dryRun"`
	Unchanged int      `json:"unchanged"`
	Actions   []string `json:"actions"`
}

func runRegistryImport(ctx context.Context, r registryCall, errw io.Writer, entries []regmigrate.Entry, source string, dryRun bool) error {
	plan, err := regmigrate.PlanImport(ctx, r.cl, entries)
	if err != nil {
		return r.fail(err)
	}
	rep := importJSON{Source: source, Target: r.url, DryRun: dryRun, Unchanged: plan.Unchanged, Actions: []string{}}
	for _, a := range plan.Actions {
		rep.Actions = append(rep.Actions, a.String())
	}
	if !dryRun && len(plan.Actions) > 0 {
		pr := newProgress(errw)
		err := regmigrate.Apply(ctx, r.cl, plan, func(done, total int, what string) {
			pr.update(fmt.Sprintf("importing: %d/%d (%s)", done, total, what))
		})
		if err != nil {
			return r.fail(err)
		}
		pr.done(fmt.Sprintf("imported %d change(s) from %s into %s", len(plan.Actions), source, r.url))
	}
	if r.format == "json" {
		enc := json.NewEncoder(r.w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	verb := "made"
	if dryRun {
		verb = "would make"
	}
	for _, a := range rep.Actions {
		fmt.Fprintln(r.w, a)
	}
	fmt.Fprintf(r.w, "%s %d change(s); %d entries already as in the source\n", verb, len(rep.Actions), rep.Unchanged)
	return nil
}

// --- verify ----------------------------------------------------------------

// registryVerifyOptions are the flags of `edactl registry verify`.
type registryVerifyOptions struct {
	Topics string
	Since  string
}

func newRegistryVerifyCmd(g *globals) *cobra.Command {
	opts := &registryVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that the registry resolves every schema id the topics' records use",
		Long: `Scan the records of --topics on --brokers (from --since on, else from the
start) up to their end now, take the schema id of every key and value in the
Confluent wire format, and ask the registry (--registry) for each. Every id it
cannot resolve is reported with how many records use it and where it was seen
first: no missing id is the proof that a migration kept every id. Exit code 1
when an id is missing.`,
		Example: `  edactl registry verify --topics orders.placed,payments.captured
  edactl registry verify --topics orders.placed --since 7d -o json`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			topics := splitList(opts.Topics)
			if len(topics) == 0 {
				return usageErrorf("--topics: name at least one topic")
			}
			var since time.Time
			if opts.Since != "" {
				if since, err = sinceTime(opts.Since, time.Now()); err != nil {
					return usageErrorf("--since: %w", err)
				}
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			kopts := g.clientOptions().Kafka
			if len(kopts.Brokers) == 0 {
				return usageErrorf("no Kafka brokers: set --brokers or EDACTL_BROKERS")
			}
			rep, err := regmigrate.Verify(cmd.Context(), func(extra ...kgo.Opt) (*kgo.Client, error) {
				return newKafkaClient(kopts, extra...)
			}, r.cl, topics, since)
			if err != nil {
				return err
			}
			if out == "json" {
				if rep.Missing == nil {
					rep.Missing = []regmigrate.Missing{}
				}
				enc := json.NewEncoder(r.w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				for _, m := range rep.Missing {
					fmt.Fprintf(r.w, "missing schema id %d: %d record(s), first at %s\n", m.ID, m.Records, m.First)
				}
				fmt.Fprintf(r.w, "scanned %d record(s) of %s: %d in the wire format, %d distinct schema id(s), %d missing from %s\n",
					rep.Records, strings.Join(topics, ","), rep.Framed, rep.IDs, len(rep.Missing), r.url)
			}
			if len(rep.Missing) > 0 {
				return errCheckFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Topics, "topics", "", "topics to scan, comma separated")
	cmd.Flags().StringVar(&opts.Since, "since", "", "scan from this far back (7d, 36h, 90m) or an RFC 3339 time; default: from the start")
	return cmd
}

// sinceTime is windowTime with days too (7d).
func sinceTime(s string, now time.Time) (time.Time, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return time.Time{}, fmt.Errorf("%q: want a positive number of days", s)
		}
		return now.Add(-time.Duration(n) * 24 * time.Hour), nil
	}
	return windowTime(s, now)
}
