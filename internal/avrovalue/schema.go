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
