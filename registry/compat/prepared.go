package compat

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"
)

// Prepared is a schema with what a check looks up in it computed once: the
// fields of each of its records by name, and the shape of each field's type
// (its structure, when the type holds no named type). A registry keeps one per
// stored version and checks each new schema against them, so that a long
// history is not indexed again at every registration.
//
// Shapes let a check skip the walk of a field whose reader and writer types
// are the same anonymous type (["null","string"] in both, say), which
// always reads itself; it charges the budget what the walk would have, so a
// check of Prepared schemas finds exactly what Check and CheckBounded find
// (same report, same budget verdict). A Prepared is immutable and safe for
// concurrent use.
type Prepared struct {
	schema  avro.Schema
	records map[*avro.RecordSchema]*recordIndex
}

// recordIndex is what a check looks up in one record: its fields by name
// (field positions) and, when prepared, the shape of each field's type.
type recordIndex struct {
	byName map[string]int
	// unique is true when no two fields share a name (always, for parsed
	// schemas): then a field found at the position asked for is the one
	// byName holds.
	unique bool
	// shapes holds one entry per field, in field order; nil when the
	// record was indexed during a check rather than prepared. names,
	// plain (the field has no aliases) and hasDefault are, when prepared,
	// what the check reads of each field, in flat slices.
	shapes     []fieldShape
	names      []string
	plain      []bool
	hasDefault []bool
	// hashes are the fields' name hashes (nameHash) and bloom the set of
	// them, when prepared: a name whose bit is clear is certainly not a
	// field's, found without a map lookup.
	hashes []uint64
	bloom  nameBloom
	// allPlain is true when no field has aliases; byHash maps each name
	// hash to its field (nil when two names share a hash); noDefault
	// counts the fields without a default. flatCompatible reads them.
	allPlain  bool
	byHash    map[uint64]int
	noDefault int
}

// internTable is a process-wide table of interned keys: lookups share a
// read lock, and a missing key is added under the write lock by add, which
// returns the key to store (a copy, say), its value and false when the
// table is full (the key is then not stored and the zero value returned).
type internTable[V any] struct {
	sync.RWMutex
	m     map[string]V
	bytes int // of the stored keys
}

func (t *internTable[V]) get(key string, add func(key string) (string, V, bool)) V {
	t.RLock()
	v, ok := t.m[key]
	t.RUnlock()
	if ok {
		return v
	}
	t.Lock()
	defer t.Unlock()
	if v, ok := t.m[key]; ok {
		return v
	}
	if t.m == nil {
		t.m = map[string]V{}
	}
	k, v, ok := add(key)
	if !ok {
		var zero V
		return zero
	}
	t.m[k] = v
	t.bytes += len(k)
	return v
}

// lookup returns key's value if the table holds it: a read of the table
// under the read lock that converts key without copying it.
func (t *internTable[V]) lookup(key []byte) (V, bool) {
	t.RLock()
	v, ok := t.m[string(key)]
	t.RUnlock()
	return v, ok
}

// fieldNames interns the field names of prepared records, so that two
// indexes' equal names are one string and compare without reading their
// bytes. It keeps copies (a name may be a substring of a whole request's
// text, which it must not keep alive), at most maxFieldNames of them and
// maxFieldNameBytes in all; later names are used as they are (and compare
// by their bytes).
var fieldNames internTable[string]

const (
	maxFieldNames     = 1 << 16
	maxFieldNameBytes = 4 << 20
)

func internName(s string) string {
	if v := fieldNames.get(s, func(s string) (string, string, bool) {
		if len(fieldNames.m) >= maxFieldNames || fieldNames.bytes+len(s) > maxFieldNameBytes {
			return "", "", false
		}
		c := strings.Clone(s)
		return c, c, true
	}); v != "" {
		return v
	}
	return s
}

// nameBloom is a Bloom filter (one bit per name) of a record's field names.
type nameBloom [16]uint64

func (b *nameBloom) add(h uint64)          { b[h>>4&15] |= 1 << (h >> 8 & 63) }
func (b *nameBloom) mayHave(h uint64) bool { return b[h>>4&15]&(1<<(h>>8&63)) != 0 }

