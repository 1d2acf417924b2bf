package gentest

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/codegen/testdata/gen/features"
	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

// TestEndToEnd registers the sample catalogue (and the recursive and
// all-features records) in a real registry, produces records of old and new
// versions to a Kafka-protocol broker with the generated codecs, consumes
// them and decodes every one into the latest types, and into JSON.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	srv := registrytest.Start(t)
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	// Register every version of every example, oldest first, as the
	// schema tree has them (file text, not the generated compact form).
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree.Events {
		for _, v := range e.Versions {
			if _, err := cl.RegisterSchema(ctx, e.Subject, sr.Schema{Schema: string(v.Source)}, -1, -1); err != nil {
				t.Fatalf("register %s v%d: %v", e.Subject, v.Number, err)
			}
		}
	}
	reg := serde.NewRegistry(cl)

	topic := "e2e"
	kc := topicClient(t, topic)

	at := time.UnixMilli(1714560000123).UTC()
	coupon := "SPRING"
	produced := []struct {
		rec  serde.Record
		enc  func() ([]byte, error)
		want any // what the latest type holds after decoding
	}{}
	add := func(rec serde.Record, enc func() ([]byte, error), want any) {
		produced = append(produced, struct {
			rec  serde.Record
			enc  func() ([]byte, error)
			want any
		}{rec, enc, want})
	}

	v1 := &events.OrderPlacedV1{OrderID: "o-1", CustomerID: "c", TotalCents: 300, PlacedAt: at,
		Lines: []events.OrderPlacedV1OrderLine{{SKU: "s", Quantity: 2, UnitPriceCents: 150}}}
	add(v1, func() ([]byte, error) { return events.NewOrderPlacedV1Codec(reg).Encode(ctx, v1) }, &events.OrderPlaced{
		OrderID: "o-1", CustomerID: "c", TotalCents: 300, PlacedAt: at, Currency: "EUR", Channel: events.OrderPlacedSalesChannelWeb,
		Lines: []events.OrderPlacedOrderLine{{SKU: "s", Quantity: 2, UnitPriceCents: 150}}})
	v2 := &events.OrderPlacedV2{OrderID: "o-2", CustomerID: "c", TotalCents: 5, PlacedAt: at, Currency: "USD", CouponCode: &coupon,
		Lines: []events.OrderPlacedV2OrderLine{}}
	add(v2, func() ([]byte, error) { return events.NewOrderPlacedV2Codec(reg).Encode(ctx, v2) }, &events.OrderPlaced{
		OrderID: "o-2", CustomerID: "c", TotalCents: 5, PlacedAt: at, Currency: "USD", CouponCode: &coupon,
		Channel: events.OrderPlacedSalesChannelWeb, Lines: []events.OrderPlacedOrderLine{}})
	v3 := &events.OrderPlaced{OrderID: "o-3", CustomerID: "c", TotalCents: 1 << 40, PlacedAt: at, Currency: "EUR",
		Channel: events.OrderPlacedSalesChannelMobileApp, Lines: []events.OrderPlacedOrderLine{}}
	add(v3, func() ([]byte, error) { return events.NewOrderPlacedCodec(reg).Encode(ctx, v3) }, v3)

	p1 := &events.PaymentCapturedV1{PaymentID: "p-1", OrderID: "o-1", AmountCents: 300, Currency: "EUR", CapturedAt: at}
	add(p1, func() ([]byte, error) { return events.NewPaymentCapturedV1Codec(reg).Encode(ctx, p1) }, &events.PaymentCaptured{
		PaymentID: "p-1", OrderID: "o-1", AmountMinor: 300, Currency: "EUR", CapturedAt: at, Method: events.PaymentCapturedPaymentMethodOther})

	// The features are not in the registry yet: their codecs register them.
	t1 := &features.TreeNodeV1{ID: "root", Value: 1, Children: []features.TreeNodeV1{{ID: "kid", Value: 2, Children: []features.TreeNodeV1{}}}}
	add(t1, func() ([]byte, error) {
		return features.NewTreeNodeV1Codec(reg, serde.WithAutoRegister()).Encode(ctx, t1)
	}, &features.TreeNode{ID: "root", Value: 1, Children: []features.TreeNode{{ID: "kid", Value: 2, Children: []features.TreeNode{}}}})
	e1 := &features.EverythingV1{ID: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", Count: 3, Name: "old", KeyField: "k",
		Color: features.EverythingV1ColorGreen, Price: big.NewRat(5, 4), Amount: big.NewRat(1, 10),
		Payment: &features.EverythingV1Payment{String: ptr("cash")}}
	add(e1, func() ([]byte, error) {
		return features.NewEverythingV1Codec(reg, serde.WithAutoRegister()).Encode(ctx, e1)
	}, nil)

	for _, p := range produced {
		value, err := p.enc()
		if err != nil {
			t.Fatalf("encode %T: %v", p.rec, err)
		}
		if err := kc.ProduceSync(ctx, &kgo.Record{Key: p.rec.Key(), Value: value}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// Register the features' newer versions after the old records were
	// written, as a real rollout would.
	for _, rec := range []serde.Record{new(features.TreeNodeV2), new(features.EverythingV2)} {
		if _, err := cl.RegisterSchema(ctx, rec.AvroSubject(), sr.Schema{Schema: featureText(rec)}, -1, -1); err != nil {
			t.Fatalf("register %T: %v", rec, err)
		}
	}

	orders := events.NewOrderPlacedCodec(reg)
	payments := events.NewPaymentCapturedCodec(reg)
	trees := features.NewTreeNodeCodec(reg)
	everything := features.NewEverythingCodec(reg)
	var got []*kgo.Record
	for len(got) < len(produced) {
		fetches := kc.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			t.Fatalf("poll: %v", err)
		}
		got = append(got, fetches.Records()...)
	}
	for i, r := range got {
		p := produced[i]
		if string(r.Key) != string(p.rec.Key()) {
			t.Errorf("record %d: key %q, want %q", i, r.Key, p.rec.Key())
		}
		var decoded any
		switch p.rec.(type) {
		case *events.OrderPlacedV1, *events.OrderPlacedV2, *events.OrderPlacedV3:
			var v events.OrderPlaced
			err, decoded = orders.Decode(ctx, r.Value, &v), &v
		case *events.PaymentCapturedV1:
			var v events.PaymentCaptured
			err, decoded = payments.Decode(ctx, r.Value, &v), &v
		case *features.TreeNodeV1:
			var v features.TreeNode
			err, decoded = trees.Decode(ctx, r.Value, &v), &v
		case *features.EverythingV1:
			var v features.Everything
			err = everything.Decode(ctx, r.Value, &v)
			if err == nil && (v.Title != "old" || *v.KeyField != "k" || v.Count != 3 || v.Note != "none" || *v.Payment.String != "cash" || v.Price.RatString() != "5/4") {
				t.Errorf("record %d: Everything v1 read as v2: %+v", i, v)
			}
		}
		if err != nil {
			t.Fatalf("record %d (%T): decode: %v", i, p.rec, err)
		}
		if p.want != nil && !reflect.DeepEqual(decoded, p.want) {
			t.Errorf("record %d (%T):\n got  %+v\n want %+v", i, p.rec, decoded, p.want)
		}
		// The generic JSON path names the writer's version.
		js, s, err := avrojson.DecodeJSON(ctx, reg, r.Value)
		if err != nil {
			t.Fatalf("record %d: DecodeJSON: %v", i, err)
		}
		if s.Subject != p.rec.AvroSubject() || s.Version != p.rec.AvroVersion() {
			t.Errorf("record %d: DecodeJSON says %s v%d, want %s v%d", i, s.Subject, s.Version, p.rec.AvroSubject(), p.rec.AvroVersion())
		}
		// JSON → Avro → JSON gives the same JSON (the bytes may differ:
		// hamba writes arrays of records as sized blocks).
		back, err := avrojson.EncodeJSON(s, js)
		if err != nil {
			t.Fatalf("record %d: EncodeJSON: %v", i, err)
		}
		if js2, _, err := avrojson.DecodeJSON(ctx, reg, back); err != nil || string(js2) != string(js) {
			t.Errorf("record %d: DecodeJSON(EncodeJSON(j)) = %s, %v; want %s", i, js2, err, js)
		}
	}

	// A record of another subject is refused, not misread.
	var v events.OrderPlaced
	if err := orders.Decode(ctx, got[len(got)-1].Value, &v); !errors.Is(err, serde.ErrSubjectMismatch) {
		t.Errorf("decoding an Everything record as OrderPlaced: %v, want ErrSubjectMismatch", err)
	}
}

// featureText is the registered form of a feature type's schema: the
// generated code embeds it.
func featureText(rec serde.Record) string {
	switch rec.(type) {
	case *features.TreeNodeV2:
		return features.TreeNodeV2Type().Text
	case *features.EverythingV2:
		return features.EverythingV2Type().Text
	}
	panic(fmt.Sprintf("no text for %T", rec))
}

// topicClient starts a one-broker kfake cluster with topic and returns a
// client that produces to it and consumes it from the start; both are
// closed when the test ends.
func topicClient(t *testing.T, topic string) *kgo.Client {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	kc, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	return kc
}
