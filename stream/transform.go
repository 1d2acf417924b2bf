package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/serde"
)

// Headers Transform adds to the records it sends to the dead-letter topic.
const (
	HeaderError           = "edactl.error"
	HeaderSourceTopic     = "edactl.source.topic"
	HeaderSourcePartition = "edactl.source.partition"
	HeaderSourceOffset    = "edactl.source.offset"
)

// ErrUntransformable is wrapped by the error Transform stops with when a
// record cannot be transformed and there is no dead-letter topic.
var ErrUntransformable = errors.New("record cannot be transformed")

// TransformOptions say what Transform reads, how it re-encodes and where it
// writes.
type TransformOptions struct {
	// Source and Target are the topics; they must differ and exist.
	Source, Target string
	// Subject is the registry subject of the target schema; Version its
	// version (-1 or 0 for the latest, looked up once at start).
	Subject string
	Version int
	// KeySubject, when set, re-encodes keys in the wire format into the
	// latest version of this subject; keys are copied unchanged otherwise.
	KeySubject string
	// DLQ is the dead-letter topic for records that cannot be transformed
	// (not framed, unknown schema id, a writer version the target cannot
	// read, a value that does not resolve). Without one, Transform stops
	// at the first such record and names it.
	DLQ string
	// Repartition partitions the output by key (Kafka's murmur2, as Java
	// producers do) instead of keeping each record's partition; without
	// it the target must have as many partitions as the source.
	Repartition bool
	// Create creates Target, and DLQ, when they do not exist, with as many
	// partitions as Source and the broker's default replication factor.
	Create bool
	// Group is the consumer group the consumer client was built with
	// (TransformGroupOpts), for Once to read its committed offsets.
	Group string
	// From is where a partition without a committed offset starts (the
	// consumer client's reset offset); Once uses it to know what is left.
	From Position
	// Once stops when every partition reached the end offset it had when
	// Transform started.
	Once bool
	// Stats, if set, is updated as records go (for metrics).
	Stats *TransformStats
	// Progress, if set, is called at most every 500ms and once at the end.
	Progress func(TransformProgress)
}

// TransformProgress reports a running transform.
type TransformProgress struct {
	// Read, Written and DeadLettered count records since the start.
	Read, Written, DeadLettered int64
	// Lag is the number of source offsets not yet transformed, as of the
	// last fetch.
	Lag     int64
	Elapsed time.Duration
}

// TransformResult says what Transform did.
type TransformResult struct {
	Read         int64 `json:"read"`
	Written      int64 `json:"written"`
	DeadLettered int64 `json:"deadLettered"`
	// Committed is the next offset per source partition that the group
	// committed last.
	Committed map[int32]int64 `json:"committed"`
}

// TransformStats are the counters of a running transform, safe to read
// while it runs (WriteMetrics renders them for Prometheus).
type TransformStats struct {
	Read, Written, DeadLettered, Commits atomic.Int64
	Lag                                  atomic.Int64
}

// WriteMetrics writes the counters in the Prometheus text exposition
// format, labelled with the source and target topics.
func (s *TransformStats) WriteMetrics(w io.Writer, source, target string) error {
	labels := fmt.Sprintf("{source=%q,target=%q}", source, target)
	_, err := fmt.Fprintf(w, `# HELP edactl_transform_records_read_total Records read from the source topic.
# TYPE edactl_transform_records_read_total counter
edactl_transform_records_read_total%[1]s %[2]d
# HELP edactl_transform_records_written_total Records written to the target topic and acknowledged.
# TYPE edactl_transform_records_written_total counter
edactl_transform_records_written_total%[1]s %[3]d
# HELP edactl_transform_records_dead_lettered_total Records written to the dead-letter topic and acknowledged.
# TYPE edactl_transform_records_dead_lettered_total counter
edactl_transform_records_dead_lettered_total%[1]s %[4]d
# HELP edactl_transform_commits_total Offset commits of the consumer group.
# TYPE edactl_transform_commits_total counter
edactl_transform_commits_total%[1]s %[5]d
# HELP edactl_transform_lag Source offsets not yet transformed, as of the last fetch.
# TYPE edactl_transform_lag gauge
edactl_transform_lag%[1]s %[6]d
`, labels, s.Read.Load(), s.Written.Load(), s.DeadLettered.Load(), s.Commits.Load(), s.Lag.Load())
	return err
}

// TransformGroupOpts returns the extra options of the consumer client of
// Transform: a member of group reading source, starting at from where the
// group has no committed offset, with rebalances held while a batch is in
// flight and no automatic commits (Transform commits after the target
// acknowledged). relative positions are taken from now. The session timeout
// is 10s (Kafka's default is 45s), so the partitions of an instance that
// crashed move to another, or to its restart, within seconds.
func TransformGroupOpts(group, source string, from Position, now time.Time) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.SessionTimeout(10 * time.Second),
		kgo.ConsumeTopics(source),
		kgo.ConsumeResetOffset(from.kgoOffset(now)),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
	}
}

