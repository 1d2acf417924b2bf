package serde

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hamba/avro/v2"
	"github.com/modern-go/reflect2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/avrovalue"
)

// ErrNotRegistered means a type's schema is not registered under its subject
// (and the Codec may not register it).
var ErrNotRegistered = errors.New("schema not registered")

// Limits of the hamba/avro configuration NewAPI returns.
const (
	// MaxBytesSize is the largest Avro string or bytes value decoded.
	MaxBytesSize = 64 << 20
	// MaxSliceSize is the largest number of array or map items decoded.
	MaxSliceSize = 16 << 20
)

// NewAPI returns the hamba/avro configuration edactl's generated code and
// Codec use: struct tag "avro", union branches resolved by registered name
// with an error for an unknown one, and string, bytes and slice sizes
// bounded by MaxBytesSize and MaxSliceSize. Each generated type has its own
// API, so types with the same Avro names from different versions never
// share a registration.
func NewAPI() avro.API {
	return avro.Config{
		TagKey:               "avro",
		UnionResolutionError: true,
		MaxByteSliceSize:     MaxBytesSize,
		MaxSliceAllocSize:    MaxSliceSize,
	}.Freeze()
}

// Type describes a Go type to a Codec: generated code builds one per type.
type Type struct {
	// Subject is the registry subject the type's schema is registered
	// under.
	Subject string
	// Schema is the type's own schema: what it encodes with and the reader
	// schema it decodes every writer version into.
	Schema avro.Schema
	// Text is the schema's JSON as registered, for looking its id up.
	Text string
	// API is the hamba/avro configuration for the type (NewAPI, with the
	// Go types of union branches registered).
	API avro.API

	// body holds what DecodeBody reuses between calls (NewType sets it):
	// pooled hamba readers and the decoder of the Go type last decoded.
	body *bodyDecoding
}

// CodecOpt configures a Codec.
type CodecOpt func(*codecConfig)

type codecConfig struct {
	autoRegister bool
	anySubject   bool
	converters   map[uint64]func(body []byte, out any) error
}

// Converter decodes a body written with one version of a type's schema into
// another version's Go type through code (the conversions edactl generates),
// in place of schema resolution.
type Converter struct {
	// Fingerprint is the CRC-64-AVRO fingerprint of the Parsing Canonical
	// Form of the writer schema the converter reads.
	Fingerprint uint64
	// Convert decodes body, written with that schema, into out, a pointer
	// to the Codec's type.
	Convert func(body []byte, out any) error
}

// WithConverters decodes records whose writer schema has the fingerprint of
// one of cs through it, so that a Codec gives exactly what the generated
// conversions (and their hooks) give. Writers with other schemas, and the
// type's own, are decoded as without the option: through Resolver.
func WithConverters(cs ...Converter) CodecOpt {
	return func(c *codecConfig) {
		if c.converters == nil {
			c.converters = map[uint64]func([]byte, any) error{}
		}
		for _, cv := range cs {
			c.converters[cv.Fingerprint] = cv.Convert
		}
	}
}

// WithAutoRegister registers the type's schema under its subject when it is
// not registered yet. The default only looks the schema up and fails with
// ErrNotRegistered, so producers never change the registry by accident.
func WithAutoRegister() CodecOpt { return func(c *codecConfig) { c.autoRegister = true } }

// WithAnySubject decodes records whose writer schema is registered under
// another subject, as long as it resolves against the type's schema. The
// default fails with ErrSubjectMismatch.
func WithAnySubject() CodecOpt { return func(c *codecConfig) { c.anySubject = true } }

// Codec encodes values of a Go type T in the Confluent wire format and
// decodes records written with any registered version of the type's schema
// into T.
//
// Encoding looks the type's schema id up in the registry once (by schema
// text, then by Parsing Canonical Form among the subject's versions) and
// caches it. Decoding fetches each writer schema once per id, checks that it
// belongs to the type's subject, and compiles its resolution against the
// type's schema once (NewResolver); records written with the type's own
// schema are decoded straight from the input. A Codec is safe for
// concurrent use.
type Codec[T any] struct {
	reg *Registry
	typ Type
	cfg codecConfig
	fp  uint64
	// reset is true when decoding does not set every part of a T
	// (avrovalue.Overwrites): Decode then zeroes *v first.
	reset bool

	idOnce sync.Mutex
	id     atomic.Int64 // 0 until known; id+1 is stored so that id 0 is representable

	mu      sync.Mutex
	readers atomic.Pointer[map[int]*readerEntry] // copy on write

	// dec is hamba's decoder of *T with the type's schema, looked up once
	// instead of in hamba's cache per call.
	dec        avro.ValDecoder
	readerPool sync.Pool // *avro.Reader
	writerPool sync.Pool // *avro.Writer
	bufPool    sync.Pool // *[]byte for resolved bodies
}

