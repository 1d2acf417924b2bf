package registry

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// pmap is a persistent hash map: set and del leave the map they are called
// on unchanged and return a new one that shares every node the change does
// not touch. It is a hash array mapped trie (32-way nodes indexed by 5 bits
// of the key's hash at a time, path copying), so a change copies O(log32 n)
// small nodes: about four for 100,000 keys. This is what lets the sequencer
// publish a new immutable state per group commit without copying the state.
//
// The zero pmap is not usable; make one with newPmap. A pmap value is
// immutable; readers on other goroutines may use it while the sequencer
// derives new ones.
type pmap[K comparable, V any] struct {
	root *pnode[K, V]
	n    int
	hash func(K) uint64
}

// pnode is one trie node, laid out as in CHAMP (Steindorfer and Vinju,
// 2015): entries and sub-tries are kept apart, each in bit order, so that a
// change below a node copies only its small array of sub-trie pointers and
// shares its entries. A bit of the 5 hash bits at this depth is set in at
// most one of datamap (an entry) and nodemap (a sub-trie). Past the last hash
// bits (shift >= 64) a node is a collision bucket: entries only, all with
// one hash, and no bitmap.
type pnode[K comparable, V any] struct {
	datamap, nodemap uint32
	entries          []pentry[K, V]
	subs             []*pnode[K, V]
}

type pentry[K comparable, V any] struct {
	hash uint64
	key  K
	val  V
}

func newPmap[K comparable, V any](hash func(K) uint64) pmap[K, V] {
	return pmap[K, V]{hash: hash}
}

// len returns the number of entries.
func (m pmap[K, V]) len() int { return m.n }

func index(bitmap, bit uint32) int { return bits.OnesCount32(bitmap & (bit - 1)) }

// get returns the value of k.
func (m pmap[K, V]) get(k K) (V, bool) {
	var zero V
	n := m.root
	if n == nil {
		return zero, false
	}
	h := m.hash(k)
	for shift := uint(0); ; shift += 5 {
		if shift >= 64 {
			for i := range n.entries {
				if n.entries[i].key == k {
					return n.entries[i].val, true
				}
			}
			return zero, false
		}
		bit := uint32(1) << ((h >> shift) & 31)
		switch {
		case n.datamap&bit != 0:
			e := &n.entries[index(n.datamap, bit)]
			if e.hash == h && e.key == k {
				return e.val, true
			}
			return zero, false
		case n.nodemap&bit != 0:
			n = n.subs[index(n.nodemap, bit)]
		default:
			return zero, false
		}
	}
}

// at returns the value of k, or the zero value.
func (m pmap[K, V]) at(k K) V {
	v, _ := m.get(k)
	return v
}

// has reports whether k is present.
func (m pmap[K, V]) has(k K) bool {
	_, ok := m.get(k)
	return ok
}

// set returns m with k bound to v.
func (m pmap[K, V]) set(k K, v V) pmap[K, V] {
	e := pentry[K, V]{hash: m.hash(k), key: k, val: v}
	if m.root == nil {
		m.root = &pnode[K, V]{datamap: 1 << (e.hash & 31), entries: []pentry[K, V]{e}}
		m.n = 1
		return m
	}
	root, added := m.root.set(0, e)
	m.root = root
	if added {
		m.n++
	}
	return m
}

// del returns m without k.
func (m pmap[K, V]) del(k K) pmap[K, V] {
	if m.root == nil {
		return m
	}
	root, removed := m.root.del(0, m.hash(k), k)
	if removed {
		m.root = root
		m.n--
	}
	return m
}

// all yields every entry, in no particular order.
func (m pmap[K, V]) all(yield func(K, V) bool) {
	if m.root != nil {
		m.root.each(yield)
	}
}

func (n *pnode[K, V]) each(yield func(K, V) bool) bool {
	for i := range n.entries {
		if !yield(n.entries[i].key, n.entries[i].val) {
			return false
		}
	}
	for _, s := range n.subs {
		if !s.each(yield) {
			return false
		}
	}
	return true
}

func insertAt[T any](s []T, i int, v T) []T {
	out := make([]T, len(s)+1)
	copy(out, s[:i])
	out[i] = v
	copy(out[i+1:], s[i:])
	return out
}

func removeAt[T any](s []T, i int) []T {
	if len(s) == 1 {
		return nil
	}
	out := make([]T, 0, len(s)-1)
	return append(append(out, s[:i]...), s[i+1:]...)
}

