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

// rewindSpecFlags are the flags of which exactly one must be given.
var rewindSpecFlags = []string{"to-earliest", "to-latest", "to-offset", "shift-by", "to-time", "by-duration", "to-group", "from-file"}

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

func (o *rewindOptions) parse(cmd *cobra.Command) (stream.RewindOptions, error) {
	ro := stream.RewindOptions{Group: o.Group, AllTopics: o.AllTopics}
	if o.Group == "" {
		return ro, usageErrorf("the consumer group name is empty")
	}
	var given []string
	for _, name := range rewindSpecFlags {
		if cmd.Flags().Changed(name) {
			given = append(given, "--"+name)
		}
	}
	if len(given) != 1 {
		if len(given) == 0 {
			return ro, usageErrorf("give exactly one of --%s", strings.Join(rewindSpecFlags, ", --"))
		}
		return ro, usageErrorf("give exactly one rewind spec, not %s", strings.Join(given, " and "))
	}
	for _, t := range o.Topics {
		sel, err := stream.ParseTopicSelection(t)
		if err != nil {
			return ro, usageErrorf("--topic: %w", err)
		}
		ro.Topics = append(ro.Topics, sel)
	}
	if len(ro.Topics) > 0 && o.AllTopics {
		return ro, usageErrorf("--topic and --all-topics exclude each other")
	}
	switch given[0] {
	case "--to-earliest":
		ro.Spec = stream.RewindSpec{Kind: stream.ToEarliest}
	case "--to-latest":
		ro.Spec = stream.RewindSpec{Kind: stream.ToLatest}
	case "--to-offset":
		if o.ToOffset < 0 {
			return ro, usageErrorf("--to-offset %d: offsets are 0 or more", o.ToOffset)
		}
		ro.Spec = stream.RewindSpec{Kind: stream.ToOffset, Offset: o.ToOffset}
	case "--shift-by":
		ro.Spec = stream.RewindSpec{Kind: stream.ShiftBy, Offset: o.ShiftBy}
	case "--to-time":
		t, err := time.Parse(time.RFC3339Nano, o.ToTime)
		if err != nil {
			return ro, usageErrorf("--to-time %q: want an RFC 3339 time like 2024-05-01T09:00:00Z", o.ToTime)
		}
		ro.Spec = stream.RewindSpec{Kind: stream.ToTime, Time: t}
	case "--by-duration":
		if o.ByDuration <= 0 {
			return ro, usageErrorf("--by-duration %s: want a positive duration", o.ByDuration)
		}
		ro.Spec = stream.RewindSpec{Kind: stream.ByDuration, Duration: o.ByDuration}
	case "--to-group":
		if o.ToGroup == "" {
			return ro, usageErrorf("--to-group: give the group whose offsets to copy")
		}
		if o.ToGroup == o.Group {
			return ro, usageErrorf("--to-group %q is the group being rewound", o.ToGroup)
		}
		ro.Spec = stream.RewindSpec{Kind: stream.ToGroup, Group: o.ToGroup}
	case "--from-file":
		f, err := os.Open(o.FromFile)
		if err != nil {
			return ro, usageErrorf("--from-file: %w", err)
		}
		defer f.Close()
		rows, err := stream.ReadOffsetsCSV(f, o.FromFile)
		if err != nil {
			return ro, usageErrorf("--from-file: %w", err)
		}
		ro.Spec = stream.RewindSpec{Kind: stream.FromFile, Rows: rows}
	}
	if ro.Spec.Kind != stream.FromFile && len(ro.Topics) == 0 && !ro.AllTopics {
		return ro, usageErrorf("select partitions with --topic TOPIC[:P,P] or --all-topics")
	}
	if ro.Spec.Kind == stream.FromFile && (len(ro.Topics) > 0 || ro.AllTopics) {
		return ro, usageErrorf("--from-file names its partitions; do not also give --topic or --all-topics")
	}
	if o.UndoFile != "" && !o.Execute {
		return ro, usageErrorf("--undo-file is only written with --execute")
	}
	return ro, nil
}

// rewindJSON is the -o json report.
type rewindJSON struct {
	Plan     *stream.Plan         `json:"plan"`
	Executed bool                 `json:"executed"`
	UndoFile string               `json:"undo_file,omitempty"`
	Result   *stream.RewindResult `json:"result,omitempty"`
}

func runRewind(ctx context.Context, w, errw io.Writer, c *stream.Client, opts *rewindOptions, ro stream.RewindOptions, output string) error {
	plan, err := c.PlanRewind(ctx, ro)
	if err != nil {
		return err
	}
	report := rewindJSON{Plan: plan}
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
	fmt.Fprintf(w, "group %s (%s): %s, %s\n\n", termtext.Quote(plan.Group), plan.State, termtext.Escape(plan.Spec), mode)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITION\tBEFORE\tAFTER\tLOG START\tLOG END\tNOTE")
	for _, r := range plan.Rows {
		after := stream.OffsetText(r.After)
		switch {
		case r.Clamped:
			after += " *"
		case r.Fallback:
			after += " ~"
		case !r.Changed():
			after += " ="
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%s\n", termtext.Quote(r.Topic), r.Partition, stream.OffsetText(r.Before), after, r.LogStart, r.LogEnd, termtext.Escape(r.Note))
	}
	tw.Flush()
	fmt.Fprintln(w, "(* clamped to the log, ~ time fallback, = unchanged, - no committed offset)")
}
