package stream

import (
	"fmt"
	"strconv"
)

// Format is a kcat-style output format for records (kcat -f), parsed once
// by ParseFormat and applied to each record by Append.
//
// Directives: %t topic, %p partition, %o offset, %k key, %v value, %K key
// length and %S value size in bytes (-1 for a null), %T timestamp in Unix
// milliseconds, %h headers as name=value pairs joined by commas, %% a
// percent sign. Escapes: \n newline, \t tab, \r carriage return, \\ a
// backslash. Nothing is added at the end: a format that wants one line
// per record ends in \n.
type Format struct {
	// Raw makes %k and %v the payload bytes as stored in Kafka; without
	// it they are the payload's text (Payload.Text: the JSON of decoded
	// values, the text of UTF-8 payloads, base64 of binary ones). A null
	// is empty either way.
	Raw bool
	// Escape, when set, applies to every piece of text taken from a record
	// (topic, key, value, header names and values) before it is written,
	// e.g. to keep control characters off a terminal.
	Escape func(string) string

	ops []formatOp
}

// formatOp is one piece of a parsed format: literal text, or a directive.
type formatOp struct {
	lit  string
	verb byte // 0 for a literal
}

// ParseFormat parses a kcat-style format string. An unknown directive or
// escape, or a lone % or \ at the end, is an error naming it and its
// position (1-based, in bytes).
func ParseFormat(s string) (*Format, error) {
	f := &Format{}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f.ops = append(f.ops, formatOp{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '%':
			if i+1 == len(s) {
				return nil, fmt.Errorf("format %q: a lone %% at position %d (write %%%% for a percent sign)", s, i+1)
			}
			i++
			switch v := s[i]; v {
			case '%':
				lit = append(lit, '%')
			case 't', 'p', 'o', 'k', 'v', 'K', 'S', 'T', 'h':
				flush()
				f.ops = append(f.ops, formatOp{verb: v})
			default:
				return nil, fmt.Errorf("format %q: unknown directive %%%c at position %d (known: %%t %%p %%o %%k %%v %%K %%S %%T %%h %%%%)", s, v, i)
			}
		case '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("format %q: a lone \\ at position %d (write \\\\ for a backslash)", s, i+1)
			}
			i++
			switch v := s[i]; v {
			case 'n':
				lit = append(lit, '\n')
			case 't':
				lit = append(lit, '\t')
			case 'r':
				lit = append(lit, '\r')
			case '\\':
				lit = append(lit, '\\')
			default:
				return nil, fmt.Errorf("format %q: unknown escape \\%c at position %d (known: \\n \\t \\r \\\\)", s, v, i)
			}
		default:
			lit = append(lit, c)
		}
	}
	flush()
	return f, nil
}

// Append appends r as the format says to dst.
func (f *Format) Append(dst []byte, r *Record) []byte {
	for _, op := range f.ops {
		switch op.verb {
		case 0:
			dst = append(dst, op.lit...)
		case 't':
			dst = f.appendText(dst, r.Topic)
		case 'p':
			dst = strconv.AppendInt(dst, int64(r.Partition), 10)
		case 'o':
			dst = strconv.AppendInt(dst, r.Offset, 10)
		case 'k':
			dst = f.appendPayload(dst, r.Key)
		case 'v':
			dst = f.appendPayload(dst, r.Value)
		case 'K':
			dst = strconv.AppendInt(dst, payloadLen(r.Key), 10)
		case 'S':
			dst = strconv.AppendInt(dst, payloadLen(r.Value), 10)
		case 'T':
			dst = strconv.AppendInt(dst, r.Timestamp.UnixMilli(), 10)
		case 'h':
			for i, h := range r.Headers {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = f.appendText(dst, h.Key)
				dst = append(dst, '=')
				dst = f.appendText(dst, string(h.Value))
			}
		}
	}
	return dst
}

func (f *Format) appendText(dst []byte, s string) []byte {
	if f.Escape != nil {
		s = f.Escape(s)
	}
	return append(dst, s...)
}

func (f *Format) appendPayload(dst []byte, p Payload) []byte {
	switch {
	case p.Encoding == EncNull:
		return dst
	case f.Raw && f.Escape == nil:
		return append(dst, p.Raw...)
	case f.Raw:
		return f.appendText(dst, string(p.Raw))
	}
	return f.appendText(dst, p.Text())
}

// payloadLen is the length of a payload's bytes, -1 for a null (as kcat).
func payloadLen(p Payload) int64 {
	if p.Encoding == EncNull {
		return -1
	}
	return int64(len(p.Raw))
}
