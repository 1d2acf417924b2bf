package stream

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/edactl/edactl/internal/avrojson"
)

// Encoding says how a payload is shown.
type Encoding string

// The encodings of a Payload.
const (
	// EncNull is an absent key or value (a Kafka null, e.g. a tombstone).
	EncNull Encoding = "null"
	// EncAvro is a Confluent-wire-format payload decoded through the
	// registry; JSON is the decoded value.
	EncAvro Encoding = "avro"
	// EncJSON is a non-framed payload holding a JSON object or array; JSON
	// is that document.
	EncJSON Encoding = "json"
	// EncUTF8 is non-framed text (valid UTF-8 without control characters
	// other than tab, newline and carriage return); JSON is a JSON string.
	EncUTF8 Encoding = "utf8"
	// EncBase64 is anything else (binary, or a framed payload that could
	// not be decoded); JSON is a JSON string of the standard base64 of the
	// bytes.
	EncBase64 Encoding = "base64"
)

// SchemaRef names the registry schema a payload was decoded with. The
// records of one read share the SchemaRef of a schema: treat it as read
// only.
type SchemaRef struct {
	ID      int    `json:"id"`
	Subject string `json:"subject,omitempty"`
	Version int    `json:"version,omitempty"`

	// json is the reference as AppendJSON writes it, when the reader that
	// made it rendered it ahead (once per schema, not per record).
	json string
}

// appendJSON appends the reference as a JSON object:
// {"id":3,"subject":"orders-value","version":2}.
func (r *SchemaRef) appendJSON(dst []byte) []byte {
	if r.json != "" {
		return append(dst, r.json...)
	}
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, int64(r.ID), 10)
	if r.Subject != "" {
		dst = append(dst, `,"subject":`...)
		dst = avrojson.AppendJSONString(dst, r.Subject)
	}
	if r.Version > 0 {
		dst = append(dst, `,"version":`...)
		dst = strconv.AppendInt(dst, int64(r.Version), 10)
	}
	return append(dst, '}')
}

// Payload is a record key or value: its bytes and how they are shown.
type Payload struct {
	// Raw are the bytes as stored in Kafka; nil for a null.
	Raw []byte
	// Encoding says what JSON holds.
	Encoding Encoding
	// JSON is the payload rendered as one JSON value (never empty: "null"
	// for EncNull).
	JSON json.RawMessage
	// Schema is set for EncAvro.
	Schema *SchemaRef
	// Err says why a payload that looked framed could not be decoded
	// (unknown schema id, truncated body, registry unreachable); the
	// payload is then shown as EncBase64.
	Err error
}

// Text returns the payload as a human reads it: the JSON of decoded and
// JSON payloads, the text of UTF-8 ones, base64 otherwise, "null" for a null.
func (p Payload) Text() string {
	if p.Encoding == EncUTF8 || p.Encoding == EncBase64 {
		var s string
		if json.Unmarshal(p.JSON, &s) == nil {
			return s
		}
	}
	return string(p.JSON)
}

// classify says how non-null, non-framed bytes are shown: as an embedded
// JSON document (returned compacted: JSON Lines output needs it on one
// line), as text, or as base64.
func classify(b []byte) (Encoding, json.RawMessage) {
	if !isText(b) {
		return EncBase64, nil
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		var buf bytes.Buffer
		if json.Compact(&buf, t) == nil {
			return EncJSON, buf.Bytes()
		}
	}
	return EncUTF8, nil
}

// isText reports whether b is valid UTF-8 without control characters
// other than tab, newline and carriage return.
func isText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// nullJSON is the JSON of a null payload (shared, never modified).
var nullJSON = json.RawMessage("null")

// appendBase64JSON appends b as a JSON string of its standard base64.
func appendBase64JSON(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}
