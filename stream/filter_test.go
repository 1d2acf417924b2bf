package stream

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestFilters(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	reg := startRegistry(t)
	v1 := reg.register(t, "orders-value", orderV1)
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tc.produce(
		&kgo.Record{Topic: "orders", Key: []byte("o-1"), Value: reg.encode(t, v1, `{"id":"o-1","amount":12.50,"at":"2024-05-01T10:00:00.000Z"}`), Timestamp: ts,
			Headers: []kgo.RecordHeader{{Key: "ce_type", Value: []byte("OrderPlaced")}}},
		&kgo.Record{Topic: "orders", Key: []byte("o-2"), Value: reg.encode(t, v1, `{"id":"o-2","amount":250,"at":"2024-05-01T10:05:00.000Z"}`), Timestamp: ts.Add(5 * time.Minute),
			Headers: []kgo.RecordHeader{{Key: "ce_type", Value: []byte("OrderPlaced")}, {Key: "tenant", Value: []byte("acme")}}},
		&kgo.Record{Topic: "orders", Key: []byte("o-3"), Value: []byte("not avro"), Timestamp: ts.Add(10 * time.Minute),
			Headers: []kgo.RecordHeader{{Key: "ce_type", Value: []byte("Note")}}},
	)
	c := tc.client(WithRegistry(reg.serde()))
	tests := []struct {
		key     *string
		headers []string
		expr    string
		want    string
		errs    int64
	}{
		{key: ptr("o-2"), want: "o-2"},
		{headers: []string{"tenant"}, want: "o-2"},
		{headers: []string{"ce_type=OrderPlaced"}, want: "o-1 o-2"},
		{headers: []string{"ce_type=OrderPlaced", "tenant=other"}, want: ""},
		{expr: `value.amount > 100`, want: "o-2", errs: 1}, // o-3's value is a string
		{expr: `has(value.id) && value.id == "o-1"`, want: "o-1"},
		{expr: `type(value) == string && value.startsWith("not")`, want: "o-3"},
		{expr: `headers["ce_type"] == "Note" || offset == 0`, want: "o-1 o-3"},
		{expr: `timestamp >= timestamp("2024-05-01T10:05:00Z") && partition == 0`, want: "o-2 o-3"},
		{expr: `key == "o-1" && topic == "orders"`, want: "o-1"},
		{expr: `value.amount == 12.5`, want: "o-1", errs: 1},
	}
	for _, tt := range tests {
		var hs []HeaderMatch
		for _, h := range tt.headers {
			hm, err := ParseHeaderMatch(h)
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, hm)
		}
		f, err := NewFilter(tt.key, hs, tt.expr)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		var keys []string
		st, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}, Filter: f}, func(r *Record) error {
			keys = append(keys, string(r.Key.Raw))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(keys, " "); got != tt.want || st.FilterErrors != tt.errs {
			t.Errorf("key %v headers %v expr %q: got %q (%d filter errors: %s), want %q (%d)", tt.key, tt.headers, tt.expr, got, st.FilterErrors, st.FirstFilterError, tt.want, tt.errs)
		}
	}
	for expr, want := range map[string]string{
		`value.amount >`: "Syntax error",
		`offset + 1`:     "evaluates to int, want bool",
		`nosuch == 1`:    "undeclared reference to 'nosuch'",
	} {
		if _, err := NewFilter(nil, nil, expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", expr, err, want)
		}
	}
	if _, err := ParseHeaderMatch("=x"); err == nil {
		t.Error("header filter without a name accepted")
	}
}

func ptr[T any](v T) *T { return &v }

// orderWithCoupon has an optional field (a union with null) at the top and
// in a nested record, as the catalogue's OrderPlaced.couponCode.
const orderWithCoupon = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[
 {"name":"orderId","type":"string"},
 {"name":"couponCode","type":["null","string"],"default":null},
 {"name":"delivery","type":{"type":"record","name":"Delivery","fields":[
   {"name":"note","type":["null","string"],"default":null}]}},
 {"name":"tags","type":{"type":"array","items":["null","string"]}}]}`

// TestFilterHasIsFalseForNullFields: has() on an optional field is true
// only when the field holds a value, not when it is null.
func TestFilterHasIsFalseForNullFields(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders.placed": 1})
	reg := startRegistry(t)
	id := reg.register(t, "orders.placed-value", orderWithCoupon)
	tc.produce(
		&kgo.Record{Topic: "orders.placed", Key: []byte("o-1"), Value: reg.encode(t, id, `{"orderId":"o-1","couponCode":null,"delivery":{"note":null},"tags":[null,"x"]}`)},
		&kgo.Record{Topic: "orders.placed", Key: []byte("o-2"), Value: reg.encode(t, id, `{"orderId":"o-2","couponCode":"SPRING10","delivery":{"note":"ring twice"},"tags":[]}`)},
		&kgo.Record{Topic: "orders.placed", Key: []byte("o-3"), Value: []byte(`{"orderId":"o-3","couponCode":null}`)},
	)
	c := tc.client(WithRegistry(reg.serde()))
	for _, tt := range []struct {
		expr, want string
		errs       int64
	}{
		{expr: `has(value.couponCode)`, want: "o-2"},
		{expr: `!has(value.couponCode)`, want: "o-1 o-3"},
		{expr: `has(value.couponCode) && value.couponCode == "SPRING10"`, want: "o-2"},
		{expr: `has(value.delivery.note)`, want: "o-2", errs: 1}, // o-3 has no delivery
		{expr: `has(value.delivery) && !has(value.delivery.note)`, want: "o-1"},
		{expr: `has(value.orderId)`, want: "o-1 o-2 o-3"},
		{expr: `size(value.tags) == 2 && value.tags[0] == null`, want: "o-1", errs: 1}, // list elements keep their nulls
	} {
		f, err := NewFilter(nil, nil, tt.expr)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		var keys []string
		st, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders.placed"}}, Filter: f}, func(r *Record) error {
			keys = append(keys, string(r.Key.Raw))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(keys, " "); got != tt.want || st.FilterErrors != tt.errs {
			t.Errorf("%q: got %q (%d filter errors: %s), want %q (%d)", tt.expr, got, st.FilterErrors, st.FirstFilterError, tt.want, tt.errs)
		}
	}
}
