// Package serde is the one place edactl's Kafka record wire format lives,
// and the registry-backed Avro codec built on it.
//
// A framed record value is the Confluent wire format:
//
//	byte 0      magic byte, always 0 (MagicByte)
//	bytes 1..4  schema id, big-endian, as the schema registry assigned it
//	bytes 5..   the Avro binary encoding of the value, written with that schema
//
// The package has three layers, smallest first:
//
//   - AppendHeader and ParseHeader frame and unframe bytes. Nothing else in
//     edactl reads or writes the five header bytes.
//   - Registry is a concurrency-safe cache over a franz-go pkg/sr client. It
//     fetches a schema once per id and once per subject-version, parses it
//     with a fresh hamba/avro SchemaCache (avroschema.Parse) so versions of the
//     same record never shadow each other, and resolves schema references.
//   - Two codecs on top: DecodeJSON/EncodeJSON turn framed records into JSON
//     and back for tools (consume, produce, the TUI), driven by the writer
//     schema alone; Codec encodes and decodes Go types (the generated ones
//     describe themselves with a Type), looking the type's schema id up once
//     and compiling, once per writer schema id, a Resolver that rewrites
//     older writers' bytes into the type's own encoding.
//
// Design decisions:
//
//   - Errors are sentinels (ErrNotFramed, ErrUnknownMagic, ErrUnknownSchemaID,
//     ErrSubjectMismatch, ErrIncompatible, ErrNotRegistered, ErrTruncated,
//     ErrInvalidValue) wrapped with the
//     context that names what went wrong and where (schema id, field path,
//     byte offset), so callers use errors.Is and people read the message.
//   - The JSON mapping is invertible: EncodeJSON(DecodeJSON(x)) gives back x's
//     Avro body for every value (see DecodeJSON for the mapping). Avro long
//     values never pass through float64.
//   - The JSON codec walks the binary encoding itself instead of going through
//     hamba's generic `any` decoding, so it knows the byte offset and field
//     path of every value, never allocates more than the input can describe,
//     and does not depend on hamba's union naming configuration.
//   - Rendering Avro as JSON (DecodeJSON, Schema.AppendJSON) runs a plan
//     compiled once per writer schema and kept with its Schema: field names,
//     enum symbols and union wrappers are quoted ahead of time, and a
//     record renders straight from its bytes into the output without
//     allocating (a decimal wider than 64 bits is the exception). The field
//     path of an error is rebuilt as the error unwinds, so the walk keeps no
//     path. testdata/render.golden.gz pins the output to the digit.
//   - Schema resolution is serde's own (Resolver), following the Avro
//     specification, rather than hamba/avro's SchemaCompatibility.Resolve:
//     hamba's recurses forever on recursive records (a fatal stack
//     overflow), and the schemas it builds cannot be decoded into Go pointer
//     fields when a plain field became optional (T to ["null", T]) or into
//     union wrappers. Rewriting bytes lets the type's own schema, and the
//     hamba decoder cached for it, read every writer version. The tests
//     check Resolver against hamba's Resolve wherever hamba's works.
//   - Records written with the type's own schema (the common case) are
//     decoded straight from the input: framing, the id lookup (a lock-free
//     map read) and the strictness checks add no allocation.
//   - There is no package-level state besides the sentinel errors. Callers
//     own their Registry and Codec values.
//
// The package stays small on purpose: generated code and the stream tools
// import it, so it depends only on hamba/avro, franz-go's pkg/sr and the
// leaf internal/avroschema (parsing and fingerprints), never on the
// compatibility engine.
package serde
