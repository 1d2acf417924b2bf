package registry

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edactl/edactl/registry/store"
)

// Registry is the schema registry service: it validates writes, appends them
// to the log, folds the log into the state readers see, and answers queries
// from memory.
//
// Readers take the published state (an immutable snapshot, see state) with
// one atomic load and never lock: nothing a reader does, parsing or a
// compatibility check included, waits for a write or for another reader.
//
// Writes go through one sequencer goroutine (see sequencer.go). It takes
// every queued command, runs each against a working copy of the published
// state (so later commands in the batch see earlier ones), appends all
// resulting records with one Log.Append (one fsync), then publishes the
// working copy and only then answers the writers. Acknowledged therefore
// means durable, and a reader never sees a change that is not yet durable.
type Registry struct {
	log    store.Log
	cfg    config
	logger *slog.Logger

	// pub is the published state. It is replaced, never changed, and only
	// by the sequencer (and Open).
	pub atomic.Pointer[state]

	cmds    chan *command
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	parsed parseCache
	stats  stats

	// queuedAtRelease is how many commands were waiting when the last batch
	// was answered (sequencer goroutine only).
	queuedAtRelease int

	// shared is the log when other instances append to it too: then the
	// reader (follow) folds every record, and the sequencer only appends.
	shared     store.Shared
	stopFollow context.CancelFunc
	followed   chan struct{}
	// instance names this Registry in the commands it appends; seq numbers
	// them (sequencer goroutine only).
	instance string
	seq      uint64
	// pending are this instance's appended commands waiting for the reader
	// to fold them, by origin.
	pendMu  sync.Mutex
	pending map[string]*command
	// inFlight bounds the appends to a shared log running at once.
	inFlight chan struct{}
	// progress is the offset up to which the published state has folded
	// the log.
	progress progress
	// failure is set when the reader stopped on a record it cannot fold (a
	// newer format): writes and consistent reads then fail with it.
	failure atomic.Pointer[error]

	// The snapshot file: the offset of the last one written, the hash of
	// the last record folded, and whether one is being written.
	snapMu      sync.Mutex
	snapAt      uint64
	lastHash    string
	snapWriting bool
	snapDone    sync.WaitGroup

	// beforeCompare, when set (by tests only, before any call), runs before
	// each compatibility comparison with the subject being checked.
	beforeCompare func(subject string)
}

// Open replays log into a new Registry and starts its sequencer. The caller
// keeps ownership of log and closes it after Close.
//
// A log that implements store.Shared (Kafka) is followed: after the replay a
// reader folds every record appended from then on, by any instance, and
// answers this instance's writers when it folds their commands.
func Open(ctx context.Context, log store.Log, opts ...Option) (*Registry, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Registry{
		log:      log,
		cfg:      cfg,
		logger:   cfg.logger,
		cmds:     make(chan *command, 4096),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
		parsed:   newParseCache(cfg.parseCacheBytes),
		pending:  map[string]*command{},
		inFlight: make(chan struct{}, maxInFlight),
		instance: newInstanceID(),
	}
	r.progress.ch = make(chan struct{})
	start := time.Now()
	rejected := 0
	st := r.startState(func(n uint64) (string, error) { return lastRecordHash(ctx, log, n) })
	r.snapAt = st.next
	n := 0
	err := log.Replay(ctx, st.next, func(off uint64, data []byte) error {
		rec, _, refused, err := r.fold(st, off, data, nil)
		if err != nil {
			return err
		}
		r.noteHash(data)
		if refused != nil && !rec.Kind.isCommand() {
			rejected++
			r.logger.Warn("log record rejected by the fold (skipped, as every replica does)", "offset", off, "error", refused)
		}
		n++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("registry: replay: %w", err)
	}
	r.logger.Info("registry state loaded", "records", n, "rejected", rejected,
		"subjects", st.subjects.len(), "duration", time.Since(start).Round(time.Millisecond))
	r.pub.Store(st)
	r.progress.at = st.next
	r.maybeSnapshot(st)
	if sh, ok := log.(store.Shared); ok {
		r.shared = sh
		fctx, cancel := context.WithCancel(context.Background())
		r.stopFollow = cancel
		r.followed = make(chan struct{})
		go r.follow(fctx, sh)
	}
	go r.sequence()
	return r, nil
}

// snapshot returns the published state. It is immutable: read it without
// any lock, for as long as needed.
func (r *Registry) snapshot() *state { return r.pub.Load() }

// Close stops the sequencer (and the reader of a shared log). Writes
// waiting in the queue fail with ErrClosed; reads keep working. It does not
// close the log.
func (r *Registry) Close() error {
	r.once.Do(func() { close(r.stop) })
	<-r.stopped
	if r.stopFollow != nil {
		// Wait for the appends in flight (taking every slot), then stop
		// the reader.
		for range cap(r.inFlight) {
			r.inFlight <- struct{}{}
		}
		r.stopFollow()
		<-r.followed
	}
	r.finalSnapshot()
	return nil
}
