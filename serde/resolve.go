package serde

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"
)

// Resolver rewrites the Avro encoding of a value written with one schema
// (the writer's) into the encoding of the same value under another, compatible
// schema (the reader's), following the schema-resolution rules of the Avro
// specification: fields matched by name or reader alias, writer-only fields
// skipped, reader-only fields filled with their defaults, int→long→float→
// double and string↔bytes promotions, enum symbols mapped by name (unknown
// ones to the reader's default symbol), named types matched by unqualified
// name or reader alias, and unions resolved branch by branch.
//
// A Resolver is compiled once per (writer, reader) pair and is safe for
// concurrent use. It exists because hamba/avro's SchemaCompatibility.Resolve
// recurses forever on recursive types and produces schemas that hamba cannot
// decode into pointer fields when a writer's plain type became a reader's
// ["null", T]; rewriting the bytes lets the reader's own schema (and its
// cached hamba decoder) read every writer version.
type Resolver struct {
	root  *rstep
	label string // the root of field paths in errors
	// identity is true when the writer's and the reader's encodings are
	// the same; Append then only validates and copies.
	identity bool
}

type rkind uint8

const (
	rNull        rkind = iota
	rVarint            // int, long, enum with identical symbols: copy a varint
	rIntToFloat        // int or long to float
	rIntToDouble       // int or long to double
	rFloatToDbl        // float to double
	rFixedSize         // boolean (1, validated), float (4), double (8), fixed (n): copy n bytes
	rBool
	rLenPrefixed // string, bytes: copy length and bytes
	rEnum        // map the writer's symbol index to the reader's
	rRecord
	rArray
	rMap
	rWriterUnion // read the writer's branch index, then that branch's step
	rToUnion     // write the reader's branch index, then the inner step
	rError       // a writer branch the reader cannot read: fails when met
)

type rstep struct {
	kind rkind
	size int
	// rEnum: writer index → reader index, -1 for a symbol the reader lacks
	// (and has no default for).
	enumMap     []int32
	enumSymbols []string // the writer's symbols, for errors
	enumName    string
	// rRecord
	fields []rfield // in writer order
	order  []rslot  // in reader order
	// rArray, rMap, rToUnion
	elem *rstep
	// rToUnion
	index int64
	// rWriterUnion
	branches []*rstep
	// rError
	err string
}

// rfield is one writer field: its step, and its name in the reader (empty
// when the reader does not have it and the value is skipped).
type rfield struct {
	name string
	step *rstep
}

// rslot is one reader field: taken from writer field `from`, or, when from
// is -1, the default's encoding.
type rslot struct {
	from int
	def  []byte
}

// NewResolver compiles the resolution of writer data into reader's
// encoding. It fails, naming the field path, when reader cannot read data
// written with writer (a type that does not match, a reader field missing
// from writer without a default, names that differ). Problems that only
// some values hit (a writer union branch the reader cannot read, an enum
// symbol the reader lacks and has no default for) are reported by Append
// when a value hits them, as Avro's own resolving decoders do.
func NewResolver(writer, reader avro.Schema) (*Resolver, error) {
	c := &rcompiler{memo: map[[2]avro.Schema]*rstep{}}
	c.path.field(typeLabel(reader))
	root, err := c.compile(writer, reader)
	if err != nil {
		return nil, err
	}
	return &Resolver{root: root, label: typeLabel(reader), identity: isIdentity(root, map[*rstep]bool{})}, nil
}

// Identity reports whether writer and reader encode every value alike, so
// that bytes need no rewriting.
func (r *Resolver) Identity() bool { return r.identity }

// Append appends the reader-schema encoding of the writer-schema encoded
// body to dst. Errors carry the field path and the byte offset in body, and
// match ErrTruncated or ErrInvalidValue.
func (r *Resolver) Append(dst, body []byte) ([]byte, error) {
	t := &transcoder{in: body, out: dst, path: make(path, 1, 8)}
	t.path[0] = pathElem{name: r.label}
	if err := t.run(r.root, 0); err != nil {
		return dst, err
	}
	if t.pos != len(body) {
		return dst, t.path.errorf(t.pos, ErrInvalidValue, "%d byte(s) left after the value", len(body)-t.pos)
	}
	return t.out, nil
}

