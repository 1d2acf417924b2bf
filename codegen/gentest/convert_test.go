package gentest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/codegen/testdata/gen/features"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// convFunc is a generated step function with its types erased.
type convFunc func(serde.Record) (serde.Record, error)

func step[A, B serde.Record](f func(A) (B, error)) convFunc {
	return func(r serde.Record) (serde.Record, error) { return f(r.(A)) }
}

// convEvent is an event of the sample catalogue or the feature tree with
// its versions (oldest first) and the generated adjacent steps.
type convEvent struct {
	name     string
	versions []func() serde.Record
	up, down []convFunc // up[i]: versions[i] → versions[i+1]; down[i]: versions[i+1] → versions[i]
}

func newOf[T any, P interface {
	*T
	serde.Record
}]() func() serde.Record {
	return func() serde.Record { return P(new(T)) }
}

var convEvents = []convEvent{
	{"orders/order-placed",
		[]func() serde.Record{newOf[events.OrderPlacedV1](), newOf[events.OrderPlacedV2](), newOf[events.OrderPlacedV3]()},
		[]convFunc{step(events.UpcastOrderPlacedV1ToV2), step(events.UpcastOrderPlacedV2ToV3)},
		[]convFunc{step(events.DowncastOrderPlacedV2ToV1), step(events.DowncastOrderPlacedV3ToV2)}},
	{"orders/order",
		[]func() serde.Record{newOf[events.OrderV1](), newOf[events.OrderV2](), newOf[events.OrderV3]()},
		[]convFunc{step(events.UpcastOrderV1ToV2), step(events.UpcastOrderV2ToV3)},
		[]convFunc{step(events.DowncastOrderV2ToV1), step(events.DowncastOrderV3ToV2)}},
	{"payments/payment-captured",
		[]func() serde.Record{newOf[events.PaymentCapturedV1](), newOf[events.PaymentCapturedV2](), newOf[events.PaymentCapturedV3]()},
		[]convFunc{step(events.UpcastPaymentCapturedV1ToV2), step(events.UpcastPaymentCapturedV2ToV3)},
		[]convFunc{step(events.DowncastPaymentCapturedV2ToV1), step(events.DowncastPaymentCapturedV3ToV2)}},
	{"inventory/stock-reserved",
		[]func() serde.Record{newOf[events.StockReservedV1](), newOf[events.StockReservedV2]()},
		[]convFunc{step(events.UpcastStockReservedV1ToV2)},
		[]convFunc{step(events.DowncastStockReservedV2ToV1)}},
	{"shipping/shipment-dispatched",
		[]func() serde.Record{newOf[events.ShipmentDispatchedV1](), newOf[events.ShipmentDispatchedV2]()},
		[]convFunc{step(events.UpcastShipmentDispatchedV1ToV2)},
		[]convFunc{step(events.DowncastShipmentDispatchedV2ToV1)}},
	{"lab/everything",
		[]func() serde.Record{newOf[features.EverythingV1](), newOf[features.EverythingV2]()},
		[]convFunc{step(features.UpcastEverythingV1ToV2)},
		[]convFunc{step(features.DowncastEverythingV2ToV1)}},
	{"lab/tree-node",
		[]func() serde.Record{newOf[features.TreeNodeV1](), newOf[features.TreeNodeV2]()},
		[]convFunc{step(features.UpcastTreeNodeV1ToV2)},
		[]convFunc{step(features.DowncastTreeNodeV2ToV1)}},
}

// chain converts a value of versions[from] to versions[to] through the
// adjacent steps, as the generated chain functions do.
func (e convEvent) chain(r serde.Record, from, to int) (serde.Record, error) {
	var err error
	for i := from; i < to && err == nil; i++ {
		r, err = e.up[i](r)
	}
	for i := from; i > to && err == nil; i-- {
		r, err = e.down[i-1](r)
	}
	return r, err
}

