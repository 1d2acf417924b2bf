package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/store"
)

// Option configures Open.
type Option func(*config)

type config struct {
	logger         *slog.Logger
	defaultLevel   compat.Level
	maxBatch       int
	maxSchemaBytes int
	writeTimeout   time.Duration
	commitDelay    time.Duration
}

// WithLogger sets the logger, overriding the default of discarding logs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithDefaultCompatibility sets the level used when neither the subject, its
// context nor the global config sets one, overriding the default BACKWARD
// (Confluent's schema.compatibility.level).
func WithDefaultCompatibility(l compat.Level) Option { return func(c *config) { c.defaultLevel = l } }

// WithMaxBatch sets how many write commands one group commit takes at most,
// overriding the default of 1024.
func WithMaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// WithMaxSchemaBytes sets the largest schema text accepted (42209 above it),
// overriding the default of 4 MiB.
func WithMaxSchemaBytes(n int) Option { return func(c *config) { c.maxSchemaBytes = n } }

// WithWriteTimeout sets how long a write waits for its commit before failing
// with 50002, overriding the default of 30s. The write may still commit.
func WithWriteTimeout(d time.Duration) Option { return func(c *config) { c.writeTimeout = d } }

// WithCommitDelay sets how long the sequencer waits for more writers before
// a commit when fewer are queued than joined the previous one, overriding the
// default of 2ms. Writers released by a commit come back within a fraction
// of a millisecond; waiting for them lets one fsync acknowledge them all
// instead of splitting them over two. 0 disables the wait.
func WithCommitDelay(d time.Duration) Option { return func(c *config) { c.commitDelay = d } }

func (c *config) validate() error {
	if c.logger == nil {
		return errors.New("registry: nil logger")
	}
	if _, err := compat.ParseLevel(string(c.defaultLevel)); err != nil {
		return fmt.Errorf("registry: default compatibility: %w", err)
	}
	if c.maxBatch < 1 {
		return fmt.Errorf("registry: max batch must be at least 1, got %d", c.maxBatch)
	}
	if c.maxSchemaBytes < 1 {
		return fmt.Errorf("registry: max schema bytes must be at least 1, got %d", c.maxSchemaBytes)
	}
	if c.commitDelay < 0 {
		return fmt.Errorf("registry: commit delay must not be negative, got %v", c.commitDelay)
	}
	if c.writeTimeout <= 0 {
		return fmt.Errorf("registry: write timeout must be positive, got %v", c.writeTimeout)
	}
	return nil
}

// Registry is the schema registry service: it validates writes, appends them
// to the log, folds the log into the State readers see, and answers queries
// from memory.
//
// Writes go through one sequencer goroutine. It takes every queued command,
// runs each against a speculative copy of the state (so later commands in the
// batch see earlier ones), appends all resulting records with one
// Log.Append (one fsync), then applies them to the published state and only
// then answers the writers. Acknowledged therefore means durable, and a
// reader never sees a change that is not yet durable.
type Registry struct {
	log    store.Log
	cfg    config
	logger *slog.Logger

	mu  sync.RWMutex
	pub *State

	spec    *State // owned by the sequencer goroutine
	cmds    chan *command
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	parsed parseCache
	stats  stats

	// queuedAtRelease is how many commands were waiting when the last batch
	// was answered (sequencer goroutine only).
	queuedAtRelease int
}

type command struct {
	run  func(st *State) ([]Record, any, error)
	res  any
	err  error
	done chan struct{}
}