type rcompiler struct {
	memo map[[2]avro.Schema]*rstep
	path path
}

func (c *rcompiler) fail(format string, args ...any) error {
	return &ValueError{Path: c.path.String(), Offset: -1, Msg: fmt.Sprintf(format, args...), Err: ErrIncompatible}
}

// ErrIncompatible means a reader schema cannot read data written with a
// writer schema.
var ErrIncompatible = errors.New("incompatible schemas")

func typeDesc(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return string(s.Type()) + " " + n.FullName()
	}
	return string(s.Type())
}

func (c *rcompiler) compile(w, r avro.Schema) (*rstep, error) {
	w, r = deref(w), deref(r)
	if len(c.path) > maxDepth {
		return nil, c.fail("schemas nest deeper than %d levels", maxDepth)
	}
	if wu, ok := w.(*avro.UnionSchema); ok {
		st := &rstep{kind: rWriterUnion}
		for _, wb := range wu.Types() {
			bs, err := c.compile(wb, r)
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) || ve.Err != ErrIncompatible {
					return nil, err
				}
				bs = &rstep{kind: rError, err: fmt.Sprintf("writer union branch %s cannot be read as %s: %s", branchName(wb), typeDesc(r), ve.Msg)}
			}
			st.branches = append(st.branches, bs)
		}
		return st, nil
	}
	if ru, ok := r.(*avro.UnionSchema); ok {
		i := readerBranch(w, ru)
		if i < 0 {
			return nil, c.fail("reader union %s has no branch for writer %s", unionNames(ru), typeDesc(w))
		}
		inner, err := c.compile(w, ru.Types()[i])
		if err != nil {
			return nil, err
		}
		return &rstep{kind: rToUnion, index: int64(i), elem: inner}, nil
	}

	switch rt := r.(type) {
	case *avro.NullSchema:
		if w.Type() == avro.Null {
			return &rstep{kind: rNull}, nil
		}
	case *avro.PrimitiveSchema:
		if k, ok := primitiveStep(w.Type(), rt.Type()); ok {
			return k, nil
		}
	case *avro.FixedSchema:
		if wt, ok := w.(*avro.FixedSchema); ok {
			if !namesMatch(wt, rt) {
				return nil, c.fail("writer fixed %s does not match reader fixed %s (names differ and no alias)", wt.FullName(), rt.FullName())
			}
			if wt.Size() != rt.Size() {
				return nil, c.fail("writer fixed %s has %d bytes, reader's has %d", wt.FullName(), wt.Size(), rt.Size())
			}
			return &rstep{kind: rFixedSize, size: rt.Size()}, nil
		}
	case *avro.EnumSchema:
		if wt, ok := w.(*avro.EnumSchema); ok {
			return c.enum(wt, rt)
		}
	case *avro.ArraySchema:
		if wt, ok := w.(*avro.ArraySchema); ok {
			c.path.index(-1)
			elem, err := c.compile(wt.Items(), rt.Items())
			c.path.pop()
			if err != nil {
				return nil, err
			}
			return &rstep{kind: rArray, elem: elem}, nil
		}
	case *avro.MapSchema:
		if wt, ok := w.(*avro.MapSchema); ok {
			c.path.index(-1)
			elem, err := c.compile(wt.Values(), rt.Values())
			c.path.pop()
			if err != nil {
				return nil, err
			}
			return &rstep{kind: rMap, elem: elem}, nil
		}
	case *avro.RecordSchema:
		if wt, ok := w.(*avro.RecordSchema); ok {
			return c.record(wt, rt)
		}
	}
	return nil, c.fail("reader expects %s, writer wrote %s", typeDesc(r), typeDesc(w))
}

