package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/stream"
)

// defaultUndoDir is where --execute writes undo files unless --undo-file
// says otherwise.
const defaultUndoDir = ".edactl/rewinds"

type rewindOptions struct {
	Group      string
	Topics     []string
	AllTopics  bool
	ToEarliest bool
	ToLatest   bool
	ToOffset   int64
	ShiftBy    int64
	ToTime     string
	ByDuration time.Duration
	ToGroup    string
	FromFile   string
	Execute    bool
	UndoFile   string
}

// rewindSpecKinds are the rewind specs, each given by the flag named as its
// kind (--to-earliest, ...); exactly one is used.
var rewindSpecKinds = []stream.RewindKind{stream.ToEarliest, stream.ToLatest, stream.ToOffset, stream.ShiftBy,
	stream.ToTime, stream.ByDuration, stream.ToGroup, stream.FromFile}

// specFlag is the flag that gives a spec of kind k.
func specFlag(k stream.RewindKind) string { return "--" + k.String() }

// specFlags shows a spec as the flags that give it ("--to-offset 120"), as
// the plan table and -o json do.
func specFlags(s stream.RewindSpec) string { return "--" + s.String() }

func newRewindCmd(g *globals) *cobra.Command {
	opts := &rewindOptions{}
	cmd := &cobra.Command{
		Use:   "rewind GROUP",
		Short: "Move a consumer group's committed offsets (dry run unless --execute)",
		Long: `Plan, and with --execute apply, new committed offsets for a consumer group.

Select partitions with --topic TOPIC or --topic TOPIC:0,2 (repeatable) or
--all-topics (every partition the group has a committed offset for), and give
exactly one of:
  --to-earliest, --to-latest, --to-offset N, --shift-by ±N,
  --to-time RFC3339, --by-duration 1h30m (now minus it),
  --to-group OTHER (copy its offsets), --from-file plan.csv

Without --execute nothing changes: a before/after table per partition is
printed. Offsets outside a partition's [log start, log end] are clamped and
marked '*'; a time with no exact answer (after the last record, or before
the first) is marked '~'.

--execute applies the plan with an admin offset commit. It is refused while
the group has active members (they would overwrite the offsets); stop them
first. Before committing, the previous offsets are written to an undo file
(--undo-file, default .edactl/rewinds/GROUP-TIME.csv) that
'--from-file UNDO.csv --execute' applies to roll back. Plan and undo files
use Kafka's CSV: topic,partition,offset per line (-1: no committed offset;
applying it deletes the commit). -o csv prints the plan in that format.`,
		Example: `  # Preview: where would billing restart if moved back 2 hours?
  edactl rewind billing --topic orders --by-duration 2h

  # Apply, keeping an undo file
  edactl rewind billing --topic orders:0,1 --to-time 2024-05-01T09:00:00Z --execute

  # Roll back
  edactl rewind billing --from-file .edactl/rewinds/billing-20240501T101500Z.csv --execute

  # Save a plan, review it, apply it later
  edactl rewind billing --all-topics --to-earliest -o csv > plan.csv
  edactl rewind billing --from-file plan.csv --execute`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group = args[0]
			out, err := g.output("text", "json", "csv")
			if err != nil {
				return err
			}
			ro, err := opts.parse(cmd)
			if err != nil {
				return err
			}
			c, closeAll, err := g.streamClient(cmd, roles{admin: true})
			if err != nil {
				return err
			}
			defer closeAll()
			return runRewind(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), c, opts, ro, out)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Topics, "topic", nil, "topic to rewind, optionally with partitions: TOPIC or TOPIC:0,1 (repeatable)")
	f.BoolVar(&opts.AllTopics, "all-topics", false, "every partition the group has a committed offset for")
	f.BoolVar(&opts.ToEarliest, "to-earliest", false, "to the log start offset")
	f.BoolVar(&opts.ToLatest, "to-latest", false, "to the log end offset")
	f.Int64Var(&opts.ToOffset, "to-offset", 0, "to this offset")
	f.Int64Var(&opts.ShiftBy, "shift-by", 0, "move by this many offsets (negative: back)")
	f.StringVar(&opts.ToTime, "to-time", "", "to the first offset at or after this RFC 3339 time")
	f.DurationVar(&opts.ByDuration, "by-duration", 0, "to the first offset at or after now minus this duration")
	f.StringVar(&opts.ToGroup, "to-group", "", "to the committed offsets of another group")
	f.StringVar(&opts.FromFile, "from-file", "", "to the offsets of a CSV file (topic,partition,offset), e.g. an undo file")
	f.BoolVar(&opts.Execute, "execute", false, "apply the plan (default: dry run)")
	f.StringVar(&opts.UndoFile, "undo-file", "", "where --execute writes the previous offsets (default "+defaultUndoDir+"/GROUP-TIME.csv)")
	return cmd
}

