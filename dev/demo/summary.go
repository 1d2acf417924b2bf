package demo

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/processor"
	"github.com/edactl/edactl/serde"
)

// The order-summary processor the demo runs.
const (
	// SummaryProcessor is its name: its consumer group and the prefix of
	// its internal topics.
	SummaryProcessor = "order-summary"
	// TopicSummary is the topic it writes (orders/order-summary).
	TopicSummary = "orders.summary"
)

// OrderSummarySpec is the processor `edactl gen processor order-summary
// --join orders/order-placed,payments/payment-captured,inventory/stock-reserved
// --key orderId --emit orders/order-summary` generates for the sample
// catalogue, over the catalogue's generated types (the `edactl gen go`
// golden package), with the generated join.go's body. inventory.reserved is
// keyed by sku, so the runtime re-keys it by orderId.
func OrderSummarySpec(reg *serde.Registry) processor.Spec {
	placed, paid, reserved := events.NewOrderPlacedCodec(reg), events.NewPaymentCapturedCodec(reg), events.NewStockReservedCodec(reg)
	out := events.NewOrderSummaryCodec(reg)
	return processor.Spec{
		Name: SummaryProcessor,
		Inputs: []processor.Input{
			{Event: "orders/order-placed", Topic: TopicOrders, Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.OrderPlaced)
				if err := placed.Decode(ctx, b, v); err != nil {
					return nil, err
				}
				return v, nil
			}, Key: func(v any) string { return v.(*events.OrderPlaced).OrderID }},
			{Event: "payments/payment-captured", Topic: TopicPayments, Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.PaymentCaptured)
				if err := paid.Decode(ctx, b, v); err != nil {
					return nil, err
				}
				return v, nil
			}, Key: func(v any) string { return v.(*events.PaymentCaptured).OrderID }},
			{Event: "inventory/stock-reserved", Topic: TopicInventory, Rekey: true, Decode: func(ctx context.Context, b []byte) (any, error) {
				v := new(events.StockReserved)
				if err := reserved.Decode(ctx, b, v); err != nil {
					return nil, err
				}
				return v, nil
			}, Key: func(v any) string { return v.(*events.StockReserved).OrderID }},
		},
		Output: TopicSummary,
		Join: func(_ context.Context, key string, vals []any) (any, error) {
			o := &events.OrderSummary{OrderID: key}
			if v, _ := vals[0].(*events.OrderPlaced); v != nil {
				o.CustomerID, o.TotalCents, o.PlacedAt, o.Currency = v.CustomerID, v.TotalCents, v.PlacedAt, v.Currency
			}
			if v, _ := vals[1].(*events.PaymentCaptured); v != nil {
				o.PaymentID, o.AmountMinor, o.CapturedAt = v.PaymentID, v.AmountMinor, v.CapturedAt
			}
			if v, _ := vals[2].(*events.StockReserved); v != nil {
				o.ReservationID, o.SKU, o.Quantity, o.Warehouse = v.ReservationID, v.SKU, v.Quantity, v.Warehouse
			}
			return o, nil
		},
		Encode: func(ctx context.Context, v any) ([]byte, error) { return out.Encode(ctx, v.(*events.OrderSummary)) },
	}
}

// SummaryOptions configure RunSummary.
type SummaryOptions struct {
	// Brokers and Registry are the dev broker and registry.
	Brokers  []string
	Registry string
	// DataDir is edactl dev's data directory; the state lives under
	// DataDir/processors.
	DataDir string
	// KafkaOpts and RegistryOpts carry the connection's security (TLS,
	// SASL, credentials), as the demo's own clients have it.
	KafkaOpts    []kgo.Opt
	RegistryOpts []sr.ClientOpt
	// Logger receives the processor's log (default: discarded).
	Logger *slog.Logger
}

// RunSummary runs the order-summary processor against the dev broker and
// registry until ctx ends.
func RunSummary(ctx context.Context, o SummaryOptions) error {
	cfg := processor.DefaultConfig(SummaryProcessor)
	cfg.Brokers = o.Brokers
	cfg.Registry = o.Registry
	cfg.StateDir = filepath.Join(o.DataDir, "processors")
	cfg.MetricsAddr = ""
	cfg.CheckpointInterval = 10 * time.Second
	cfg.KafkaOpts, cfg.RegistryOpts = o.KafkaOpts, o.RegistryOpts
	cfg.Logger = o.Logger
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	reg, err := cfg.NewRegistry()
	if err != nil {
		return err
	}
	return processor.Run(ctx, cfg, OrderSummarySpec(reg))
}
