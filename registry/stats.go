package registry

import (
	"sync/atomic"
	"time"
)

// Stats are counters about the write path.
type Stats struct {
	Commits        uint64        // log appends
	Records        uint64        // records appended
	CommitDuration time.Duration // total time spent in Log.Append
}

type stats struct {
	commits, records, nanos atomic.Uint64
}

func (s *stats) observeCommit(n int, d time.Duration) {
	s.commits.Add(1)
	s.records.Add(uint64(n))
	s.nanos.Add(uint64(d))
}

// Stats returns write-path counters.
func (r *Registry) Stats() Stats {
	return Stats{Commits: r.stats.commits.Load(), Records: r.stats.records.Load(), CommitDuration: time.Duration(r.stats.nanos.Load())}
}

// Counts returns the number of subjects (with at least one live version) and
// schema ids currently known, for metrics.
func (r *Registry) Counts() (subjects, schemas int) {
	st := r.snapshot()
	for _, s := range st.subjects.all {
		if s.live() > 0 {
			subjects++
		}
	}
	for _, cs := range st.contexts.all {
		schemas += cs.byID.len()
	}
	return subjects, schemas
}
