// Package stream is edactl's engine for Kafka event streams: list topics and
// consumer groups, consume and decode records, produce records encoded with a
// registry schema, trace one business flow across topics, plan and apply
// consumer group rewinds, replay ranges of a topic into another, and
// transform a topic into one schema version (Transform: consume → resolve →
// produce as a consumer-group member, committing only after the target
// acknowledged, with a dead-letter topic; see docs/transform.md).
//
// The CLI (cmd/edactl) and the TUI drive the same API, so nothing here knows
// about terminals or output formats beyond what both need: Consume delivers
// records to a callback, Trace returns a Graph value, PlanRewind returns a
// Plan value, and progress is reported through callbacks. Rendering is the
// caller's job; the few formats that are part of the domain (Kafka's rewind
// CSV, Graphviz for a trace) live here so both front ends produce the same
// bytes.
//
// Design decisions:
//
//   - Kafka is reached only through franz-go: kgo for records and kadm for
//     metadata, offsets, groups and admin commits. Never a hand-written
//     protocol. A Client is built over one *kgo.Client per role (admin,
//     consumer, producer) that the caller constructs and closes; stream never
//     creates or closes franz-go clients itself. ClientOpts returns the
//     options those clients should be built with.
//   - Groupless reads are the default: a read assigns partitions to the
//     consumer client with AddConsumePartitions at offsets resolved up front
//     through kadm (start, end and timestamp lookups), and removes them when
//     it ends, so no consumer group is created and the exact range read is
//     known before the first fetch. A Client runs one read at a time on its
//     consumer; a front end that needs two concurrent reads builds two.
//   - Reads are read_committed and keep control records, so the end of a
//     partition is detected exactly even when the last offsets are
//     transaction markers.
//   - The Confluent wire format lives only in package serde; stream asks
//     serde whether a payload is framed and for its writer schema, and
//     converts between Avro and JSON with internal/avrojson. The Client
//     keeps one render plan per writer schema (avrojson.Plans) and each
//     read's decoder the last one it used, so rendering a record takes no
//     lock and no allocation. A payload that cannot be decoded (garbage,
//     unknown magic byte, unknown schema id, registry down) is shown raw
//     with the reason; it never ends a read.
//   - Every I/O function takes a context first; there is no package state
//     besides sentinel errors and the header-name tables.
//   - Imports point one way: stream uses serde, the JSON form
//     (internal/avrojson) and franz-go only; cmd/edactl and the TUI use
//     stream (internal/archtest keeps it so).
package stream
