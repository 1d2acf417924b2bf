package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Shared is a Log that other processes append to as well (a Kafka topic
// several registry instances share). The registry follows it instead of
// assuming that only its own appends change it.
type Shared interface {
	Log
	// Follow calls fn with every record from offset from on, in order,
	// those appended later by anyone included, until ctx is done (it then
	// returns ctx's error) or fn returns an error (which Follow returns).
	// Offsets are increasing but need not be dense.
	Follow(ctx context.Context, from uint64, fn func(offset uint64, rec []byte) error) error
}

// DefaultKafkaTopic is the topic the Kafka store uses unless told otherwise.
const DefaultKafkaTopic = "_edactl_registry"

// KafkaMaxRecordBytes is the largest record the Kafka store writes, and the
// max.message.bytes it creates its topic with: a schema may be 4 MiB.
const KafkaMaxRecordBytes = 8 << 20

// KafkaConfig configures OpenKafka.
type KafkaConfig struct {
	// Topic is the log's topic; DefaultKafkaTopic if empty.
	Topic string
	// NewClient builds a franz-go client with the connection settings
	// (seed brokers, TLS, SASL) and the extra options given. The store
	// builds one client for appends and one per Replay or Follow.
	NewClient func(extra ...kgo.Opt) (*kgo.Client, error)
	// ReplicationFactor is used when the topic is created; 0 or -1 means
	// the brokers' default.
	ReplicationFactor int16
}

// Kafka is a Log kept in a Kafka topic with one partition, shared by every
// registry instance that opens it. Appends are produced with acks=all by an
// idempotent producer, so an acknowledged record is on every in-sync
// replica and a retried produce does not duplicate it.
//
// Append is atomic when the batch fits in one produce batch (the registry
// does not rely on it: each command it appends stands alone), and its
// records' offsets are consecutive only if no other instance appended in
// between; the registry finds its own records by their content, not by
// offset.
type Kafka struct {
	cfg   KafkaConfig
	topic string
	cl    *kgo.Client
	adm   *kadm.Client

	mu     sync.Mutex
	closed bool
}

var _ Shared = (*Kafka)(nil)

// OpenKafka connects to the cluster, creates the topic if it is missing
// (one partition, infinite retention, no compaction) and checks the
// settings of an existing one: more than one partition, a finite retention
// or compaction would break the log, and is refused with the setting named.
func OpenKafka(ctx context.Context, cfg KafkaConfig) (*Kafka, error) {
	if cfg.NewClient == nil {
		return nil, errors.New("store: kafka: no client constructor")
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultKafkaTopic
	}
	cl, err := cfg.NewClient(
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
		kgo.ProducerBatchMaxBytes(KafkaMaxRecordBytes),
		kgo.BrokerMaxWriteBytes(2*KafkaMaxRecordBytes),
		kgo.RecordDeliveryTimeout(30*time.Second),
		// A topic this store just created must show in the metadata soon.
		kgo.MetadataMinAge(100*time.Millisecond),
	)
	if err != nil {
		return nil, fmt.Errorf("store: kafka client: %w", err)
	}
	k := &Kafka{cfg: cfg, topic: cfg.Topic, cl: cl, adm: kadm.NewClient(cl)}
	if err := k.ensureTopic(ctx); err != nil {
		cl.Close()
		return nil, err
	}
	return k, nil
}

// Topic returns the log's topic.
func (k *Kafka) Topic() string { return k.topic }

// topicConfigs are the settings the log's topic is created with.
func topicConfigs() map[string]*string {
	s := func(v string) *string { return &v }
	return map[string]*string{
		"retention.ms":      s("-1"),
		"retention.bytes":   s("-1"),
		"cleanup.policy":    s("delete"),
		"max.message.bytes": s(strconv.Itoa(KafkaMaxRecordBytes)),
	}
}

func (k *Kafka) ensureTopic(ctx context.Context) error {
	details, err := k.adm.ListTopics(ctx, k.topic)
	if err != nil {
		return fmt.Errorf("store: kafka: list topic %s: %w", k.topic, err)
	}
	td, ok := details[k.topic]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		rf := k.cfg.ReplicationFactor
		if rf == 0 {
			rf = -1
		}
		resp, err := k.adm.CreateTopic(ctx, 1, rf, topicConfigs(), k.topic)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("store: kafka: create topic %s: %w", k.topic, err)
		}
		if resp.Err != nil && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("store: kafka: create topic %s: %w", k.topic, resp.Err)
		}
		// Another instance may have created it at the same moment; check
		// what is there either way, once the metadata shows it (the
		// client caches metadata briefly).
		for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
			if details, err = k.adm.ListTopics(ctx, k.topic); err != nil {
				return fmt.Errorf("store: kafka: list topic %s: %w", k.topic, err)
			}
			if td = details[k.topic]; !errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("store: kafka: topic %s created but not visible: %w", k.topic, ctx.Err())
			case <-time.After(wait):
			}
		}
	}
	if td.Err != nil {
		return fmt.Errorf("store: kafka: topic %s: %w", k.topic, td.Err)
	}
	if n := len(td.Partitions); n != 1 {
		return fmt.Errorf("store: kafka: topic %s has %d partitions; the registry log needs exactly 1 (its order is the registry's rules)", k.topic, n)
	}
	rcs, err := k.adm.DescribeTopicConfigs(ctx, k.topic)
	if err != nil {
		return fmt.Errorf("store: kafka: describe topic %s: %w", k.topic, err)
	}
	rc, err := rcs.On(k.topic, nil)
	if err != nil {
		return fmt.Errorf("store: kafka: describe topic %s: %w", k.topic, err)
	}
	if rc.Err != nil {
		return fmt.Errorf("store: kafka: describe topic %s: %w", k.topic, rc.Err)
	}
	return checkTopicConfigs(k.topic, rc.Configs)
}

