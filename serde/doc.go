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
//     with a fresh hamba/avro SchemaCache (compat.Parse) so versions of the
//     same record never shadow each other, and resolves schema references.
//   - Two codecs on top: DecodeJSON/EncodeJSON turn framed records into JSON
//     and back for tools (consume, produce, the TUI), driven by the writer
//     schema alone; Codec encodes and decodes generated Go types, looking the
//     writer's id up once and resolving each older writer schema against the
//     type's schema once per id (hamba's SchemaCompatibility.Resolve).
//
// Design decisions:
//
//   - Errors are sentinels (ErrNotFramed, ErrUnknownMagic, ErrUnknownSchemaID,
//     ErrSubjectMismatch, ErrTruncated, ErrInvalidValue) wrapped with the
//     context that names what went wrong and where (schema id, field path,
//     byte offset), so callers use errors.Is and people read the message.
//   - The JSON mapping is invertible: EncodeJSON(DecodeJSON(x)) gives back x's
//     Avro body for every value (see DecodeJSON for the mapping). Avro long
//     values never pass through float64.
//   - The JSON codec walks the binary encoding itself instead of going through
//     hamba's generic `any` decoding, so it knows the byte offset and field
//     path of every value, never allocates more than the input can describe,
//     and does not depend on hamba's union naming configuration.
//   - There is no package-level state besides the sentinel errors. Callers
//     own their Registry and Codec values.
//
// The package stays small on purpose: generated code and the stream tools
// import it, so it depends only on hamba/avro, franz-go's pkg/sr and
// registry/compat.
package serde