// primitiveStep is the step for a writer primitive read as a reader
// primitive: the same type, or a promotion.
func primitiveStep(w, r avro.Type) (*rstep, bool) {
	switch {
	case w == r:
		switch w {
		case avro.Boolean:
			return &rstep{kind: rBool}, true
		case avro.Int, avro.Long:
			return &rstep{kind: rVarint}, true
		case avro.Float:
			return &rstep{kind: rFixedSize, size: 4}, true
		case avro.Double:
			return &rstep{kind: rFixedSize, size: 8}, true
		case avro.Bytes, avro.String:
			return &rstep{kind: rLenPrefixed}, true
		}
	case w == avro.Int && r == avro.Long:
		// Zig-zag varints of the same value are the same bytes.
		return &rstep{kind: rVarint}, true
	case (w == avro.Int || w == avro.Long) && r == avro.Float:
		return &rstep{kind: rIntToFloat}, true
	case (w == avro.Int || w == avro.Long) && r == avro.Double:
		return &rstep{kind: rIntToDouble}, true
	case w == avro.Float && r == avro.Double:
		return &rstep{kind: rFloatToDbl}, true
	case (w == avro.String && r == avro.Bytes) || (w == avro.Bytes && r == avro.String):
		// The same encoding. Bytes read as a string are not checked for
		// UTF-8, as hamba/avro does not check strings either.
		return &rstep{kind: rLenPrefixed}, true
	}
	return nil, false
}

// namesMatch follows Avro Java: the unqualified names are equal, or the
// reader's aliases contain the writer's full name.
func namesMatch(w, r avro.NamedSchema) bool {
	if w.Name() == r.Name() {
		return true
	}
	for _, a := range r.Aliases() {
		if a == w.FullName() || a == w.Name() {
			return true
		}
	}
	return false
}

// readerBranch picks the reader union branch for a non-union writer type:
// the first branch of the same type (and name), else the first the writer
// promotes to. -1 if none.
func readerBranch(w avro.Schema, ru *avro.UnionSchema) int {
	w = deref(w)
	for i, rb := range ru.Types() {
		rb = deref(rb)
		if rb.Type() != w.Type() {
			continue
		}
		wn, wok := w.(avro.NamedSchema)
		rn, rok := rb.(avro.NamedSchema)
		if !wok || !rok || namesMatch(wn, rn) {
			return i
		}
	}
	for i, rb := range ru.Types() {
		if _, ok := primitiveStep(w.Type(), deref(rb).Type()); ok {
			if _, prim := deref(rb).(*avro.PrimitiveSchema); prim {
				return i
			}
		}
	}
	return -1
}

func (c *rcompiler) enum(w, r *avro.EnumSchema) (*rstep, error) {
	if !namesMatch(w, r) {
		return nil, c.fail("writer enum %s does not match reader enum %s (names differ and no alias)", w.FullName(), r.FullName())
	}
	st := &rstep{kind: rEnum, enumSymbols: w.Symbols(), enumName: r.FullName()}
	def := int32(-1)
	if r.HasDefault() {
		def = int32(slices.Index(r.Symbols(), r.Default()))
	}
	same := len(w.Symbols()) == len(r.Symbols())
	for i, sym := range w.Symbols() {
		j := int32(slices.Index(r.Symbols(), sym))
		if j < 0 {
			j = def
		}
		if j != int32(i) {
			same = false
		}
		st.enumMap = append(st.enumMap, j)
	}
	if same {
		return &rstep{kind: rVarint}, nil
	}
	return st, nil
}

