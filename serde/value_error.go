package serde

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edactl/edactl/internal/avrovalue"
)

// ValueError locates a problem inside a value: the field path, the byte
// offset in the input, and what is wrong. Err is ErrTruncated,
// ErrInvalidValue or ErrIncompatible. Schema resolution (Resolver, Codec)
// reports it, and so does edactl's JSON form of Avro values.
type ValueError struct {
	// Path is the field path from the top-level type, e.g.
	// "OrderPlaced.items[2].price" or `Event.attrs["k"]`.
	Path string
	// Offset is the byte offset in the input (the framed record, the Avro
	// body or the JSON text, depending on the call) where the bad value
	// starts, or -1 when unknown.
	Offset int
	// Msg says what is wrong.
	Msg string
	// Err is the sentinel the error matches.
	Err error
}

// Error formats the problem as "path: offset N: message".
func (e *ValueError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Offset >= 0 {
		b.WriteString("offset ")
		b.WriteString(strconv.Itoa(e.Offset))
		b.WriteString(": ")
	}
	if e.Err == ErrTruncated {
		b.WriteString("truncated input: ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns Err, the sentinel the error matches.
func (e *ValueError) Unwrap() error { return e.Err }

// valueErrorf is the ValueError at path p and offset (-1 when unknown).
func valueErrorf(p avrovalue.Path, offset int, sentinel error, format string, args ...any) error {
	return &ValueError{Path: p.String(), Offset: offset, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}
