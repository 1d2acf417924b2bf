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
// A write is decided first against a snapshot, on the caller's goroutine:
// parsing (hamba/avro through internal/avroschema, with parsed history
// versions cached by content), validation, the canonical text and content
// key, and the compatibility check (compat.CheckBounded, within the budget
// WithCompatibilityBudget sets; a check over it is 42201) are the
// expensive parts and hold no lock. A write that changes nothing (an error,
// or a schema that is already a live version) is answered from the
// snapshot. Otherwise one sequencer goroutine decides again at the write's
// place in the log, re-checking compatibility only against versions
// committed since the snapshot; it groups every queued command into one
// Log.Append (one fsync), publishes the new state, and only then answers.
// Acknowledged therefore means durable, and reads never see anything that
// is not.
//
// # Validation
//
// What hamba/avro lets through is checked too (internal/avroschema.Validate):
// defaults that do not match their types (an int default of 1.5, a long
// beyond int64, a union default that is not of the first branch), fixed
// sizes beyond int32, and a name two references define differently. A new
// version with such a problem is 42201 naming the field path; in IMPORT
// mode it is accepted, as the source registry held it, with a warning in
// the log.
//
// # Ids
//
// Ids are content-addressed per schema context, following Confluent: the
// key is the schema's canonical string (Canonical: Avro Java's
// Schema.toString, not the Parsing Canonical Form, so doc, aliases and custom
// attributes matter), its references and its metadata. The same schema under
// two subjects gets the same id; registering it again returns the existing
// id and writes nothing; after a soft delete it becomes a new version with
// the same id. New ids are the context's highest id ever plus one, as
// Confluent's counter is; once that would pass 2^31-1 (after an IMPORT of a
// large id, say), the lowest id never used in the context. An id whose last
// version was hard deleted is retired, so ids are never reused, across
// restarts and crashes too (the log is the only source of ids, and the fold
// allocates them, so every replica allocates the same ones). A context whose
// every id is used answers 42205 with the remedy (another context).
//
// # References
//
// A version another schema references stays resolvable, as on Confluent:
// deleting it is 42206 while a live schema references it (soft delete) or
// any schema does (permanent delete), and registering its schema again
// under its subject keeps it instead of replacing it. A stored reference
// that does not resolve (a log written by an older edactl, an IMPORT) makes
// the versions that use it answer 42201 naming them, never 500.
//
// # Reads
//
// Readers take the published state (an atomic pointer) and never lock: a
// state is immutable once published. Its maps are persistent hash tries
// (pmap), so a commit copies only the few nodes on the paths to what it
// changed, not the state. The bodies of the hottest responses (GET
// /schemas/ids/{id} and subject versions) are precomputed when a record is
// applied.
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