func (c *rcompiler) record(w, r *avro.RecordSchema) (*rstep, error) {
	key := [2]avro.Schema{w, r}
	if st, ok := c.memo[key]; ok {
		return st, nil // a recursive type: the step is being (or was) built
	}
	if !namesMatch(w, r) {
		return nil, c.fail("writer record %s does not match reader record %s (names differ and no alias)", w.FullName(), r.FullName())
	}
	st := &rstep{kind: rRecord}
	c.memo[key] = st

	taken := make([]int, len(r.Fields())) // reader field → writer field + 1
	for wi, wf := range w.Fields() {
		ri := slices.IndexFunc(r.Fields(), func(rf *avro.Field) bool { return rf.Name() == wf.Name() })
		if ri < 0 {
			ri = slices.IndexFunc(r.Fields(), func(rf *avro.Field) bool { return slices.Contains(rf.Aliases(), wf.Name()) })
		}
		if ri >= 0 && taken[ri] != 0 {
			ri = -1 // two writer fields for one reader field: the first wins
		}
		var fs *rstep
		var err error
		c.path.field(wf.Name())
		if ri < 0 {
			fs, err = c.compile(wf.Type(), wf.Type()) // skipped: read with the writer's own schema
			st.fields = append(st.fields, rfield{step: fs})
		} else {
			c.path[len(c.path)-1].name = r.Fields()[ri].Name()
			fs, err = c.compile(wf.Type(), r.Fields()[ri].Type())
			taken[ri] = wi + 1
			st.fields = append(st.fields, rfield{name: r.Fields()[ri].Name(), step: fs})
		}
		c.path.pop()
		if err != nil {
			return nil, err
		}
	}
	for ri, rf := range r.Fields() {
		if taken[ri] != 0 {
			st.order = append(st.order, rslot{from: taken[ri] - 1})
			continue
		}
		c.path.field(rf.Name())
		if !rf.HasDefault() {
			err := c.fail("reader field %q is not in the writer's record %s and has no default", rf.Name(), w.FullName())
			c.path.pop()
			return nil, err
		}
		e := &jsonEncoder{path: c.path}
		if err := e.defaultValue(rf.Type(), rf.Default(), 0); err != nil {
			c.path.pop()
			return nil, c.fail("default of reader field %q: %v", rf.Name(), err)
		}
		c.path.pop()
		st.order = append(st.order, rslot{from: -1, def: e.out})
	}
	return st, nil
}

// isIdentity reports whether a step copies its input unchanged.
func isIdentity(st *rstep, seen map[*rstep]bool) bool {
	if seen[st] {
		return true
	}
	seen[st] = true
	switch st.kind {
	case rNull, rVarint, rFixedSize, rBool, rLenPrefixed:
		return true
	case rArray, rMap:
		return isIdentity(st.elem, seen)
	case rRecord:
		if len(st.order) != len(st.fields) {
			return false
		}
		for i, slot := range st.order {
			if slot.from != i || st.fields[i].name == "" || !isIdentity(st.fields[i].step, seen) {
				return false
			}
		}
		return true
	case rWriterUnion:
		return false // the reader may have other branches or another order
	}
	return false
}

// transcoder runs a compiled resolution over one body.
type transcoder struct {
	in      []byte
	pos     int
	out     []byte
	scratch []byte // reordering space for records
	path    path
	empty   int
}

func (t *transcoder) truncated(need int) error {
	return t.path.errorf(t.pos, ErrTruncated, "need %d byte(s), have %d", need, len(t.in)-t.pos)
}

// varint reads a zig-zag varint (at most 10 bytes) and returns its value and
// raw bytes.
func (t *transcoder) varint() (int64, []byte, error) {
	start := t.pos
	var v uint64
	for i := 0; i < 10; i++ {
		if t.pos >= len(t.in) {
			t.pos = start
			return 0, nil, t.truncated(i + 1)
		}
		b := t.in[t.pos]
		t.pos++
		if i == 9 && b > 1 {
			return 0, nil, t.path.errorf(start, ErrInvalidValue, "varint overflows 64 bits")
		}
		v |= uint64(b&0x7f) << (7 * uint(i))
		if b&0x80 == 0 {
			return int64(v>>1) ^ -int64(v&1), t.in[start:t.pos], nil
		}
	}
	return 0, nil, t.path.errorf(start, ErrInvalidValue, "varint longer than 10 bytes")
}

