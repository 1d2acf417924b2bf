// Package registry is edactl's schema registry domain: subjects, versions,
// global content-addressed ids, soft and hard deletes, compatibility config
// and modes, with the rules Confluent Schema Registry follows, so that every
// Confluent client works against it unchanged.
//
// # Event sourcing
//
// The state is a pure, deterministic fold over an append-only log of JSON
// records with a record-format version, stored by a store.Log. Since
// format 3 a write is logged as a command (Register, DeleteSubject,
// DeleteVersion, SetConfig, DeleteConfig, SetMode, DeleteMode): what was
// asked, already validated and prepared (canonical text, content key,
// validation problems, the content keys of the versions found compatible
// and the rules, default level and work budget, it was checked by). The
// fold decides every command again at its place in the log (execute,
// command.go) and applies the facts the decision yields
// (SchemaRegistered, VersionDeleted, SubjectDeleted, ConfigSet,
// ConfigDeleted, ModeSet, ModeDeleted, the record kinds of formats 1 and
// 2, which older logs hold and which still fold). The decision depends on
// the state and the record only, so every instance folding the same log
// reaches the same state and the same answer to each command: that is what
// lets many instances share one Kafka topic without a leader. An instance
// refuses a record of a newer format instead of folding it by rules it does
// not know. The state and the record format are unexported: the log is
// read and written through Registry only.
//
// # Writes
//
// A write is prepared first against a snapshot, on the caller's goroutine:
// parsing (hamba/avro through internal/avroschema, with parsed history
// versions cached by content and prepared once for checks by
// compat.Prepare), validation, the canonical text and content key, and the
// compatibility check (compat.CheckPrepared, within the budget
// WithCompatibilityBudget sets; a check over it is 42201) are the
// expensive parts and hold no lock. A write that changes nothing (an error,
// or a schema that is already a live version) is answered from the
// snapshot. Otherwise its command goes to one sequencer goroutine. On a log
// only this process writes (bbolt) the sequencer executes each queued
// command against a working copy of the state, appends those that change
// something with one Log.Append (one fsync), publishes the copy and only
// then answers. On a shared log (store.Shared: Kafka) it appends the
// commands, and the instance's reader, which folds every record of the log
// in order, answers each writer when it folds the writer's command.
// Acknowledged therefore means durable and applied, and reads never see
// anything that is not. Sync waits until the instance has folded the log
// up to its end, for reads that must see writes made through other
// instances. A snapshot file (WithSnapshotFile) lets an instance start
// from the state it had folded instead of from offset 0.
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
// changed, not the state; within one group commit the nodes the batch
// already copied are changed in place (an edit, closed before the state is
// published), and the id maps are radix trees over the ids' own bits, so a
// batch's consecutive new ids share one path. The bodies of the hottest
// responses (GET /schemas/ids/{id} and subject versions) are rendered by
// their first read and kept.
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
