// Package registry is edactl's schema registry domain: subjects, versions,
// global content-addressed ids, soft and hard deletes, compatibility config
// and modes, with the rules Confluent Schema Registry follows, so that every
// Confluent client works against it unchanged.
//
// # Event sourcing
//
// The state is a pure, deterministic fold over an append-only log of
// records (kinds SchemaRegistered, VersionDeleted, SubjectDeleted,
// ConfigSet, ConfigDeleted, ModeSet, ModeDeleted), stored as JSON with a
// record-format version by a store.Log. Records are facts with their ids
// and versions already assigned. Folding checks each record against the
// state (version free, id not bound to other content, references present,
// delete preconditions) and rejects one that breaks a rule without changing
// anything, so every replica that folds the same log skips the same
// records. That is what makes a shared log (the Kafka-backed store to come)
// safe without a leader: two instances that race to assign the same
// version or id both append, the fold keeps the first, and the loser
// retries. The state and the record format are unexported: the log is read
// and written through Registry only.
//
// # Writes
//
// Registry validates a write in two steps. The expensive, state-free part
// (parsing the Avro schema with hamba/avro through internal/avroschema,
// computing the canonical text and content key) runs on the caller's
// goroutine. The state-dependent part (idempotency, compatibility, id and
// version assignment) runs on one sequencer goroutine against a speculative
// state; the sequencer groups every queued command into one Log.Append (one
// fsync), publishes the records to the state readers see, and only then
// answers. Acknowledged therefore means durable, and reads never see
// anything that is not.
//
// # Ids
//
// Ids are content-addressed per schema context, following Confluent: the
// key is the schema's canonical string (Canonical: Avro Java's
// Schema.toString, not the Parsing Canonical Form, so doc, aliases and custom
// attributes matter), its references and its metadata. The same schema under
// two subjects gets the same id; registering it again returns the existing
// id and writes nothing; after a soft delete it becomes a new version with
// the same id. New ids are the context's highest id ever plus one, and an id
// whose last version was hard deleted is retired, so ids are never reused,
// across restarts and crashes too (the log is the only source of ids).
//
// # Reads
//
// Reads are served from memory under a read lock. The bodies of the hottest
// responses (GET /schemas/ids/{id} and subject versions) are precomputed
// when a record is applied.
//
// # Names and choices
//
// A schema context (Confluent's ":.ctx:" subject prefix) is a string named
// schemaCtx everywhere; ctx is always a context.Context. The choices
// Confluent takes as query flags are small typed constants whose zero value
// is Confluent's default: Deleted (LiveOnly, IncludeDeleted, DeletedOnly)
// for reads, Deletion (SoftDelete, PermanentDelete), Fallback (NoFallback,
// DefaultToGlobal) for Config and Mode, ImportCheck (CheckImport,
// ForceImport) for SetMode and Recursion (ScopeOnly, Recursive) for
// DeleteMode.
//
// # Errors
//
// Every error returned for a client mistake is an *Error with its Confluent
// code; the constructors live in errors.go, and a level refused by
// compat.ParseLevel (the one parser of levels) becomes 42203 there too.
//
// Compatibility rules live in registry/compat only; this package picks which
// versions to compare (the latest live one, or every live one for transitive
// levels, filtered by compatibilityGroup) and renders the report.
//
// Imports: registry/compat, registry/store, internal/avroschema and the
// standard library; never registry/api or anything above it.
package registry
