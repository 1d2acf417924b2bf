package stream

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestProduceEncodesAndRoundTrips(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 3, "copy": 3})
	reg := startRegistry(t)
	reg.register(t, "orders-value", orderV1)
	reg.register(t, "orders-value", orderV2)
	reg.register(t, "copy-value", orderV2)
	c := tc.client(WithRegistry(reg.serde()))

	in := `{"key":"o-1","value":{"id":"o-1","amount":12.5,"at":"2024-05-01T10:00:00.000Z"},"headers":{"ce_id":"e1","multi":["a","b"]}}

{"key":"o-2","value":{"id":"o-2","amount":1,"at":0,"channel":"app"}}
{"key":"o-3","value":null}
{"key":42,"value":"raw text","value_encoding":"utf8"}
{"key":null,"value":"AAEC","value_encoding":"base64"}
`
	res, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders"}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 || res.ValueSchema == nil || res.ValueSchema.Version != 2 {
		t.Errorf("result %+v", res)
	}

	var out bytes.Buffer
	var recs []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error {
		recs = append(recs, r)
		out.Write(r.AppendJSON(nil))
		out.WriteByte('\n')
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, w := range []string{
		`"headers":{"ce_id":"e1","multi":["a","b"]},"key":"o-1","key_encoding":"utf8","value":{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z","channel":"web"},"value_encoding":"avro","value_schema":{"id":2`,
		`"key":"o-3","key_encoding":"utf8","value":null,"value_encoding":"null"`,
		`"key":"42","key_encoding":"utf8","value":"raw text","value_encoding":"utf8"`,
		`"key":null,"key_encoding":"null","value":"AAEC","value_encoding":"base64"`,
	} {
		if !strings.Contains(text, w) {
			t.Errorf("consumed output lacks %s\n%s", w, text)
		}
	}
	// Records with the same key land in the same partition.
	keyPart := map[string]int32{}
	for _, r := range recs {
		keyPart[string(r.Key.Raw)] = r.Partition
	}

	// consume -o json | produce copies the records (keys, headers).
	res, err = c.Produce(ctxT(t), ProduceOptions{Topic: "copy"}, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 {
		t.Errorf("copied %d records", res.Records)
	}
	var copied []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"copy"}}}, func(r *Record) error {
		copied = append(copied, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range copied {
		if r.Key.Encoding != EncNull && keyPart[string(r.Key.Raw)] != r.Partition {
			t.Errorf("key %q: partition %d in copy, %d in source", r.Key.Raw, r.Partition, keyPart[string(r.Key.Raw)])
		}
		if string(r.Key.Raw) == "o-1" && (len(r.Headers) != 3 || string(r.Value.JSON) != `{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z","channel":"web"}`) {
			t.Errorf("copied o-1: headers %v value %s", r.Headers, r.Value.JSON)
		}
	}
}

func TestProduceVersionAndErrors(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	reg := startRegistry(t)
	reg.register(t, "orders-value", orderV1)
	reg.register(t, "orders-value", orderV2)
	c := tc.client(WithRegistry(reg.serde()))

	// Version 1 has no channel field: encoding fails naming line and field.
	in := `{"key":"a","value":{"id":"a","amount":1,"at":0}}
{"key":"b","value":{"id":"b","amount":1,"at":0,"channel":"app"}}
{"key":"c","value":{"id":"c","amount":"x","at":0}}
{"key":"d","vlaue":{}}
not json
{"key":{"k":1},"value":{"id":"e","amount":1,"at":0}}
`
	_, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Version: 1}, strings.NewReader(in))
	var les LineErrors
	if !errors.As(err, &les) {
		t.Fatalf("got %v, want LineErrors", err)
	}
	msg := err.Error()
	for _, w := range []string{
		`line 2: value (subject "orders-value" version 1): encode with schema id 1: OrderPlaced: offset `,
		`channel`,
		`line 3: value (subject "orders-value" version 1): encode with schema id 1: OrderPlaced.amount`,
		`line 4: unknown field "vlaue"`,
		`line 5: invalid JSON`,
		`line 6: key: want a string`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if len(les) != 5 {
		t.Errorf("%d line errors, want 5", len(les))
	}
	// Nothing was written.
	if n := countRecords(t, c, "orders"); n != 0 {
		t.Errorf("%d records written despite errors", n)
	}

	// Version 1 encodes the valid line.
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", Version: 1}, strings.NewReader(`{"key":"a","value":{"id":"a","amount":1,"at":0}}`)); err != nil {
		t.Fatal(err)
	}
	var v *Record
	c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error { v = r; return nil })
	if v == nil || v.Value.Schema == nil || v.Value.Schema.Version != 1 {
		t.Errorf("record not written with version 1: %+v", v)
	}

	// Unknown topic and unknown subject are reported once, not per line.
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "nope"}, strings.NewReader("{}")); err == nil || !strings.Contains(err.Error(), `topic does not exist: "nope"`) {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := c.Produce(ctxT(t), ProduceOptions{Topic: "orders", ValueSubject: "missing"}, strings.NewReader(`{"value":{}}`+"\n"+`{"value":{}}`)); err == nil || !strings.Contains(err.Error(), `value schema: subject "missing" latest version`) || strings.Contains(err.Error(), "line") {
		t.Errorf("unknown subject: %v", err)
	}
}

func countRecords(t *testing.T, c *Client, topic string) int {
	t.Helper()
	n := 0
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{topic}}}, func(*Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
