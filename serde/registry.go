package serde

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
)

// Schema is a registered Avro schema as a decoder needs it.
type Schema struct {
	// ID is the registry's global schema id.
	ID int
	// Text is the schema as the registry returned it.
	Text string
	// Avro is Text parsed with its references into a fresh SchemaCache
	// (avroschema.ParseWithReferences), never hamba's global cache.
	Avro avro.Schema
	// Subject and Version say where the schema is registered. When it is
	// fetched by id they are a best effort from GET
	// /schemas/ids/{id}/versions (the first entry); Subject is "" and
	// Version 0 when the registry does not say.
	Subject string
	Version int
	// Subjects lists every subject-version the schema id is registered
	// under, as far as the registry told us (nil if unknown).
	Subjects []sr.SubjectVersion
	// References are the schema references Text was parsed with.
	References []sr.SchemaReference

	// refTexts are the texts of every schema Text depends on, transitively,
	// dependencies first: what ParseWithReferences needs.
	refTexts []string
}

// registeredUnder reports whether the schema is registered under subject.
func (s *Schema) registeredUnder(subject string) bool {
	if s.Subject == subject {
		return true
	}
	for _, sv := range s.Subjects {
		if sv.Subject == subject {
			return true
		}
	}
	return false
}

// RegistryOpt configures a Registry.
type RegistryOpt func(*registryConfig)

type registryConfig struct {
	log       *slog.Logger
	latestTTL time.Duration
	now       func() time.Time
}

// WithLogger sets the logger for cache misses and registry calls (debug
// level). The default discards everything.
func WithLogger(l *slog.Logger) RegistryOpt {
	return func(c *registryConfig) { c.log = l }
}

// WithLatestTTL sets how long SchemaBySubject remembers which version is the
// latest of a subject. The default is 30 seconds; 0 asks the registry every
// time. Specific versions and ids are immutable and cached for the life of
// the Registry.
func WithLatestTTL(d time.Duration) RegistryOpt {
	return func(c *registryConfig) { c.latestTTL = d }
}

// withClock replaces time.Now (tests).
func withClock(now func() time.Time) RegistryOpt {
	return func(c *registryConfig) { c.now = now }
}

func (c *registryConfig) validate() error {
	if c.latestTTL < 0 {
		return fmt.Errorf("serde: latest TTL %v is negative", c.latestTTL)
	}
	return nil
}

// Registry is a schema cache over a franz-go schema registry client. It asks
// the registry at most once per schema id and once per subject-version
// (concurrent callers for the same key share one request; a failed request
// is not cached). It is safe for concurrent use.
type Registry struct {
	cl  *sr.Client
	cfg registryConfig

	mu     sync.RWMutex
	byID   map[int]*call
	bySV   map[subjectVersion]*call
	latest map[string]latestEntry
}

type subjectVersion struct {
	subject string
	version int
}

type latestEntry struct {
	s       *Schema
	expires time.Time
}

// call is one registry fetch that concurrent callers wait for.
type call struct {
	done chan struct{}
	s    *Schema
	err  error
}

// maxReferenceDepth bounds how deep schema references may nest.
const maxReferenceDepth = 32

// NewRegistry returns a Registry that reads schemas through cl. It panics
// if an option is invalid (a programming error, like a negative TTL).
func NewRegistry(cl *sr.Client, opts ...RegistryOpt) *Registry {
	cfg := registryConfig{
		log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		latestTTL: 30 * time.Second,
		now:       time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		panic(err)
	}
	return &Registry{
		cl:     cl,
		cfg:    cfg,
		byID:   map[int]*call{},
		bySV:   map[subjectVersion]*call{},
		latest: map[string]latestEntry{},
	}
}

// Client returns the franz-go client the Registry reads through.
func (r *Registry) Client() *sr.Client { return r.cl }

// SchemaByID returns the schema registered with id, from the cache or the
// registry. An id the registry does not know gives an error matching
// ErrUnknownSchemaID.
func (r *Registry) SchemaByID(ctx context.Context, id int) (*Schema, error) {
	r.mu.RLock()
	c, ok := r.byID[id]
	r.mu.RUnlock()
	if ok {
		select {
		case <-c.done:
			if c.err == nil {
				return c.s, nil
			}
		default:
		}
	}
	return load(ctx, r, r.byID, id, func(ctx context.Context) (*Schema, error) {
		return r.fetchByID(ctx, id)
	})
}