// parse turns the flags into options. The rules of a rewind are
// stream's (RewindOptions.Validate); parse reads the flags and words a
// broken rule as the flags that break it (flagRuleError).
func (o *rewindOptions) parse(cmd *cobra.Command) (stream.RewindOptions, error) {
	ro := stream.RewindOptions{Group: o.Group, AllTopics: o.AllTopics}
	var given []string
	for _, k := range rewindSpecKinds {
		if cmd.Flags().Changed(k.String()) {
			given = append(given, specFlag(k))
			ro.Spec.Kind = k
		}
	}
	if len(given) > 1 {
		return ro, usageErrorf("give exactly one rewind spec, not %s", strings.Join(given, " and "))
	}
	for _, t := range o.Topics {
		sel, err := stream.ParseTopicSelection(t)
		if err != nil {
			return ro, usageErrorf("--topic: %w", err)
		}
		ro.Topics = append(ro.Topics, sel)
	}
	switch ro.Spec.Kind {
	case stream.ToOffset:
		ro.Spec.Offset = o.ToOffset
	case stream.ShiftBy:
		ro.Spec.Offset = o.ShiftBy
	case stream.ToTime:
		t, err := time.Parse(time.RFC3339Nano, o.ToTime)
		if err != nil {
			return ro, usageErrorf("--to-time %q: want an RFC 3339 time like 2024-05-01T09:00:00Z", o.ToTime)
		}
		ro.Spec.Time = t
	case stream.ByDuration:
		ro.Spec.Duration = o.ByDuration
	case stream.ToGroup:
		ro.Spec.Group = o.ToGroup
	case stream.FromFile:
		f, err := os.Open(o.FromFile)
		if err != nil {
			return ro, usageErrorf("--from-file: %w", err)
		}
		defer f.Close()
		rows, err := stream.ReadOffsetsCSV(f, o.FromFile)
		if err != nil {
			return ro, usageErrorf("--from-file: %w", err)
		}
		ro.Spec.Rows = rows
	}
	if err := ro.Validate(); err != nil {
		return ro, o.flagRuleError(err)
	}
	if o.UndoFile != "" && !o.Execute {
		return ro, usageErrorf("--undo-file is only written with --execute")
	}
	return ro, nil
}

// flagRuleError words a rewind rule (a *stream.SpecError) that the command
// line breaks as its flags: a usage error. A file naming a partition
// twice is the exception, reported as stream words it and not as a usage
// error, as it is found in a file that was read.
func (o *rewindOptions) flagRuleError(err error) error {
	var se *stream.SpecError
	if !errors.As(err, &se) {
		return err
	}
	var msg string
	switch se.Rule {
	case stream.RuleNoGroup:
		msg = "the consumer group name is empty"
	case stream.RuleNoSpec:
		names := make([]string, len(rewindSpecKinds))
		for i, k := range rewindSpecKinds {
			names[i] = specFlag(k)
		}
		msg = "give exactly one of " + strings.Join(names, ", ")
	case stream.RuleTopicsAndAllTopics:
		msg = "--topic and --all-topics exclude each other"
	case stream.RuleNegativeOffset:
		msg = fmt.Sprintf("--to-offset %d: %s", o.ToOffset, se.Reason)
	case stream.RuleNonPositiveDuration:
		msg = fmt.Sprintf("--by-duration %s: %s", o.ByDuration, se.Reason)
	case stream.RuleNoOtherGroup:
		msg = "--to-group: give the group whose offsets to copy"
	case stream.RuleOtherGroupIsGroup:
		msg = fmt.Sprintf("--to-group %q is the group being rewound", o.ToGroup)
	case stream.RuleNoSelection:
		msg = "select partitions with --topic TOPIC[:P,P] or --all-topics"
	case stream.RuleSelectionWithFile:
		msg = "--from-file names its partitions; do not also give --topic or --all-topics"
	case stream.RuleRowTwice:
		return err
	default:
		return &usageError{err}
	}
	return &usageError{&flagError{msg: msg, err: err}}
}