// checkTopicConfigs refuses a topic whose settings would lose records.
func checkTopicConfigs(topic string, cs []kadm.Config) error {
	for _, c := range cs {
		v := c.MaybeValue()
		switch c.Key {
		case "retention.ms", "retention.bytes":
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n >= 0 {
				return fmt.Errorf("store: kafka: topic %s has %s=%s; the registry log needs -1 (keep forever): kafka-configs --alter --entity-type topics --entity-name %s --add-config %s=-1", topic, c.Key, v, topic, c.Key)
			}
		case "cleanup.policy":
			if strings.Contains(v, "compact") {
				return fmt.Errorf("store: kafka: topic %s has cleanup.policy=%s; the registry log must not be compacted (cleanup.policy=delete with infinite retention)", topic, v)
			}
		}
	}
	return nil
}

// Append implements Log: the records are produced to partition 0 and
// Append returns once every one is acknowledged by all in-sync replicas. The
// offset returned is the first record's.
func (k *Kafka) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	k.mu.Lock()
	closed := k.closed
	k.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	if len(recs) == 0 {
		return k.Next(ctx)
	}
	krs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		if len(r) > KafkaMaxRecordBytes-1024 {
			return 0, fmt.Errorf("store: kafka: record %d of the batch is %d bytes, over the %d the log's topic takes", i, len(r), KafkaMaxRecordBytes-1024)
		}
		krs[i] = &kgo.Record{Topic: k.topic, Partition: 0, Value: r}
	}
	res := k.cl.ProduceSync(ctx, krs...)
	if err := res.FirstErr(); err != nil {
		if errors.Is(err, kgo.ErrClientClosed) {
			return 0, ErrClosed
		}
		return 0, fmt.Errorf("store: kafka: append to %s: %w", k.topic, err)
	}
	first := res[0].Record.Offset
	for _, r := range res[1:] {
		first = min(first, r.Record.Offset)
	}
	return uint64(first), nil
}

