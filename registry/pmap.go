package registry

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
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
//
// setIn and delIn with an open *edit change in place the nodes (and node
// arrays) that the same edit created, as Clojure's transients do: a group
// commit of many registrations then copies the upper levels of a trie once,
// not once per registration. Nodes of an edit that was closed are never
// changed again, so a state is immutable once its edit is closed, which the
// sequencer does before publishing it.
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
	// edit is the edit that made this node, if any; own says which of its
	// arrays that edit made too (a copied node shares its original's
	// arrays until it replaces them).
	edit *edit
	own  uint8
}

const (
	ownEntries uint8 = 1 << iota
	ownSubs
)

// edit is one batch of in-place changes (see setIn). Only the goroutine
// that opened it may use it, and only on a state nobody else sees.
type edit struct {
	open bool
	// changes counts the changes made in place: a change of nodes an
	// earlier command of the batch made cannot be undone by restoring an
	// earlier pmap value, so the caller compares it to know.
	changes int
}

// newEdit returns an open edit.
func newEdit() *edit { return &edit{open: true} }

// close ends e: no node it made is changed again.
func (e *edit) close() {
	if e != nil {
		e.open = false
	}
}

// active is e if it is open, else nil (path copying only).
func (e *edit) active() *edit {
	if e != nil && e.open {
		return e
	}
	return nil
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
func (m pmap[K, V]) set(k K, v V) pmap[K, V] { return m.setIn(nil, k, v) }

// del returns m without k.
func (m pmap[K, V]) del(k K) pmap[K, V] { return m.delIn(nil, k) }

// setIn is set, changing in place what the open edit ed made (nil or
// closed: set).
func (m pmap[K, V]) setIn(ed *edit, k K, v V) pmap[K, V] {
	ed = ed.active()
	e := pentry[K, V]{hash: m.hash(k), key: k, val: v}
	if m.root == nil {
		m.root = &pnode[K, V]{datamap: 1 << (e.hash & 31), entries: []pentry[K, V]{e}, edit: ed, own: ownEntries | ownSubs}
		m.n = 1
		return m
	}
	root, added := m.root.set(0, e, ed)
	m.root = root
	if added {
		m.n++
	}
	return m
}

// delIn is del, changing in place what the open edit ed made.
func (m pmap[K, V]) delIn(ed *edit, k K) pmap[K, V] {
	if m.root == nil {
		return m
	}
	root, removed := m.root.del(0, m.hash(k), k, ed.active())
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

// mutable returns n itself if ed made it, counting a change in place, else
// a copy of n that ed owns (its arrays still n's). ed is nil or open.
func (n *pnode[K, V]) mutable(ed *edit) *pnode[K, V] {
	if ed != nil && n.edit == ed {
		ed.changes++
		return n
	}
	c := *n
	c.edit, c.own = ed, 0
	return &c
}

// setEntry, insertEntry, removeEntry, setSub, insertSub and removeSub
// change n's arrays: in place if n owns the array, else into a new one that
// it then owns. n is mutable (its edit's, or a fresh copy).
func (n *pnode[K, V]) setEntry(i int, e pentry[K, V]) { setAt(&n.entries, n.take(ownEntries), i, e) }
func (n *pnode[K, V]) insertEntry(i int, e pentry[K, V]) {
	insertIn(&n.entries, n.take(ownEntries), i, e)
}
func (n *pnode[K, V]) removeEntry(i int)                 { removeIn(&n.entries, n.take(ownEntries), i) }
func (n *pnode[K, V]) setSub(i int, sub *pnode[K, V])    { setAt(&n.subs, n.take(ownSubs), i, sub) }
func (n *pnode[K, V]) insertSub(i int, sub *pnode[K, V]) { insertIn(&n.subs, n.take(ownSubs), i, sub) }
func (n *pnode[K, V]) removeSub(i int)                   { removeIn(&n.subs, n.take(ownSubs), i) }

// take reports whether n owns its array bit (so may change it in place),
// and marks it owned: the caller is about to replace it if not.
func (n *pnode[K, V]) take(bit uint8) bool {
	owned := n.edit != nil && n.own&bit != 0
	if n.edit != nil {
		n.own |= bit
	}
	return owned
}

// setAt, insertIn and removeIn change *s in place if owned, else into a new
// array.
func setAt[T any](s *[]T, owned bool, i int, v T) {
	if !owned {
		*s = replaceAt(*s, i, v)
		return
	}
	(*s)[i] = v
}

func insertIn[T any](s *[]T, owned bool, i int, v T) {
	if !owned {
		*s = insertAt(*s, i, v)
		return
	}
	*s = slices.Insert(*s, i, v)
}

func removeIn[T any](s *[]T, owned bool, i int) {
	if !owned {
		*s = removeAt(*s, i)
		return
	}
	if *s = slices.Delete(*s, i, i+1); len(*s) == 0 {
		*s = nil
	}
}

func (n *pnode[K, V]) set(shift uint, e pentry[K, V], ed *edit) (*pnode[K, V], bool) {
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == e.key {
				c := n.mutable(ed)
				c.setEntry(i, e)
				return c, false
			}
		}
		c := n.mutable(ed)
		c.insertEntry(len(n.entries), e)
		return c, true
	}
	bit := uint32(1) << ((e.hash >> shift) & 31)
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		old := n.entries[i]
		c := n.mutable(ed)
		if old.hash == e.hash && old.key == e.key {
			c.setEntry(i, e)
			return c, false
		}
		// Two entries share these hash bits: both move one level down.
		c.datamap &^= bit
		c.removeEntry(i)
		c.nodemap |= bit
		c.insertSub(index(c.nodemap, bit), pair(shift+5, old, e, ed))
		return c, true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		sub, added := n.subs[i].set(shift+5, e, ed)
		c := n.mutable(ed)
		if c != n || c.subs[i] != sub {
			c.setSub(i, sub)
		}
		return c, added
	default:
		c := n.mutable(ed)
		c.datamap |= bit
		c.insertEntry(index(c.datamap, bit), e)
		return c, true
	}
}

