package gentest

import (
	"context"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/codegen/testdata/gen/features"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// The benchmarks compare, for a flat 20-field event, edactl's generated
// codec (wire-format framing, registry id lookup, writer-schema plan
// lookup, strict decoding) with hamba/avro's Marshal/Unmarshal of the same
// Go type, and with linkedin/goavro's generic codec.
//
//	go test ./codegen/gentest -run '^$' -bench . -benchmem

func flatEvent() features.FlatEvent {
	at := time.UnixMilli(1714560000123).UTC()
	return features.FlatEvent{
		ID: "0b6f3f3e-5b1a-4a53-9b41-6f1c2d8e9a10", CustomerID: "customer-4711", SKU: "SKU-12345", Quantity: 3,
		UnitPrice: 1999, Total: 5997, Discount: 0.1, TaxRate: 0.21, Weight: 1.25, Express: true, Gift: false,
		CreatedAt: at, UpdatedAt: at.Add(time.Minute), Warehouse: 7, Region: "eu-west", Priority: 2, Score: 0.97,
		Revision: 12, Status: features.FlatEventStatusPaid, Channel: "web",
	}
}

func flatNative(v features.FlatEvent) map[string]any {
	return map[string]any{
		"id": v.ID, "customerId": v.CustomerID, "sku": v.SKU, "quantity": v.Quantity, "unitPrice": v.UnitPrice,
		"total": v.Total, "discount": v.Discount, "taxRate": v.TaxRate, "weight": v.Weight, "express": v.Express,
		"gift": v.Gift, "createdAt": v.CreatedAt, "updatedAt": v.UpdatedAt, "warehouse": v.Warehouse,
		"region": v.Region, "priority": v.Priority, "score": v.Score, "revision": v.Revision,
		"status": string(v.Status), "channel": v.Channel,
	}
}

func flatCodec(b *testing.B) *serde.Codec[features.FlatEvent] {
	srv := registrytest.Start(b, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	return features.NewFlatEventCodec(serde.NewRegistry(cl), serde.WithAutoRegister())
}

func BenchmarkEncodeFlat20(b *testing.B) {
	ctx := context.Background()
	v := flatEvent()
	b.Run("edactl-codec", func(b *testing.B) {
		c := flatCodec(b)
		buf, err := c.AppendEncode(ctx, nil, &v) // warm-up: id lookup
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if buf, err = c.AppendEncode(ctx, buf[:0], &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hamba-marshal", func(b *testing.B) {
		typ := features.FlatEventV1Type()
		api := avro.Config{TagKey: "avro"}.Freeze()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := api.Marshal(typ.Schema, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("goavro", func(b *testing.B) {
		codec, err := goavro.NewCodec(features.FlatEventV1Type().Text)
		if err != nil {
			b.Fatal(err)
		}
		native := flatNative(v)
		buf, err := codec.BinaryFromNative(nil, native)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if buf, err = codec.BinaryFromNative(buf[:0], native); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeFlat20(b *testing.B) {
	ctx := context.Background()
	v := flatEvent()
	b.Run("edactl-codec", func(b *testing.B) {
		c := flatCodec(b)
		framed, err := c.Encode(ctx, &v)
		if err != nil {
			b.Fatal(err)
		}
		var out features.FlatEvent
		if err := c.Decode(ctx, framed, &out); err != nil { // warm-up
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Decode(ctx, framed, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hamba-unmarshal", func(b *testing.B) {
		typ := features.FlatEventV1Type()
		api := avro.Config{TagKey: "avro"}.Freeze()
		body, err := api.Marshal(typ.Schema, &v)
		if err != nil {
			b.Fatal(err)
		}
		var out features.FlatEvent
		b.ReportAllocs()
		for b.Loop() {
			if err := api.Unmarshal(typ.Schema, body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("goavro", func(b *testing.B) {
		codec, err := goavro.NewCodec(features.FlatEventV1Type().Text)
		if err != nil {
			b.Fatal(err)
		}
		body, err := codec.BinaryFromNative(nil, flatNative(v))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := codec.NativeFromBinary(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeOlderVersion decodes an OrderPlaced v1 record into the
// latest type (resolution rewrites the bytes) next to a v3 record.
func BenchmarkDecodeOlderVersion(b *testing.B) {
	ctx := context.Background()
	srv := registrytest.Start(b, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	reg := serde.NewRegistry(cl)
	at := time.UnixMilli(1714560000123).UTC()
	lines := []events.OrderPlacedV1OrderLine{{SKU: "a", Quantity: 1, UnitPriceCents: 100}, {SKU: "b", Quantity: 2, UnitPriceCents: 250}}
	old, err := events.NewOrderPlacedV1Codec(reg, serde.WithAutoRegister()).Encode(ctx,
		&events.OrderPlacedV1{OrderID: "o-1", CustomerID: "c-1", Lines: lines, TotalCents: 600, PlacedAt: at})
	if err != nil {
		b.Fatal(err)
	}
	latest := events.NewOrderPlacedCodec(reg, serde.WithAutoRegister())
	cur, err := latest.Encode(ctx, &events.OrderPlaced{OrderID: "o-1", CustomerID: "c-1", TotalCents: 600, PlacedAt: at,
		Currency: "EUR", Channel: events.OrderPlacedSalesChannelWeb,
		Lines: []events.OrderPlacedOrderLine{{SKU: "a", Quantity: 1, UnitPriceCents: 100}, {SKU: "b", Quantity: 2, UnitPriceCents: 250}}})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		framed []byte
	}{{"v1-into-v3", old}, {"v3-into-v3", cur}} {
		b.Run(c.name, func(b *testing.B) {
			var out events.OrderPlaced
			if err := latest.Decode(ctx, c.framed, &out); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := latest.Decode(ctx, c.framed, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
