// Package avrovalue holds what serde's schema resolution and the JSON form
// of Avro values (internal/avrojson) share about Avro values, so that
// neither keeps a copy: field paths for error messages, the bounds on how
// deeply values nest and how many empty items they hold, the zig-zag
// varint and string encodings, the binary encoding of field defaults, and
// the schema helpers both need (Deref, Label, BranchName, UnionNames).
//
// It is a leaf below serde: it imports hamba/avro and the standard library
// only, so generated code, which imports serde, gains nothing else.
//
// Design decisions:
//
//   - A Path is built while walking a value and formatted only when an
//     error is reported, so walking costs no allocation.
//   - Errors here carry a path and a message but no sentinel: serde's
//     ValueError is the error type of its public API, and its callers
//     (serde itself and internal/avrojson) wrap what they get from here.
//   - There is no package-level state.
package avrovalue

// MaxDepth bounds how deeply values nest (records, arrays, maps, unions)
// while converting, so hostile input cannot exhaust the stack.
const MaxDepth = 1000

// MaxEmptyItems bounds how many array or map items that take no bytes
// (null, empty records) one value may contain, so a few bytes cannot
// describe an unbounded output.
const MaxEmptyItems = 1 << 20