// planError words a refusal of the planner that names what the flags
// select as the flags.
func planError(ro stream.RewindOptions, err error) error {
	var se *stream.SpecError
	if errors.As(err, &se) && se.Rule == stream.RuleNoCommittedOffsets {
		return &flagError{msg: fmt.Sprintf("group %q has no committed offsets; select topics with --topic", ro.Group), err: err}
	}
	return err
}

// flagError is an error of stream worded as the command line's flags.
type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }

// rewindJSON is the -o json report.
type rewindJSON struct {
	Plan     planJSON             `json:"plan"`
	Executed bool                 `json:"executed"`
	UndoFile string               `json:"undo_file,omitempty"`
	Result   *stream.RewindResult `json:"result,omitempty"`
}

// planJSON is a plan in the -o json report, its spec shown as flags.
type planJSON struct {
	Group   string           `json:"group"`
	State   string           `json:"state"`
	Members []stream.Member  `json:"members"`
	Spec    string           `json:"spec"`
	Rows    []stream.PlanRow `json:"rows"`
	Created time.Time        `json:"created"`
}

func runRewind(ctx context.Context, w, errw io.Writer, c *stream.Client, opts *rewindOptions, ro stream.RewindOptions, output string) error {
	plan, err := c.PlanRewind(ctx, ro)
	if err != nil {
		return planError(ro, err)
	}
	report := rewindJSON{Plan: planJSON{Group: plan.Group, State: plan.State, Members: plan.Members,
		Spec: specFlags(plan.Spec), Rows: plan.Rows, Created: plan.Created}}
	if opts.Execute {
		// A path the user named is never replaced; the default one moves to
		// the next free name.
		undoPath, nextFree := opts.UndoFile, false
		if undoPath == "" {
			undoPath, nextFree = filepath.Join(defaultUndoDir, plan.UndoFileName()), true
		}
		res, err := c.ExecuteRewind(ctx, plan, func(p *stream.Plan) (err error) {
			undoPath, err = stream.WriteUndoFile(undoPath, p, nextFree)
			return err
		})
		if err != nil {
			if errors.Is(err, stream.ErrGroupActive) && output == "text" {
				writePlanTable(w, plan, false)
			}
			return err
		}
		report.Executed, report.Result = true, &res
		if plan.Changes() > 0 {
			report.UndoFile = undoPath
		}
	}
	switch output {
	case "json":
		return writeJSON(w, report)
	case "csv":
		if report.UndoFile != "" {
			fmt.Fprintf(errw, "undo file: %s\n", report.UndoFile)
		}
		return stream.WriteOffsetsCSV(w, plan.PlanRows())
	}
	writePlanTable(w, plan, opts.Execute)
	switch {
	case !opts.Execute:
		fmt.Fprintf(w, "\ndry run: %d of %d partition(s) would change; nothing was changed. Apply with --execute.\n", plan.Changes(), len(plan.Rows))
		if plan.Active() {
			fmt.Fprintf(w, "note: the group is %s with %d member(s); --execute is refused until they stop.\n", plan.State, len(plan.Members))
		}
	case plan.Changes() == 0:
		fmt.Fprintln(w, "\nnothing to change.")
	default:
		fmt.Fprintf(w, "\nrewound %d partition(s) of group %s (committed %d, deleted %d).\nundo: edactl rewind %s --from-file %s --execute\n",
			plan.Changes(), termtext.Quote(plan.Group), report.Result.Committed, report.Result.Deleted,
			termtext.ShellQuote(plan.Group), termtext.ShellQuote(report.UndoFile))
	}
	return nil
}

func writePlanTable(w io.Writer, plan *stream.Plan, executed bool) {
	mode := "dry run"
	if executed {
		mode = "executed"
	}
	fmt.Fprintf(w, "group %s (%s): %s, %s\n\n", termtext.Quote(plan.Group), plan.State, termtext.Escape(specFlags(plan.Spec)), mode)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(stream.PlanColumns(), "\t"))
	for _, r := range plan.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%s\n", termtext.Quote(r.Topic), r.Partition, stream.OffsetText(r.Before), r.AfterText(), r.LogStart, r.LogEnd, termtext.Escape(r.Note))
	}
	tw.Flush()
	fmt.Fprintln(w, stream.PlanLegend)
}
