package stream

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/testenv"
)

// BenchmarkRecord measures turning one fetched record into a Record and
// its JSON line, decoded through the (cached) registry schema or raw: the
// per-record CPU cost of consume -o json without Kafka. It fails unless the
// line shows the value decoded as Avro ("value_encoding":"avro", with the
// encoded order's fields) or, raw, as the framed bytes in base64.
func BenchmarkRecord(b *testing.B) {
	reg := startRegistry(b)
	id := reg.register(b, "orders-value", string(testenv.ReadFile(b, "schemas/bench-order.avsc")))
	value := reg.encode(b, id, `{"order_id":"ord-00000042","customer_id":"cust-00042","placed_at":1714557600000,"total":123.45,"currency":"EUR",`+
		`"items":[{"sku":"SKU-1","qty":2,"price":19.99},{"sku":"SKU-2","qty":1,"price":5.5}],"coupon":null,"attrs":{"channel":"web","region":"eu-west"}}`)
	c, err := New(WithRegistry(reg.serde()))
	if err != nil {
		b.Fatal(err)
	}
	kr := &kgo.Record{Topic: "orders", Partition: 1, Offset: 42, Timestamp: time.Now(), Key: []byte("ord-00000042"), Value: value,
		Headers: []kgo.RecordHeader{{Key: "ce_type", Value: []byte("shop.orders.OrderPlaced")}}}
	for _, raw := range []bool{false, true} {
		b.Run(fmt.Sprintf("raw=%v", raw), func(b *testing.B) {
			b.ReportAllocs()
			bl := &builder{c: c, raw: raw}
			// The first line, checked; every timed one must equal it.
			want := bl.record(context.Background(), kr).AppendJSON(nil)
			checkBenchLine(b, want, raw, value)
			var line []byte
			cpu0, n := testenv.CPUTime(b), 0
			for b.Loop() {
				r := bl.record(context.Background(), kr)
				line = r.AppendJSON(line[:0])
				n++
			}
			// CPU time per record (GC included): on a shared machine it
			// moves less than the wall time.
			b.ReportMetric(float64((testenv.CPUTime(b)-cpu0).Nanoseconds())/float64(n), "cpu-ns/op")
			if !bytes.Equal(line, want) {
				b.Fatalf("the last line differs from the first:\n%s\n%s", line, want)
			}
		})
	}
}

// checkBenchLine fails b unless line is BenchmarkRecord's record with its
// value decoded (or, raw, in base64).
func checkBenchLine(b *testing.B, line []byte, raw bool, value []byte) {
	b.Helper()
	var rec struct {
		Key           string          `json:"key"`
		Value         json.RawMessage `json:"value"`
		ValueEncoding Encoding        `json:"value_encoding"`
		ValueError    string          `json:"value_error"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		b.Fatalf("%v: %s", err, line)
	}
	if rec.Key != "ord-00000042" || rec.ValueError != "" {
		b.Fatalf("not the record, or not decoded: %s", line)
	}
	if raw {
		if rec.ValueEncoding != EncBase64 || string(rec.Value) != `"`+base64.StdEncoding.EncodeToString(value)+`"` {
			b.Fatalf("raw: want the value's bytes in base64: %s", line)
		}
		return
	}
	var order struct {
		OrderID string `json:"order_id"`
		Items   []struct {
			SKU string `json:"sku"`
		} `json:"items"`
		Attrs map[string]string `json:"attrs"`
	}
	if err := json.Unmarshal(rec.Value, &order); err != nil {
		b.Fatalf("value: %v: %s", err, line)
	}
	if rec.ValueEncoding != EncAvro || order.OrderID != "ord-00000042" || len(order.Items) != 2 || order.Items[1].SKU != "SKU-2" || order.Attrs["region"] != "eu-west" {
		b.Fatalf("want the order decoded from Avro: %s", line)
	}
}
