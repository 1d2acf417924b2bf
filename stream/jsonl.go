package stream

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/edactl/edactl/internal/avrojson"
)

// AppendJSON appends r as one line of JSON (no newline) — the JSON Lines
// form of `edactl consume -o json`, which `edactl produce` reads back:
//
//	{"topic":"orders","partition":0,"offset":42,"timestamp":"2024-05-01T10:00:00.000Z",
//	 "headers":{"ce_id":"a1"},"key":"o-1","key_encoding":"utf8",
//	 "value":{"id":"o-1"},"value_encoding":"avro","value_schema":{"id":3,"subject":"orders-value","version":2}}
//
// headers maps each name to its value, or to an array of values when the
// name repeats. A name with a value that is not valid UTF-8 has all its
// values written as standard base64, and header_encodings (right after
// headers, only then) maps it to "base64": {"bin":"base64"}.
// key_schema/value_schema and key_error/value_error appear only when set.
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"topic":`...)
	dst = avrojson.AppendJSONString(dst, r.Topic)
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(r.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, r.Offset, 10)
	dst = append(dst, `,"timestamp":"`...)
	dst = appendTimestamp(dst, r.Timestamp)
	dst = append(dst, `","headers":{`...)
	binary := false // some header value is not UTF-8
	for _, h := range r.Headers {
		if !utf8.Valid(h.Value) {
			binary = true
			break
		}
	}
	first := true
	for i, h := range r.Headers {
		if seenBefore(r.Headers, i) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = avrojson.AppendJSONString(dst, h.Key)
		dst = append(dst, ':')
		b64 := binary && base64Header(r.Headers, i)
		n := 0
		for _, h2 := range r.Headers[i:] {
			if h2.Key == h.Key {
				n++
			}
		}
		if n == 1 {
			dst = appendHeaderValue(dst, h.Value, b64)
			continue
		}
		dst = append(dst, '[')
		k := 0
		for _, h2 := range r.Headers[i:] {
			if h2.Key == h.Key {
				if k > 0 {
					dst = append(dst, ',')
				}
				k++
				dst = appendHeaderValue(dst, h2.Value, b64)
			}
		}
		dst = append(dst, ']')
	}
	dst = append(dst, '}')
	if binary {
		dst = append(dst, `,"header_encodings":{`...)
		first := true
		for i, h := range r.Headers {
			if seenBefore(r.Headers, i) || !base64Header(r.Headers, i) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = avrojson.AppendJSONString(dst, h.Key)
			dst = append(dst, `:"base64"`...)
		}
		dst = append(dst, '}')
	}
	dst = appendPayloadJSON(dst, "key", r.Key)
	dst = appendPayloadJSON(dst, "value", r.Value)
	return append(dst, '}')
}

// base64Header reports whether the values of headers[i]'s name are written
// as base64: one of them is not valid UTF-8.
func base64Header(hs []Header, i int) bool {
	for _, h := range hs[i:] {
		if h.Key == hs[i].Key && !utf8.Valid(h.Value) {
			return true
		}
	}
	return false
}

func appendHeaderValue(dst, v []byte, b64 bool) []byte {
	if b64 {
		return appendBase64JSON(dst, v)
	}
	return avrojson.AppendJSONString(dst, v)
}

// seenBefore reports whether headers[i]'s name occurs earlier.
func seenBefore(hs []Header, i int) bool {
	for _, h := range hs[:i] {
		if h.Key == hs[i].Key {
			return true
		}
	}
	return false
}

func appendPayloadJSON(dst []byte, name string, p Payload) []byte {
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	dst = append(dst, p.JSON...)
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `_encoding":"`...)
	dst = append(dst, p.Encoding...)
	dst = append(dst, '"')
	if p.Schema != nil {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `_schema":`...)
		dst = p.Schema.appendJSON(dst)
	}
	if p.Err != nil {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `_error":`...)
		dst = avrojson.AppendJSONString(dst, p.Err.Error())
	}
	return dst
}

// appendTimestamp appends t in UTC as RFC 3339 with milliseconds
// ("2024-05-01T10:00:00.000Z"), the precision of Kafka timestamps. It is
// what time.Time.AppendFormat gives for "2006-01-02T15:04:05.000Z07:00",
// without the layout parsing (it runs once per record).
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	}
	hour, min, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':', byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return dst
}
