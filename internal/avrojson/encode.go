package avrojson

import (
	"fmt"
	"slices"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
	"github.com/edactl/edactl/internal/jsontree"
	"github.com/edactl/edactl/serde"
)

// The JSON → Avro encoder: the JSON text is parsed into a tree
// (internal/jsontree) that keeps every object member in order, so map
// entries keep their order and repeats, and a record field given twice is
// refused; then the tree is walked with the schema.

// AppendAvro appends the Avro binary encoding of a JSON value (the mapping
// in the package doc) written with schema to dst. It is strict, so that
// nothing is lost silently: an unknown record field, a field given twice,
// a missing field without a default, a number that does not fit, a
// timestamp more precise than its type or an unknown enum symbol is a
// *serde.ValueError matching serde.ErrInvalidValue that names the field
// path and the byte offset in jsonValue. Missing record fields with a
// default get the default. Readable logical values and their underlying
// numbers are both accepted.
func AppendAvro(dst []byte, schema avro.Schema, jsonValue []byte) ([]byte, error) {
	root := make(avrovalue.Path, 1, 8)
	root[0] = avrovalue.Elem{Name: avrovalue.Label(schema)}
	v, err := jsontree.Parse(jsonValue)
	if err != nil {
		return dst, &serde.ValueError{Path: root.String(), Offset: -1, Msg: err.Error(), Err: serde.ErrInvalidValue}
	}
	e := &jsonEncoder{out: dst, path: root}
	if err := e.value(schema, v, 0); err != nil {
		return dst, err
	}
	return e.out, nil
}

// kindName names a JSON value's kind for messages ("want a string, got a
// number").
func kindName(n *jsontree.Value) string {
	switch n.Kind() {
	case jsontree.Null:
		return "null"
	case jsontree.Bool:
		return "a boolean"
	case jsontree.Number:
		return "a number"
	case jsontree.String:
		return "a string"
	case jsontree.Array:
		return "an array"
	}
	return "an object"
}

type jsonEncoder struct {
	out  []byte
	path avrovalue.Path
}

// errorf is a problem with n, at n's offset (-1 for a nil n).
func (e *jsonEncoder) errorf(n *jsontree.Value, format string, args ...any) error {
	off := -1
	if n != nil {
		off = n.Offset()
	}
	return &serde.ValueError{Path: e.path.String(), Offset: off, Msg: fmt.Sprintf(format, args...), Err: serde.ErrInvalidValue}
}

func (e *jsonEncoder) want(n *jsontree.Value, what string) error {
	return e.errorf(n, "want %s, got %s", what, kindName(n))
}

