package avrojson

import (
	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrovalue"
)

// isNullable reports whether u is a two-branch union with null.
func isNullable(u *avro.UnionSchema) bool {
	types := u.Types()
	return len(types) == 2 && (avrovalue.Deref(types[0]).Type() == avro.Null) != (avrovalue.Deref(types[1]).Type() == avro.Null)
}

// logicalOf returns the logical type of s, or nil.
func logicalOf(s avro.Schema) avro.LogicalSchema {
	if ls, ok := s.(avro.LogicalTypeSchema); ok {
		if l := ls.Logical(); l != nil {
			return l
		}
	}
	return nil
}

// isUUIDFixed reports whether s is a fixed(16) with logical type uuid (Avro
// 1.12). hamba/avro does not parse that logical type and leaves it among
// the properties.
func isUUIDFixed(s *avro.FixedSchema) bool {
	return s.Size() == 16 && s.Prop("logicalType") == string(avro.UUID)
}
