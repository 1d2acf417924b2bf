package stream

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/testenv"
)

// BenchmarkRecord measures turning one fetched record into a Record and
// its JSON line, decoded through the (cached) registry schema or raw: the
// per-record CPU cost of consume -o json without Kafka.
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
			var line []byte
			for b.Loop() {
				r := bl.record(context.Background(), kr)
				line = r.AppendJSON(line[:0])
			}
		})
	}
}