// TransformProducerOpts returns the extra options of the producer client of
// Transform: records of the target keep the partition Transform sets (the
// source's), unless repartition; other topics (the dead-letter topic) and
// repartitioned records are partitioned by key with Kafka's murmur2.
func TransformProducerOpts(target string, repartition bool) []kgo.Opt {
	return []kgo.Opt{kgo.RecordPartitioner(transformPartitioner{target: target, keep: !repartition, hash: kgo.StickyKeyPartitioner(nil)})}
}

type transformPartitioner struct {
	target string
	keep   bool
	hash   kgo.Partitioner
}

func (p transformPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	if p.keep && topic == p.target {
		return kgo.ManualPartitioner().ForTopic(topic)
	}
	return p.hash.ForTopic(topic)
}

// transformer re-encodes payloads into one target schema, compiling one
// Resolver per writer schema id.
type transformer struct {
	reg     *serde.Registry
	target  *serde.Schema
	plans   map[int]*transformPlan
	keyPart string // "value" or "key", for messages
}

type transformPlan struct {
	res *serde.Resolver // nil: the writer is the target schema
	err error           // the writer cannot be read as the target
}

// recordError is a record that cannot be transformed (it goes to the DLQ).
type recordError struct{ err error }

func (e *recordError) Error() string { return e.err.Error() }
func (e *recordError) Unwrap() error { return e.err }

// apply returns payload re-encoded into the target schema. A nil payload
// (a tombstone) stays nil. Errors that are the record's (not framed,
// unknown id, unreadable) are *recordError; others (the registry is
// unreachable) are not.
func (t *transformer) apply(ctx context.Context, payload []byte) ([]byte, error) {
	if payload == nil {
		return nil, nil
	}
	id, body, err := serde.ParseHeader(payload)
	if err != nil {
		return nil, &recordError{fmt.Errorf("%s: %w", t.keyPart, err)}
	}
	if id == t.target.ID {
		return payload, nil
	}
	p, ok := t.plans[id]
	if !ok {
		ws, err := t.reg.SchemaByID(ctx, id)
		if err != nil {
			if errors.Is(err, serde.ErrUnknownSchemaID) {
				return nil, &recordError{fmt.Errorf("%s: %w", t.keyPart, err)}
			}
			return nil, fmt.Errorf("%s: %w", t.keyPart, err)
		}
		p = &transformPlan{}
		if p.res, p.err = serde.NewResolver(ws.Avro, t.target.Avro, serde.WithConversionRules()); p.err != nil {
			p.err = fmt.Errorf("%s: schema id %d (subject %q version %d) cannot be read as subject %q version %d: %w",
				t.keyPart, id, ws.Subject, ws.Version, t.target.Subject, t.target.Version, p.err)
		} else if p.res.Identity() {
			p.res = nil
		}
		t.plans[id] = p
	}
	if p.err != nil {
		return nil, &recordError{p.err}
	}
	out := make([]byte, 0, len(payload)+len(payload)/4+8)
	out = serde.AppendHeader(out, t.target.ID)
	if p.res == nil {
		return append(out, body...), nil
	}
	out, err = p.res.Append(out, body)
	if err != nil {
		return nil, &recordError{fmt.Errorf("%s of schema id %d: %w", t.keyPart, id, err)}
	}
	return out, nil
}

