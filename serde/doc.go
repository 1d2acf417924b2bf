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
//   - Codec encodes and decodes Go types (the generated ones describe
//     themselves with a Type), looking the type's schema id up once and
//     compiling, once per writer schema id, a Resolver that rewrites older
//     writers' bytes into the type's own encoding.
//
// The JSON form of records that edactl's tools show and read (consume,
// produce, the TUI) is not here: generated code never needs it, so it lives
// in an internal package of edactl's (internal/avrojson) that uses this
// one for the header and the registry.
//
// Design decisions:
//
//   - Errors are sentinels (ErrNotFramed, ErrUnknownMagic, ErrUnknownSchemaID,
//     ErrSubjectMismatch, ErrIncompatible, ErrNotRegistered, ErrTruncated,
//     ErrInvalidValue) wrapped with the context that names what went wrong
//     and where (schema id, field path, byte offset), so callers use
//     errors.Is and people read the message. A problem inside a value is a
//     *ValueError with its field path and byte offset.
//   - Schema resolution is serde's own (Resolver), following the Avro
//     specification, rather than hamba/avro's SchemaCompatibility.Resolve:
//     hamba's recurses forever on recursive records (a fatal stack
//     overflow), and the schemas it builds cannot be decoded into Go pointer
//     fields when a plain field became optional (T to ["null", T]) or into
//     union wrappers. Rewriting bytes lets the type's own schema, and the
//     hamba decoder cached for it, read every writer version. The tests
//     check Resolver against hamba's Resolve wherever hamba's works. The
//     Resolver is compiled once per writer and reader (resolve.go) and run
//     by a transcoder over each body (transcode.go).
//   - Records written with the type's own schema (the common case) are
//     decoded straight from the input: framing, the id lookup (a lock-free
//     map read) and the strictness checks add no allocation.
//   - Generated code decodes other versions of its type through its own
//     generated conversions (WithConverters, matched by the writer schema's
//     fingerprint), so every read path gives what the conversions and the
//     user's hooks give; WithConversionRules lets a Resolver apply the
//     rules those conversions add to Avro's (writer aliases, checked
//     narrowing, null to a default), for edactl transform.
//   - There is no package-level state besides the sentinel errors. Callers
//     own their Registry and Codec values.
//
// The package stays small on purpose: generated code and the stream tools
// import it, so it depends only on hamba/avro, franz-go's pkg/sr and two
// internal leaves, internal/avroschema (parsing and fingerprints) and
// internal/avrovalue (field paths, field defaults and the limits the
// resolver shares with the JSON form), never on the compatibility engine or
// a JSON parser.
package serde
