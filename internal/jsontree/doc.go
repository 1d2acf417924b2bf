// Package jsontree is edactl's one order-preserving JSON tree: it parses a
// JSON text into values that keep object members in their order (duplicate
// keys included) and remember the byte offset where each value starts.
//
// Three kinds of caller share it, each with its own reading of an object:
// the registry writes Confluent's canonical schema string as Jackson would
// (Last: a repeated key's last value wins), the schema tree locates findings
// on a line of a version file (First: the first one wins), and the JSON form
// of Avro values (internal/avrojson) keeps every member of a map in order
// and refuses a record field given twice (RepeatedKey). The tree holds
// every member, so each caller chooses.
//
// Design decisions:
//
//   - Acceptance is exactly encoding/json's (json.Valid), and strings decode
//     exactly as encoding/json decodes them (invalid UTF-8 and unpaired
//     surrogate escapes become U+FFFD): the registry's canonical text, and so
//     schema ids, must not change with the parser. A fuzz target holds the
//     tree to encoding/json on both counts.
//   - Nesting is bounded by MaxDepth, 4000 arrays and objects: the same bound
//     internal/avroschema.MaxNesting puts on schema text, so every schema
//     edactl accepts parses as a tree, while hostile input cannot grow the
//     recursive parser's stack without limit. Avro values nest far less (the
//     JSON form refuses values deeper than 1000 levels), so no JSON value
//     edactl can encode is refused by the tree first.
//   - A refusal is a *SyntaxError with the byte offset of the problem:
//     invalid syntax (with encoding/json's wording), nesting past MaxDepth,
//     a second value after the first, or no value at all.
//   - Parsing is a recursive descent over the text, built for the per-line
//     cost of edactl produce: strings without escapes and numbers are
//     substrings of one copy of the input (ParseString takes none), and the
//     values of a document are carved from one slab sized by counting its
//     commas and brackets (more slabs past 4096 values), which also holds
//     the parser's stack: a typical event takes two allocations.
//   - Package-level state holds nothing of a caller's: a pool of empty,
//     cleared parser stacks and the boxed Avro type names Decode shares.
package jsontree
