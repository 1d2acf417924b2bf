package registry

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/edactl/edactl/registry/compat"
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
	compatBudget   int
	maxID          int
	snapshotPath   string
	snapshotEvery  int
	preparedChecks bool
	// parseCacheBytes bounds the parsed-schema cache (estimated); 0 is
	// unbounded.
	parseCacheBytes int
}

func defaultConfig() config {
	return config{
		logger:          slog.New(slog.DiscardHandler),
		defaultLevel:    compat.Backward,
		maxBatch:        1024,
		maxSchemaBytes:  4 << 20,
		writeTimeout:    30 * time.Second,
		commitDelay:     DefaultCommitDelay,
		compatBudget:    compat.DefaultBudget,
		maxID:           maxIDOrVersion,
		snapshotEvery:   10_000,
		preparedChecks:  true,
		parseCacheBytes: DefaultParseCacheBytes,
	}
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

// DefaultCommitDelay is the commit delay WithCommitDelay overrides.
const DefaultCommitDelay = 2 * time.Millisecond

// WithCommitDelay sets how long the sequencer waits for more writers before
// a commit when fewer are queued than joined the previous one, overriding the
// default of 2ms. Writers released by a commit come back within a fraction
// of a millisecond; waiting for them lets one fsync acknowledge them all
// instead of splitting them over two. 0 disables the wait.
func WithCommitDelay(d time.Duration) Option { return func(c *config) { c.commitDelay = d } }

// WithCompatibilityBudget sets the work budget of each compatibility check
// (registration and the compatibility endpoints), in compat.CheckBounded's
// steps, overriding the default of compat.DefaultBudget (10,000,000, far
// above what real schemas need). A check that exceeds it fails with 42201
// instead of holding a request for as long as a hostile schema makes it
// take.
func WithCompatibilityBudget(steps int) Option { return func(c *config) { c.compatBudget = steps } }

// WithPreparedChecks(false) checks compatibility against plain parsed
// schemas, indexing every history version again at each check, instead of
// against schemas prepared once per stored version (compat.Prepare), which
// is the default (true). Both find the same problems and reach the same
// budget verdicts; the option exists to measure the difference.
func WithPreparedChecks(on bool) Option { return func(c *config) { c.preparedChecks = on } }

// DefaultParseCacheBytes is the parsed-schema cache bound
// WithParseCacheBytes overrides: 1 GiB, by estimate (about 39,000 versions
// of a 60-field record).
const DefaultParseCacheBytes = 1 << 30

// WithParseCacheBytes bounds the memory (estimated: 8 bytes per byte of
// schema text) of the parsed and prepared history schemas compatibility
// checks keep, overriding DefaultParseCacheBytes; 0 means unbounded. The
// cache keeps what checks keep using; a version it dropped is parsed
// again by the next check that needs it.
func WithParseCacheBytes(n int) Option { return func(c *config) { c.parseCacheBytes = n } }

// withMaxID sets the largest schema id allocated, overriding the default of
// 2^31-1 (the largest id the wire format carries), so that tests can fill
// an id space. Every replica folding a log must use the same value, which
// is why it is not offered outside the package.
func withMaxID(n int) Option { return func(c *config) { c.maxID = n } }

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
	if c.parseCacheBytes < 0 {
		return fmt.Errorf("registry: parse cache bytes must not be negative, got %d", c.parseCacheBytes)
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
	if c.compatBudget < 1 {
		return fmt.Errorf("registry: compatibility budget must be at least 1 step, got %d", c.compatBudget)
	}
	if c.snapshotEvery < 1 {
		return fmt.Errorf("registry: snapshot interval must be at least 1 record, got %d", c.snapshotEvery)
	}
	if c.maxID < 1 || c.maxID > maxIDOrVersion {
		return fmt.Errorf("registry: max id must be in [1, %d], got %d", maxIDOrVersion, c.maxID)
	}
	return nil
}
