// Package avrojson is the JSON form of Avro values that edactl's tools show
// and read: consume, produce, trace, the TUI and the demo render records as
// JSON lines and encode JSON lines into records. Generated code never needs
// it, so it lives here rather than in serde, which stays small.
//
// The JSON mapping (one line, no spaces; AppendAvro is the inverse of
// AppendJSON, and EncodeJSON of DecodeJSON):
//
//   - record: an object with the fields in schema order.
//   - null, boolean, string: JSON null, true/false, string. Avro strings
//     must be valid UTF-8.
//   - int, long: JSON numbers, exact (never through float64).
//   - float, double: JSON numbers in the shortest form that reads back to
//     the same bits; NaN and infinities as the strings "NaN", "Infinity"
//     and "-Infinity".
//   - bytes, fixed: standard base64 strings (RFC 4648, with padding).
//   - enum: the symbol as a string.
//   - array: an array; map: an object.
//   - union of null and one other type: null or the plain value. Any other
//     union: null for its null branch, otherwise Avro JSON's one-member
//     object {"<branch>": value}, the branch named by its full name for
//     named types and by its type name otherwise ("string", "array",
//     "map").
//   - logical types: timestamp-millis/-micros as RFC 3339 strings in UTC
//     with exactly 3/6 fractional digits ("2024-05-01T12:00:00.000Z");
//     local-timestamp-millis/-micros the same without the zone; date as
//     "YYYY-MM-DD"; time-millis/-micros as "HH:MM:SS.fff"/"HH:MM:SS.ffffff";
//     decimal (bytes or fixed) as a JSON number with exactly scale
//     fractional digits; uuid on fixed(16) as the 36-character hex form
//     (uuid on string is the string). A logical value outside what its
//     readable form can show (a year after 9999, a time of day out of
//     range) is written as the underlying number, which AppendAvro also
//     accepts.
//
// The package has two directions and a thin framed layer:
//
//   - Avro → JSON: Compile turns a writer schema into a Plan, and
//     (*Plan).AppendJSON renders bodies with it. Plans caches one Plan per
//     *serde.Schema for callers that render many records (stream's
//     decoder); AppendJSON compiles on every call.
//   - JSON → Avro: AppendAvro parses the JSON text into an order-preserving
//     tree (internal/jsontree) and encodes it with the schema.
//   - DecodeJSON and EncodeJSON do the same for framed records: the header
//     and the registry lookup go through serde, which owns the wire format.
//
// Design decisions:
//
//   - Errors are serde's: a *serde.ValueError naming the field path and the
//     byte offset, matching serde.ErrTruncated or serde.ErrInvalidValue, so
//     a caller handles a bad record alike whether serde's Codec or this
//     package found it.
//   - The mapping is invertible: AppendAvro(AppendJSON(x)) gives back x's
//     body for every value. Avro long values never pass through float64.
//   - The renderer walks the binary encoding itself instead of going
//     through hamba's generic `any` decoding, so it knows the byte offset
//     and field path of every value, never allocates more than the input
//     can describe, and does not depend on hamba's union naming
//     configuration.
//   - A Plan holds everything the schema decides ahead of time: field names,
//     enum symbols and union wrappers are quoted, logical types resolved,
//     and a record renders straight from its bytes into the output without
//     allocating (a decimal wider than 64 bits is the exception). The field
//     path of an error is rebuilt as the error unwinds, so the walk keeps
//     no path. testdata/render.golden.gz pins the output to the digit.
//   - The encoder keeps map entries in the JSON's order, repeats included,
//     and refuses a record field given twice, an unknown field, or a number,
//     timestamp or decimal that does not fit its type: nothing is lost
//     silently.
//   - There is no package-level state; a Plans cache belongs to its caller.
package avrojson
