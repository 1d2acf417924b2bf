package schemas

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/registry/compat"
)

// HistoryEntry is a schema a candidate version is checked against, with
// the label reports use for it ("v2", "registry version 2").
type HistoryEntry struct {
	Label  string
	Schema avro.Schema
}

// CheckHistory checks every version of every event against its
// predecessors in the tree under the event's compatibility level (all
// predecessors for transitive levels, the previous one otherwise), and
// returns every incompatibility as an error finding. Versions that do not
// parse are skipped; they are reported by loading.
func CheckHistory(ctx context.Context, t *Tree) ([]Finding, error) {
	jobs := make(chan *Event)
	results := make([][]Finding, len(t.Events))
	index := make(map[*Event]int, len(t.Events))
	for i, e := range t.Events {
		index[e] = i
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(t.Events))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				results[index[e]] = checkEvent(e)
			}
		}()
	}
	for _, e := range t.Events {
		if ctx.Err() != nil {
			break
		}
		jobs <- e
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Finding
	for _, r := range results {
		out = append(out, r...)
	}
	return SortFindings(out), nil
}

func checkEvent(e *Event) []Finding {
	var out []Finding
	var history []HistoryEntry // newest first
	for _, v := range e.Versions {
		if v.Schema == nil {
			continue
		}
		if len(history) > 0 {
			out = append(out, CheckVersion(e, v, e.Level, history)...)
		}
		history = append([]HistoryEntry{{Label: fmt.Sprintf("v%d", v.Number), Schema: v.Schema}}, history...)
	}
	return out
}

// CheckVersion checks version v of event e against history (newest first)
// under level and returns every incompatibility as an error finding located
// in v's file: by the JSON pointer when v is the reader, by the field path
// when an older schema reads v's data.
func CheckVersion(e *Event, v *Version, level compat.Level, history []HistoryEntry) []Finding {
	schemas := make([]avro.Schema, len(history))
	for i, h := range history {
		schemas[i] = h.Schema
	}
	report := compat.Check(level, v.Schema, schemas)
	if report.Compatible {
		return nil
	}
	self := fmt.Sprintf("v%d", v.Number)
	var out []Finding
	for _, c := range report.Comparisons {
		other := history[c.Against].Label
		for _, is := range c.Incompatibilities {
			f := Finding{File: v.File, Event: e.ID(), Version: v.Number, Subject: e.Subject, Path: is.Path,
				Rule: string(is.Rule), Severity: Error}
			if c.Direction == compat.DirBackward {
				f.Line = v.LineOfPointer(is.Pointer)
				f.Message = fmt.Sprintf("%s cannot read data written with %s (%s): %s", self, other, level, is.Message)
			} else {
				f.Line = v.LineOfPath(is.Path)
				f.Message = fmt.Sprintf("%s cannot read data written with %s (%s): %s", other, self, level, is.Message)
			}
			if fx, ok := compat.SuggestFix(v.Schema, history[c.Against].Schema, c.Direction, is); ok {
				f.Fix = v.fixFor(fx)
			}
			out = append(out, f)
		}
	}
	return out
}
