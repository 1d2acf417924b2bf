package registry

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestPmapMatchesMap runs random sets and deletes against a pmap and a Go
// map side by side, with a good hash and with hashes that collide (to reach
// the collision buckets and the folding of emptied sub-tries), and checks
// that every earlier version of the pmap still holds what it held.
func TestPmapMatchesMap(t *testing.T) {
	h := newHashers()
	for name, hash := range map[string]func(int) uint64{
		"seeded":    h.int,
		"ids":       h.id,
		"colliding": func(k int) uint64 { return uint64(k % 7) },           // full 64-bit collisions
		"shallow":   func(k int) uint64 { return uint64(k%3) << 62 * 0x1 }, // differ only in the top bits
	} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			m := newPmap[int, int](hash)
			want := map[int]int{}
			type version struct {
				m    pmap[int, int]
				want map[int]int
			}
			var versions []version
			for step := range 20000 {
				k := rng.IntN(500)
				if rng.IntN(3) == 0 {
					m = m.del(k)
					delete(want, k)
				} else {
					m = m.set(k, step)
					want[k] = step
				}
				if step%997 == 0 {
					versions = append(versions, version{m, maps.Clone(want)})
				}
			}
			versions = append(versions, version{m, want})
			for i, v := range versions {
				checkPmap(t, v.m, v.want, 500, fmt.Sprintf("version %d", i))
			}
			for k := range 500 {
				m = m.del(k)
			}
			if m.len() != 0 || m.root != nil {
				t.Fatalf("after deleting everything: len %d, root %v", m.len(), m.root)
			}
		})
	}
}

// TestPmapEditMatchesMap runs the same random sets and deletes in batches,
// each through one edit that is closed at the end of the batch (as the
// sequencer does per group commit), and checks the pmap against a Go map
// after every step, and every version taken at a batch's end after all the
// batches after it: changing in place must never reach a closed batch's
// nodes. Some steps path-copy (a nil edit) in the middle of a batch.
func TestPmapEditMatchesMap(t *testing.T) {
	h := newHashers()
	for name, hash := range map[string]func(int) uint64{
		"seeded":    h.int,
		"ids":       h.id,
		"colliding": func(k int) uint64 { return uint64(k % 7) },
		"shallow":   func(k int) uint64 { return uint64(k%3) << 62 * 0x1 },
	} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			m := newPmap[int, int](hash)
			want := map[int]int{}
			type version struct {
				m    pmap[int, int]
				want map[int]int
			}
			check := func(v version, what string) {
				t.Helper()
				checkPmap(t, v.m, v.want, 300, what)
			}
			var versions []version
			inPlace := 0
			for batch := range 400 {
				ed := newEdit()
				for range 1 + rng.IntN(60) {
					k := rng.IntN(300)
					e := ed
					if rng.IntN(10) == 0 {
						e = nil
					}
					if rng.IntN(3) == 0 {
						m = m.delIn(e, k)
						delete(want, k)
					} else {
						v := rng.Int()
						m = m.setIn(e, k, v)
						want[k] = v
					}
					check(version{m, want}, fmt.Sprintf("batch %d", batch))
				}
				ed.close()
				inPlace += ed.changes
				versions = append(versions, version{m, maps.Clone(want)})
			}
			for i, v := range versions {
				check(v, fmt.Sprintf("version %d after the batches after it", i))
			}
			if inPlace == 0 {
				t.Fatal("no change was made in place")
			}
			ed := newEdit()
			for k := range 300 {
				m = m.delIn(ed, k)
			}
			if m.len() != 0 || m.root != nil {
				t.Fatalf("after deleting everything: len %d, root %v", m.len(), m.root)
			}
			check(versions[len(versions)-1], "the last version after deleting everything in place")
		})
	}
}

// checkPmap fails unless m holds exactly want, by get over keys 0..keys-1,
// by len and by all (each key once).
func checkPmap(t *testing.T, m pmap[int, int], want map[int]int, keys int, what string) {
	t.Helper()
	if m.len() != len(want) {
		t.Fatalf("%s: len %d, want %d", what, m.len(), len(want))
	}
	for k := range keys {
		got, ok := m.get(k)
		w, wok := want[k]
		if ok != wok || got != w {
			t.Fatalf("%s: get(%d) = %d, %v; want %d, %v", what, k, got, ok, w, wok)
		}
	}
	seen := map[int]int{}
	for k, val := range m.all {
		if _, dup := seen[k]; dup {
			t.Fatalf("%s: all yields %d twice", what, k)
		}
		seen[k] = val
	}
	if !maps.Equal(seen, want) {
		t.Fatalf("%s: all yields %v, want %v", what, seen, want)
	}
}

func BenchmarkPmapSet(b *testing.B) {
	h := newHashers()
	m := newPmap[int, int](h.int)
	for i := range 100000 {
		m = m.set(i, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_ = m.set(i%100000, i)
	}
}

// BenchmarkPmapBatch sets 16 random keys of a 200,000-key map per batch,
// path copying each (persistent) or through one edit per batch (edit), as
// a group commit of 16 registrations does.
func BenchmarkPmapBatch(b *testing.B) {
	h := newHashers()
	base := newPmap[int, int](h.int)
	for i := range 200000 {
		base = base.set(i, i)
	}
	for _, mode := range []string{"persistent", "edit"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			m, i := base, 0
			for b.Loop() {
				var ed *edit
				if mode == "edit" {
					ed = newEdit()
				}
				for range 16 {
					i++
					m = m.setIn(ed, (i*7919)%200000, i)
				}
				ed.close()
			}
			if k := (i * 7919) % 200000; m.len() != 200000 || m.at(k) != i {
				b.Fatalf("len %d, key %d holds %d, want %d", m.len(), k, m.at(k), i)
			}
		})
	}
}

// BenchmarkPmapNewIDs adds 16 new consecutive ids per batch to a map of
// 200,000 ids, as the group commit of 16 new schemas does to a context's
// byID and uses: hashed ids (the int hash) against ids keyed by their own
// bits (h.id), both through one edit per batch.
func BenchmarkPmapNewIDs(b *testing.B) {
	h := newHashers()
	for name, hash := range map[string]func(int) uint64{"hashed": h.int, "id-bits": h.id} {
		b.Run(name, func(b *testing.B) {
			m := newPmap[int, int](hash)
			next := 1
			for ; next <= 200000; next++ {
				m = m.set(next, next)
			}
			b.ReportAllocs()
			for b.Loop() {
				ed := newEdit()
				for range 16 {
					m = m.setIn(ed, next, next)
					next++
				}
				ed.close()
			}
			if m.len() != next-1 || m.at(next-1) != next-1 || m.at(12345) != 12345 {
				b.Fatalf("len %d, want %d", m.len(), next-1)
			}
		})
	}
}
