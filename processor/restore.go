package processor

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// stateDir is the directory of this processor's snapshots.
func (p *Processor) stateDir() string { return filepath.Join(p.cfg.StateDir, p.spec.Name) }

// writeSnapshot writes partition q's state; a failure is logged (the
// changelog is the source of truth: the next restore replays more).
func (p *Processor) writeSnapshot(q int32, st *partState) {
	path := snapshotPath(p.stateDir(), p.spec.ChangelogTopic(), q)
	if err := writeSnapshot(path, st, len(p.spec.Inputs)); err != nil {
		p.log.Warn("checkpoint failed", "partition", q, "path", path, "err", err)
	}
}

// checkpoint writes every restored partition's state. The caller holds mu
// and calls it between batches, when the state matches the acknowledged
// (or committed) changelog.
func (p *Processor) checkpoint() {
	for q, st := range p.parts {
		p.writeSnapshot(q, st)
	}
	p.lastCkpt = time.Now()
}

// restorePending restores the partitions assigned since the last batch:
// the local snapshot, then the changelog from the snapshot's offset to its
// end, with the partitions' input fetches paused until done.
func (p *Processor) restorePending(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		if p.assigned.Load() {
			p.ready.Store(true)
		}
		return nil
	}
	ps := slices.Sorted(maps.Keys(p.pending))
	start := time.Now()
	states, n, err := p.restore(ctx, ps)
	if err != nil {
		return err
	}
	for _, q := range ps {
		p.parts[q] = states[q]
		delete(p.pending, q)
		p.m.keys.WithLabelValues(strconv.Itoa(int(q))).Set(float64(len(states[q].entries)))
	}
	p.resumeJoined(ps)
	keys := 0
	for _, st := range states {
		keys += len(st.entries)
	}
	p.log.Info("restored", "partitions", ps, "replayed", n, "keys", keys, "took", time.Since(start).Round(time.Millisecond))
	if p.assigned.Load() && len(p.pending) == 0 {
		p.ready.Store(true)
	}
	return nil
}

// restore builds the state of partitions ps and returns it with the
// number of changelog records replayed.
func (p *Processor) restore(ctx context.Context, ps []int32) (map[int32]*partState, int64, error) {
	topic := p.spec.ChangelogTopic()
	states := map[int32]*partState{}
	for _, q := range ps {
		path := snapshotPath(p.stateDir(), topic, q)
		st, err := readSnapshot(path, len(p.spec.Inputs))
		if err != nil {
			p.log.Warn("snapshot unusable; replaying the whole changelog", "partition", q, "err", err)
		}
		if st == nil {
			st = newPartState()
		}
		states[q] = st
	}
	opts := append(p.seedOpts(), kgo.KeepControlRecords(), kgo.FetchMaxBytes(64<<20), kgo.FetchMaxPartitionBytes(32<<20))
	if p.cfg.ExactlyOnce {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	adminCl, err := kgo.NewClient(p.seedOpts()...)
	if err != nil {
		return nil, 0, err
	}
	defer adminCl.Close()
	adm := kadm.NewClient(adminCl)
	var ends kadm.ListedOffsets
	err = p.retry(ctx, "changelog end offsets", func() (err error) {
		if p.cfg.ExactlyOnce {
			ends, err = adm.ListCommittedOffsets(ctx, topic)
		} else {
			ends, err = adm.ListEndOffsets(ctx, topic)
		}
		if err == nil {
			err = ends.Error()
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("end offsets of %s: %w", topic, err)
	}
	assign := map[int32]kgo.Offset{}
	end := map[int32]int64{}
	for _, q := range ps {
		o, ok := ends.Lookup(topic, q)
		if !ok {
			return nil, 0, fmt.Errorf("end offsets of %s: no partition %d", topic, q)
		}
		st := states[q]
		if st.next > o.Offset {
			p.log.Warn("snapshot is ahead of the changelog (recreated topic?); replaying the whole changelog", "partition", q, "snapshot", st.next, "end", o.Offset)
			st = newPartState()
			states[q] = st
		}
		if st.next < o.Offset {
			assign[q] = kgo.NewOffset().At(st.next)
			end[q] = o.Offset
		}
		p.m.restoreRemaining.WithLabelValues(strconv.Itoa(int(q))).Set(float64(o.Offset - st.next))
	}
	if len(assign) == 0 {
		return states, 0, nil
	}
	cl, err := kgo.NewClient(append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: assign}))...)
	if err != nil {
		return nil, 0, err
	}
	defer cl.Close()
	var replayed int64
	n := len(p.spec.Inputs)
	for len(end) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		var perr error
		fs.EachError(func(t string, q int32, err error) {
			p.log.Warn("restore fetch", "topic", t, "partition", q, "err", err)
		})
		fs.EachPartition(func(fp kgo.FetchTopicPartition) {
			st := states[fp.Partition]
			e, want := end[fp.Partition]
			if !want || perr != nil {
				return
			}
			for _, r := range fp.Records {
				if r.Offset >= e {
					break
				}
				st.next = r.Offset + 1
				if r.Attrs.IsControl() {
					continue
				}
				replayed++
				k := string(r.Key)
				if r.Value == nil {
					delete(st.entries, k)
					continue
				}
				ent, err := parseChangelog(r.Value, n)
				if err != nil {
					perr = fmt.Errorf("restore %s partition %d offset %d (key %q): %w", topic, fp.Partition, r.Offset, r.Key, err)
					return
				}
				st.entries[k] = ent
			}
			p.m.restoreRemaining.WithLabelValues(strconv.Itoa(int(fp.Partition))).Set(float64(max(0, e-st.next)))
			if st.next >= e {
				delete(end, fp.Partition)
			}
		})
		if perr != nil {
			return nil, 0, perr
		}
	}
	p.replayed.Add(replayed)
	p.m.restored.Add(float64(replayed))
	return states, replayed, nil
}
