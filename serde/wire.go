package serde

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// MagicByte is the first byte of every record in the Confluent wire format.
const MagicByte byte = 0

// HeaderSize is the length of the wire-format header: the magic byte and the
// four-byte big-endian schema id.
const HeaderSize = 5

// Sentinel errors. They are wrapped with context naming the schema id, field
// path or byte offset; test for them with errors.Is.
var (
	// ErrNotFramed means the bytes are not a framed record: fewer than
	// HeaderSize bytes, or a first byte that is not MagicByte (an error
	// for an unknown magic byte matches both ErrNotFramed and
	// ErrUnknownMagic).
	ErrNotFramed = errors.New("not a framed record")
	// ErrUnknownMagic means the first byte is not MagicByte.
	ErrUnknownMagic = errors.New("unknown magic byte")
	// ErrUnknownSchemaID means the registry does not know the schema id in
	// the header.
	ErrUnknownSchemaID = errors.New("unknown schema id")
	// ErrSubjectMismatch means a record was written with a schema that is
	// not registered under the subject the reader expects.
	ErrSubjectMismatch = errors.New("subject mismatch")
	// ErrTruncated means the Avro body ended before the schema said it
	// would.
	ErrTruncated = errors.New("truncated input")
	// ErrInvalidValue means a value does not fit its schema: bad Avro
	// bytes on decode, or a JSON or Go value the schema cannot hold on
	// encode.
	ErrInvalidValue = errors.New("invalid value")
)

// magicError is the error for a first byte that is not MagicByte. It is both
// ErrUnknownMagic and ErrNotFramed. It is a one-byte value, so returning it
// allocates nothing: tools call ParseHeader on every key and value they
// read, and most keys are not framed.
type magicError struct{ b byte }

func (e magicError) Error() string {
	return fmt.Sprintf("%v 0x%02x at offset 0 (want 0x%02x): %v", ErrUnknownMagic, e.b, MagicByte, ErrNotFramed)
}

func (e magicError) Is(target error) bool {
	return target == ErrUnknownMagic || target == ErrNotFramed
}

// shortError is the error for fewer than HeaderSize bytes, a value for the
// same reason as magicError.
type shortError struct{ n uint8 }

func (e shortError) Error() string {
	return fmt.Sprintf("%d byte(s), want at least %d: %v", e.n, HeaderSize, ErrNotFramed)
}

func (e shortError) Unwrap() error { return ErrNotFramed }

// MaxSchemaID is the largest schema id a registry assigns (Confluent's ids
// are signed 32-bit integers). Schemas with a larger id are refused when
// they are fetched, so every id serde frames fits.
const MaxSchemaID = math.MaxInt32

// AppendHeader appends the wire-format header for schema id to dst and
// returns the extended slice. id must be in [0, MaxSchemaID], as every
// Schema serde hands out is; only the low 32 bits of id are written.
func AppendHeader(dst []byte, id int) []byte {
	return binary.BigEndian.AppendUint32(append(dst, MagicByte), uint32(id))
}

// IsFramed reports whether data starts with a wire-format header: at least
// HeaderSize bytes, the first of them MagicByte. ParseHeader fails exactly
// when it does not; IsFramed is the cheap test for tools that show
// unframed bytes as they are.
func IsFramed(data []byte) bool { return len(data) >= HeaderSize && data[0] == MagicByte }

// ParseHeader splits a framed record into its schema id and Avro body. The
// body aliases data. It fails with ErrNotFramed when data is shorter than
// HeaderSize and with ErrUnknownMagic (which is also ErrNotFramed) when the
// first byte is not MagicByte.
func ParseHeader(data []byte) (id int, body []byte, err error) {
	if len(data) < HeaderSize {
		return 0, nil, shortError{n: uint8(len(data))}
	}
	if data[0] != MagicByte {
		return 0, nil, magicError{b: data[0]}
	}
	return int(binary.BigEndian.Uint32(data[1:HeaderSize])), data[HeaderSize:], nil
}