// Transform consumes Source as a member of the consumer client's group,
// re-encodes every record's value (and key, with KeySubject) into the
// target schema through the registry and Avro schema resolution, with the
// rules the generated conversions add (serde.WithConversionRules: a rename
// with an alias also read backwards, checked long → int and double →
// float, a null for a required field replaced by its default), and
// produces it to Target with the same key, headers, timestamp and
// partition. It is at-least-once: the offsets of a batch are committed only
// after Target (and the DLQ) acknowledged every record of it, so a crash
// re-delivers at most the batches in flight. It runs until ctx is done
// (finishing the batch in flight first: produced, acknowledged and
// committed), until a record cannot be transformed without a DLQ, or, with
// Once, until the end offsets seen at start.
func (c *Client) Transform(ctx context.Context, opts TransformOptions) (TransformResult, error) {
	res := TransformResult{Committed: map[int32]int64{}}
	if opts.Source == "" || opts.Target == "" {
		return res, errors.New("transform needs a source and a target topic")
	}
	if opts.Source == opts.Target || opts.DLQ == opts.Source {
		return res, fmt.Errorf("refusing to transform %q into itself: it would read its own output", opts.Source)
	}
	if c.consumer == nil {
		return res, ErrNoConsumer
	}
	if c.producer == nil {
		return res, ErrNoProducer
	}
	if c.reg == nil {
		return res, errors.New("transform needs a schema registry")
	}
	if err := c.needAdmin(); err != nil {
		return res, err
	}
	if g, _ := c.consumer.OptValue(kgo.ConsumerGroup).(string); g == "" {
		return res, errors.New("transform needs a consumer client built with TransformGroupOpts")
	}
	stats := opts.Stats
	if stats == nil {
		stats = &TransformStats{}
	}

	// The target schema, and the topics' shapes.
	version := opts.Version
	if version == 0 {
		version = -1
	}
	target, err := c.reg.SchemaBySubject(ctx, opts.Subject, version)
	if err != nil {
		return res, fmt.Errorf("target schema: %w", err)
	}
	values := &transformer{reg: c.reg, target: target, plans: map[int]*transformPlan{}, keyPart: "value"}
	var keys *transformer
	if opts.KeySubject != "" {
		ks, err := c.reg.SchemaBySubject(ctx, opts.KeySubject, -1)
		if err != nil {
			return res, fmt.Errorf("key schema: %w", err)
		}
		keys = &transformer{reg: c.reg, target: ks, plans: map[int]*transformPlan{}, keyPart: "key"}
	}
	topics := []string{opts.Source, opts.Target}
	if opts.DLQ != "" {
		topics = append(topics, opts.DLQ)
	}
	created := map[string]int{}
	if opts.Create {
		if created, err = c.createMissing(ctx, opts.Source, topics[1:]); err != nil {
			return res, err
		}
		// Metadata of a topic just created may not show it yet.
		topics = slices.DeleteFunc(topics, func(t string) bool { _, ok := created[t]; return ok })
	}
	offs, err := c.listOffsets(ctx, topics)
	if err != nil {
		return res, err
	}
	srcParts, dstParts := len(offs.partitions[opts.Source]), len(offs.partitions[opts.Target])
	if n, ok := created[opts.Target]; ok {
		dstParts = n
	}
	if !opts.Repartition && srcParts != dstParts {
		return res, fmt.Errorf("%s has %d partition(s) and %s %d: records keep their partition, so they must match (or pass --repartition to partition by key)",
			opts.Source, srcParts, opts.Target, dstParts)
	}

	// Where each partition starts (the group's committed offset, else
	// From), for the lag and, with Once, what is left to do.
	pos := map[int32]int64{}
	ranges, err := c.ResolveRanges(ctx, ReadSpec{Topics: []string{opts.Source}, From: Bound{Default: &opts.From}})
	if err != nil {
		return res, err
	}
	for _, r := range ranges {
		pos[r.Partition] = r.Start
	}
	if opts.Group != "" {
		committed, err := c.admin.FetchOffsets(ctx, opts.Group)
		if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
			return res, fmt.Errorf("offsets of group %q: %w", opts.Group, err)
		}
		committed.Each(func(o kadm.OffsetResponse) {
			if o.Err == nil && o.Topic == opts.Source && o.At >= 0 {
				pos[o.Partition] = o.At
			}
		})
	}
	var ends map[int32]int64
	if opts.Once {
		ends = map[int32]int64{}
		for _, r := range ranges {
			ends[r.Partition] = r.End
		}
	}
	done := func() bool {
		for p, end := range ends {
			if pos[p] < end {
				return false
			}
		}
		return true
	}

	start := time.Now()
	var lastReport time.Time
	hwm := map[int32]int64{}
	for _, r := range ranges {
		hwm[r.Partition] = r.End
	}
	report := func(force bool) {
		var lag int64
		for p, h := range hwm {
			if h > pos[p] {
				lag += h - pos[p]
			}
		}
		stats.Lag.Store(lag)
		if opts.Progress == nil || !force && time.Since(lastReport) < 500*time.Millisecond {
			return
		}
		lastReport = time.Now()
		opts.Progress(TransformProgress{Read: res.Read, Written: res.Written, DeadLettered: res.DeadLettered, Lag: lag, Elapsed: time.Since(start)})
	}
	defer report(true)

	// In-flight work finishes even when ctx ends: records already handed
	// to the producer are waited for and committed.
	work := context.WithoutCancel(ctx)
	var batch []*kgo.Record
	for {
		if opts.Once && done() {
			return res, nil
		}
		if ctx.Err() != nil {
			return res, nil
		}
		pollCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fetches := c.consumer.PollRecords(pollCtx, 10000)
		cancel()
		var fetchErr error
		fetches.EachError(func(t string, p int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return
			}
			if fetchErr == nil {
				fetchErr = fmt.Errorf("fetch %s/%d: %w", t, p, err)
			}
		})
		if fetchErr != nil {
			c.consumer.AllowRebalance()
			return res, fetchErr
		}
		batch = batch[:0]
		fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
			hwm[fp.Partition] = fp.HighWatermark
			batch = append(batch, fp.Records...)
		})
		stopErr, err := c.transformBatch(work, ctx, opts, values, keys, batch, &res, stats, pos)
		c.consumer.AllowRebalance()
		report(false)
		if err != nil {
			return res, err
		}
		if stopErr != nil {
			return res, stopErr
		}
	}
}