// SchemaBySubject returns version of subject (-1 for the latest). Specific
// versions are cached for the life of the Registry; which version is the
// latest is remembered for the WithLatestTTL duration. A subject or version
// the registry does not know gives an error wrapping the registry's answer
// (*sr.ResponseError).
func (r *Registry) SchemaBySubject(ctx context.Context, subject string, version int) (*Schema, error) {
	if version == -1 {
		return r.latestOf(ctx, subject)
	}
	if version < 1 {
		return nil, fmt.Errorf("subject %q version %d: versions are 1 or more (or -1 for the latest)", subject, version)
	}
	return r.bySubjectVersion(ctx, subject, version, nil)
}

// bySubjectVersion loads one subject-version. chain holds the subject-versions
// whose references are being resolved, so that a reference cycle is an error
// instead of a wait for itself.
func (r *Registry) bySubjectVersion(ctx context.Context, subject string, version int, chain []subjectVersion) (*Schema, error) {
	key := subjectVersion{subject, version}
	for _, sv := range chain {
		if sv == key {
			return nil, fmt.Errorf("subject %q version %d: schema references form a cycle", subject, version)
		}
	}
	if len(chain) > maxReferenceDepth {
		return nil, fmt.Errorf("subject %q version %d: schema references nest deeper than %d", subject, version, maxReferenceDepth)
	}
	r.mu.RLock()
	c, ok := r.bySV[key]
	r.mu.RUnlock()
	if ok {
		select {
		case <-c.done:
			if c.err == nil {
				return c.s, nil
			}
		default:
		}
	}
	return load(ctx, r, r.bySV, key, func(ctx context.Context) (*Schema, error) {
		ss, err := r.cl.SchemaByVersion(ctx, subject, version)
		if err != nil {
			return nil, fmt.Errorf("subject %q version %d: %w", subject, version, registryError(err))
		}
		return r.build(ctx, ss, append(chain[:len(chain):len(chain)], key))
	})
}

func (r *Registry) latestOf(ctx context.Context, subject string) (*Schema, error) {
	if r.cfg.latestTTL > 0 {
		r.mu.RLock()
		e, ok := r.latest[subject]
		r.mu.RUnlock()
		if ok && r.cfg.now().Before(e.expires) {
			return e.s, nil
		}
	}
	r.cfg.log.DebugContext(ctx, "fetch latest schema", "subject", subject)
	ss, err := r.cl.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		return nil, fmt.Errorf("subject %q latest version: %w", subject, registryError(err))
	}
	// The specific version is immutable: share the cache entry for it.
	key := subjectVersion{subject, ss.Version}
	s, err := load(ctx, r, r.bySV, key, func(ctx context.Context) (*Schema, error) {
		return r.build(ctx, ss, []subjectVersion{key})
	})
	if err != nil {
		return nil, err
	}
	if r.cfg.latestTTL > 0 {
		r.mu.Lock()
		r.latest[subject] = latestEntry{s: s, expires: r.cfg.now().Add(r.cfg.latestTTL)}
		r.mu.Unlock()
	}
	return s, nil
}

// load returns the cached result for key, or runs fetch once for all
// concurrent callers. Failures are not cached. A caller whose own context is
// still alive retries when the shared fetch failed only because the context
// of the caller that started it ended.
func load[K comparable](ctx context.Context, r *Registry, m map[K]*call, key K, fetch func(context.Context) (*Schema, error)) (*Schema, error) {
	for {
		r.mu.Lock()
		c, ok := m[key]
		if !ok {
			c = &call{done: make(chan struct{})}
			m[key] = c
			r.mu.Unlock()
			c.s, c.err = fetch(ctx)
			if c.err != nil {
				r.mu.Lock()
				delete(m, key)
				r.mu.Unlock()
			}
			close(c.done)
			return c.s, c.err
		}
		r.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err == nil {
			return c.s, nil
		}
		if ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			continue
		}
		return nil, c.err
	}
}

