// Package codegen generates Go code from schema history.
//
// Go is a pure function: Input (events, each with the schema text of every
// version, its registry subject, kind and key) in, files (map of file name
// to bytes) out. It reads and writes nothing; FromTree and FromRegistry
// build the Input from a loaded schema tree or a registry, and Compare and
// Write relate the files to a directory (for `edactl gen go` and its
// --check mode).
//
// For every event it writes one file with a Go type per version
// (OrderPlacedV1, OrderPlacedV2, ...) and aliases without the version for
// the latest one, and doc.go with the package comment and Records. For an
// event with several versions it also writes <event>_convert.go: typed
// upcasters and downcasters between adjacent versions (convert.go), the
// chains over them, and the converters its codecs decode other versions
// with; what Avro resolution cannot derive is a call of a hook the user
// writes (Hooks lists them), so a missing one is a compile error.
// Transformer scaffolds a service over them. See docs/codegen.md for the
// type mapping and the conversion rules.
//
// Design decisions:
//
//   - Every version is its own set of types, named after the root type
//     (OrderPlacedV3OrderLine), so versions and events never clash, and
//     each version parses its embedded schema once with its own SchemaCache
//     and its own hamba/avro configuration (serde.NewType): hamba's global
//     named-type cache would make versions shadow each other.
//   - Output is deterministic: events sorted by Go name, declarations in
//     schema order, text/template output run through go/format, and every
//     file starts with Header.
//   - Generated code depends only on package serde and hamba/avro; the
//     wire format, schema resolution and registry lookups live in serde.
//   - What Go cannot express is an error at generation time, naming the
//     event, version and field: a record that contains itself by value, a
//     union with two branches of the same Go type, an unusable x-eda-key.
//   - Templates are embedded (templates/*.tmpl); the goldens under
//     testdata/gen are real packages of this module, compiled and vetted by
//     the tests (go test ./codegen -update refreshes them).
package codegen
