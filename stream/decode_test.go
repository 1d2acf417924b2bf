package stream

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/serde"
)

const orderV1 = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[
 {"name":"id","type":"string"},
 {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
 {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`

const orderV2 = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[
 {"name":"id","type":"string"},
 {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
 {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"channel","type":"string","default":"web"}]}`

func TestConsumeDecodesTwoSchemaVersionsAndShowsGarbage(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	reg := startRegistry(t)
	v1 := reg.register(t, "orders-value", orderV1)
	v2 := reg.register(t, "orders-value", orderV2)
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tc.produce(
		&kgo.Record{Topic: "orders", Key: []byte("o-1"), Value: reg.encode(t, v1, `{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z"}`), Timestamp: ts},
		&kgo.Record{Topic: "orders", Key: []byte("o-2"), Value: reg.encode(t, v2, `{"id":"o-2","amount":3.00,"at":"2024-05-01T10:01:00.000Z","channel":"app"}`), Timestamp: ts},
		&kgo.Record{Topic: "orders", Key: []byte{0xff, 0xfe}, Value: []byte{0, 0, 0, 0x03, 0xe7, 1, 2}, Timestamp: ts}, // unknown schema id 999
		&kgo.Record{Topic: "orders", Value: []byte{0x07, 0xff, 0x00, 0x01, 0x02, 0x03}, Timestamp: ts},                 // unknown magic byte, binary
		&kgo.Record{Topic: "orders", Value: []byte("plain text"), Timestamp: ts},                                       // text
		&kgo.Record{Topic: "orders", Value: []byte("{\n \"json\": true\n}"), Timestamp: ts},                            // JSON text
		&kgo.Record{Topic: "orders", Value: reg.encode(t, v1, `{"id":"o-3","amount":1,"at":0}`)[:8:8], Timestamp: ts},  // truncated body
		&kgo.Record{Topic: "orders", Key: []byte("tomb"), Timestamp: ts},                                               // tombstone
	)
	c := tc.client(WithRegistry(reg.serde()))
	var got []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 {
		t.Fatalf("got %d records, want 8", len(got))
	}
	lines := make([]string, len(got))
	for i, r := range got {
		lines[i] = string(r.AppendJSON(nil))
	}
	want := []string{
		`"key":"o-1","key_encoding":"utf8","value":{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z"},"value_encoding":"avro","value_schema":{"id":1,"subject":"orders-value","version":1}}`,
		`"value":{"id":"o-2","amount":3.00,"at":"2024-05-01T10:01:00.000Z","channel":"app"},"value_encoding":"avro","value_schema":{"id":2,"subject":"orders-value","version":2}}`,
		`"key":"//4=","key_encoding":"base64","value":"AAAAA+cBAg==","value_encoding":"base64","value_error":"`,
		`"value":"B/8AAQID","value_encoding":"base64"}`,
		`"value":"plain text","value_encoding":"utf8"}`,
		`"value":{"json":true},"value_encoding":"json"}`,
		`"value_encoding":"base64","value_schema":{"id":1,"subject":"orders-value","version":1},"value_error":"decode with schema id 1: `,
		`"key":"tomb","key_encoding":"utf8","value":null,"value_encoding":"null"}`,
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("record %d:\n got %s\nwant …%s…", i, lines[i], w)
		}
	}
	if !errors.Is(got[2].Value.Err, serde.ErrUnknownSchemaID) {
		t.Errorf("record 2: err %v, want ErrUnknownSchemaID", got[2].Value.Err)
	}
	if !errors.Is(got[6].Value.Err, serde.ErrTruncated) || !strings.Contains(got[6].Value.Err.Error(), "OrderPlaced.id: offset 6:") {
		t.Errorf("record 6: err %v, want ErrTruncated at offset 6 of the record", got[6].Value.Err)
	}
	if !strings.HasPrefix(lines[0], `{"topic":"orders","partition":0,"offset":0,"timestamp":"2024-05-01T10:00:00.000Z","headers":{},`) {
		t.Errorf("record 0 prefix: %s", lines[0])
	}

	// --raw shows framed values as bytes.
	var raw []*Record
	if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}, Until: mustBound(t, "1")}, Raw: true}, func(r *Record) error {
		raw = append(raw, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if raw[0].Value.Encoding != EncBase64 || raw[0].Value.Schema != nil {
		t.Errorf("raw read decoded: %+v", raw[0].Value)
	}
}
