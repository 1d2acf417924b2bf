package stream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

// ProduceOptions say where Produce writes and how it encodes.
type ProduceOptions struct {
	Topic string
	// ValueSubject is the subject values are encoded with; default
	// "<topic>-value" (TopicNameStrategy).
	ValueSubject string
	// Version of ValueSubject to encode with; 0 or -1 means the latest.
	Version int
	// KeySubject, when set, encodes keys with its latest schema; otherwise
	// keys are written as text unless a line says "key_encoding":"avro"
	// (then "<topic>-key" is used).
	KeySubject string
	// MaxErrors is how many invalid lines are reported before giving up
	// (default 20).
	MaxErrors int
	// Partition, when set, is the partition every record is written to
	// instead of one chosen by key. The producer client must use
	// kgo.ManualPartitioner; Produce checks the partition exists and fails
	// a record the client wrote elsewhere.
	Partition *int32
	// KeySeparator, when set, makes the input raw lines instead of JSON
	// lines, as kcat -K: "KEY<sep>VALUE", split at the first separator.
	// The key is written as text (or with KeySubject's schema, as a JSON
	// value), the value is a JSON value encoded with the value schema.
	KeySeparator string
	// NullValue makes a raw line with an empty value part a tombstone (a
	// null value); without it such a line is invalid. Only with
	// KeySeparator.
	NullValue bool
}

// ProduceResult says what Produce wrote.
type ProduceResult struct {
	Records int `json:"records"`
	// Partitions counts records per partition.
	Partitions map[int32]int `json:"partitions"`
	// ValueSchema is the schema values were encoded with, if any.
	ValueSchema *SchemaRef `json:"value_schema,omitempty"`
}

// LineErrors lists every invalid input line; Produce writes nothing when
// it returns one.
type LineErrors []LineError

// LineError is one invalid input line.
type LineError struct {
	Line int
	Err  error
}

// Error returns "line N: what is wrong".
func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the line's error.
func (e LineError) Unwrap() error { return e.Err }

// Error lists the line errors, one per line.
func (es LineErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors.
func (es LineErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// inputLine is one JSON line of Produce's input. The fields consume -o json
// adds (topic, partition, offset, timestamp, schemas, errors) are accepted
// and ignored so its output can be piped back.
type inputLine struct {
	Key     json.RawMessage `json:"key"`
	Value   json.RawMessage `json:"value"`
	Headers orderedHeaders  `json:"headers"`
	// HeaderEncodings maps a header name to how its values are written:
	// "utf8" (the default) or "base64".
	HeaderEncodings map[string]Encoding `json:"header_encodings"`
	KeyEncoding     Encoding            `json:"key_encoding"`
	ValueEncoding   Encoding            `json:"value_encoding"`

	Topic       json.RawMessage `json:"topic"`
	Partition   json.RawMessage `json:"partition"`
	Offset      json.RawMessage `json:"offset"`
	Timestamp   json.RawMessage `json:"timestamp"`
	KeySchema   json.RawMessage `json:"key_schema"`
	ValueSchema json.RawMessage `json:"value_schema"`
	KeyError    json.RawMessage `json:"key_error"`
	ValueError  json.RawMessage `json:"value_error"`
}

// orderedHeaders reads the headers object in input order; each value is a
// string, or an array of strings for a name that repeats.
type orderedHeaders []kgo.RecordHeader

// UnmarshalJSON reads the headers object, keeping the order of its names.
func (h *orderedHeaders) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return errors.New("headers: want an object of name to string")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.Token() // {
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return fmt.Errorf("headers: %w", err)
		}
		name := t.(string)
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return fmt.Errorf("headers: %w", err)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			*h = append(*h, kgo.RecordHeader{Key: name, Value: []byte(s)})
			continue
		}
		var ss []string
		if err := json.Unmarshal(raw, &ss); err != nil {
			return fmt.Errorf("headers: %q: want a string or an array of strings, got %s", name, truncate(raw))
		}
		for _, s := range ss {
			*h = append(*h, kgo.RecordHeader{Key: name, Value: []byte(s)})
		}
	}
	return nil
}