func replaceAt[T any](s []T, i int, v T) []T {
	out := make([]T, len(s))
	copy(out, s)
	out[i] = v
	return out
}

func (n *pnode[K, V]) set(shift uint, e pentry[K, V]) (*pnode[K, V], bool) {
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == e.key {
				return &pnode[K, V]{entries: replaceAt(n.entries, i, e)}, false
			}
		}
		return &pnode[K, V]{entries: insertAt(n.entries, len(n.entries), e)}, true
	}
	bit := uint32(1) << ((e.hash >> shift) & 31)
	c := *n
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		old := n.entries[i]
		if old.hash == e.hash && old.key == e.key {
			c.entries = replaceAt(n.entries, i, e)
			return &c, false
		}
		// Two entries share these hash bits: both move one level down.
		c.datamap &^= bit
		c.entries = removeAt(n.entries, i)
		c.nodemap |= bit
		c.subs = insertAt(n.subs, index(c.nodemap, bit), pair(shift+5, old, e))
		return &c, true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		sub, added := n.subs[i].set(shift+5, e)
		c.subs = replaceAt(n.subs, i, sub)
		return &c, added
	default:
		c.datamap |= bit
		c.entries = insertAt(n.entries, index(c.datamap, bit), e)
		return &c, true
	}
}

// pair returns the node at shift holding the two entries a and b.
func pair[K comparable, V any](shift uint, a, b pentry[K, V]) *pnode[K, V] {
	if shift >= 64 {
		return &pnode[K, V]{entries: []pentry[K, V]{a, b}}
	}
	ia, ib := (a.hash>>shift)&31, (b.hash>>shift)&31
	if ia == ib {
		return &pnode[K, V]{nodemap: 1 << ia, subs: []*pnode[K, V]{pair(shift+5, a, b)}}
	}
	if ia > ib {
		a, b = b, a
	}
	return &pnode[K, V]{datamap: 1<<ia | 1<<ib, entries: []pentry[K, V]{a, b}}
}

// single reports whether n holds exactly one entry and nothing else.
func (n *pnode[K, V]) single() bool { return len(n.entries) == 1 && len(n.subs) == 0 }

func (n *pnode[K, V]) del(shift uint, h uint64, k K) (*pnode[K, V], bool) {
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == k {
				if len(n.entries) == 1 {
					return nil, true
				}
				return &pnode[K, V]{entries: removeAt(n.entries, i)}, true
			}
		}
		return n, false
	}
	bit := uint32(1) << ((h >> shift) & 31)
	c := *n
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		if e := n.entries[i]; e.hash != h || e.key != k {
			return n, false
		}
		if len(n.entries) == 1 && len(n.subs) == 0 {
			return nil, true
		}
		c.datamap &^= bit
		c.entries = removeAt(n.entries, i)
		return &c, true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		sub, removed := n.subs[i].del(shift+5, h, k)
		switch {
		case !removed:
			return n, false
		case sub == nil || sub.single():
			// A sub-trie left with one entry folds into this node (an
			// entry may sit at any depth its hash bits lead to).
			c.nodemap &^= bit
			c.subs = removeAt(n.subs, i)
			if sub != nil {
				c.datamap |= bit
				c.entries = insertAt(n.entries, index(c.datamap, bit), sub.entries[0])
			}
			if len(c.entries) == 0 && len(c.subs) == 0 {
				return nil, true
			}
			return &c, true
		default:
			c.subs = replaceAt(n.subs, i, sub)
			return &c, true
		}
	}
	return n, false
}

// hashers hash the state's keys with one random seed (per Registry), so a
// client cannot choose subject names that collide.
type hashers struct {
	seed maphash.Seed
	salt uint64
}

func newHashers() *hashers {
	h := &hashers{seed: maphash.MakeSeed()}
	h.salt = maphash.String(h.seed, "salt")
	return h
}

func (h *hashers) str(s string) uint64 { return maphash.String(h.seed, s) }

// int mixes n with the splitmix64 finalizer, a bijection: distinct ints
// never collide.
func (h *hashers) int(n int) uint64 { return mix64(uint64(n) ^ h.salt) }

// key hashes a content key, itself a SHA-256 sum.
func (h *hashers) key(k [32]byte) uint64 {
	return mix64(binary.LittleEndian.Uint64(k[0:]) ^ h.salt ^ bits.RotateLeft64(binary.LittleEndian.Uint64(k[8:]), 17))
}

func (h *hashers) sv(k svKey) uint64 { return h.str(k.subject) ^ h.int(k.version) }

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
