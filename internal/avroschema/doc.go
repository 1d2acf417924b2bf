// Package avroschema parses Avro schemas and computes the facts about them
// that several edactl packages need and that carry no policy: the Parsing
// Canonical Form and its fingerprints.
//
// It is a leaf: it imports hamba/avro and the standard library only, so
// serde (and through it generated code) can use it without pulling in the
// compatibility engine of registry/compat.
//
// Design decisions:
//
//   - Every parse uses a fresh hamba/avro SchemaCache (Parse,
//     ParseWithReferences). hamba's package-level cache makes two versions
//     of the same record shadow each other.
//   - JSON syntax and nesting depth are checked before hamba/avro sees the
//     bytes, so a bad schema gets a line and column instead of hamba's
//     reading of non-JSON text as a bare type name, and hostile nesting
//     never reaches its recursive parser.
//   - Canonical is the specification's Parsing Canonical Form, not the
//     registry's canonical string (which keeps docs and custom attributes
//     and lives in package registry).
package avroschema