// Produce reads records as JSON lines from in — {"key":…, "value":…,
// "headers":{…}} — encodes every value with the subject's schema in the
// Confluent wire format, and writes them to the topic, partitioned by key.
// It validates every line before writing any: if a line is invalid — bad
// JSON, a value the schema rejects, or a record larger than the producer
// client's max (the limit franz-go would fail it with MESSAGE_TOO_LARGE) —
// it returns LineErrors naming each bad line and field (byte offsets count
// from the start of the line), and writes nothing. If writing then fails
// (the broker refuses a record, ctx is canceled), it returns a
// *ProduceError saying which lines were written and which were not, with
// the ProduceResult of what was written.
//
// A value is encoded with the schema unless the line's value_encoding says
// otherwise: "utf8" (a string written as text), "json" (the JSON written as
// text), "base64" (a string of bytes), "null" (a tombstone). A value of
// null without an encoding is a tombstone too. Keys are written as text
// (a string, or a number's digits) unless KeySubject is set or the line
// says "key_encoding":"avro"; the other encodings work as for values.
// Header values are strings (arrays of strings for a repeated name), taken
// as UTF-8 text unless "header_encodings" maps the name to "base64", as
// consume -o json writes header values that are not UTF-8.
func (c *Client) Produce(ctx context.Context, opts ProduceOptions, in io.Reader) (ProduceResult, error) {
	res := ProduceResult{Partitions: map[int32]int{}}
	if c.producer == nil {
		return res, ErrNoProducer
	}
	if opts.Topic == "" {
		return res, errors.New("no topic given")
	}
	if opts.ValueSubject == "" {
		opts.ValueSubject = opts.Topic + "-value"
	}
	if opts.Version == 0 {
		opts.Version = -1
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 20
	}
	if opts.NullValue && opts.KeySeparator == "" {
		return res, errors.New("NullValue needs KeySeparator (raw lines)")
	}
	if c.admin != nil {
		to, err := c.listOffsets(ctx, []string{opts.Topic})
		if err != nil {
			return res, err
		}
		if p := opts.Partition; p != nil && !slices.Contains(to.partitions[opts.Topic], *p) {
			return res, fmt.Errorf("topic %q has no partition %d (it has %d)", opts.Topic, *p, len(to.partitions[opts.Topic]))
		}
	} else if p := opts.Partition; p != nil && *p < 0 {
		return res, fmt.Errorf("invalid partition %d", *p)
	}
	enc := &encoder{c: c, opts: opts}
	limit := produceLimitOf(c.producer, opts.Topic)

	var recs []*kgo.Record
	var lines []int
	var errs LineErrors
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		var r *kgo.Record
		var err error
		if opts.KeySeparator != "" {
			b := bytes.TrimRight(sc.Bytes(), "\r")
			if len(b) == 0 {
				continue
			}
			r, err = enc.rawRecord(ctx, b)
		} else {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			r, err = enc.record(ctx, b)
		}
		if err == nil && opts.Partition != nil {
			r.Partition = *opts.Partition
		}
		var se *schemaError
		if errors.As(err, &se) {
			return res, se.err // the same for every line: report once
		}
		if err == nil {
			err = limit.check(r)
		}
		if err != nil {
			errs = append(errs, LineError{Line: n, Err: err})
			if len(errs) >= opts.MaxErrors {
				break
			}
			continue
		}
		recs = append(recs, r)
		lines = append(lines, n)
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("read input at line %d: %w", n+1, err)
	}
	if len(errs) > 0 {
		return res, errs
	}
	if enc.valueSchema != nil {
		res.ValueSchema = schemaRef(enc.valueSchema)
	}

	var mu sync.Mutex
	var failed *ProduceError
	written := make([]bool, len(recs))
	var wg sync.WaitGroup
	for i, r := range recs {
		mu.Lock()
		stop := failed != nil
		mu.Unlock()
		if stop {
			break // a record failed: send no more
		}
		wg.Add(1)
		c.producer.Produce(ctx, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err == nil && opts.Partition != nil && r.Partition != *opts.Partition {
				err = fmt.Errorf("written to partition %d instead of %d: the producer client does not partition manually", r.Partition, *opts.Partition)
			}
			if err != nil {
				if failed == nil || lines[i] < failed.Line {
					failed = &ProduceError{Topic: opts.Topic, Line: lines[i], Err: err}
				}
				return
			}
			written[i] = true
			res.Records++
			res.Partitions[r.Partition]++
		})
	}
	wg.Wait()
	if failed == nil {
		return res, nil
	}
	for i, ok := range written {
		if ok {
			failed.Written = append(failed.Written, lines[i])
		} else {
			failed.NotWritten = append(failed.NotWritten, lines[i])
		}
	}
	return res, failed
}

