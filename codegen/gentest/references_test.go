package gentest

import (
	"context"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/codegen/testdata/gen/refunds"
	"github.com/edactl/edactl/codegen/testdata/refschemas"
	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// TestEndToEndReferences uses code generated from registry subjects whose
// schemas reference types in other subjects: the generated codecs find the
// registered ids (without registering anything), records of both versions
// go through a Kafka-protocol broker, and the older one decodes into the
// latest type with the defaults filled.
func TestEndToEndReferences(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := registrytest.Start(t)
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	id1, id2, err := refschemas.Register(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	reg := serde.NewRegistry(cl)

	kc := topicClient(t, "refunds")

	old := &refunds.OrderRefundedV1{OrderID: "o-1", Amount: refunds.OrderRefundedV1Money{Minor: 1250, Currency: refunds.OrderRefundedV1CurrencyGbp, Memo: []byte{7}}}
	cur := &refunds.OrderRefunded{OrderID: "o-2", Amount: refunds.OrderRefundedMoney{Minor: 99, Currency: refunds.OrderRefundedCurrencyEur, Memo: []byte{}},
		Fee: &refunds.OrderRefundedMoney{Minor: 1, Currency: refunds.OrderRefundedCurrencyEur, Memo: []byte{1, 2}}, Reason: "late",
		Code: refunds.OrderRefundedRefundCode{'x', 'y'}, Sequence: 42}
	b1, err := refunds.NewOrderRefundedV1Codec(reg).Encode(ctx, old)
	if err != nil {
		t.Fatalf("encode v1: %v", err)
	}
	b2, err := refunds.NewOrderRefundedCodec(reg).Encode(ctx, cur)
	if err != nil {
		t.Fatalf("encode v2: %v", err)
	}
	for i, b := range [][]byte{b1, b2} {
		if want := []int{id1, id2}[i]; int(binary.BigEndian.Uint32(b[1:5])) != want {
			t.Errorf("record %d framed with schema id %d, want the registered %d", i, binary.BigEndian.Uint32(b[1:5]), want)
		}
		if err := kc.ProduceSync(ctx, &kgo.Record{Key: []byte("k"), Value: b}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if vs, err := cl.SubjectVersions(ctx, refschemas.Subject); err != nil || len(vs) != 2 {
		t.Errorf("the codecs changed the registry: versions %v, %v", vs, err)
	}

	var got []*kgo.Record
	for len(got) < 2 {
		fs := kc.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatal(err)
		}
		got = append(got, fs.Records()...)
	}
	latest := refunds.NewOrderRefundedCodec(reg)
	want := []*refunds.OrderRefunded{
		// v2's new fields get their defaults, as registered: the fixed
		// "\u00ffa" is the bytes ff 61.
		{OrderID: "o-1", Amount: refunds.OrderRefundedMoney{Minor: 1250, Currency: refunds.OrderRefundedCurrencyGbp, Memo: []byte{7}},
			Reason: "", Code: refunds.OrderRefundedRefundCode{0xff, 'a'}, Sequence: 4102444800000},
		cur,
	}
	for i, r := range got {
		var v refunds.OrderRefunded
		if err := latest.Decode(ctx, r.Value, &v); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(&v, want[i]) {
			t.Errorf("record %d:\n got  %+v\n want %+v", i, v, want[i])
		}
		js, s, err := avrojson.DecodeJSON(ctx, reg, r.Value)
		if err != nil || s.Version != i+1 {
			t.Errorf("record %d: DecodeJSON %s (v%d), %v", i, js, s.Version, err)
		}
	}
}
