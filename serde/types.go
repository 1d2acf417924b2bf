package serde

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hamba/avro/v2"

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
	pool := &sync.Pool{New: func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(api)) }}
	return Type{Subject: subject, Schema: s, Text: text, API: api, readers: pool}, nil
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
	if t.readers == nil {
		return decodeBody(avro.NewReader(nil, 0, avro.WithReaderConfig(t.API)), t.Schema, body, v, -1)
	}
	r := t.readers.Get().(*avro.Reader)
	defer t.readers.Put(r)
	return decodeBody(r, t.Schema, body, v, -1)
}

// decodeBody runs r over body into v and checks that the body was whole and
// nothing was left. id is the writer's schema id for messages, -1 if none.
func decodeBody(r *avro.Reader, schema avro.Schema, body []byte, v any, id int) (err error) {
	what := func() string {
		if id < 0 {
			return "decode " + avrovalue.Label(schema)
		}
		return fmt.Sprintf("decode schema id %d into %s", id, avrovalue.Label(schema))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %w: %v", what(), ErrInvalidValue, p)
		}
		r.Error = nil
		r.Reset(nil)
	}()
	r.Reset(body)
	r.ReadVal(schema, v)
	if r.Error != nil {
		sentinel := ErrInvalidValue
		if errors.Is(r.Error, io.EOF) || errors.Is(r.Error, io.ErrUnexpectedEOF) {
			sentinel = ErrTruncated
		}
		return fmt.Errorf("%s: %w: %w", what(), sentinel, r.Error)
	}
	if r.Peek(); r.Error == nil {
		return fmt.Errorf("%s: %w: bytes left after the value (body of %d bytes)", what(), ErrInvalidValue, len(body))
	}
	return nil
}