// ProduceError is a record the broker or the client failed after every
// line was valid: the records of the lines in Written were written, those
// in NotWritten were not (they failed too, or were not sent after the
// failure). Produce returns it with the ProduceResult of what was written.
type ProduceError struct {
	Topic string
	// Line is the first input line whose record failed, Err why.
	Line int
	Err  error
	// Written and NotWritten are input line numbers, ascending.
	Written, NotWritten []int
}

// Error returns "line N: produce to TOPIC: why; W of T record(s) were
// written (lines …), F were not (lines …)".
func (e *ProduceError) Error() string {
	total := len(e.Written) + len(e.NotWritten)
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: produce to %s: %v; %d of %d record(s) were written", e.Line, e.Topic, e.Err, len(e.Written), total)
	if len(e.Written) > 0 {
		fmt.Fprintf(&b, " (%s)", lineRanges(e.Written, 10))
	}
	fmt.Fprintf(&b, ", %d were not (%s)", len(e.NotWritten), lineRanges(e.NotWritten, 10))
	return b.String()
}

// Unwrap returns why the record failed.
func (e *ProduceError) Unwrap() error { return e.Err }

// lineRanges writes ascending line numbers as "lines 1-3, 7, 9-12", at
// most max ranges followed by "and N more line(s)".
func lineRanges(lines []int, max int) string {
	if len(lines) == 1 {
		return fmt.Sprintf("line %d", lines[0])
	}
	var b strings.Builder
	b.WriteString("lines ")
	ranges := 0
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if ranges == max {
			fmt.Fprintf(&b, " and %d more line(s)", len(lines)-i)
			break
		}
		if ranges > 0 {
			b.WriteString(", ")
		}
		ranges++
		if i == j {
			fmt.Fprintf(&b, "%d", lines[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", lines[i], lines[j])
		}
		i = j + 1
	}
	return b.String()
}

// encoder turns input lines into records.
type encoder struct {
	c           *Client
	opts        ProduceOptions
	valueSchema *serde.Schema
	keySchema   *serde.Schema
}

func (e *encoder) record(ctx context.Context, line []byte) (*kgo.Record, error) {
	var in inputLine
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(&in); err != nil {
		return nil, jsonLineError(err)
	}
	if d.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	r := &kgo.Record{Topic: e.opts.Topic}
	var err error
	if r.Key, err = e.payload(ctx, "key", in.Key, in.KeyEncoding, line); err != nil {
		return nil, err
	}
	if r.Value, err = e.payload(ctx, "value", in.Value, in.ValueEncoding, line); err != nil {
		return nil, err
	}
	if r.Headers, err = decodeHeaders(in.Headers, in.HeaderEncodings); err != nil {
		return nil, err
	}
	return r, nil
}

// rawRecord is the record of a raw "KEY<sep>VALUE" line.
func (e *encoder) rawRecord(ctx context.Context, line []byte) (*kgo.Record, error) {
	sep := []byte(e.opts.KeySeparator)
	key, value, ok := bytes.Cut(line, sep)
	if !ok {
		return nil, fmt.Errorf("no key separator %q on the line", e.opts.KeySeparator)
	}
	r := &kgo.Record{Topic: e.opts.Topic}
	var err error
	if e.opts.KeySubject != "" {
		if !json.Valid(key) {
			return nil, fmt.Errorf("key: not a JSON value for --key-subject: %s", truncate(key))
		}
		if r.Key, err = e.payload(ctx, "key", key, EncAvro, line); err != nil {
			return nil, err
		}
	} else {
		r.Key = slices.Clone(key)
	}
	if len(bytes.TrimSpace(value)) == 0 {
		if !e.opts.NullValue {
			return nil, fmt.Errorf("value: empty after the key separator at byte %d (a tombstone needs NullValue)", len(key)+len(sep))
		}
		return r, nil // a tombstone
	}
	if !json.Valid(value) {
		var v any
		err := json.Unmarshal(value, &v)
		return nil, fmt.Errorf("value at byte %d: not a JSON value: %v", len(key)+len(sep), err)
	}
	if r.Value, err = e.payload(ctx, "value", value, EncAvro, line); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeHeaders applies header_encodings to the headers of a line.
func decodeHeaders(hs []kgo.RecordHeader, encs map[string]Encoding) ([]kgo.RecordHeader, error) {
	for _, name := range slices.Sorted(maps.Keys(encs)) {
		switch encs[name] {
		case EncUTF8:
		case EncBase64:
			for i, h := range hs {
				if h.Key != name {
					continue
				}
				b, err := base64.StdEncoding.DecodeString(string(h.Value))
				if err != nil {
					return nil, fmt.Errorf("headers: %q: header_encodings says base64: %v", name, err)
				}
				hs[i].Value = b
			}
		default:
			return nil, fmt.Errorf("header_encodings: %q: want utf8 or base64, got %q", name, encs[name])
		}
		if !slices.ContainsFunc(hs, func(h kgo.RecordHeader) bool { return h.Key == name }) {
			return nil, fmt.Errorf("header_encodings: %q is not in headers", name)
		}
	}
	return hs, nil
}

// jsonLineError turns encoding/json errors into messages naming the field.
func jsonLineError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s: %v", te.Field, err)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, err)
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("unknown field %s (want key, value, headers, header_encodings, key_encoding, value_encoding)", strings.TrimPrefix(s, "json: unknown field "))
	}
	if errors.Is(err, io.EOF) {
		return errors.New("empty line")
	}
	return err
}

