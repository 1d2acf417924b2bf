package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
	"github.com/twmb/franz-go/plugin/kprom"
	"go.opentelemetry.io/otel/propagation"

	"github.com/edactl/edactl/serde"
)

// DLQ header names.
const (
	HeaderError           = "edactl.error"
	HeaderSourceTopic     = "edactl.source.topic"
	HeaderSourcePartition = "edactl.source.partition"
	HeaderSourceOffset    = "edactl.source.offset"
)

// role is what a consumed topic is to the processor.
type role struct {
	slot  int
	rekey bool // the source of a re-keyed input; else a joined topic
}

// Processor runs one Spec. Build it with New, run it with Run.
type Processor struct {
	spec  Spec
	cfg   Config
	log   *slog.Logger
	m     *metrics
	plan  topicPlan
	roles map[string]role

	cl     *kgo.Client
	sess   *kgo.GroupTransactSession
	tracer *kotel.Tracer

	mu       sync.Mutex
	parts    map[int32]*partState // restored partitions of the joined topics
	pending  map[int32]bool       // assigned, awaiting restore
	assigned atomic.Bool
	ready    atomic.Bool
	inTxn    atomic.Bool // between Begin and End: the state is ahead of the changelog

	// per batch
	produceErr atomic.Pointer[error]
	ackMu      sync.Mutex
	acked      map[int32]int64 // changelog partition → highest offset acknowledged
	lastCkpt   time.Time

	// Replayed counts the changelog records restored since New, for
	// tests and the log.
	replayed atomic.Int64
}

// Run runs spec with cfg until ctx ends (then it finishes the batch in
// hand, commits it, checkpoints the state and leaves the group) or a fatal
// error occurs.
func Run(ctx context.Context, cfg Config, spec Spec) error {
	p, err := New(cfg, spec)
	if err != nil {
		return err
	}
	return p.Run(ctx)
}

// New checks cfg and spec and returns a Processor; it does not connect.
func New(cfg Config, spec Spec) (*Processor, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	// The internal topics belong to the consumer group (as Kafka Streams'
	// belong to its application.id): two groups running the same service
	// never share a changelog. The group defaults to the service's name.
	if cfg.Group != spec.Name {
		spec.Name = cfg.Group
		if err := spec.Validate(); err != nil {
			return nil, fmt.Errorf("--group: %w", err)
		}
	}
	p := &Processor{spec: spec, cfg: cfg, log: cfg.Logger.With("processor", spec.Name),
		roles: map[string]role{}, parts: map[int32]*partState{}, pending: map[int32]bool{}, acked: map[int32]int64{}}
	for i, in := range spec.Inputs {
		if in.Rekey {
			p.roles[in.Topic] = role{slot: i, rekey: true}
		}
		p.roles[spec.joinTopic(i)] = role{slot: i}
	}
	p.m = newMetrics(spec, p)
	return p, nil
}

// Ready reports whether every assigned partition's state is restored.
func (p *Processor) Ready() bool { return p.ready.Load() }

// Replayed returns how many changelog records were replayed into the
// state since the Processor was built.
func (p *Processor) Replayed() int64 { return p.replayed.Load() }

func (p *Processor) seedOpts() []kgo.Opt {
	return append([]kgo.Opt{kgo.SeedBrokers(p.cfg.Brokers...), kgo.ClientID(p.spec.Name)}, p.cfg.KafkaOpts...)
}