// Next implements Log: the partition's end offset (high watermark), which
// every acknowledged record is below. A failure that may pass (a broker
// gone, a leader moving) is retried until ctx ends, or for 30s without a
// deadline.
func (k *Kafka) Next(ctx context.Context) (uint64, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		n, err := k.endOffset(ctx)
		if err == nil || errors.Is(err, ErrClosed) {
			return n, err
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("%w (%v)", err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func (k *Kafka) endOffset(ctx context.Context) (uint64, error) {
	k.mu.Lock()
	closed := k.closed
	k.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	ends, err := k.adm.ListEndOffsets(ctx, k.topic)
	if err != nil {
		return 0, fmt.Errorf("store: kafka: end offset of %s: %w", k.topic, err)
	}
	o, ok := ends.Lookup(k.topic, 0)
	if !ok {
		return 0, fmt.Errorf("store: kafka: end offset of %s: partition 0 missing", k.topic)
	}
	if o.Err != nil {
		return 0, fmt.Errorf("store: kafka: end offset of %s: %w", k.topic, o.Err)
	}
	return uint64(o.Offset), nil
}

// Replay implements Log: the records from offset from up to the end offset
// Replay found when it started.
func (k *Kafka) Replay(ctx context.Context, from uint64, fn func(uint64, []byte) error) error {
	end, err := k.Next(ctx)
	if err != nil {
		return err
	}
	if from >= end {
		return nil
	}
	return k.consume(ctx, from, end, fn)
}

// Follow implements Shared.
func (k *Kafka) Follow(ctx context.Context, from uint64, fn func(uint64, []byte) error) error {
	return k.consume(ctx, from, 0, fn)
}

// consume reads from offset from until offset end (0: forever).
func (k *Kafka) consume(ctx context.Context, from, end uint64, fn func(uint64, []byte) error) error {
	k.mu.Lock()
	closed := k.closed
	k.mu.Unlock()
	if closed {
		return ErrClosed
	}
	cl, err := k.cfg.NewClient(
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{k.topic: {0: kgo.NewOffset().At(int64(from))}}),
		kgo.FetchMaxWait(100*time.Millisecond),
		kgo.KeepControlRecords(), // markers take offsets: Replay sees its end

		kgo.FetchMaxPartitionBytes(4*KafkaMaxRecordBytes),
		kgo.FetchMaxBytes(4*KafkaMaxRecordBytes),
	)
	if err != nil {
		return fmt.Errorf("store: kafka client: %w", err)
	}
	defer cl.Close()
	next := from // the offset of the next record to deliver
	// The last record delivered, to tell a client that re-reads after a
	// leader change (kgo's ErrDataLoss) from a log that really lost
	// records under us.
	var last []byte
	verify := false
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			var dl *kgo.ErrDataLoss
			switch {
			case ferr != nil || errors.Is(err, context.Canceled):
			case errors.As(err, &dl) && uint64(dl.ResetTo) <= next:
				// The client went back to re-read: records already
				// delivered are skipped, and the last one must read the
				// same again.
				verify = last != nil
			default:
				ferr = fmt.Errorf("store: kafka: read %s[%d]: %w", t, p, err)
			}
		})
		if ferr != nil {
			if errors.Is(ferr, kgo.ErrClientClosed) {
				return ErrClosed
			}
			// Retriable errors are retried inside the client; what gets
			// here (offset out of range, records deleted under the log)
			// would silently skip records.
			return ferr
		}
		var cbErr error
		done := false
		fs.EachRecord(func(r *kgo.Record) {
			if cbErr != nil || done {
				return
			}
			off := uint64(r.Offset)
			if r.Attrs.IsControl() {
				// A transaction marker: not a record of the log, but it
				// takes an offset.
				if end > 0 && off+1 >= end {
					done = true
				}
				return
			}
			if off < next {
				if verify && off == next-1 {
					if !bytes.Equal(r.Value, last) {
						cbErr = fmt.Errorf("store: kafka: the record at offset %d of %s changed after a leader change: the log lost records the registry had applied; restart the instance", off, k.topic)
					}
					verify = false
				}
				return
			}
			if end > 0 && off >= end {
				done = true
				return
			}
			if cbErr = fn(off, r.Value); cbErr != nil {
				return
			}
			next = off + 1
			last = append(last[:0], r.Value...)
			if end > 0 && next >= end {
				done = true
			}
		})
		if cbErr != nil {
			return cbErr
		}
		if done {
			return nil
		}
	}
}

// Close implements Log.
func (k *Kafka) Close() error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	k.closed = true
	k.mu.Unlock()
	k.cl.Close()
	return nil
}