// payload encodes the key or value of a line.
func (e *encoder) payload(ctx context.Context, field string, raw json.RawMessage, encoding Encoding, line []byte) ([]byte, error) {
	isNull := len(raw) == 0 || string(raw) == "null"
	if encoding == "" {
		switch {
		case isNull:
			encoding = EncNull
		case field == "value" || e.opts.KeySubject != "":
			encoding = EncAvro
		default:
			encoding = EncUTF8
		}
	}
	switch encoding {
	case EncNull:
		if !isNull {
			return nil, fmt.Errorf("%s: %s_encoding is null but the %s is %s", field, field, field, truncate(raw))
		}
		return nil, nil
	case EncUTF8:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			if field == "key" && len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
				if _, err := strconv.ParseFloat(string(raw), 64); err == nil {
					return []byte(raw), nil // a number key: its digits
				}
			}
			return nil, fmt.Errorf("%s: want a string for utf8 encoding, got %s (use %s_encoding json for JSON documents)", field, truncate(raw), field)
		}
		return []byte(s), nil
	case EncJSON:
		if isNull {
			return []byte("null"), nil
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("%s: %v", field, err)
		}
		return buf.Bytes(), nil
	case EncBase64:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: want a base64 string, got %s", field, truncate(raw))
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid base64: %v", field, err)
		}
		return b, nil
	case EncAvro:
		s, err := e.schema(ctx, field)
		if err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			raw = json.RawMessage("null")
		}
		b, err := avrojson.AppendAvro(serde.AppendHeader(nil, s.ID), s.Avro, raw)
		if err != nil {
			// avrojson counts offsets in the value; count them in the line.
			var ve *serde.ValueError
			if errors.As(err, &ve) && ve.Offset >= 0 {
				if pos := bytes.Index(line, raw); pos >= 0 {
					ve.Offset += pos
				}
			}
			return nil, fmt.Errorf("%s (subject %q version %d): encode with schema id %d: %w", field, s.Subject, s.Version, s.ID, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s_encoding %q: want avro, json, utf8, base64 or null", field, encoding)
}

// schema returns (and remembers) the schema for the key or value.
func (e *encoder) schema(ctx context.Context, field string) (*serde.Schema, error) {
	if e.c.reg == nil {
		return nil, &schemaError{fmt.Errorf("%s: encoding with a schema needs a registry", field)}
	}
	if field == "value" {
		if e.valueSchema == nil {
			s, err := e.c.reg.SchemaBySubject(ctx, e.opts.ValueSubject, e.opts.Version)
			if err != nil {
				return nil, &schemaError{fmt.Errorf("value schema: %w", err)}
			}
			e.valueSchema = s
		}
		return e.valueSchema, nil
	}
	if e.keySchema == nil {
		subject := e.opts.KeySubject
		if subject == "" {
			subject = e.opts.Topic + "-key"
		}
		s, err := e.c.reg.SchemaBySubject(ctx, subject, -1)
		if err != nil {
			return nil, &schemaError{fmt.Errorf("key schema: %w", err)}
		}
		e.keySchema = s
	}
	return e.keySchema, nil
}

// schemaError is a failure to get a schema: not the line's fault.
type schemaError struct{ err error }

// Error returns the schema lookup failure.
func (e *schemaError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *schemaError) Unwrap() error { return e.err }

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