// Open replays log into a new Registry and starts its sequencer. The caller
// keeps ownership of log and closes it after Close.
func Open(ctx context.Context, log store.Log, opts ...Option) (*Registry, error) {
	cfg := config{
		logger:         slog.New(slog.DiscardHandler),
		defaultLevel:   compat.Backward,
		maxBatch:       1024,
		maxSchemaBytes: 4 << 20,
		writeTimeout:   30 * time.Second,
		commitDelay:    2 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Registry{
		log:     log,
		cfg:     cfg,
		logger:  cfg.logger,
		pub:     NewState(),
		cmds:    make(chan *command, 4096),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		parsed:  parseCache{m: map[parsedKey]avro.Schema{}},
	}
	start := time.Now()
	rejected := 0
	err := log.Replay(ctx, 0, func(off uint64, data []byte) error {
		rec, err := DecodeRecord(data)
		if err != nil {
			return fmt.Errorf("log record at offset %d: %w", off, err)
		}
		if err := r.pub.Apply(&rec); err != nil {
			rejected++
			r.logger.Warn("log record rejected by the fold (skipped, as every replica does)", "offset", off, "error", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry: replay: %w", err)
	}
	r.logger.Info("registry state loaded", "records", r.pub.Applied(), "rejected", rejected,
		"subjects", len(r.pub.subjects), "duration", time.Since(start).Round(time.Millisecond))
	r.spec = r.pub.Clone()
	go r.sequence()
	return r, nil
}

// Close stops the sequencer. Writes waiting in the queue fail with
// ErrClosed; reads keep working. It does not close the log.
func (r *Registry) Close() error {
	r.once.Do(func() { close(r.stop) })
	<-r.stopped
	return nil
}

// submit queues a write command and waits for its answer.
func (r *Registry) submit(ctx context.Context, run func(st *State) ([]Record, any, error)) (any, error) {
	c := &command{run: run, done: make(chan struct{})}
	timer := time.NewTimer(r.cfg.writeTimeout)
	defer timer.Stop()
	select {
	case r.cmds <- c:
	case <-r.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, newErr(CodeOperationTimeout, "Write timed out after %v waiting to be queued", r.cfg.writeTimeout)
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, newErr(CodeOperationTimeout, "Write was not acknowledged within %v; it may still be applied", r.cfg.writeTimeout)
	}
}

func (r *Registry) sequence() {
	defer close(r.stopped)
	batch := make([]*command, 0, r.cfg.maxBatch)
	last := 1 // writers in the previous batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case c := <-r.cmds:
			batch = append(batch, c)
		case <-r.stop:
			r.drainClosed()
			return
		}
	fill:
		for len(batch) < r.cfg.maxBatch {
			select {
			case c := <-r.cmds:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		// Group commit: the writers the last commit released are on their
		// way back, and those that queued up during it are here; wait
		// briefly for all of them so one fsync serves them all instead of
		// two alternating halves.
		if target := min(last+r.queuedAtRelease, r.cfg.maxBatch); len(batch) < target && r.cfg.commitDelay > 0 {
			timer.Reset(r.cfg.commitDelay)
		wait:
			for len(batch) < target {
				select {
				case c := <-r.cmds:
					batch = append(batch, c)
				case <-timer.C:
					break wait
				}
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		last = len(batch)
		r.commit(batch)
	}
}

func (r *Registry) drainClosed() {
	for {
		select {
		case c := <-r.cmds:
			c.err = ErrClosed
			close(c.done)
		default:
			return
		}
	}
}

// commit runs a batch of commands against the speculative state, appends
// their records in one Log.Append, publishes them and answers the writers.
func (r *Registry) commit(batch []*command) {
	var (
		applied []Record
		encoded [][]byte
	)
	rebuild := func() {
		r.spec = r.pub.Clone() // pub is only written by this goroutine
		for i := range applied {
			_ = r.spec.Apply(&applied[i])
		}
	}
	for _, c := range batch {
		recs, res, err := r.run(c)
		if err != nil {
			c.err = err
			continue
		}
		n := len(applied)
		ok := true
		for i := range recs {
			b, err := EncodeRecord(recs[i])
			if err == nil {
				recs[i].Format = RecordFormat
				err = r.spec.Apply(&recs[i])
			}
			if err != nil {
				r.logger.Error("write produced a record the fold rejects", "kind", recs[i].Kind, "subject", recs[i].Subject, "error", err)
				c.err = fmt.Errorf("internal error: %w", err)
				applied, encoded = applied[:n], encoded[:n]
				rebuild()
				ok = false
				break
			}
			applied = append(applied, recs[i])
			encoded = append(encoded, b)
		}
		if ok {
			c.res = res
		}
	}
	if len(encoded) > 0 {
		start := time.Now()
		_, err := r.log.Append(context.Background(), encoded)
		r.stats.observeCommit(len(encoded), time.Since(start))
		if err != nil {
			r.logger.Error("log append failed; the batch is not acknowledged", "records", len(encoded), "error", err)
			r.spec = r.pub.Clone()
			se := errStore(err)
			for _, c := range batch {
				c.res, c.err = nil, se
			}
		} else {
			r.mu.Lock()
			for i := range applied {
				if err := r.pub.Apply(&applied[i]); err != nil {
					r.logger.Error("published state rejected a committed record", "kind", applied[i].Kind, "error", err)
				}
			}
			r.mu.Unlock()
		}
	}
	r.queuedAtRelease = len(r.cmds)
	for _, c := range batch {
		close(c.done)
	}
}

// run executes one command, turning a panic into an internal error so one
// bad request cannot stop the sequencer.
func (r *Registry) run(c *command) (recs []Record, res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.logger.Error("panic in write command", "panic", p)
			recs, res, err = nil, nil, fmt.Errorf("internal error: %v", p)
		}
	}()
	return c.run(r.spec)
}

// Stats are counters about the write path.
type Stats struct {
	Commits        uint64        // log appends
	Records        uint64        // records appended
	CommitDuration time.Duration // total time spent in Log.Append
}

type stats struct {
	commits, records, nanos atomic.Uint64
}

func (s *stats) observeCommit(n int, d time.Duration) {
	s.commits.Add(1)
	s.records.Add(uint64(n))
	s.nanos.Add(uint64(d))
}

// Stats returns write-path counters.
func (r *Registry) Stats() Stats {
	return Stats{Commits: r.stats.commits.Load(), Records: r.stats.records.Load(), CommitDuration: time.Duration(r.stats.nanos.Load())}
}

// Counts returns the number of subjects (with at least one live version) and
// schema ids currently known, for metrics.
func (r *Registry) Counts() (subjects, schemas int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, s := range r.pub.subjects {
		if s.live() > 0 {
			subjects++
		}
	}
	for _, cs := range r.pub.contexts {
		schemas += len(cs.byID)
	}
	return subjects, schemas
}

// --- parsed schema cache ------------------------------------------------------

type parseKey struct {
	ctx string
	id  int
}

// parsedKey identifies stored content by what it is (the hash of its
// schema, references and metadata) within a context, not by its id: an id
// handed out speculatively in a batch whose append then failed is handed
// out again for other content, and must not find the first content's parse.
type parsedKey struct {
	ctx string
	key [32]byte
}

// parseCache keeps parsed history schemas: parsing is the expensive part of
// a compatibility check. Entries are keyed by content, so they never go
// stale.
type parseCache struct {
	mu sync.RWMutex
	m  map[parsedKey]avro.Schema
}

// parsedContent returns c parsed, with its references resolved in st.
func (r *Registry) parsedContent(st *State, c *Content) (avro.Schema, error) {
	k := parsedKey{c.Context, c.key}
	r.parsed.mu.RLock()
	s := r.parsed.m[k]
	r.parsed.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	refs, err := st.referenceTexts(c.References)
	if err != nil {
		return nil, err
	}
	s, err = avroschema.ParseWithReferences(c.Schema, refs...)
	if err != nil {
		return nil, fmt.Errorf("stored schema %d does not parse: %w", c.ID, err)
	}
	r.parsed.mu.Lock()
	r.parsed.m[k] = s
	r.parsed.mu.Unlock()
	return s, nil
}

// referenceTexts returns the texts of refs and of everything they reference,
// dependencies first, each once: the order ParseWithReferences needs.
func (st *State) referenceTexts(refs []Reference) ([]string, error) {
	var out []string
	seen := map[parseKey]bool{}
	var visit func(refs []Reference, depth int) error
	visit = func(refs []Reference, depth int) error {
		if depth > 100 {
			return errors.New("references nested more than 100 levels deep")
		}
		for _, ref := range refs {
			v, err := st.lookupRef(ref)
			if err != nil {
				return err
			}
			k := parseKey{v.Content.Context, v.Content.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			if err := visit(v.Content.References, depth+1); err != nil {
				return err
			}
			out = append(out, v.Content.Schema)
		}
		return nil
	}
	if err := visit(refs, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// lookupRef finds the version a reference names (soft-deleted versions
// count: they are still resolvable).
func (st *State) lookupRef(ref Reference) (*Version, error) {
	sub := st.subjects[NormalizeSubject(ref.Subject)]
	if sub == nil {
		return nil, fmt.Errorf("reference %q: subject %q not found", ref.Name, ref.Subject)
	}
	if ref.Version == -1 {
		if v := sub.latest(false); v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("reference %q: subject %q has no live version", ref.Name, ref.Subject)
	}
	i, ok := sub.find(ref.Version)
	if !ok {
		return nil, fmt.Errorf("reference %q: version %d of subject %q not found", ref.Name, ref.Version, ref.Subject)
	}
	return sub.versions[i], nil
}
