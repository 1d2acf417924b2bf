// Package processor is the runtime of the processor services `edactl gen
// processor` generates: services that join several event streams by a key
// into one denormalized event. It is public and small, like serde: the
// generated main builds a Spec (inputs, output, the user's Join) and a
// Config (flags and environment, ParseConfig) and calls Run.
//
// What Run does, the same way for every service:
//
//   - Partitioning. At start the inputs keyed by the join key must have the
//     same partition count; the output and the internal topics are created
//     with that count (or must have it). An input keyed by another field
//     (Input.Rekey) is re-keyed through the internal topic
//     NAME-repartition-<event> with Kafka's murmur2 partitioner
//     (PartitionFor). A mismatch that re-keying cannot repair stops the
//     service with ErrPartitions and every count named. One consumer group
//     reads every topic with the range balancer, which gives partition N of
//     every co-partitioned topic to the same member.
//   - State. The latest value of each input per key lives in memory, in the
//     compacted topic NAME-changelog (the source of truth: one record per
//     key changed in a batch) and in a snapshot per partition under
//     --state-dir holding the changelog offset it reflects. When a
//     partition is assigned its joined topics' fetches are paused, the
//     snapshot is read and the changelog replayed from its offset to the
//     end, and only then is the partition processed; /readyz answers 200
//     once every assigned partition is restored. Snapshots are written
//     every --checkpoint-interval, when partitions are revoked and on a
//     clean stop, so a restart replays only what the snapshot lacks.
//   - Emit policy. EmitAll (default) calls Join once every input of the
//     key has a value, then on every change; EmitAny on every change.
//   - Delivery. At-least-once: a batch's input offsets are committed only
//     after its outputs, re-keyed records and changelog records are
//     acknowledged. With Config.ExactlyOnce the batch is one Kafka
//     transaction (franz-go's GroupTransactSession), the changelog is
//     restored read-committed, and an aborted transaction drops the state
//     and restores it again.
//   - Errors. Transient errors (Transient: network, registry 5xx) are
//     retried with backoff from 100 ms to 10 s. A record that does not
//     decode, whose key is not its value's join key, or whose Join fails,
//     goes to NAME.dlq with its original key, value and headers and the
//     headers edactl.error, edactl.source.topic, edactl.source.partition
//     and edactl.source.offset; processing goes on.
//   - Tracing and metrics. franz-go's kotel hooks make OpenTelemetry spans
//     through the configured tracer provider, or the global one once set
//     (without one no hooks are added: their per-record cost buys
//     nothing). The input's traceparent, tracestate and ce_correlationid
//     headers are carried to the output record, whose ce_causationid is
//     the input's ce_id, so `edactl trace` follows a flow into the joined
//     event. Prometheus metrics (franz-go's kprom plus processed, emitted,
//     DLQ, retries, lag, state keys and restore progress) are served on
//     --metrics-addr with /healthz and /readyz.
//   - Stop. When Run's context ends (SIGINT or SIGTERM in the generated
//     main) the batch in hand is produced and committed, the state is
//     checkpointed and the client leaves the group.
//
// Package processortest runs a Spec's Join in memory, without Kafka, for
// unit tests.
//
// Design decisions:
//
//   - The runtime is untyped (values are any): the generated code does the
//     typing, so the runtime never needs reflection or generics per
//     service, and Join stays the user's plain Go function.
//   - Every record the processor writes gets an explicit partition
//     (franz-go's ManualPartitioner): outputs and changelog records go to
//     the partition of the joined input, re-keyed records to
//     PartitionFor(key).
//   - Changelog values are the framed input values, concatenated
//     (appendChangelog): restore copies bytes into the map and decodes
//     nothing; a value is decoded on the first record of its key.
package processor