// nameHash hashes a field name for nameBloom (FNV-1a).
func nameHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// fieldShape identifies a field's type for the identical-type shortcut.
type fieldShape struct {
	// key identifies the type's structure (shapeKey) when the type holds
	// no named type and no union of more than smallUnion branches
	// (checking it against an identical type then depends on its
	// structure only); "" otherwise.
	key string
	// steps is what checking the type against an identical one charges.
	steps int
	// id is key interned (shapeID): equal non-zero ids mean equal keys;
	// 0 when key is "" or the table was full, and then keys are compared.
	id uint32
}

// shapeIDs interns shape keys, so that checks compare two fields' shapes
// as numbers, with what checking a type of the shape against itself
// charges (which depends on the shape alone), so that a prepare measures
// each shape once per process rather than once per field. It holds at
// most maxShapeIDs keys: real schemas use a few kinds of field type; keys
// beyond it get id 0 and are measured each time.
var shapeIDs internTable[fieldShape]

const maxShapeIDs = 4096

// internShape returns the interned shape of key, adding it with steps
// when it is new; when the table is full it returns key with steps and id
// 0.
func internShape(key string, steps int) fieldShape {
	sh := shapeIDs.get(key, func(key string) (string, fieldShape, bool) {
		if len(shapeIDs.m) >= maxShapeIDs {
			return "", fieldShape{}, false
		}
		return key, fieldShape{key: key, steps: steps, id: uint32(len(shapeIDs.m) + 1)}, true
	})
	if sh.id == 0 {
		return fieldShape{key: key, steps: steps}
	}
	return sh
}

func newRecordIndex(rec *avro.RecordSchema) *recordIndex {
	ix := &recordIndex{byName: make(map[string]int, len(rec.Fields()))}
	for i, f := range rec.Fields() {
		ix.byName[f.Name()] = i
	}
	ix.unique = len(ix.byName) == len(rec.Fields())
	return ix
}

// field returns the position of the field named name among fields (the
// record's), trying position hint first: versions of a record mostly keep
// their fields in place, so a reader's field i is usually the writer's
// field i, found without hashing its name.
func (ix *recordIndex) field(fields []*avro.Field, name string, hint int) (int, bool) {
	if ix.unique && hint < len(fields) && fields[hint].Name() == name {
		return hint, true
	}
	j, ok := ix.byName[name]
	return j, ok
}

// sameShape reports whether field i of the reader record and field j of
// the writer record have the same anonymous type, and if so the steps
// checking one against the other takes.
func sameShape(r *recordIndex, i int, w *recordIndex, j int) (int, bool) {
	if r.shapes == nil || w.shapes == nil {
		return 0, false
	}
	rs := r.shapes[i]
	if !rs.same(w.shapes[j]) {
		return 0, false
	}
	return rs.steps, true
}

// same reports whether s and t are the shape of one anonymous type:
// compared by interned id when both have one, by key otherwise.
func (s fieldShape) same(t fieldShape) bool {
	if s.key == "" {
		return false
	}
	if s.id != 0 && t.id != 0 {
		return s.id == t.id
	}
	return s.key == t.key
}

// Prepare indexes schema s for CheckPrepared.
func Prepare(s avro.Schema) *Prepared {
	p := &Prepared{schema: s, records: map[*avro.RecordSchema]*recordIndex{}}
	self := newChecker()
	var key []byte // shape keys are written here, reused
	// A parse shares one type object among the fields of a type (a union
	// of primitives, say): consecutive fields of one object take the shape
	// found for the first.
	var last avro.Schema
	var lastShape fieldShape
	shape := func(t avro.Schema) fieldShape {
		if last == nil || t != last {
			last, lastShape = t, shapeOf(self, t, &key)
		}
		return lastShape
	}
	var walk func(avro.Schema)
	walk = func(s avro.Schema) {
		switch t := deref(s).(type) {
		case *avro.RecordSchema:
			if _, seen := p.records[t]; seen {
				return
			}
			ix := newRecordIndex(t)
			p.records[t] = ix
			n := len(t.Fields())
			ix.shapes, ix.names, ix.plain, ix.hasDefault = make([]fieldShape, n), make([]string, n), make([]bool, n), make([]bool, n)
			ix.hashes = make([]uint64, n)
			ix.allPlain, ix.byHash = true, make(map[uint64]int, n)
			for i, f := range t.Fields() {
				ix.shapes[i] = shape(f.Type())
				ix.names[i], ix.plain[i], ix.hasDefault[i] = internName(f.Name()), len(f.Aliases()) == 0, f.HasDefault()
				ix.hashes[i] = nameHash(f.Name())
				ix.bloom.add(ix.hashes[i])
				if !ix.plain[i] {
					ix.allPlain = false
				}
				if !ix.hasDefault[i] {
					ix.noDefault++
				}
				if ix.byHash != nil {
					if _, dup := ix.byHash[ix.hashes[i]]; dup {
						ix.byHash = nil
					} else {
						ix.byHash[ix.hashes[i]] = i
					}
				}
				walk(f.Type())
			}
		case *avro.ArraySchema:
			walk(t.Items())
		case *avro.MapSchema:
			walk(t.Values())
		case *avro.UnionSchema:
			for _, b := range t.Types() {
				walk(b)
			}
		}
	}
	walk(s)
	return p
}