// Run connects, checks and creates the topics, serves the HTTP endpoints
// and processes until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	adminCl, err := kgo.NewClient(p.seedOpts()...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	p.plan, err = p.retryTopics(ctx, kadm.NewClient(adminCl))
	adminCl.Close()
	if err != nil {
		return err
	}
	p.log.Info("starting", "config", p.cfg.String(), "partitions", p.plan.n, "inputs", len(p.spec.Inputs), "output", p.spec.Output)

	if p.cfg.MetricsAddr != "" {
		stop, err := p.serveHTTP(p.cfg.MetricsAddr)
		if err != nil {
			return err
		}
		defer stop()
	}

	topics := slices.Sorted(maps.Keys(p.roles))
	opts := append(p.seedOpts(),
		kgo.ConsumerGroup(p.cfg.Group),
		kgo.ConsumeTopics(topics...),
		kgo.SessionTimeout(p.cfg.SessionTimeout),
		kgo.Balancers(kgo.RangeBalancer()), // partition N of every topic to one member: co-partitioned
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.MaxBufferedRecords(1<<20),
		kgo.ProducerLinger(0),
		kgo.OnPartitionsAssigned(p.onAssigned),
		kgo.OnPartitionsRevoked(p.onRevoked),
		kgo.OnPartitionsLost(p.onLost),
		kgo.WithHooks(kprom.NewMetrics("edactl_processor_kafka", kprom.Registerer(p.m.reg), kprom.Gatherer(p.m.reg))),
	)
	if tp := p.cfg.tracerProvider(); tp != nil {
		p.tracer = kotel.NewTracer(kotel.TracerProvider(tp), kotel.TracerPropagator(propagation.TraceContext{}), kotel.ConsumerGroup(p.cfg.Group))
		opts = append(opts, kgo.WithHooks(kotel.NewKotel(kotel.WithTracer(p.tracer)).Hooks()...))
	}
	if p.cfg.ExactlyOnce {
		host, _ := os.Hostname()
		opts = append(opts, kgo.TransactionalID(p.spec.Name+"-"+host), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.RequireStableFetchOffsets())
		p.sess, err = kgo.NewGroupTransactSession(opts...)
		if err != nil {
			return fmt.Errorf("kafka client: %w", err)
		}
		p.cl = p.sess.Client()
	} else if p.cl, err = kgo.NewClient(opts...); err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	p.lastCkpt = time.Now()
	err = p.loop(ctx)
	if errors.Is(err, errStopped) {
		err = nil
	} else if err == nil {
		p.mu.Lock()
		p.checkpoint()
		p.mu.Unlock()
	}
	if p.sess != nil {
		p.sess.Close()
	} else {
		p.cl.Close()
	}
	if err != nil {
		p.log.Error("stopped", "err", err)
		return err
	}
	p.log.Info("stopped")
	return nil
}

