package registry

import (
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
				if v.m.len() != len(v.want) {
					t.Fatalf("version %d: len %d, want %d", i, v.m.len(), len(v.want))
				}
				for k := range 500 {
					got, ok := v.m.get(k)
					w, wok := v.want[k]
					if ok != wok || got != w {
						t.Fatalf("version %d: get(%d) = %d, %v; want %d, %v", i, k, got, ok, w, wok)
					}
				}
				seen := map[int]int{}
				for k, val := range v.m.all {
					if _, dup := seen[k]; dup {
						t.Fatalf("version %d: all yields %d twice", i, k)
					}
					seen[k] = val
				}
				if !maps.Equal(seen, v.want) {
					t.Fatalf("version %d: all yields %v, want %v", i, seen, v.want)
				}
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
