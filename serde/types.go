package serde

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hamba/avro/v2"
	"github.com/modern-go/reflect2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/avrovalue"
)

// Record is what every root type edactl generates implements.
type Record interface {
	// AvroSchema returns the type's schema, parsed once with its own
	// SchemaCache.
	AvroSchema() avro.Schema
	// AvroSubject returns the registry subject of the type's schema.
	AvroSubject() string
	// AvroVersion returns the version number of the type's schema in the
	// schema tree (vN.avsc) or the registry.
	AvroVersion() int
	// AvroFingerprint returns the CRC-64-AVRO fingerprint of the schema's
	// Parsing Canonical Form.
	AvroFingerprint() uint64
	// EventKind returns the x-eda-kind: event, command, document or query.
	EventKind() string
	// Key returns the partition key (the x-eda-key field), or nil.
	Key() []byte
	// MarshalAvro returns the Avro binary encoding (no wire-format
	// header) of the value with the type's schema.
	MarshalAvro() ([]byte, error)
	// UnmarshalAvro decodes an Avro binary body written with the type's
	// schema.
	UnmarshalAvro([]byte) error
}

// NewType parses a generated type's schema text with a fresh SchemaCache
// and returns its description with its own API (NewAPI). register, if not
// nil, registers the Go types of union branches on the API.
func NewType(subject, text string, register func(avro.API)) (Type, error) {
	s, err := avroschema.Parse(text)
	if err != nil {
		return Type{}, err
	}
	api := NewAPI()
	if register != nil {
		register(api)
	}
	bd := &bodyDecoding{}
	bd.readers.New = func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(api)) }
	return Type{Subject: subject, Schema: s, Text: text, API: api, body: bd}, nil
}

// bodyDecoding is what DecodeBody keeps for a Type: pooled readers (a
// reader keeps the slab its strings are cut from) and hamba's decoder of
// the last Go type decoded, so a call costs no lookup in hamba's decoder
// cache (generated code decodes one Go type per Type).
type bodyDecoding struct {
	readers sync.Pool // *avro.Reader
	last    atomic.Pointer[typeDecoder]
}

// typeDecoder is hamba's decoder of one Go pointer type.
type typeDecoder struct {
	rtype uintptr
	dec   avro.ValDecoder
}

// decoder returns hamba's decoder of v's type (a pointer) with schema, or
// nil if v is not a pointer.
func (bd *bodyDecoding) decoder(api avro.API, schema avro.Schema, v any) avro.ValDecoder {
	rtype := reflect2.RTypeOf(v)
	if d := bd.last.Load(); d != nil && d.rtype == rtype {
		return d.dec
	}
	typ := reflect2.TypeOf(v)
	dec := decoderOf(api, schema, typ)
	if dec == nil {
		return nil
	}
	bd.last.Store(&typeDecoder{rtype: rtype, dec: dec})
	return dec
}

// decoderOf returns hamba's decoder of typ (a pointer type) with schema,
// or nil when there is none: no API or schema, or hamba fails building it.
func decoderOf(api avro.API, schema avro.Schema, typ reflect2.Type) (dec avro.ValDecoder) {
	if api == nil || schema == nil || typ == nil || typ.Kind() != reflect.Pointer {
		return nil
	}
	defer func() {
		if recover() != nil {
			dec = nil
		}
	}()
	return api.DecoderOf(schema, typ)
}

// AppendBody appends the Avro binary encoding of v (a pointer to the type's
// Go value) with t's schema to dst, without a wire-format header.
func AppendBody(dst []byte, t Type, v any) ([]byte, error) {
	w := avro.NewWriter(nil, 256, avro.WithWriterConfig(t.API))
	if err := encodeBody(w, t.Schema, v); err != nil {
		return dst, err
	}
	return append(dst, w.Buffer()...), nil
}

// encodeBody writes v with w. hamba/avro panics on some values (a nil
// *big.Rat for a decimal); that becomes an error too.
func encodeBody(w *avro.Writer, schema avro.Schema, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("encode %s: %w: %v (a nil pointer where the schema has no null?)", avrovalue.Label(schema), ErrInvalidValue, p)
		}
	}()
	w.WriteVal(schema, v)
	if w.Error != nil {
		err = fmt.Errorf("encode %s: %w: %w", avrovalue.Label(schema), ErrInvalidValue, w.Error)
		w.Error = nil
	}
	return err
}

// DecodeBody decodes an Avro binary body written with t's schema into v (a
// pointer to the type's Go value). Unlike hamba's Unmarshal it fails on a
// truncated body (ErrTruncated) and on bytes left after the value
// (ErrInvalidValue).
func DecodeBody(t Type, body []byte, v any) error {
	bd := t.body
	if bd == nil { // a Type not made by NewType
		bd = &bodyDecoding{}
		bd.readers.New = func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(t.API)) }
	}
	dec := bd.decoder(t.API, t.Schema, v)
	ptr := reflect2.PtrOf(v)
	if dec == nil || ptr == nil {
		return decodeError(t.Schema, -1, ErrInvalidValue, fmt.Errorf("want a non-nil pointer to the type's Go value, got %T", v))
	}
	r := bd.readers.Get().(*avro.Reader)
	err := decodeWith(r, dec, t.Schema, body, ptr, -1)
	bd.readers.Put(r)
	return err
}

// decodeWith runs dec (hamba's decoder of the value's type) with r over
// body into the value at ptr and checks that the body was whole and
// nothing was left; r is left reset. id is the writer's schema id for
// messages, -1 if none.
func decodeWith(r *avro.Reader, dec avro.ValDecoder, schema avro.Schema, body []byte, ptr unsafe.Pointer, id int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = decodeError(schema, id, ErrInvalidValue, fmt.Errorf("%v", p))
		}
		r.Error = nil
		r.Reset(nil)
	}()
	r.Reset(body)
	dec.Decode(ptr, r)
	if r.Error != nil {
		sentinel := ErrInvalidValue
		if errors.Is(r.Error, io.EOF) || errors.Is(r.Error, io.ErrUnexpectedEOF) {
			sentinel = ErrTruncated
		}
		return decodeError(schema, id, sentinel, r.Error)
	}
	if r.Peek(); r.Error == nil {
		return decodeError(schema, id, ErrInvalidValue, fmt.Errorf("bytes left after the value (body of %d bytes)", len(body)))
	}
	return nil
}

// decodeError is a failed decode of schema (from writer schema id, or -1).
//
//go:noinline
func decodeError(schema avro.Schema, id int, sentinel, err error) error {
	label := "a value without a schema"
	if schema != nil {
		label = avrovalue.Label(schema)
	}
	if id < 0 {
		return fmt.Errorf("decode %s: %w: %w", label, sentinel, err)
	}
	return fmt.Errorf("decode schema id %d into %s: %w: %w", id, label, sentinel, err)
}