// createMissing creates the topics that do not exist with as many
// partitions as source, and returns those it created with their partition
// counts.
func (c *Client) createMissing(ctx context.Context, source string, topics []string) (map[string]int, error) {
	tds, err := c.admin.ListTopics(ctx, append([]string{source}, topics...)...)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	src, ok := tds[source]
	if !ok || src.Err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTopic, source)
	}
	created := map[string]int{}
	for _, t := range topics {
		if td, ok := tds[t]; ok && td.Err == nil {
			continue
		}
		resp, err := c.admin.CreateTopic(ctx, int32(len(src.Partitions)), -1, nil, t)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return nil, fmt.Errorf("create topic %q: %w", t, err)
		}
		created[t] = len(src.Partitions)
		c.log.InfoContext(ctx, "created topic", "topic", t, "partitions", len(src.Partitions))
	}
	return created, nil
}

// transformBatch transforms, produces and commits one polled batch. It
// returns stop (an untransformable record without a DLQ, after the records
// before it were produced and committed) or err (produce, commit or
// registry failure; nothing of the batch is committed).
func (c *Client) transformBatch(work, ctx context.Context, opts TransformOptions, values, keys *transformer, batch []*kgo.Record,
	res *TransformResult, stats *TransformStats, pos map[int32]int64) (stop, err error) {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		prodErr error
		written int64
		dead    int64
	)
	produce := func(r *kgo.Record, src *kgo.Record, dlq bool) {
		wg.Add(1)
		c.producer.Produce(work, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if prodErr == nil {
					prodErr = fmt.Errorf("write %s/%d@%d to %s: %w", src.Topic, src.Partition, src.Offset, r.Topic, err)
				}
				return
			}
			if dlq {
				dead++
			} else {
				written++
			}
		})
	}
	commit := batch
	for i, r := range batch {
		if r.Attrs.IsControl() {
			continue
		}
		res.Read++
		stats.Read.Add(1)
		value, terr := values.apply(work, r.Value)
		key := r.Key
		if terr == nil && keys != nil {
			key, terr = keys.apply(work, r.Key)
		}
		if terr != nil {
			var re *recordError
			if !errors.As(terr, &re) {
				err = fmt.Errorf("%s/%d@%d: %w", r.Topic, r.Partition, r.Offset, terr)
				commit = nil
				break
			}
			if opts.DLQ == "" {
				stop = fmt.Errorf("%s/%d@%d: %w: %w (pass --dlq TOPIC to divert such records)", r.Topic, r.Partition, r.Offset, ErrUntransformable, terr)
				commit = batch[:i]
				break
			}
			hs := append(append([]kgo.RecordHeader(nil), r.Headers...),
				kgo.RecordHeader{Key: HeaderError, Value: []byte(terr.Error())},
				kgo.RecordHeader{Key: HeaderSourceTopic, Value: []byte(r.Topic)},
				kgo.RecordHeader{Key: HeaderSourcePartition, Value: strconv.AppendInt(nil, int64(r.Partition), 10)},
				kgo.RecordHeader{Key: HeaderSourceOffset, Value: strconv.AppendInt(nil, r.Offset, 10)},
			)
			produce(&kgo.Record{Topic: opts.DLQ, Key: r.Key, Value: r.Value, Headers: hs, Timestamp: r.Timestamp}, r, true)
			continue
		}
		produce(&kgo.Record{Topic: opts.Target, Key: key, Value: value, Headers: r.Headers, Timestamp: r.Timestamp, Partition: r.Partition}, r, false)
	}
	wg.Wait()
	res.Written += written
	res.DeadLettered += dead
	stats.Written.Add(written)
	stats.DeadLettered.Add(dead)
	if prodErr != nil {
		return nil, prodErr
	}
	if err != nil {
		return nil, err
	}
	if len(commit) > 0 {
		if cerr := c.consumer.CommitRecords(work, commit...); cerr != nil {
			return nil, fmt.Errorf("commit the offsets of group %q: %w", opts.Group, cerr)
		}
		stats.Commits.Add(1)
		for _, r := range commit {
			if r.Offset+1 > pos[r.Partition] {
				pos[r.Partition] = r.Offset + 1
			}
			res.Committed[r.Partition] = pos[r.Partition]
		}
	}
	return stop, nil
}
