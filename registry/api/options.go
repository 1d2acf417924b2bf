package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Option configures the handler Open builds.
type Option func(*config)

type config struct {
	logger    *slog.Logger
	auth      *Auth
	version   string
	accessLog bool
	logOut    io.Writer // nil: access log records go to logger
	logFormat string

	// Limits (see docs/registry.md, "Limits").
	maxBody          int64
	maxMetadata      int
	maxReferences    int
	maxSubject       int
	schemaSearchDef  int
	schemaSearchMax  int
	maxChecks        int
	maxQueuedChecks  int
	checkQueueWait   time.Duration
	maxConnections   int
	maxAuthorization int

	// tls, when set, makes Server.Serve speak HTTPS.
	tls *tls.Config
}

// The default limits.
const (
	DefaultMaxBodyBytes          = 16 << 20
	DefaultMaxMetadataBytes      = 1 << 20
	DefaultMaxReferences         = 1000
	DefaultMaxSubjectBytes       = 4096
	DefaultSchemaSearchLimit     = 1000
	DefaultMaxConcurrentChecks   = 32
	DefaultMaxQueuedChecks       = 1024
	DefaultCheckQueueTimeout     = 10 * time.Second
	DefaultMaxConnections        = 10000
	DefaultMaxAuthorizationBytes = 8 << 10
)

func defaultConfig() config {
	return config{
		logger: slog.New(slog.DiscardHandler), version: "dev", accessLog: true,
		maxBody: DefaultMaxBodyBytes, maxMetadata: DefaultMaxMetadataBytes, maxReferences: DefaultMaxReferences,
		maxSubject: DefaultMaxSubjectBytes, schemaSearchDef: DefaultSchemaSearchLimit, schemaSearchMax: DefaultSchemaSearchLimit,
		maxChecks: DefaultMaxConcurrentChecks, maxQueuedChecks: DefaultMaxQueuedChecks, checkQueueWait: DefaultCheckQueueTimeout,
		maxConnections: DefaultMaxConnections, maxAuthorization: DefaultMaxAuthorizationBytes,
	}
}

// WithLogger sets the logger for errors and, unless WithAccessLogOutput
// is given, access logs, overriding the default of discarding them.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodyBytes sets the request body limit, overriding the default of
// DefaultMaxBodyBytes (16 MiB); larger bodies get 413 with error_code 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithMaxMetadataBytes sets the largest schema metadata a register, lookup
// or compatibility request may carry, counted as the bytes of its tag
// names and values, property keys and values and sensitive names,
// overriding the default of DefaultMaxMetadataBytes (1 MiB, the size of
// the largest record Confluent's Kafka store takes by default); more is
// 422 with error_code 42209.
func WithMaxMetadataBytes(n int) Option { return func(c *config) { c.maxMetadata = n } }

// WithMaxReferences sets how many references a register, lookup or
// compatibility request may carry, overriding the default of
// DefaultMaxReferences (1,000); more is 422 with error_code 42209. A
// reference's name and subject are bounded by WithMaxSubjectBytes.
func WithMaxReferences(n int) Option { return func(c *config) { c.maxReferences = n } }

// WithMaxSubjectBytes sets the longest subject name (in bytes, with its
// context qualifier) a request that writes or checks may name, overriding
// the default of DefaultMaxSubjectBytes (4 KiB, a file path's PATH_MAX);
// a longer path subject is 422 with error_code 42208, a longer reference
// name or subject 422 with 42209. Reads and deletes of existing subjects are
// not limited.
func WithMaxSubjectBytes(n int) Option { return func(c *config) { c.maxSubject = n } }

// WithSchemaSearchLimit sets GET /schemas's page size when ?limit= is not
// given (def) and its largest allowed ?limit= (maxLimit), overriding the default
// of DefaultSchemaSearchLimit (1,000) for both, Confluent's
// schema.search.default.limit and schema.search.max.limit. As on
// Confluent, a limit that is not positive or above maxLimit gives def.
func WithSchemaSearchLimit(def, maxLimit int) Option {
	return func(c *config) { c.schemaSearchDef, c.schemaSearchMax = def, maxLimit }
}