func (e *jsonEncoder) value(s avro.Schema, n *jsontree.Value, depth int) error {
	if depth > avrovalue.MaxDepth {
		return e.errorf(n, "value nests deeper than %d levels", avrovalue.MaxDepth)
	}
	s = avrovalue.Deref(s)
	switch t := s.(type) {
	case *avro.NullSchema:
		if n.Kind() != jsontree.Null {
			return e.want(n, "null")
		}
		return nil
	case *avro.PrimitiveSchema:
		return e.primitive(t, n)
	case *avro.RecordSchema:
		return e.record(t, n, depth)
	case *avro.EnumSchema:
		if n.Kind() != jsontree.String {
			return e.want(n, "a string symbol of enum "+t.FullName())
		}
		i := slices.Index(t.Symbols(), n.Text())
		if i < 0 {
			return e.errorf(n, "%q is not a symbol of enum %s %v", n.Text(), t.FullName(), t.Symbols())
		}
		e.out = avrovalue.AppendLong(e.out, int64(i))
		return nil
	case *avro.FixedSchema:
		return e.fixed(t, n)
	case *avro.ArraySchema:
		if n.Kind() != jsontree.Array {
			return e.want(n, "an array")
		}
		if n.Len() > 0 {
			e.out = avrovalue.AppendLong(e.out, int64(n.Len()))
			for i := range n.Len() {
				e.path.Index(i)
				if err := e.value(t.Items(), n.Item(i), depth+1); err != nil {
					return err
				}
				e.path.Pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.MapSchema:
		if n.Kind() != jsontree.Object {
			return e.want(n, "an object for a map")
		}
		// Every member in order, a repeated key each time: the bytes say
		// what the JSON says.
		if n.Len() > 0 {
			e.out = avrovalue.AppendLong(e.out, int64(n.Len()))
			for i := range n.Len() {
				key := n.Key(i)
				e.out = avrovalue.AppendString(e.out, key)
				e.path.Key(key)
				if err := e.value(t.Values(), n.Item(i), depth+1); err != nil {
					return err
				}
				e.path.Pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.UnionSchema:
		return e.union(t, n, depth)
	}
	return e.errorf(n, "unsupported schema type %s", s.Type())
}

// record writes the fields in schema order. The first member (in the
// JSON's order) that repeats an earlier key or names no field is refused.
func (e *jsonEncoder) record(t *avro.RecordSchema, n *jsontree.Value, depth int) error {
	if n.Kind() != jsontree.Object {
		return e.want(n, "an object for record "+t.FullName())
	}
	repeated := n.RepeatedKey()
	known := n.Len()
	if repeated >= 0 {
		known = repeated
	}
	for i := range known {
		key := n.Key(i)
		if !slices.ContainsFunc(t.Fields(), func(f *avro.Field) bool { return f.Name() == key }) {
			return e.errorf(n.Item(i), "record %s has no field %q", t.FullName(), key)
		}
	}
	if repeated >= 0 {
		return e.errorf(n.Item(repeated), "field %q appears twice", n.Key(repeated))
	}
	for _, f := range t.Fields() {
		e.path.Field(f.Name())
		var err error
		switch v := n.First(f.Name()); {
		case v != nil:
			err = e.value(f.Type(), v, depth+1)
		case f.HasDefault():
			e.out, err = avrovalue.AppendDefault(e.out, f.Type(), f.Default(), &e.path, depth+1)
			if de, ok := err.(*avrovalue.DefaultError); ok {
				err = &serde.ValueError{Path: de.Path, Offset: -1, Msg: de.Msg, Err: serde.ErrInvalidValue}
			}
		default:
			err = e.errorf(n, "missing (the field has no default)")
		}
		if err != nil {
			return err
		}
		e.path.Pop()
	}
	return nil
}

func (e *jsonEncoder) union(u *avro.UnionSchema, n *jsontree.Value, depth int) error {
	types := u.Types()
	if n.Kind() == jsontree.Null {
		for i, br := range types {
			if avrovalue.Deref(br).Type() == avro.Null {
				e.out = avrovalue.AppendLong(e.out, int64(i))
				return nil
			}
		}
		return e.errorf(n, "null is not a branch of union %s", avrovalue.UnionNames(u))
	}
	if isNullable(u) {
		i := 0
		if avrovalue.Deref(types[0]).Type() == avro.Null {
			i = 1
		}
		e.out = avrovalue.AppendLong(e.out, int64(i))
		return e.value(types[i], n, depth+1)
	}
	if n.Kind() != jsontree.Object || n.Len() != 1 {
		return e.errorf(n, `want {"<branch>": value} for union %s, got %s`, avrovalue.UnionNames(u), kindName(n))
	}
	key := n.Key(0)
	match := -1
	for i, br := range types {
		if avrovalue.BranchName(br) == key {
			match = i
			break
		}
	}
	if match < 0 { // a short name for a named type, when unambiguous
		for i, br := range types {
			if ns, ok := avrovalue.Deref(br).(avro.NamedSchema); ok && ns.Name() == key {
				if match >= 0 {
					match = -2
					break
				}
				match = i
			}
		}
	}
	if match < 0 {
		return e.errorf(n, "%q is not a branch of union %s", key, avrovalue.UnionNames(u))
	}
	e.out = avrovalue.AppendLong(e.out, int64(match))
	return e.value(types[match], n.Item(0), depth+1)
}
