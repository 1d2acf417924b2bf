package gentest

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/codegen/testdata/gen/features"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// The benchmarks compare, for a flat 20-field event, edactl's generated
// codec (wire-format framing, registry id lookup, writer-schema plan
// lookup, strict decoding) with hamba/avro encoding and decoding the same
// Go type with the same configuration (the type's serde.Type API), and with
// linkedin/goavro's generic codec. Like for like: where the codec appends
// to a reused buffer and reuses pooled readers, hamba's baseline reuses one
// avro.Writer and one avro.Reader, and goavro appends to a reused buffer.
// Each benchmark fails unless what it encoded is the same Avro body for all
// three, and what it decoded is the event encoded.
//
//	go test ./codegen/gentest -run '^$' -bench Flat20 -benchmem -count 6

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

// cpuMeter reports the CPU time the process used per iteration
// (cpu-ns/op, all goroutines, GC included): on a machine shared with other
// work it moves less than the wall time.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
	n     int
}

func startCPU(b *testing.B) *cpuMeter { return &cpuMeter{b: b, start: testenv.CPUTime(b)} }

func (m *cpuMeter) report() {
	if m.n > 0 {
		m.b.ReportMetric(float64((testenv.CPUTime(m.b)-m.start).Nanoseconds())/float64(m.n), "cpu-ns/op")
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

// flatBody is the Avro body of v, encoded by hamba/avro with the type's
// own configuration: the bytes every encoder must produce.
func flatBody(b *testing.B, v *features.FlatEvent) []byte {
	typ := features.FlatEventV1Type()
	body, err := typ.API.Marshal(typ.Schema, v)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkEncodeFlat20(b *testing.B) {
	ctx := context.Background()
	v := flatEvent()
	want := flatBody(b, &v)
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
		id, body, err := serde.ParseHeader(buf)
		if err != nil {
			b.Fatal(err)
		}
		if cid, _ := c.ID(ctx); id != cid || !bytes.Equal(body, want) {
			b.Fatalf("encoded schema id %d (want %d) and body %x, want %x", id, cid, body, want)
		}
	})
	b.Run("hamba-writer", func(b *testing.B) {
		typ := features.FlatEventV1Type()
		w := avro.NewWriter(nil, 512, avro.WithWriterConfig(typ.API))
		b.ReportAllocs()
		for b.Loop() {
			w.Reset(nil)
			if w.WriteVal(typ.Schema, &v); w.Error != nil {
				b.Fatal(w.Error)
			}
		}
		if !bytes.Equal(w.Buffer(), want) {
			b.Fatalf("encoded %x, want %x", w.Buffer(), want)
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
		if !bytes.Equal(buf, want) {
			b.Fatalf("encoded %x, want %x", buf, want)
		}
	})
}

func BenchmarkDecodeFlat20(b *testing.B) {
	ctx := context.Background()
	v := flatEvent()
	body := flatBody(b, &v)
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
		cpu := startCPU(b)
		for b.Loop() {
			cpu.n++
			if err := c.Decode(ctx, framed, &out); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
		if !reflect.DeepEqual(out, v) {
			b.Fatalf("decoded %+v, want %+v", out, v)
		}
	})
	b.Run("hamba-reader", func(b *testing.B) {
		typ := features.FlatEventV1Type()
		r := avro.NewReader(nil, 0, avro.WithReaderConfig(typ.API))
		var out features.FlatEvent
		b.ReportAllocs()
		cpu := startCPU(b)
		for b.Loop() {
			cpu.n++
			if r.Reset(body).ReadVal(typ.Schema, &out); r.Error != nil {
				b.Fatal(r.Error)
			}
		}
		cpu.report()
		if !reflect.DeepEqual(out, v) {
			b.Fatalf("decoded %+v, want %+v", out, v)
		}
	})
	// The generated UnmarshalAvro (a body without the wire-format header,
	// strict: a truncated body or bytes left over fail) next to hamba's
	// own Unmarshal with the type's configuration: both borrow a pooled
	// reader per call and decode the same body into the same struct.
	b.Run("edactl-unmarshal", func(b *testing.B) {
		var out features.FlatEvent
		if err := out.UnmarshalAvro(body); err != nil { // warm-up: the pool
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu := startCPU(b)
		for b.Loop() {
			cpu.n++
			if err := out.UnmarshalAvro(body); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
		if !reflect.DeepEqual(out, v) {
			b.Fatalf("decoded %+v, want %+v", out, v)
		}
	})
	b.Run("hamba-unmarshal", func(b *testing.B) {
		typ := features.FlatEventV1Type()
		var out features.FlatEvent
		if err := typ.API.Unmarshal(typ.Schema, body, &out); err != nil { // warm-up: the pool
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu := startCPU(b)
		for b.Loop() {
			cpu.n++
			if err := typ.API.Unmarshal(typ.Schema, body, &out); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
		if !reflect.DeepEqual(out, v) {
			b.Fatalf("decoded %+v, want %+v", out, v)
		}
	})
	b.Run("goavro", func(b *testing.B) {
		codec, err := goavro.NewCodec(features.FlatEventV1Type().Text)
		if err != nil {
			b.Fatal(err)
		}
		var native any
		b.ReportAllocs()
		cpu := startCPU(b)
		for b.Loop() {
			cpu.n++
			if native, _, err = codec.NativeFromBinary(body); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
		// What goavro decoded encodes to the same bytes.
		again, err := codec.BinaryFromNative(nil, native)
		if err != nil || !bytes.Equal(again, body) {
			b.Fatalf("decoded %v, which encodes to %x (%v), want %x", native, again, err, body)
		}
	})
}

// BenchmarkDecodeOlderVersion decodes an OrderPlaced v1 record into the
// latest type, through the generated conversions and through resolution
// (which rewrites the bytes), next to a v3 record decoded directly.
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
	// The generated codec decodes v1 through the generated conversions
	// (serde.WithConverters); a bare serde.Codec of the same type through
	// the Resolver, as before conversions were generated.
	resolving := serde.NewCodec[events.OrderPlaced](reg, events.OrderPlacedV3Type())
	for _, c := range []struct {
		name   string
		codec  *serde.Codec[events.OrderPlaced]
		framed []byte
	}{{"v1-into-v3", latest, old}, {"v1-into-v3-resolver", resolving, old}, {"v3-into-v3", latest, cur}} {
		b.Run(c.name, func(b *testing.B) {
			latest := c.codec
			var out events.OrderPlaced
			if err := latest.Decode(ctx, c.framed, &out); err != nil {
				b.Fatal(err)
			}
			first := out
			b.ReportAllocs()
			for b.Loop() {
				if err := latest.Decode(ctx, c.framed, &out); err != nil {
					b.Fatal(err)
				}
			}
			if out.OrderID != "o-1" || out.TotalCents != 600 || len(out.Lines) != 2 || out.Lines[1].SKU != "b" || !reflect.DeepEqual(out, first) {
				b.Fatalf("decoded %+v, want order o-1 with its two lines (as the first decode: %+v)", out, first)
			}
		})
	}
}