// pair returns the node at shift holding the two entries a and b, made by
// ed.
func pair[K comparable, V any](shift uint, a, b pentry[K, V], ed *edit) *pnode[K, V] {
	if shift >= 64 {
		return &pnode[K, V]{entries: []pentry[K, V]{a, b}, edit: ed, own: ownEntries | ownSubs}
	}
	ia, ib := (a.hash>>shift)&31, (b.hash>>shift)&31
	if ia == ib {
		return &pnode[K, V]{nodemap: 1 << ia, subs: []*pnode[K, V]{pair(shift+5, a, b, ed)}, edit: ed, own: ownEntries | ownSubs}
	}
	if ia > ib {
		a, b = b, a
	}
	return &pnode[K, V]{datamap: 1<<ia | 1<<ib, entries: []pentry[K, V]{a, b}, edit: ed, own: ownEntries | ownSubs}
}

// single reports whether n holds exactly one entry and nothing else.
func (n *pnode[K, V]) single() bool { return len(n.entries) == 1 && len(n.subs) == 0 }

func (n *pnode[K, V]) del(shift uint, h uint64, k K, ed *edit) (*pnode[K, V], bool) {
	if shift >= 64 {
		for i := range n.entries {
			if n.entries[i].key == k {
				if len(n.entries) == 1 {
					return nil, true
				}
				c := n.mutable(ed)
				c.removeEntry(i)
				return c, true
			}
		}
		return n, false
	}
	bit := uint32(1) << ((h >> shift) & 31)
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		if e := n.entries[i]; e.hash != h || e.key != k {
			return n, false
		}
		if len(n.entries) == 1 && len(n.subs) == 0 {
			return nil, true
		}
		c := n.mutable(ed)
		c.datamap &^= bit
		c.removeEntry(i)
		return c, true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		sub, removed := n.subs[i].del(shift+5, h, k, ed)
		switch {
		case !removed:
			return n, false
		case sub == nil || sub.single():
			// A sub-trie left with one entry folds into this node (an
			// entry may sit at any depth its hash bits lead to).
			if len(n.entries) == 0 && len(n.subs) == 1 && sub == nil {
				return nil, true
			}
			c := n.mutable(ed)
			c.nodemap &^= bit
			c.removeSub(i)
			if sub != nil {
				c.datamap |= bit
				c.insertEntry(index(c.datamap, bit), sub.entries[0])
			}
			return c, true
		default:
			c := n.mutable(ed)
			if c != n || c.subs[i] != sub {
				c.setSub(i, sub)
			}
			return c, true
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

// id "hashes" a schema id by its own bits, most significant first: the
// trie is then a radix tree over ids (31 bits: a first level of one bit,
// then six of five), so consecutive ids share their path and sit 32 to a
// leaf. New ids are consecutive: a group commit's registrations then touch
// one path, which the batch's edit copies once. Ids are at most 2^31-1, so
// distinct ids never collide and the depth is bounded whatever ids an
// IMPORT chooses; other ints still work, colliding in their high bits.
func (h *hashers) id(n int) uint64 { return bits.Reverse64(uint64(n)<<33) << 4 }

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
