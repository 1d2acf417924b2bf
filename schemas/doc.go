// Package schemas loads and validates a versioned schema tree and its
// edactl.yaml configuration. It is the only place the layout rules live:
//
//	edactl.yaml
//	schemas/<domain>/<event>/v1.avsc
//	schemas/<domain>/<event>/v2.avsc
//
// A published version file never changes; a new version is a new file.
//
// Load (a directory) and LoadFS (any fs.FS, such as the embedded sample
// catalogue in schemas/examples) return a Tree: every Event with its
// Versions, its kind, key, topic and owner (the x-eda-* attributes), its
// registry subject (Confluent's topic, record or topic-record naming
// strategy) and its compatibility level. CheckHistory checks every version
// against its predecessors; Lint runs the event-design rules. Everything
// found is a Finding with file, line, subject, field path, rule and
// message, the one shape every report format is made from.
//
// Design decisions:
//
//   - Loading never stops at the first problem: a broken file is reported
//     in Tree.Problems and the rest of the tree still loads. Only what makes
//     the whole tree unusable (a bad edactl.yaml, a missing schema
//     directory) is an error, and a bad edactl.yaml is a *ConfigError that
//     lists every unknown key and invalid value with its line.
//   - Schemas are parsed with internal/avroschema.Parse (a fresh hamba/avro
//     cache per file, so versions never shadow each other), in parallel.
//   - Lines come from a small position-keeping JSON parser of our own,
//     run lazily: only files with a finding pay for it. Compatibility
//     problems are located by the JSON pointer registry/compat reports
//     (following references to named types) or, when the older schema is
//     the reader, by the field path.
//   - Event metadata comes from the newest version that parses, then from
//     edactl.yaml; when both set the topic they must agree.
//   - Lint looks only at the newest version of each event: published
//     versions cannot be fixed, so a finding is fixed in the next version.
//   - The package imports registry/compat and libraries only (a test
//     checks it); the gate that talks to git and registries is schemas/gate.
package schemas
