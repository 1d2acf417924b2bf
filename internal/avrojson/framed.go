package avrojson

import (
	"context"
	"errors"
	"fmt"

	"github.com/edactl/edactl/serde"
)

// DecodeJSON decodes a framed record into JSON (the mapping in the package
// doc) with the writer schema named by its header, fetched through reg. It
// returns the schema too. It compiles the schema for every record: to
// render many, look schemas up once and keep their Plans (see Plans).
//
// Errors name the schema id, the field path and the byte offset in framed;
// a record that is not framed matches serde.ErrNotFramed, truncated bodies
// serde.ErrTruncated, bad bytes serde.ErrInvalidValue, and an unknown id
// serde.ErrUnknownSchemaID. When the body does not decode, the writer
// schema is returned with the error.
func DecodeJSON(ctx context.Context, reg *serde.Registry, framed []byte) (json []byte, s *serde.Schema, err error) {
	id, body, err := serde.ParseHeader(framed)
	if err != nil {
		return nil, nil, err
	}
	s, err = reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	out, err := Compile(s.Avro).appendJSON(nil, body, serde.HeaderSize)
	if err != nil {
		return nil, s, fmt.Errorf("decode with schema id %d: %w", id, err)
	}
	return out, s, nil
}

// EncodeJSON encodes a JSON value with schema s, as AppendAvro does, and
// frames it with s.ID. Errors name the schema id, then the field path and
// the byte offset in jsonValue (a *serde.ValueError matching
// serde.ErrInvalidValue).
func EncodeJSON(s *serde.Schema, jsonValue []byte) (framed []byte, err error) {
	if s == nil || s.Avro == nil {
		return nil, errors.New("avrojson: EncodeJSON needs a parsed schema")
	}
	out, err := AppendAvro(serde.AppendHeader(nil, s.ID), s.Avro, jsonValue)
	if err != nil {
		return nil, fmt.Errorf("encode with schema id %d: %w", s.ID, err)
	}
	return out, nil
}