// Schema returns the schema p was prepared from.
func (p *Prepared) Schema() avro.Schema { return p.schema }

// shapeOf returns the shape of type t: its key, written into *buf (reused
// between calls), and, the first time the process sees the key, what
// checking t against itself charges, measured with c.
func shapeOf(c *checker, t avro.Schema, buf *[]byte) fieldShape {
	if !anonymous(t) {
		return fieldShape{}
	}
	*buf = appendShapeKey((*buf)[:0], t)
	if sh, ok := shapeIDs.lookup(*buf); ok {
		return sh
	}
	c.budget, c.exceeded = math.MaxInt, false
	if res := c.check(t, t); len(res.issues) > 0 {
		return fieldShape{} // cannot happen for an anonymous type; stay safe
	}
	return internShape(string(*buf), math.MaxInt-c.budget)
}

// appendShapeKey appends a key of anonymous type t that two types share
// only if they have the same structure, logical types aside (checks ignore
// them): the type name of a primitive, a(items), m(values),
// u(branch,branch...).
func appendShapeKey(b []byte, t avro.Schema) []byte {
	switch t := t.(type) {
	case *avro.ArraySchema:
		b = append(b, "a("...)
		b = appendShapeKey(b, t.Items())
		return append(b, ')')
	case *avro.MapSchema:
		b = append(b, "m("...)
		b = appendShapeKey(b, t.Values())
		return append(b, ')')
	case *avro.UnionSchema:
		b = append(b, "u("...)
		for i, u := range t.Types() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendShapeKey(b, u)
		}
		return append(b, ')')
	default:
		return append(b, t.Type()...)
	}
}

// anonymous reports whether t holds no named type (record, enum, fixed or
// a reference to one) and no union of more than smallUnion branches: a
// check of such a type walks it the same way whatever else it compares.
func anonymous(t avro.Schema) bool {
	switch t := t.(type) {
	case *avro.PrimitiveSchema, *avro.NullSchema:
		return true
	case *avro.ArraySchema:
		return anonymous(t.Items())
	case *avro.MapSchema:
		return anonymous(t.Values())
	case *avro.UnionSchema:
		if len(t.Types()) > smallUnion {
			return false
		}
		for _, b := range t.Types() {
			if !anonymous(b) {
				return false
			}
		}
		return true
	}
	return false
}

// CheckPrepared is CheckBounded for prepared schemas: the same report and
// the same budget verdict, with less work per history entry.
func CheckPrepared(level Level, candidate *Prepared, history []*Prepared, budget int) (Report, error) {
	if budget <= 0 {
		return Report{}, fmt.Errorf("compat: the work budget must be positive, got %d", budget)
	}
	if candidate == nil {
		return Report{}, fmt.Errorf("compat: nil candidate")
	}
	schemas := make([]avro.Schema, len(history))
	for i, h := range history {
		if h == nil {
			return Report{}, fmt.Errorf("compat: history[%d] is nil", i)
		}
		schemas[i] = h.schema
	}
	return checkWith(level, candidate.schema, schemas, budget, func(c *checker, i int) {
		c.prepared = [2]*Prepared{candidate, history[i]}
	})
}