func (r *Registry) fetchByID(ctx context.Context, id int) (*Schema, error) {
	r.cfg.log.DebugContext(ctx, "fetch schema by id", "id", id)
	raw, err := r.cl.SchemaByID(ctx, id)
	if err != nil {
		err = registryError(err)
		if isCode(err, 40403) {
			return nil, fmt.Errorf("schema id %d: %w: %w", id, ErrUnknownSchemaID, err)
		}
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	ss := sr.SubjectSchema{ID: id, Schema: raw}
	// Best effort: which subject-versions use this id. Older registries
	// lack the endpoint; the schema is usable without it.
	svs, err := r.cl.SchemaVersionsByID(ctx, id)
	if err != nil {
		r.cfg.log.DebugContext(ctx, "schema versions by id", "id", id, "err", err)
	} else if len(svs) > 0 {
		ss.Subject, ss.Version = svs[0].Subject, svs[0].Version
	}
	s, err := r.build(ctx, ss, nil)
	if err != nil {
		return nil, err
	}
	s.Subjects = svs
	return s, nil
}

// build parses a registry answer, fetching its references first.
func (r *Registry) build(ctx context.Context, ss sr.SubjectSchema, chain []subjectVersion) (*Schema, error) {
	where := fmt.Sprintf("schema id %d", ss.ID)
	if ss.Subject != "" {
		where = fmt.Sprintf("schema id %d (subject %q version %d)", ss.ID, ss.Subject, ss.Version)
	}
	if ss.Type != sr.TypeAvro {
		return nil, fmt.Errorf("%s: schema type %s is not supported: edactl reads Avro", where, ss.Type)
	}
	var refTexts []string
	seen := map[string]bool{}
	for _, ref := range ss.References {
		dep, err := r.bySubjectVersion(ctx, ref.Subject, ref.Version, chain)
		if err != nil {
			return nil, fmt.Errorf("%s: reference %q: %w", where, ref.Name, err)
		}
		for _, t := range append(dep.refTexts[:len(dep.refTexts):len(dep.refTexts)], dep.Text) {
			if !seen[t] {
				seen[t] = true
				refTexts = append(refTexts, t)
			}
		}
	}
	if ss.ID < 0 || ss.ID > MaxSchemaID {
		return nil, fmt.Errorf("%s: schema id %d does not fit the wire format's 32 bits", where, ss.ID)
	}
	parsed, err := avroschema.ParseWithReferences(ss.Schema.Schema, refTexts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &Schema{
		ID:         ss.ID,
		Text:       ss.Schema.Schema,
		Avro:       parsed,
		Subject:    ss.Subject,
		Version:    ss.Version,
		References: ss.References,
		refTexts:   refTexts,
	}, nil
}

// RegistryError is a registry answer that is not a success: the HTTP status
// and Confluent error code, with the request that got it. Unlike
// *sr.ResponseError it unwraps, to the matching *sr.Error when the code is
// known.
type RegistryError struct {
	// Method and URL are the request.
	Method string
	URL    string
	// StatusCode is the HTTP status, Code the Confluent error code
	// (40403 for an unknown schema id).
	StatusCode int
	Code       int
	// Message is the registry's message.
	Message string
}

// Error names the request, the HTTP status, the Confluent error code and
// the registry's message.
func (e *RegistryError) Error() string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("registry: %s %s: HTTP %d, error code %d: %s", e.Method, e.URL, e.StatusCode, e.Code, msg)
}

// Unwrap returns the franz-go sentinel for the error code, if there is one.
func (e *RegistryError) Unwrap() error {
	if se := sr.ErrorForCode(e.Code); se != nil && se != sr.ErrUnknown {
		return se
	}
	return nil
}

// registryError turns franz-go's response error (which does not unwrap) into
// a RegistryError; other errors (network, context) pass through.
func registryError(err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return &RegistryError{Method: re.Method, URL: re.URL, StatusCode: re.StatusCode, Code: re.ErrorCode, Message: re.Message}
	}
	return err
}

func isCode(err error, code int) bool {
	var re *RegistryError
	return errors.As(err, &re) && re.Code == code
}
