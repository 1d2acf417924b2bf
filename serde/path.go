package serde

import (
	"fmt"
	"strconv"
	"strings"
)

// ValueError locates a problem inside a value: the field path, the byte
// offset in the input, and what is wrong. Err is ErrTruncated or
// ErrInvalidValue.
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

// Unwrap returns ErrTruncated or ErrInvalidValue.
func (e *ValueError) Unwrap() error { return e.Err }

// pathElem is one step of a field path; the path is only formatted when an
// error is reported, so walking a value costs no allocation.
type pathElem struct {
	name  string // field or type name; map key when isKey
	index int    // array index when name == "" and !isKey
	isKey bool
}

type path []pathElem

func (p *path) field(name string) { *p = append(*p, pathElem{name: name}) }
func (p *path) index(i int)       { *p = append(*p, pathElem{index: i}) }
func (p *path) key(k string)      { *p = append(*p, pathElem{name: k, isKey: true}) }
func (p *path) pop()              { *p = (*p)[:len(*p)-1] }

func (p path) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.isKey:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(e.name))
			b.WriteByte(']')
		case e.name == "" && e.index < 0:
			b.WriteString("[]") // any item (schema paths)
		case e.name == "":
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.name)
		}
	}
	return b.String()
}

func (p path) errorf(offset int, sentinel error, format string, args ...any) error {
	return &ValueError{Path: p.String(), Offset: offset, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}
