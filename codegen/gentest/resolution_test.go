package gentest

import (
	"math/big"
	"reflect"
	"testing"
	"time"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/codegen/testdata/gen/features"
	"github.com/edactl/edactl/serde"
)

// resolveInto writes old with its own schema and reads the bytes into
// latest through schema resolution.
func resolveInto(t *testing.T, old, latest serde.Record) {
	t.Helper()
	body, err := old.MarshalAvro()
	if err != nil {
		t.Fatal(err)
	}
	res, err := serde.NewResolver(old.AvroSchema(), latest.AvroSchema())
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := res.Append(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := latest.UnmarshalAvro(resolved); err != nil {
		t.Fatal(err)
	}
}

func TestOrderPlacedV1ReadAsLatest(t *testing.T) {
	at := time.UnixMilli(1714560000123).UTC()
	old := &events.OrderPlacedV1{
		OrderID: "o-1", CustomerID: "c-9",
		Lines:      []events.OrderPlacedV1OrderLine{{SKU: "sku-1", Quantity: 2, UnitPriceCents: 150}},
		TotalCents: 300, PlacedAt: at,
	}
	var got events.OrderPlaced
	resolveInto(t, old, &got)
	want := events.OrderPlaced{
		OrderID: "o-1", CustomerID: "c-9",
		Lines:      []events.OrderPlacedOrderLine{{SKU: "sku-1", Quantity: 2, UnitPriceCents: 150}}, // int → long
		TotalCents: 300, PlacedAt: at,
		Currency:   "EUR",                             // default
		CouponCode: nil,                               // default null
		Channel:    events.OrderPlacedSalesChannelWeb, // default symbol
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if string(got.Key()) != "o-1" {
		t.Errorf("Key() = %q", got.Key())
	}
}

func TestPaymentCapturedRenameFollowsAlias(t *testing.T) {
	old := &events.PaymentCapturedV1{PaymentID: "p", OrderID: "o", AmountCents: 1999, Currency: "EUR", CapturedAt: time.UnixMilli(0).UTC()}
	var got events.PaymentCaptured
	resolveInto(t, old, &got)
	if got.AmountMinor != 1999 || got.Method != events.PaymentCapturedPaymentMethodOther || got.ProviderReference != nil {
		t.Errorf("got %+v: want amountMinor 1999 (alias of amountCents, int → long), method OTHER, no provider reference", got)
	}
}

func TestRecursiveTreeReadAsLatest(t *testing.T) {
	old := &features.TreeNodeV1{ID: "root", Value: 1, Children: []features.TreeNodeV1{
		{ID: "a", Value: 2, Children: []features.TreeNodeV1{{ID: "a1", Value: 3}}},
		{ID: "b", Value: -4},
	}}
	var got features.TreeNode
	resolveInto(t, old, &got)
	leaf := func(id string, v int64) features.TreeNode {
		return features.TreeNode{ID: id, Value: v, Children: []features.TreeNode{}}
	}
	a := leaf("a", 2)
	a.Children = []features.TreeNode{leaf("a1", 3)}
	want := features.TreeNode{ID: "root", Value: 1, Children: []features.TreeNode{a, leaf("b", -4)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestEverythingV1ReadAsLatest(t *testing.T) {
	name := "n"
	old := &features.EverythingV1{
		Count: 7, Big: 99, Ratio: 0.5, Blob: []byte("hi"), Name: "renamed", KeyField: "k",
		Color: features.EverythingV1ColorBlue, Counters: map[string]int64{"a": 3},
		MaybeName: &name, Payment: &features.EverythingV1Payment{Long: ptr(int64(5))},
		Price: big.NewRat(1, 4), Amount: big.NewRat(-3, 2),
	}
	var got features.Everything
	resolveInto(t, old, &got)
	checks := []struct {
		what      string
		got, want any
	}{
		{"count (int → long)", got.Count, int64(7)},
		{"ratio (float → double)", got.Ratio, 0.5},
		{"blob (bytes → string)", got.Blob, "hi"},
		{"title (alias of name)", got.Title, "renamed"},
		{"key (became optional)", *got.KeyField, "k"},
		{"color", got.Color, features.EverythingColorBlue},
		{"price", got.Price.RatString(), "1/4"},
		{"amount", got.Amount.RatString(), "-3/2"},
		{"counters (long → double)", got.Counters, map[string]float64{"a": 3}},
		{"maybeName", *got.MaybeName, "n"},
		{"payment", *got.Payment.Long, int64(5)},
		{"note (default)", got.Note, "none"},
		{"origin (record default)", got.Origin, features.EverythingOrigin{City: "unknown"}},
		{"labels (array default)", got.Labels, []string{"a", "b"}},
		{"weights (map default)", got.Weights, map[string]float64{"x": 1.5}},
		{"level (enum default)", got.Level, features.EverythingLevelHigh},
		{"sig (fixed default)", got.Sig, features.EverythingSig{0xff, 0x01}},
		{"raw (bytes default)", got.Raw, []byte{0xff}},
		{"variant (union default)", *got.Variant.Long, int64(5)},
		{"since (timestamp default)", got.Since, time.UnixMilli(0).UTC()},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
