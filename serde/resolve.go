package serde

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
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
	// WithConversionRules only:
	rLongToInt     // long to int: copy the varint if it fits
	rDoubleToFloat // double to float: checked range
	rDefault       // write a reader field's default, read nothing (a null for a required field)
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
	// rDefault
	def []byte
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
func NewResolver(writer, reader avro.Schema, opts ...ResolverOpt) (*Resolver, error) {
	c := &rcompiler{memo: map[[2]avro.Schema]*rstep{}}
	for _, o := range opts {
		o(c)
	}
	c.path.Field(avrovalue.Label(reader))
	root, err := c.compile(writer, reader)
	if err != nil {
		return nil, err
	}
	return &Resolver{root: root, label: avrovalue.Label(reader), identity: isIdentity(root, map[*rstep]bool{})}, nil
}

// Identity reports whether writer and reader encode every value alike, so
// that bytes need no rewriting.
func (r *Resolver) Identity() bool { return r.identity }

type rcompiler struct {
	memo map[[2]avro.Schema]*rstep
	path avrovalue.Path
	// conv: WithConversionRules.
	conv bool
	// fieldDefault is the encoded default of the reader field whose type
	// is being compiled, for the first compile call of that type only.
	fieldDefault []byte
}

// ResolverOpt configures a Resolver.
type ResolverOpt func(*rcompiler)

// WithConversionRules adds to Avro's resolution the rules of the
// conversions edactl generates between versions (codegen), so that a
// downcast resolves as the generated Downcast functions convert:
//
//   - a reader field without a default is taken from a writer field that
//     names it among its aliases (a rename with an alias, read backwards);
//   - long → int and double → float are read checked: a value that does
//     not fit fails with ErrInvalidValue and its field path;
//   - a null written for a reader field that cannot hold one (optional →
//     required) becomes the reader field's default, when it has one.
//
// The default is Avro's rules only.
func WithConversionRules() ResolverOpt { return func(c *rcompiler) { c.conv = true } }

func (c *rcompiler) fail(format string, args ...any) error {
	return valueErrorf(c.path, -1, ErrIncompatible, format, args...)
}

// ErrIncompatible means a reader schema cannot read data written with a
// writer schema.
var ErrIncompatible = errors.New("incompatible schemas")

func typeDesc(s avro.Schema) string {
	s = avrovalue.Deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return string(s.Type()) + " " + n.FullName()
	}
	return string(s.Type())
}