// readerEntry is what decoding needs for one writer schema id.
type readerEntry struct {
	writer   *Schema
	resolver *Resolver                        // nil when the writer's encoding is the type's own
	convert  func(body []byte, out any) error // WithConverters, for another version
}

// NewCodec returns a Codec for T described by typ, reading the registry
// through reg.
func NewCodec[T any](reg *Registry, typ Type, opts ...CodecOpt) *Codec[T] {
	c := &Codec[T]{reg: reg, typ: typ, fp: avroschema.FingerprintCRC64(typ.Schema), reset: !avrovalue.Overwrites(typ.Schema)}
	for _, o := range opts {
		o(&c.cfg)
	}
	empty := map[int]*readerEntry{}
	c.readers.Store(&empty)
	c.dec = decoderOf(typ.API, typ.Schema, reflect2.TypeOf((*T)(nil)))
	c.readerPool.New = func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(typ.API)) }
	c.writerPool.New = func() any { return avro.NewWriter(nil, 512, avro.WithWriterConfig(typ.API)) }
	c.bufPool.New = func() any { b := make([]byte, 0, 512); return &b }
	return c
}

// Type returns the type description the Codec was built with.
func (c *Codec[T]) Type() Type { return c.typ }

// ID returns the registry id of the type's schema under its subject,
// looking it up on first use.
func (c *Codec[T]) ID(ctx context.Context) (int, error) {
	if v := c.id.Load(); v != 0 {
		return int(v - 1), nil
	}
	c.idOnce.Lock()
	defer c.idOnce.Unlock()
	if v := c.id.Load(); v != 0 {
		return int(v - 1), nil
	}
	s, err := c.lookup(ctx)
	if err != nil {
		return 0, err
	}
	c.remember(s.ID, &readerEntry{writer: s})
	c.id.Store(int64(s.ID) + 1)
	return s.ID, nil
}

func (c *Codec[T]) lookup(ctx context.Context) (*Schema, error) {
	cl := c.reg.Client()
	subject := c.typ.Subject
	ss, err := cl.LookupSchema(ctx, subject, sr.Schema{Schema: c.typ.Text})
	if err == nil {
		return c.reg.SchemaBySubject(ctx, subject, ss.Version)
	}
	if err = registryError(err); !isCode(err, 40401) && !isCode(err, 40403) {
		return nil, fmt.Errorf("look up the schema of subject %q: %w", subject, err)
	}
	// The text may differ from what was registered (whitespace, attribute
	// order, doc): find a version that reads and writes the same bytes.
	versions, err := cl.SubjectVersions(ctx, subject)
	if err != nil && !isCode(registryError(err), 40401) {
		return nil, fmt.Errorf("list versions of subject %q: %w", subject, registryError(err))
	}
	for i := len(versions) - 1; i >= 0; i-- {
		s, err := c.reg.SchemaBySubject(ctx, subject, versions[i])
		if err != nil {
			return nil, err
		}
		if avroschema.FingerprintCRC64(s.Avro) == c.fp {
			return s, nil
		}
	}
	if !c.cfg.autoRegister {
		return nil, fmt.Errorf("subject %q has no version with the schema of this type (fingerprint %016x): %w", subject, c.fp, ErrNotRegistered)
	}
	id, err := cl.RegisterSchema(ctx, subject, sr.Schema{Schema: c.typ.Text}, -1, -1)
	if err != nil {
		return nil, fmt.Errorf("register the schema under subject %q: %w", subject, registryError(err))
	}
	return c.reg.SchemaByID(ctx, id)
}

// Encode returns v in the wire format, framed with the type's schema id.
func (c *Codec[T]) Encode(ctx context.Context, v *T) ([]byte, error) {
	return c.AppendEncode(ctx, nil, v)
}

// AppendEncode appends v in the wire format to dst.
func (c *Codec[T]) AppendEncode(ctx context.Context, dst []byte, v *T) ([]byte, error) {
	id, err := c.ID(ctx)
	if err != nil {
		return dst, err
	}
	w := c.writerPool.Get().(*avro.Writer)
	defer c.writerPool.Put(w)
	w.Reset(nil)
	w.Error = nil
	if err := encodeBody(w, c.typ.Schema, v); err != nil {
		return dst, err
	}
	dst = AppendHeader(dst, id)
	return append(dst, w.Buffer()...), nil
}

