// Package compat is the one place edactl's Avro compatibility rules live.
//
// It decides whether a reader schema can read data written with a writer
// schema, following the schema-resolution rules of the Avro specification as
// Apache Avro Java's SchemaCompatibility applies them (and therefore as
// Confluent Schema Registry does), and it explains itself: a check never stops
// at the first problem, and every incompatibility carries the field path, the
// rule that was broken and a sentence saying why.
//
// Design decisions:
//
//   - Schemas are parsed by internal/avroschema (hamba/avro, always with a
//     fresh SchemaCache per parse); hamba's package-level cache makes two
//     versions of the same record shadow each other.
//   - The reader/writer walk is our own (hamba's SchemaCompatibility stops at
//     the first error and reports no path). Named-type pairs are memoised and
//     a pair already being compared counts as compatible, as in Avro Java, so
//     recursive types terminate and large schemas stay linear.
//   - Prepare indexes a schema once (record fields by name, the shape of
//     each field's type) for CheckPrepared, which a registry uses against
//     long histories; it skips the walk of identical anonymous field types
//     but charges the budget what the walk would, so its reports and budget
//     verdicts are CheckBounded's (tests compare the two).
//   - Names are compared as Avro Java does: unqualified names must be equal,
//     or the reader's aliases must contain the writer's full name.
//   - Logical types are ignored: resolution follows the underlying type.
//   - Levels (Check) follow Confluent: BACKWARD means the new schema reads
//     data written with the old ones, FORWARD the reverse, FULL both;
//     non-transitive levels compare with the newest history entry only.
//     Unlike Confluent's transitive check, Check does not stop at the first
//     failing version: the report lists every comparison.
//
// SuggestFix turns an incompatibility into the smallest change to the
// candidate schema that removes it (a default, an alias, kept symbols, the
// old type), worked out from the rule, the path and the two schemas' types,
// never from the message.
//
// The rule ids match Avro Java's SchemaIncompatibilityType names so reports
// line up with what Confluent's verbose compatibility API prints.
package compat
