package avrovalue

import (
	"strings"

	"github.com/hamba/avro/v2"
)

// Deref returns the schema a reference to a named type stands for, and
// any other schema as it is.
func Deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// Label names a schema at the root of a field path: a named type's short
// name, otherwise its type ("string", "array").
func Label(s avro.Schema) string {
	s = Deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return n.Name()
	}
	return string(s.Type())
}

// BranchName names a union branch as Avro JSON does in its wrapper object
// {"<branch>": value}: a named type by its full name, any other by its type
// ("string", "array", "map").
func BranchName(s avro.Schema) string {
	s = Deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// UnionNames lists a union's branches for messages: "[null,string,shop.Money]".
func UnionNames(u *avro.UnionSchema) string {
	names := make([]string, len(u.Types()))
	for i, t := range u.Types() {
		names[i] = BranchName(t)
	}
	return "[" + strings.Join(names, ",") + "]"
}

// Overwrites reports whether decoding a value of s with hamba/avro into
// the Go type edactl generates for it sets every part of that Go value,
// keeping nothing it held before: true for records (nested by value) of
// primitives, enums, fixed and logical types other than decimal. It is
// false as soon as s contains an array (hamba reuses the slice's backing
// array), a map (hamba adds to the map it finds), a union (hamba decodes
// into the pointer it finds), a decimal (a pointer), or a record that
// contains itself. Decoders zero the value first unless it holds.
func Overwrites(s avro.Schema) bool {
	return overwrites(s, map[string]bool{})
}

// overwrites is Overwrites with the records being walked in open.
func overwrites(s avro.Schema, open map[string]bool) bool {
	s = Deref(s)
	switch t := s.(type) {
	case *avro.RecordSchema:
		if open[t.FullName()] {
			return false
		}
		open[t.FullName()] = true
		defer delete(open, t.FullName())
		for _, f := range t.Fields() {
			if !overwrites(f.Type(), open) {
				return false
			}
		}
		return true
	case *avro.PrimitiveSchema:
		return t.Logical() == nil || t.Logical().Type() != avro.Decimal
	case *avro.FixedSchema:
		return t.Logical() == nil || t.Logical().Type() != avro.Decimal
	case *avro.EnumSchema:
		return true
	}
	return false
}