func (c *rcompiler) compile(w, r avro.Schema) (*rstep, error) {
	w, r = avrovalue.Deref(w), avrovalue.Deref(r)
	fieldDefault := c.fieldDefault
	c.fieldDefault = nil
	if len(c.path) > avrovalue.MaxDepth {
		return nil, c.fail("schemas nest deeper than %d levels", avrovalue.MaxDepth)
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
				bs = &rstep{kind: rError, err: fmt.Sprintf("writer union branch %s cannot be read as %s: %s", avrovalue.BranchName(wb), typeDesc(r), ve.Msg)}
				if c.conv && fieldDefault != nil && wb.Type() == avro.Null {
					bs = &rstep{kind: rDefault, def: fieldDefault}
				}
			}
			st.branches = append(st.branches, bs)
		}
		return st, nil
	}
	if ru, ok := r.(*avro.UnionSchema); ok {
		i := readerBranch(w, ru)
		if i < 0 {
			return nil, c.fail("reader union %s has no branch for writer %s", avrovalue.UnionNames(ru), typeDesc(w))
		}
		inner, err := c.compile(w, ru.Types()[i])
		if err != nil {
			return nil, err
		}
		return &rstep{kind: rToUnion, index: int64(i), elem: inner}, nil
	}

	if c.conv && fieldDefault != nil && w.Type() == avro.Null && r.Type() != avro.Null {
		return &rstep{kind: rDefault, def: fieldDefault}, nil // a null field became required
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
		switch {
		case c.conv && w.Type() == avro.Long && rt.Type() == avro.Int:
			return &rstep{kind: rLongToInt}, nil
		case c.conv && w.Type() == avro.Double && rt.Type() == avro.Float:
			return &rstep{kind: rDoubleToFloat}, nil
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
			c.path.Index(-1)
			elem, err := c.compile(wt.Items(), rt.Items())
			c.path.Pop()
			if err != nil {
				return nil, err
			}
			return &rstep{kind: rArray, elem: elem}, nil
		}
	case *avro.MapSchema:
		if wt, ok := w.(*avro.MapSchema); ok {
			c.path.Index(-1)
			elem, err := c.compile(wt.Values(), rt.Values())
			c.path.Pop()
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
	w = avrovalue.Deref(w)
	for i, rb := range ru.Types() {
		rb = avrovalue.Deref(rb)
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
		if _, ok := primitiveStep(w.Type(), avrovalue.Deref(rb).Type()); ok {
			if _, prim := avrovalue.Deref(rb).(*avro.PrimitiveSchema); prim {
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
		if ri < 0 && c.conv {
			ri = c.writerAlias(w, r, wf)
		}
		if ri >= 0 && taken[ri] != 0 {
			ri = -1 // two writer fields for one reader field: the first wins
		}
		var fs *rstep
		var err error
		c.path.Field(wf.Name())
		if ri < 0 {
			fs, err = c.compile(wf.Type(), wf.Type()) // skipped: read with the writer's own schema
			st.fields = append(st.fields, rfield{step: fs})
		} else {
			rf := r.Fields()[ri]
			c.path[len(c.path)-1].Name = rf.Name()
			if c.conv && rf.HasDefault() {
				p := c.path
				if def, derr := avrovalue.AppendDefault(nil, rf.Type(), rf.Default(), &p, 0); derr == nil {
					c.fieldDefault = def
				}
			}
			fs, err = c.compile(wf.Type(), rf.Type())
			c.fieldDefault = nil
			taken[ri] = wi + 1
			st.fields = append(st.fields, rfield{name: r.Fields()[ri].Name(), step: fs})
		}
		c.path.Pop()
		if err != nil {
			return nil, err
		}
	}
	for ri, rf := range r.Fields() {
		if taken[ri] != 0 {
			st.order = append(st.order, rslot{from: taken[ri] - 1})
			continue
		}
		c.path.Field(rf.Name())
		if !rf.HasDefault() {
			err := c.fail("reader field %q is not in the writer's record %s and has no default", rf.Name(), w.FullName())
			c.path.Pop()
			return nil, err
		}
		p := c.path // the default's walk must not extend c.path
		def, err := avrovalue.AppendDefault(nil, rf.Type(), rf.Default(), &p, 0)
		if err != nil {
			c.path.Pop()
			return nil, c.fail("default of reader field %q: %v", rf.Name(), err)
		}
		c.path.Pop()
		st.order = append(st.order, rslot{from: -1, def: def})
	}
	return st, nil
}

// writerAlias finds, for writer field wf that no reader field names, a
// reader field without a default that wf's aliases name and that no
// writer field fills by name or reader alias (WithConversionRules).
func (c *rcompiler) writerAlias(w, r *avro.RecordSchema, wf *avro.Field) int {
	for ri, rf := range r.Fields() {
		if rf.HasDefault() || !slices.Contains(wf.Aliases(), rf.Name()) {
			continue
		}
		filled := slices.ContainsFunc(w.Fields(), func(f *avro.Field) bool {
			return f.Name() == rf.Name() || slices.Contains(rf.Aliases(), f.Name())
		})
		if !filled {
			return ri
		}
	}
	return -1
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

// String describes the resolution (for debugging and tests).
func (r *Resolver) String() string {
	var b strings.Builder
	describe(&b, r.root, map[*rstep]bool{})
	return b.String()
}

func describe(b *strings.Builder, st *rstep, seen map[*rstep]bool) {
	names := [...]string{"null", "varint", "int→float", "int→double", "float→double", "fixed", "boolean", "bytes", "enum", "record", "array", "map", "writer-union", "to-union", "error", "long→int", "double→float", "default"}
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
