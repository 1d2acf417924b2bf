// Package store holds the append-only log the registry's state is folded
// from.
//
// A Log stores opaque records (the registry encodes them as JSON) in order and
// gives each an offset, starting at 0. It knows nothing about schemas: the
// registry package decides what a record means, and folds the log into its
// in-memory state on start (Replay) and after every acknowledged write.
//
// Design decisions:
//
//   - Append takes a batch and makes it durable as one unit: the registry's
//     sequencer groups the records of many concurrent writers into one
//     Append (group commit), so one fsync acknowledges them all. Append
//     returns only once the batch is durable; an error means none of it
//     may be relied on.
//   - Offsets are dense and start at 0, so a reader can resume with
//     Replay(from) and a future Kafka-backed Log can map them onto partition
//     offsets one to one.
//   - Bolt (the embedded default) keeps the log in one go.etcd.io/bbolt file:
//     one bucket, keys are big-endian offsets. bbolt takes an exclusive file
//     lock, so a second process (or a second Open in the same process) gets
//     ErrLocked instead of corrupting the file.
//   - Kafka keeps the log in a one-partition topic that many registry
//     instances share (it implements Shared, so the registry follows it
//     instead of assuming only its own appends change it). The topic is
//     created with infinite retention and no compaction, and an existing
//     one with other settings is refused at open.
//   - Memory is a Log without durability, for tests and benchmarks that do not
//     measure the disk.
//
// This package imports no other edactl package (franz-go for Kafka).
package store