// retryTopics runs setupTopics, retrying broker errors until ctx ends; a
// partition mismatch or a missing input is returned at once.
func (p *Processor) retryTopics(ctx context.Context, adm *kadm.Client) (topicPlan, error) {
	backoff := 200 * time.Millisecond
	for {
		plan, err := setupTopics(ctx, adm, &p.spec, p.cfg.Partitions)
		if err == nil || errors.Is(err, ErrPartitions) || ctx.Err() != nil || !Transient(err) {
			return plan, err
		}
		p.log.Warn("topics: retrying", "err", err, "backoff", backoff)
		if !sleep(ctx, backoff) {
			return plan, err
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// joinedPartitions lists the partitions of the joined topics in m.
func (p *Processor) joinedPartitions(m map[string][]int32) []int32 {
	seen := map[int32]bool{}
	for t, ps := range m {
		if r, ok := p.roles[t]; ok && !r.rekey {
			for _, q := range ps {
				seen[q] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// pauseJoined pauses fetching partitions ps of every joined topic.
func (p *Processor) pauseJoined(ps []int32) {
	m := map[string][]int32{}
	for i := range p.spec.Inputs {
		m[p.spec.joinTopic(i)] = ps
	}
	p.cl.PauseFetchPartitions(m)
}

func (p *Processor) resumeJoined(ps []int32) {
	m := map[string][]int32{}
	for i := range p.spec.Inputs {
		m[p.spec.joinTopic(i)] = ps
	}
	p.cl.ResumeFetchPartitions(m)
}

func (p *Processor) onAssigned(_ context.Context, cl *kgo.Client, m map[string][]int32) {
	ps := p.joinedPartitions(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range ps {
		if p.parts[q] == nil {
			p.pending[q] = true
		}
	}
	if len(p.pending) > 0 {
		p.ready.Store(false)
		cl.PauseFetchPartitions(func() map[string][]int32 {
			out := map[string][]int32{}
			for i := range p.spec.Inputs {
				out[p.spec.joinTopic(i)] = slices.Collect(maps.Keys(p.pending))
			}
			return out
		}())
	}
	p.assigned.Store(true)
	p.log.Info("partitions assigned", "partitions", ps)
}

func (p *Processor) onRevoked(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	ps := p.joinedPartitions(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range ps {
		if st := p.parts[q]; st != nil && !p.inTxn.Load() {
			p.writeSnapshot(q, st)
		}
		delete(p.parts, q)
		delete(p.pending, q)
		p.m.keys.DeleteLabelValues(strconv.Itoa(int(q)))
	}
	if len(ps) > 0 {
		p.log.Info("partitions revoked", "partitions", ps)
	}
}

func (p *Processor) onLost(_ context.Context, _ *kgo.Client, m map[string][]int32) {
	ps := p.joinedPartitions(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range ps {
		delete(p.parts, q)
		delete(p.pending, q)
	}
	p.log.Warn("partitions lost", "partitions", ps)
}

// loop polls and processes batches until ctx ends.
func (p *Processor) loop(ctx context.Context) error {
	for {
		if err := p.restorePending(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// Polls are bounded: partitions assigned during a poll are paused
		// until restored, and the restore runs between polls.
		wait := time.Second
		if !p.ready.Load() {
			wait = 200 * time.Millisecond
		}
		pollCtx, cancel := context.WithTimeout(ctx, wait)
		var fetches kgo.Fetches
		if p.sess != nil {
			fetches = p.sess.PollRecords(pollCtx, p.cfg.MaxPollRecords)
		} else {
			fetches = p.cl.PollRecords(pollCtx, p.cfg.MaxPollRecords)
		}
		cancel()
		if fetches.IsClientClosed() {
			return nil
		}
		if ctx.Err() != nil {
			p.allowRebalance()
			return nil
		}
		var fatal error
		fetches.EachError(func(t string, q int32, err error) {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return
			}
			p.log.Warn("fetch", "topic", t, "partition", q, "err", err)
		})
		if fetches.NumRecords() > 0 {
			fatal = p.batch(ctx, fetches)
		}
		p.allowRebalance()
		if fatal != nil {
			if ctx.Err() != nil {
				// Stopped during a retry: nothing committed, the batch is
				// read again. The state holds part of it, so it is not
				// checkpointed.
				return errStopped
			}
			return fatal
		}
		if time.Since(p.lastCkpt) >= p.cfg.CheckpointInterval {
			p.mu.Lock()
			p.checkpoint()
			p.mu.Unlock()
		}
	}
}

func (p *Processor) allowRebalance() {
	if p.sess != nil {
		p.sess.AllowRebalance()
	} else {
		p.cl.AllowRebalance()
	}
}

// errStopped ends a batch whose retries were interrupted by the stop.
var errStopped = errors.New("stopped")

// batch processes one poll's records: at-least-once, the offsets are
// committed after every output, re-keyed and changelog record is
// acknowledged; exactly-once, all of it is one transaction.
func (p *Processor) batch(ctx context.Context, fetches kgo.Fetches) error {
	work := context.WithoutCancel(ctx) // a stop finishes the batch in hand
	p.produceErr.Store(nil)
	if p.sess != nil {
		if err := p.sess.Begin(); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		p.inTxn.Store(true)
		defer p.inTxn.Store(false)
	}
	produce := func(r *kgo.Record) {
		p.cl.Produce(work, r, p.promise)
	}
	var err error
	// The state is locked while the batch is applied, not while it is
	// flushed or committed: a GroupTransactSession's revoke callback holds
	// the lock End needs while it calls onRevoked, which takes mu.
	p.mu.Lock()
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if len(fp.Records) > 0 {
			last := fp.Records[len(fp.Records)-1]
			p.m.lag.WithLabelValues(fp.Topic, strconv.Itoa(int(fp.Partition))).Set(float64(max(0, fp.HighWatermark-last.Offset-1)))
		}
		for _, r := range fp.Records {
			if err != nil {
				return
			}
			err = p.process(ctx, work, r, produce)
		}
	})
	if err == nil {
		p.produceChangelog(work, produce)
	}
	p.mu.Unlock()
	if p.sess != nil {
		commit := kgo.TryCommit
		if err != nil {
			commit = kgo.TryAbort
		}
		committed, endErr := p.sess.End(work, commit)
		if endErr != nil {
			return fmt.Errorf("end transaction: %w", endErr)
		}
		if perr := p.produceErr.Load(); perr != nil {
			return *perr
		}
		if !committed {
			p.mu.Lock()
			p.dropAll("transaction aborted")
			p.mu.Unlock()
			return err
		}
	} else {
		if ferr := p.cl.Flush(work); ferr != nil {
			return fmt.Errorf("flush: %w", ferr)
		}
		if perr := p.produceErr.Load(); perr != nil {
			return *perr
		}
		if err != nil {
			return err
		}
		if cerr := p.cl.CommitUncommittedOffsets(work); cerr != nil {
			return fmt.Errorf("commit offsets: %w", cerr)
		}
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ackMu.Lock()
	for q, off := range p.acked {
		if st := p.parts[q]; st != nil && off+1 > st.next {
			st.next = off + 1
		}
	}
	clear(p.acked)
	p.ackMu.Unlock()
	return nil
}

// dropAll forgets every partition's state and restores it again from the
// changelog (after an aborted transaction the state is ahead of it).
func (p *Processor) dropAll(why string) {
	var ps []int32
	for q := range p.parts {
		ps = append(ps, q)
		p.pending[q] = true
	}
	clear(p.parts)
	if len(ps) > 0 {
		p.ready.Store(false)
		p.pauseJoined(ps)
	}
	p.log.Warn("state dropped, restoring from the changelog", "reason", why, "partitions", ps)
}

func (p *Processor) promise(r *kgo.Record, err error) {
	if err != nil {
		e := fmt.Errorf("produce to %s partition %d: %w", r.Topic, r.Partition, err)
		p.produceErr.CompareAndSwap(nil, &e)
		return
	}
	if r.Topic == p.spec.ChangelogTopic() {
		p.ackMu.Lock()
		if off, ok := p.acked[r.Partition]; !ok || r.Offset > off {
			p.acked[r.Partition] = r.Offset
		}
		p.ackMu.Unlock()
	}
}

// process handles one record: re-keys it, or updates its key's state and
// emits the join. A record that does not decode, or whose join fails, goes
// to the dead-letter topic.
func (p *Processor) process(ctx, work context.Context, r *kgo.Record, produce func(*kgo.Record)) error {
	ro, ok := p.roles[r.Topic]
	if !ok {
		return nil
	}
	in := &p.spec.Inputs[ro.slot]
	p.m.processed[r.Topic].Inc()
	var v any
	err := p.retry(ctx, "decode "+r.Topic, func() (err error) { v, err = in.Decode(work, r.Value); return err })
	if err != nil {
		if ctx.Err() != nil {
			return errStopped
		}
		p.dlq(r, fmt.Errorf("decode %s: %w", in.Event, err), produce)
		return nil
	}
	key := in.Key(v)
	if ro.rekey {
		out := &kgo.Record{Topic: p.spec.RepartitionTopic(ro.slot), Key: []byte(key), Value: r.Value,
			Headers: slices.Clone(r.Headers), Timestamp: r.Timestamp, Partition: PartitionFor([]byte(key), p.plan.n)}
		produce(out)
		return nil
	}
	if !in.Rekey && key != string(r.Key) {
		p.dlq(r, fmt.Errorf("%s: the record key %q is not the join key %q of its value", in.Event, r.Key, key), produce)
		return nil
	}
	st := p.parts[r.Partition]
	if st == nil {
		return fmt.Errorf("record of %s partition %d before its state was restored (a processor bug)", r.Topic, r.Partition)
	}
	e := st.entries[key]
	if e == nil {
		e = &entry{raw: make([][]byte, len(p.spec.Inputs)), dec: make([]any, len(p.spec.Inputs))}
		st.entries[key] = e
		p.m.keys.WithLabelValues(strconv.Itoa(int(r.Partition))).Inc()
	}
	e.raw[ro.slot] = r.Value
	e.dec[ro.slot] = v
	st.markDirty(key)
	for j := range e.raw {
		if e.raw[j] == nil || e.dec[j] != nil {
			continue
		}
		in := &p.spec.Inputs[j]
		err := p.retry(ctx, "decode state of "+in.Event, func() (err error) { e.dec[j], err = in.Decode(work, e.raw[j]); return err })
		if err != nil {
			if ctx.Err() != nil {
				return errStopped
			}
			// A stored value that no longer decodes is forgotten: the
			// next record of that input replaces it.
			p.log.Warn("stored value does not decode; dropped", "input", in.Event, "key", key, "err", err)
			e.raw[j], e.dec[j] = nil, nil
		}
	}
	if !p.cfg.EmitWhen.Ready(e.dec) {
		return nil
	}
	jctx := work
	if p.tracer != nil {
		c, sp := p.tracer.WithProcessSpan(r)
		defer sp.End()
		jctx = c
	}
	out, err := p.spec.Join(jctx, key, e.dec)
	if err != nil {
		p.dlq(r, fmt.Errorf("join: %w", err), produce)
		return nil
	}
	if out == nil {
		return nil
	}
	var val []byte
	err = p.retry(ctx, "encode "+p.spec.Output, func() (err error) { val, err = p.spec.Encode(work, out); return err })
	if err != nil {
		if ctx.Err() != nil {
			return errStopped
		}
		p.dlq(r, fmt.Errorf("encode the output: %w", err), produce)
		return nil
	}
	rec := &kgo.Record{Topic: p.spec.Output, Key: []byte(key), Value: val, Partition: r.Partition, Context: jctx}
	for _, h := range r.Headers {
		switch h.Key {
		case "traceparent", "tracestate", "ce_correlationid":
			rec.Headers = append(rec.Headers, h)
		case "ce_id":
			// CloudEvents Kafka binding: the input caused the output.
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: "ce_causationid", Value: h.Value})
		}
	}
	produce(rec)
	p.m.emitted.Inc()
	return nil
}

// produceChangelog writes the state of every key the batch changed, once
// per key.
func (p *Processor) produceChangelog(_ context.Context, produce func(*kgo.Record)) {
	for q, st := range p.parts {
		for _, k := range st.dirty {
			e := st.entries[k]
			produce(&kgo.Record{Topic: p.spec.ChangelogTopic(), Key: []byte(k), Value: appendChangelog(nil, e), Partition: q})
		}
		st.clearDirty()
	}
}

// dlq sends r to the dead-letter topic with why.
func (p *Processor) dlq(r *kgo.Record, why error, produce func(*kgo.Record)) {
	p.log.Warn("to the dead-letter topic", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", why)
	n := p.plan.counts[p.spec.DLQTopic()]
	if n <= 0 {
		n = p.plan.n
	}
	part := r.Partition % n
	if len(r.Key) > 0 {
		part = PartitionFor(r.Key, n)
	}
	out := &kgo.Record{Topic: p.spec.DLQTopic(), Key: r.Key, Value: r.Value, Timestamp: r.Timestamp, Partition: part,
		Headers: append(slices.Clone(r.Headers),
			kgo.RecordHeader{Key: HeaderError, Value: []byte(why.Error())},
			kgo.RecordHeader{Key: HeaderSourceTopic, Value: []byte(r.Topic)},
			kgo.RecordHeader{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(int(r.Partition)))},
			kgo.RecordHeader{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
		)}
	produce(out)
	p.m.dlq[r.Topic].Inc()
}

// retry runs f until it succeeds, fails with an error that is not
// transient, or ctx ends, backing off from 100 ms to 10 s.
func (p *Processor) retry(ctx context.Context, what string, f func() error) error {
	backoff := 100 * time.Millisecond
	for {
		err := f()
		if err == nil || !Transient(err) {
			return err
		}
		p.m.retries.Inc()
		p.log.Warn(what+": retrying", "err", err, "backoff", backoff)
		if !sleep(ctx, backoff) {
			return err
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// Transient reports whether err is worth retrying: a network error, a
// registry answer 5xx or 429, a timeout. Bad data (serde's errors, a
// registry 4xx such as an unknown schema id) is not.
func Transient(err error) bool {
	var re *serde.RegistryError
	if errors.As(err, &re) {
		return re.StatusCode >= 500 || re.StatusCode == 429
	}
	for _, s := range []error{serde.ErrNotFramed, serde.ErrUnknownMagic, serde.ErrUnknownSchemaID, serde.ErrSubjectMismatch,
		serde.ErrTruncated, serde.ErrInvalidValue, serde.ErrIncompatible, serde.ErrNotRegistered} {
		if errors.Is(err, s) {
			return false
		}
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded)
}