// WithMaxConcurrentChecks sets how many requests that parse or check
// schemas (register, lookup, compatibility) run at once, overriding the
// default of DefaultMaxConcurrentChecks (32). Others wait, see
// WithMaxQueuedChecks.
func WithMaxConcurrentChecks(n int) Option { return func(c *config) { c.maxChecks = n } }

// WithMaxQueuedChecks sets how many such requests may wait for a slot,
// overriding the default of DefaultMaxQueuedChecks (1,024). A request that
// finds the queue full, or waits longer than WithCheckQueueTimeout, gets
// 503 with error_code 503 and Retry-After: 1. Zero refuses at once when
// every slot is taken.
func WithMaxQueuedChecks(n int) Option { return func(c *config) { c.maxQueuedChecks = n } }

// WithCheckQueueTimeout sets how long a request waits for a slot,
// overriding the default of DefaultCheckQueueTimeout (10 s).
func WithCheckQueueTimeout(d time.Duration) Option { return func(c *config) { c.checkQueueWait = d } }

// WithMaxConnections sets how many connections Server.Serve keeps open at
// once, overriding the default of DefaultMaxConnections (10,000); 0 means
// no limit. A connection over the limit gets 503 with error_code 503 and
// Retry-After: 1, and is closed.
func WithMaxConnections(n int) Option { return func(c *config) { c.maxConnections = n } }

// WithMaxAuthorizationBytes sets the longest Authorization header accepted
// when authentication is on, overriding the default of
// DefaultMaxAuthorizationBytes (8 KiB, Jetty's whole-header limit, so what
// Confluent's server accepts); a longer one is 431 with error_code 431.
func WithMaxAuthorizationBytes(n int) Option { return func(c *config) { c.maxAuthorization = n } }

// WithAuth requires authentication with the given users and tokens,
// overriding the default of an open server.
func WithAuth(a *Auth) Option { return func(c *config) { c.auth = a } }

// WithTLS makes Server.Serve serve HTTPS with cfg, overriding the default
// of plain HTTP. A cfg that verifies client certificates (ClientCAs with
// ClientAuth) lets the auth file's certificates entries authenticate a
// request by the certificate's subject. cfg may change its certificates
// between handshakes (GetConfigForClient, GetCertificate), e.g. to reload
// them.
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithVersion sets the version GET /v1/metadata/version reports, overriding
// the default "dev".
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithAccessLog turns the per-request access log on or off, overriding the
// default of on.
func WithAccessLog(on bool) Option { return func(c *config) { c.accessLog = on } }

// WithAccessLogOutput writes the access log to w, one line per request in
// format "text" or "json" (the lines log/slog's TextHandler or JSONHandler
// would write for the same record), buffered and flushed every
// AccessLogFlushInterval, whenever AccessLogBufferBytes are waiting, and on
// Handler.Close. It overrides the default of one slog record per request
// through the WithLogger logger (at Info level), which costs a formatted
// record and a write to the logger's output per request.
func WithAccessLogOutput(w io.Writer, format string) Option {
	return func(c *config) { c.logOut, c.logFormat = w, format }
}

func (c *config) validate() error {
	if c.logger == nil {
		return errors.New("api: nil logger")
	}
	if c.maxBody < 1 {
		return errors.New("api: body limit must be positive")
	}
	if c.logOut != nil && c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("api: access log format %q: want text or json", c.logFormat)
	}
	for _, l := range []struct {
		name string
		n    int
		min  int
	}{
		{"metadata limit", c.maxMetadata, 1}, {"reference limit", c.maxReferences, 0}, {"subject length limit", c.maxSubject, 1},
		{"schema search default limit", c.schemaSearchDef, 1}, {"concurrent check limit", c.maxChecks, 1},
		{"queued check limit", c.maxQueuedChecks, 0}, {"connection limit", c.maxConnections, 0},
		{"Authorization header limit", c.maxAuthorization, 1},
	} {
		if l.n < l.min {
			return fmt.Errorf("api: %s must be at least %d, got %d", l.name, l.min, l.n)
		}
	}
	if c.schemaSearchMax < c.schemaSearchDef {
		return fmt.Errorf("api: schema search max limit %d is below the default limit %d", c.schemaSearchMax, c.schemaSearchDef)
	}
	if c.checkQueueWait <= 0 {
		return fmt.Errorf("api: check queue timeout must be positive, got %v", c.checkQueueWait)
	}
	return nil
}