func (t *transcoder) take(n int) ([]byte, error) {
	if n > len(t.in)-t.pos {
		return nil, t.truncated(n)
	}
	b := t.in[t.pos : t.pos+n]
	t.pos += n
	return b, nil
}

func (t *transcoder) run(st *rstep, depth int) error {
	if depth > maxDepth {
		return t.path.errorf(t.pos, ErrInvalidValue, "value nests deeper than %d levels", maxDepth)
	}
	switch st.kind {
	case rNull:
		return nil
	case rVarint:
		_, raw, err := t.varint()
		if err != nil {
			return err
		}
		t.out = append(t.out, raw...)
	case rIntToFloat, rIntToDouble:
		v, _, err := t.varint()
		if err != nil {
			return err
		}
		if st.kind == rIntToFloat {
			t.out = binary.LittleEndian.AppendUint32(t.out, math.Float32bits(float32(v)))
		} else {
			t.out = binary.LittleEndian.AppendUint64(t.out, math.Float64bits(float64(v)))
		}
	case rFloatToDbl:
		b, err := t.take(4)
		if err != nil {
			return err
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		t.out = binary.LittleEndian.AppendUint64(t.out, math.Float64bits(float64(f)))
	case rBool:
		at := t.pos
		b, err := t.take(1)
		if err != nil {
			return err
		}
		if b[0] > 1 {
			return t.path.errorf(at, ErrInvalidValue, "boolean byte 0x%02x is not 0 or 1", b[0])
		}
		t.out = append(t.out, b[0])
	case rFixedSize:
		b, err := t.take(st.size)
		if err != nil {
			return err
		}
		t.out = append(t.out, b...)
	case rLenPrefixed:
		at := t.pos
		n, raw, err := t.varint()
		if err != nil {
			return err
		}
		if n < 0 {
			return t.path.errorf(at, ErrInvalidValue, "negative length %d", n)
		}
		if n > int64(len(t.in)-t.pos) {
			return t.truncated(int(min(n, math.MaxInt32)))
		}
		t.out = append(t.out, raw...)
		t.out = append(t.out, t.in[t.pos:t.pos+int(n)]...)
		t.pos += int(n)
	case rEnum:
		at := t.pos
		i, _, err := t.varint()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(st.enumMap)) {
			return t.path.errorf(at, ErrInvalidValue, "enum index %d out of range [0,%d)", i, len(st.enumMap))
		}
		j := st.enumMap[i]
		if j < 0 {
			return t.path.errorf(at, ErrInvalidValue, "writer symbol %s is not in reader enum %s, which has no default", st.enumSymbols[i], st.enumName)
		}
		t.out = appendVarint(t.out, int64(j))
	case rToUnion:
		t.out = appendVarint(t.out, st.index)
		return t.run(st.elem, depth+1)
	case rWriterUnion:
		at := t.pos
		i, _, err := t.varint()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(st.branches)) {
			return t.path.errorf(at, ErrInvalidValue, "union branch %d out of range [0,%d)", i, len(st.branches))
		}
		return t.run(st.branches[i], depth+1)
	case rError:
		return t.path.errorf(t.pos, ErrIncompatible, "%s", st.err)
	case rArray, rMap:
		return t.blocks(st, depth)
	case rRecord:
		return t.record(st, depth)
	}
	return nil
}