// Decode decodes a framed record written with any registered version of the
// type's schema into v, filling what the writer's version lacks with the
// defaults of the type's schema. Errors match ErrNotFramed,
// ErrUnknownMagic, ErrUnknownSchemaID, ErrSubjectMismatch, ErrIncompatible,
// ErrTruncated or ErrInvalidValue.
func (c *Codec[T]) Decode(ctx context.Context, framed []byte, v *T) error {
	id, body, err := ParseHeader(framed)
	if err != nil {
		return err
	}
	e, err := c.reader(ctx, id)
	if err != nil {
		return err
	}
	if e.convert != nil {
		var zero T
		*v = zero
		if err := e.convert(body, v); err != nil {
			return fmt.Errorf("decode schema id %d into %s: %w", id, avrovalue.Label(c.typ.Schema), err)
		}
		return nil
	}
	if e.resolver == nil {
		return c.unmarshal(id, body, v)
	}
	bp := c.bufPool.Get().(*[]byte)
	defer c.bufPool.Put(bp)
	resolved, err := e.resolver.Append((*bp)[:0], body)
	if err != nil {
		var ve *ValueError
		if errors.As(err, &ve) && ve.Offset >= 0 {
			ve.Offset += HeaderSize
		}
		return fmt.Errorf("decode schema id %d into %s: %w", id, avrovalue.Label(c.typ.Schema), err)
	}
	*bp = resolved
	return c.unmarshal(id, resolved, v)
}

// unmarshal decodes body (in the type's own encoding) into v, zeroed
// first, unless decoding sets every part of it, so that nothing of an
// earlier value survives.
func (c *Codec[T]) unmarshal(id int, body []byte, v *T) error {
	if c.reset {
		var zero T
		*v = zero
	}
	if c.dec == nil {
		return decodeError(c.typ.Schema, id, ErrInvalidValue, fmt.Errorf("no hamba/avro decoder of %T for the type's schema (a Type not made by NewType?)", v))
	}
	r := c.readerPool.Get().(*avro.Reader)
	err := decodeWith(r, c.dec, c.typ.Schema, body, unsafe.Pointer(v), id)
	c.readerPool.Put(r)
	return err
}

// reader returns the decoding plan for writer schema id, building it on
// first use.
func (c *Codec[T]) reader(ctx context.Context, id int) (*readerEntry, error) {
	if e, ok := (*c.readers.Load())[id]; ok {
		return e, nil
	}
	ws, err := c.reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.cfg.anySubject {
		if err := c.checkSubject(ws); err != nil {
			return nil, err
		}
	}
	if fp := avroschema.FingerprintCRC64(ws.Avro); fp != c.fp {
		if conv := c.cfg.converters[fp]; conv != nil {
			e := &readerEntry{writer: ws, convert: conv}
			c.remember(id, e)
			return e, nil
		}
	}
	res, err := NewResolver(ws.Avro, c.typ.Schema)
	if err != nil {
		return nil, fmt.Errorf("schema id %d (subject %q version %d) cannot be read as %s: %w", id, ws.Subject, ws.Version, avrovalue.Label(c.typ.Schema), err)
	}
	e := &readerEntry{writer: ws}
	if !res.Identity() {
		e.resolver = res
	}
	c.remember(id, e)
	return e, nil
}

func (c *Codec[T]) remember(id int, e *readerEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.readers.Load()
	next := make(map[int]*readerEntry, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[id] = e
	c.readers.Store(&next)
}

// checkSubject fails with ErrSubjectMismatch when the writer schema is known
// to be registered only under other subjects, or, when the registry does
// not say where it is registered, when its record name differs.
func (c *Codec[T]) checkSubject(ws *Schema) error {
	if ws.Subject != "" || len(ws.Subjects) > 0 {
		if ws.registeredUnder(c.typ.Subject) {
			return nil
		}
		var where []string
		for _, sv := range ws.Subjects {
			where = append(where, fmt.Sprintf("%s v%d", sv.Subject, sv.Version))
		}
		if len(where) == 0 {
			where = append(where, fmt.Sprintf("%s v%d", ws.Subject, ws.Version))
		}
		return fmt.Errorf("schema id %d is registered under %v, not under %q: %w", ws.ID, where, c.typ.Subject, ErrSubjectMismatch)
	}
	wn, wok := avrovalue.Deref(ws.Avro).(avro.NamedSchema)
	rn, rok := avrovalue.Deref(c.typ.Schema).(avro.NamedSchema)
	if wok && rok && namesMatch(wn, rn) {
		return nil
	}
	return fmt.Errorf("schema id %d (%s) is not a version of %s (subject %q): %w", ws.ID, typeDesc(ws.Avro), typeDesc(c.typ.Schema), c.typ.Subject, ErrSubjectMismatch)
}
