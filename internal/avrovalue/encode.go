package avrovalue

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/hamba/avro/v2"
)

// AppendLong appends v as an Avro int or long: a zig-zag varint.
func AppendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// AppendString appends s as an Avro string or bytes: its length, then its
// bytes.
func AppendString(dst []byte, s string) []byte {
	dst = AppendLong(dst, int64(len(s)))
	return append(dst, s...)
}

// DefaultError is a field default that cannot be encoded with its schema,
// at the field path where encoding stopped.
type DefaultError struct {
	// Path is the formatted field path.
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "path: message", as serde's ValueError
// formats a problem without an offset.
func (e *DefaultError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// AppendDefault appends the Avro binary encoding of def, a field default
// as hamba/avro parsed it, written with schema s, to dst: the value schema
// resolution fills in for a field the writer lacks, and the JSON form for a
// field the JSON leaves out. p is the path of the field; it is extended
// while the default is walked (and left extended on error). depth is the
// nesting depth of the field, bounded by MaxDepth. A default that does not
// fit s is a *DefaultError.
func AppendDefault(dst []byte, s avro.Schema, def any, p *Path, depth int) ([]byte, error) {
	e := defaultEncoder{out: dst, path: p}
	if err := e.value(s, def, depth); err != nil {
		return dst, err
	}
	return e.out, nil
}

type defaultEncoder struct {
	out  []byte
	path *Path
}

func (e *defaultEncoder) errorf(format string, args ...any) error {
	return &DefaultError{Path: e.path.String(), Msg: fmt.Sprintf(format, args...)}
}

func (e *defaultEncoder) value(s avro.Schema, def any, depth int) error {
	if depth > MaxDepth {
		return e.errorf("default nests deeper than %d levels", MaxDepth)
	}
	s = Deref(s)
	bad := func() error { return e.errorf("cannot encode default %v (%T) as %s", def, def, s.Type()) }
	switch t := s.(type) {
	case *avro.NullSchema:
		return nil // hamba's null default has its own type; nothing to write
	case *avro.UnionSchema:
		// A union's default is a value of its first branch.
		e.out = AppendLong(e.out, 0)
		return e.value(t.Types()[0], def, depth+1)
	case *avro.RecordSchema:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		for _, f := range t.Fields() {
			v, ok := m[f.Name()]
			if !ok {
				if !f.HasDefault() {
					return bad()
				}
				v = f.Default()
			}
			e.path.Field(f.Name())
			if err := e.value(f.Type(), v, depth+1); err != nil {
				return err
			}
			e.path.Pop()
		}
		return nil
	case *avro.EnumSchema:
		sym, ok := def.(string)
		i := slices.Index(t.Symbols(), sym)
		if !ok || i < 0 {
			return bad()
		}
		e.out = AppendLong(e.out, int64(i))
		return nil
	case *avro.FixedSchema:
		rv := reflect.ValueOf(def)
		if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 || rv.Len() != t.Size() {
			return bad()
		}
		for i := 0; i < rv.Len(); i++ {
			e.out = append(e.out, byte(rv.Index(i).Uint()))
		}
		return nil
	case *avro.ArraySchema:
		items, ok := def.([]any)
		if !ok {
			return bad()
		}
		if len(items) > 0 {
			e.out = AppendLong(e.out, int64(len(items)))
			for i, it := range items {
				e.path.Index(i)
				if err := e.value(t.Items(), it, depth+1); err != nil {
					return err
				}
				e.path.Pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.MapSchema:
		m, ok := def.(map[string]any)
		if !ok {
			return bad()
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys) // deterministic bytes
			e.out = AppendLong(e.out, int64(len(keys)))
			for _, k := range keys {
				e.out = AppendString(e.out, k)
				e.path.Key(k)
				if err := e.value(t.Values(), m[k], depth+1); err != nil {
					return err
				}
				e.path.Pop()
			}
		}
		e.out = append(e.out, 0)
		return nil
	case *avro.PrimitiveSchema:
		return e.primitive(t, def, bad)
	}
	return bad()
}

func (e *defaultEncoder) primitive(t *avro.PrimitiveSchema, def any, bad func() error) error {
	switch t.Type() {
	case avro.Null:
		return nil // hamba's null default has its own type; nothing to write
	case avro.Boolean:
		b, ok := def.(bool)
		if !ok {
			return bad()
		}
		if b {
			e.out = append(e.out, 1)
		} else {
			e.out = append(e.out, 0)
		}
		return nil
	case avro.Int, avro.Long:
		var v int64
		switch x := def.(type) {
		case int:
			v = int64(x)
		case int32:
			v = int64(x)
		case int64:
			v = x
		case float64:
			v = int64(x)
		default:
			return bad()
		}
		e.out = AppendLong(e.out, v)
		return nil
	case avro.Float:
		var f float32
		switch x := def.(type) {
		case float32:
			f = x
		case float64:
			f = float32(x)
		default:
			return bad()
		}
		e.out = binary.LittleEndian.AppendUint32(e.out, math.Float32bits(f))
		return nil
	case avro.Double:
		f, ok := def.(float64)
		if !ok {
			return bad()
		}
		e.out = binary.LittleEndian.AppendUint64(e.out, math.Float64bits(f))
		return nil
	case avro.Bytes:
		b, ok := def.([]byte)
		if !ok {
			return bad()
		}
		e.out = AppendLong(e.out, int64(len(b)))
		e.out = append(e.out, b...)
		return nil
	case avro.String:
		str, ok := def.(string)
		if !ok {
			return bad()
		}
		e.out = AppendString(e.out, str)
		return nil
	}
	return bad()
}