// sameValue reports whether a and b (Avro bodies of one schema) hold the
// same value: equal bytes, or, as Go maps encode in random order, equal
// values once decoded generically.
func sameValue(t *testing.T, r serde.Record, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	api := avro.Config{TagKey: "avro"}.Freeze()
	var va, vb any
	if err := api.Unmarshal(r.AvroSchema(), a, &va); err != nil {
		t.Fatalf("decode %x: %v", a, err)
	}
	if err := api.Unmarshal(r.AvroSchema(), b, &vb); err != nil {
		t.Fatalf("decode %x: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// TestConversionsMatchResolver checks, for every event with several
// versions and every ordered pair of its versions, that random values
// converted by the generated functions encode to what serde.Resolver makes
// of the same bytes, and that both fail on the same values. Where the
// Resolver cannot read one version as the
// other even with the conversion rules (serde.WithConversionRules: a step
// that needs a hook), the conversion must either succeed or fail with
// serde.ErrInvalidValue and a field path.
func TestConversionsMatchResolver(t *testing.T) {
	const n = 300
	for _, e := range convEvents {
		for from := range e.versions {
			for to := range e.versions {
				if from == to {
					continue
				}
				t.Run(fmt.Sprintf("%s/v%d-to-v%d", e.name, e.versions[from]().AvroVersion(), e.versions[to]().AvroVersion()), func(t *testing.T) {
					src, dst := e.versions[from](), e.versions[to]()
					// Avro's rules, and those the generated conversions add
					// (writer aliases, checked narrowing, null → default).
					_, avroErr := serde.NewResolver(src.AvroSchema(), dst.AvroSchema())
					res, resErr := serde.NewResolver(src.AvroSchema(), dst.AvroSchema(), serde.WithConversionRules())
					r := rand.New(rand.NewPCG(uint64(from), uint64(to)))
					compared, converted := 0, 0
					for range n {
						body := randBody(r, src.AvroSchema())
						in := e.versions[from]()
						if err := in.UnmarshalAvro(body); err != nil {
							t.Fatalf("decode a random body: %v", err)
						}
						out, convErr := e.chain(in, from, to)
						if convErr != nil && !errors.Is(convErr, serde.ErrInvalidValue) {
							t.Fatalf("conversion failed without ErrInvalidValue: %v", convErr)
						}
						var got []byte
						if convErr == nil {
							converted++
							var err error
							if got, err = out.MarshalAvro(); err != nil {
								t.Fatalf("encode the converted value: %v\n%+v", err, out)
							}
						}
						if resErr != nil {
							continue
						}
						want, err := res.Append(nil, body)
						if (err != nil) != (convErr != nil) {
							t.Fatalf("the Resolver says %v, the conversion %v", err, convErr)
						}
						if err != nil {
							continue // both fail: a value the target cannot hold
						}
						if !sameValue(t, dst, got, want) {
							t.Fatalf("conversion gives %x, the Resolver %x\nconverted: %+v", got, want, out)
						}
						compared++
					}
					t.Logf("%d values, %d converted, %d compared with the Resolver (Avro's rules: %v; with the conversion rules: %v)", n, converted, compared, avroErr, resErr)
					if resErr == nil && compared < n/10 {
						t.Errorf("only %d of %d values compared with the Resolver", compared, n)
					}
				})
			}
		}
	}
}

// TestDowncastThenUpcast checks that a value of a later version, downcast
// to an earlier one and upcast back, downcasts again to the same value: the
// round trip keeps every field both versions share.
func TestDowncastThenUpcast(t *testing.T) {
	for _, e := range convEvents {
		for hi := 1; hi < len(e.versions); hi++ {
			for lo := range hi {
				t.Run(fmt.Sprintf("%s/v%d-v%d", e.name, hi+1, lo+1), func(t *testing.T) {
					r := rand.New(rand.NewPCG(uint64(hi), uint64(lo)))
					ok := 0
					for range 300 {
						x := e.versions[hi]()
						if err := x.UnmarshalAvro(randBody(r, x.AvroSchema())); err != nil {
							t.Fatal(err)
						}
						d, err := e.chain(x, hi, lo)
						if err != nil {
							continue // a value the earlier version cannot hold
						}
						u, err := e.chain(d, lo, hi)
						if err != nil {
							t.Fatalf("upcast of a downcast value failed: %v", err)
						}
						d2, err := e.chain(u, hi, lo)
						if err != nil {
							t.Fatalf("second downcast failed: %v", err)
						}
						a, _ := d.MarshalAvro()
						b, _ := d2.MarshalAvro()
						if !sameValue(t, d, a, b) {
							t.Fatalf("downcast %+v, after an upcast and a downcast %+v", d, d2)
						}
						ok++
					}
					if ok == 0 {
						t.Errorf("no random value of v%d could be downcast to v%d", hi+1, lo+1)
					}
				})
			}
		}
	}
}

// TestPaymentCapturedBothWays converts the catalogue's payment-captured
// (a rename with an alias in v2, int → long in v3) up and down without a
// hook: the amount follows the alias both ways, and a long that does not
// fit an int fails naming the field.
func TestPaymentCapturedBothWays(t *testing.T) {
	at := time.UnixMilli(1714560000123).UTC()
	v1 := &events.PaymentCapturedV1{PaymentID: "p-1", OrderID: "o-1", AmountCents: 1999, Currency: "EUR", CapturedAt: at}
	latest, err := events.UpcastPaymentCaptured(v1)
	if err != nil {
		t.Fatal(err)
	}
	want := &events.PaymentCaptured{PaymentID: "p-1", OrderID: "o-1", AmountMinor: 1999, Currency: "EUR", CapturedAt: at,
		Method: events.PaymentCapturedPaymentMethodOther}
	if !reflect.DeepEqual(latest, want) {
		t.Fatalf("upcast %+v, want %+v", latest, want)
	}
	ref := "ref-7"
	latest.ProviderReference = &ref
	latest.Method = events.PaymentCapturedPaymentMethodCard
	back, err := events.DowncastPaymentCaptured(latest, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, v1) {
		t.Fatalf("downcast to v1 %+v, want %+v", back, v1)
	}
	v2, err := events.DowncastPaymentCaptured(latest, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := v2.(*events.PaymentCapturedV2); got.AmountMinor != 1999 || got.Method != events.PaymentCapturedV2PaymentMethodCard {
		t.Fatalf("downcast to v2 %+v", got)
	}
	latest.AmountMinor = 1 << 40
	_, err = events.DowncastPaymentCaptured(latest, 1)
	if !errors.Is(err, serde.ErrInvalidValue) || !bytes.Contains([]byte(err.Error()), []byte("amountMinor")) {
		t.Fatalf("downcast of an amount that does not fit an int: %v, want ErrInvalidValue naming amountMinor", err)
	}
}

// anyCodec is a generated codec with its type erased.
type anyCodec struct {
	enc func(context.Context, serde.Record) ([]byte, error)
	dec func(context.Context, []byte) (serde.Record, error)
}

func codecOf[T any, P interface {
	*T
	serde.Record
}](c *serde.Codec[T]) anyCodec {
	return anyCodec{
		enc: func(ctx context.Context, r serde.Record) ([]byte, error) { return c.Encode(ctx, (*T)(r.(P))) },
		dec: func(ctx context.Context, b []byte) (serde.Record, error) {
			v := new(T)
			err := c.Decode(ctx, b, v)
			return P(v), err
		},
	}
}

// TestCodecsDecodeThroughConversions checks the one read path: a codec of
// any version decoding a record written with another version gives what
// the generated chain gives, hooks included (lab/everything's downcast
// calls the feature tree's hook), errors included.
func TestCodecsDecodeThroughConversions(t *testing.T) {
	ctx := context.Background()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	reg := serde.NewRegistry(cl)
	auto := serde.WithAutoRegister()
	codecs := map[string][]anyCodec{
		"payments/payment-captured": {
			codecOf(events.NewPaymentCapturedV1Codec(reg, auto)), codecOf(events.NewPaymentCapturedV2Codec(reg, auto)), codecOf(events.NewPaymentCapturedV3Codec(reg, auto))},
		"orders/order-placed": {
			codecOf(events.NewOrderPlacedV1Codec(reg, auto)), codecOf(events.NewOrderPlacedV2Codec(reg, auto)), codecOf(events.NewOrderPlacedV3Codec(reg, auto))},
		"lab/everything": {codecOf(features.NewEverythingV1Codec(reg, auto)), codecOf(features.NewEverythingV2Codec(reg, auto))},
		"lab/tree-node":  {codecOf(features.NewTreeNodeV1Codec(reg, auto)), codecOf(features.NewTreeNodeV2Codec(reg, auto))},
	}
	for _, e := range convEvents {
		cs, ok := codecs[e.name]
		if !ok {
			continue
		}
		for from := range cs {
			for to := range cs {
				if from == to {
					continue
				}
				t.Run(fmt.Sprintf("%s/v%d-read-as-v%d", e.name, from+1, to+1), func(t *testing.T) {
					r := rand.New(rand.NewPCG(7, uint64(from*10+to)))
					decoded := 0
					for range 100 {
						x := e.versions[from]()
						if err := x.UnmarshalAvro(randBody(r, x.AvroSchema())); err != nil {
							t.Fatal(err)
						}
						framed, err := cs[from].enc(ctx, x)
						if err != nil {
							t.Fatal(err)
						}
						want, wantErr := e.chain(x, from, to)
						got, gotErr := cs[to].dec(ctx, framed)
						if (wantErr != nil) != (gotErr != nil) {
							t.Fatalf("chain error %v, codec error %v", wantErr, gotErr)
						}
						if wantErr != nil {
							if !errors.Is(gotErr, serde.ErrInvalidValue) || !strings.Contains(gotErr.Error(), wantErr.Error()) {
								t.Fatalf("codec error %q does not carry the chain's %q", gotErr, wantErr)
							}
							continue
						}
						a, _ := want.MarshalAvro()
						b, _ := got.MarshalAvro()
						if !sameValue(t, want, a, b) {
							t.Fatalf("codec decodes %+v, the chain gives %+v", got, want)
						}
						decoded++
					}
					if decoded == 0 {
						t.Error("no value decoded")
					}
				})
			}
		}
	}
}
