package jsontree

import (
	"encoding/json"
	"iter"
)

// Kind is the type of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota + 1
	Bool
	Number
	String
	Array
	Object
)

// String names the kind as JSON does ("null", "boolean", "number",
// "string", "array", "object").
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "invalid"
}

// Value is one parsed JSON value. Values are read through their methods;
// the zero Value is not a JSON value (its Kind is 0).
type Value struct {
	kind Kind
	off  int
	// text is a string's decoded value, a number as spelled, or the
	// literal true, false or null.
	text string
	// key is the member's key when the value is an object member.
	key string
	// kids are an array's items or an object's members, in order.
	kids []Value
}

// Kind returns the value's kind.
func (v *Value) Kind() Kind { return v.kind }

// Offset returns the byte offset in the parsed text where the value starts.
func (v *Value) Offset() int { return v.off }

// Text returns a string's decoded value, a number as spelled in the text
// ("1.50", "-0", "1e3"), or the literal "true", "false" or "null"; "" for
// arrays and objects.
func (v *Value) Text() string { return v.text }

// Bool reports whether the value is the literal true.
func (v *Value) Bool() bool { return v.kind == Bool && v.text == "true" }

// Len returns the number of items of an array or members of an object
// (repeated keys counted each time), and 0 for other values.
func (v *Value) Len() int { return len(v.kids) }

// Item returns the i-th item of an array, or the value of the i-th member
// of an object.
func (v *Value) Item(i int) *Value { return &v.kids[i] }

// Key returns the key of the i-th member of an object.
func (v *Value) Key(i int) string { return v.kids[i].key }

// Values yields the items of an array or the member values of an object,
// in order.
func (v *Value) Values() iter.Seq[*Value] {
	return func(yield func(*Value) bool) {
		for i := range v.kids {
			if !yield(&v.kids[i]) {
				return
			}
		}
	}
}

// Members yields the keys and values of an object's members, in order,
// repeated keys each time.
func (v *Value) Members() iter.Seq2[string, *Value] {
	return func(yield func(string, *Value) bool) {
		for i := range v.kids {
			if !yield(v.kids[i].key, &v.kids[i]) {
				return
			}
		}
	}
}

// Index returns the position of the first member of an object with key,
// or -1 (also when v is not an object).
func (v *Value) Index(key string) int {
	if v == nil || v.kind != Object {
		return -1
	}
	for i := range v.kids {
		if v.kids[i].key == key {
			return i
		}
	}
	return -1
}

// LastIndex returns the position of the last member of an object with key,
// or -1 (also when v is not an object).
func (v *Value) LastIndex(key string) int {
	if v == nil || v.kind != Object {
		return -1
	}
	for i := len(v.kids) - 1; i >= 0; i-- {
		if v.kids[i].key == key {
			return i
		}
	}
	return -1
}

// First returns the value of the first member with key ("first wins"), or
// nil when there is none, v is not an object or v is nil.
func (v *Value) First(key string) *Value {
	if i := v.Index(key); i >= 0 {
		return &v.kids[i]
	}
	return nil
}

// Last returns the value of the last member with key (Jackson's "last
// wins"), or nil when there is none, v is not an object or v is nil.
func (v *Value) Last(key string) *Value {
	if i := v.LastIndex(key); i >= 0 {
		return &v.kids[i]
	}
	return nil
}

// smallObject is the member count up to which RepeatedKey compares keys
// pairwise rather than building a set.
const smallObject = 16

// RepeatedKey returns the position of the first member of an object whose
// key an earlier member has, or -1 when every key is distinct (and for
// values that are not objects). It takes time linear in the number of
// members.
func (v *Value) RepeatedKey() int {
	if v.kind != Object {
		return -1
	}
	if len(v.kids) <= smallObject {
		for i := 1; i < len(v.kids); i++ {
			for j := range i {
				if v.kids[j].key == v.kids[i].key {
					return i
				}
			}
		}
		return -1
	}
	seen := make(map[string]struct{}, len(v.kids))
	for i := range v.kids {
		if _, ok := seen[v.kids[i].key]; ok {
			return i
		}
		seen[v.kids[i].key] = struct{}{}
	}
	return -1
}

// Decode returns v as encoding/json decodes it into an interface value
// with UseNumber: objects as map[string]any (a repeated key's last value
// wins), arrays as []any, numbers as json.Number (as spelled), strings,
// booleans and nil.
func (v *Value) Decode() any {
	switch v.kind {
	case Object:
		m := make(map[string]any, len(v.kids))
		for i := range v.kids {
			m[v.kids[i].key] = v.kids[i].Decode()
		}
		return m
	case Array:
		a := make([]any, len(v.kids))
		for i := range v.kids {
			a[i] = v.kids[i].Decode()
		}
		return a
	case Number:
		return json.Number(v.text)
	case String:
		return boxString(v.text)
	case Bool:
		return v.text == "true"
	}
	return nil
}

// commonStrings are the string values schema texts repeat most, Avro's type
// names, each boxed once: Decode returns the shared interface value rather
// than allocating one per occurrence (a string in an interface is
// immutable, so sharing it is safe).
var commonStrings = [...]any{"null", "boolean", "int", "long", "float", "double", "bytes", "string",
	"record", "enum", "array", "map", "fixed"}

// boxString returns s as an interface value: one of commonStrings, or a new
// one.
func boxString(s string) any {
	i := -1
	switch s {
	case "null":
		i = 0
	case "boolean":
		i = 1
	case "int":
		i = 2
	case "long":
		i = 3
	case "float":
		i = 4
	case "double":
		i = 5
	case "bytes":
		i = 6
	case "string":
		i = 7
	case "record":
		i = 8
	case "enum":
		i = 9
	case "array":
		i = 10
	case "map":
		i = 11
	case "fixed":
		i = 12
	}
	if i < 0 {
		return s
	}
	return commonStrings[i]
}