func (t *transcoder) blocks(st *rstep, depth int) error {
	n := 0
	for {
		at := t.pos
		count, _, err := t.varint()
		if err != nil {
			return err
		}
		if count == 0 {
			t.out = append(t.out, 0)
			return nil
		}
		if count < 0 {
			if count == math.MinInt64 {
				return t.path.errorf(at, ErrInvalidValue, "block count out of range")
			}
			count = -count
			if _, _, err := t.varint(); err != nil { // the block's byte size; rewritten without it
				return err
			}
		}
		t.out = appendVarint(t.out, count)
		for ; count > 0; count-- {
			before := t.pos
			if st.kind == rMap {
				kat := t.pos
				kn, raw, err := t.varint()
				if err != nil {
					return err
				}
				if kn < 0 || kn > int64(len(t.in)-t.pos) {
					if kn < 0 {
						return t.path.errorf(kat, ErrInvalidValue, "negative map key length %d", kn)
					}
					return t.truncated(int(min(kn, math.MaxInt32)))
				}
				t.out = append(t.out, raw...)
				t.out = append(t.out, t.in[t.pos:t.pos+int(kn)]...)
				t.path.key(string(t.in[t.pos : t.pos+int(kn)]))
				t.pos += int(kn)
			} else {
				t.path.index(n)
			}
			n++
			if err := t.run(st.elem, depth+1); err != nil {
				return err
			}
			t.path.pop()
			if t.pos == before {
				t.empty++
				if t.empty > maxEmptyItems {
					return t.path.errorf(before, ErrInvalidValue, "more than %d items that take no bytes", maxEmptyItems)
				}
			}
		}
	}
}

// record transcodes the writer's fields in writer order, then arranges the
// results in reader order with defaults for reader-only fields.
func (t *transcoder) record(st *rstep, depth int) error {
	start := len(t.out)
	var small [16]int
	ends := small[:0]
	for _, f := range st.fields {
		if f.name == "" {
			t.path.field("(skipped)")
		} else {
			t.path.field(f.name)
		}
		mark := len(t.out)
		if err := t.run(f.step, depth+1); err != nil {
			return err
		}
		t.path.pop()
		if f.name == "" {
			t.out = t.out[:mark] // a writer-only field: read and dropped
		}
		ends = append(ends, len(t.out))
	}
	inOrder := len(st.order) == len(st.fields)
	for i, slot := range st.order {
		if slot.from != i || st.fields[i].name == "" {
			inOrder = false
			break
		}
	}
	if inOrder {
		return nil
	}
	// Copy the segments out, then write them back in reader order.
	t.scratch = append(t.scratch[:0], t.out[start:]...)
	t.out = t.out[:start]
	for _, slot := range st.order {
		if slot.from < 0 {
			t.out = append(t.out, slot.def...)
			continue
		}
		from := 0
		if slot.from > 0 {
			from = ends[slot.from-1] - start
		}
		t.out = append(t.out, t.scratch[from:ends[slot.from]-start]...)
	}
	return nil
}

// String describes the resolution (for debugging and tests).
func (r *Resolver) String() string {
	var b strings.Builder
	describe(&b, r.root, map[*rstep]bool{})
	return b.String()
}

func describe(b *strings.Builder, st *rstep, seen map[*rstep]bool) {
	names := [...]string{"null", "varint", "int→float", "int→double", "float→double", "fixed", "boolean", "bytes", "enum", "record", "array", "map", "writer-union", "to-union", "error"}
	b.WriteString(names[st.kind])
	switch st.kind {
	case rRecord:
		if seen[st] {
			b.WriteString("(…)")
			return
		}
		seen[st] = true
		b.WriteByte('{')
		for i, f := range st.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if f.name == "" {
				b.WriteString("skip:")
			} else {
				b.WriteString(f.name + ":")
			}
			describe(b, f.step, seen)
		}
		for _, slot := range st.order {
			if slot.from < 0 {
				fmt.Fprintf(b, ",default:%x", slot.def)
			}
		}
		b.WriteByte('}')
	case rArray, rMap, rToUnion:
		b.WriteByte('(')
		describe(b, st.elem, seen)
		b.WriteByte(')')
	case rWriterUnion:
		b.WriteByte('[')
		for i, br := range st.branches {
			if i > 0 {
				b.WriteByte(',')
			}
			describe(b, br, seen)
		}
		b.WriteByte(']')
	}
}
