// Package refschemas holds Avro schemas that use Confluent schema references,
// for the code generator's tests: see README.md.
package refschemas

import (
	"context"
	"embed"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"
)

//go:embed *.avsc
var files embed.FS

// Subject is the subject the OrderRefunded versions are registered under.
const Subject = "orders.refunded-value"

// Register registers Currency, Money and both OrderRefunded versions, each
// with the references it needs, and returns the ids of OrderRefunded v1 and
// v2.
func Register(ctx context.Context, cl *sr.Client) (v1, v2 int, err error) {
	steps := []struct {
		subject, file string
		refs          []sr.SchemaReference
	}{
		{"shop.Currency", "currency.avsc", nil},
		{"shop.Money", "money.avsc", []sr.SchemaReference{{Name: "shop.Currency", Subject: "shop.Currency", Version: 1}}},
		{Subject, "refund_v1.avsc", []sr.SchemaReference{{Name: "shop.Money", Subject: "shop.Money", Version: 1}}},
		{Subject, "refund_v2.avsc", []sr.SchemaReference{{Name: "shop.Money", Subject: "shop.Money", Version: 1}}},
	}
	ids := make([]int, len(steps))
	for i, s := range steps {
		text, err := files.ReadFile(s.file)
		if err != nil {
			return 0, 0, err
		}
		ss, err := cl.CreateSchema(ctx, s.subject, sr.Schema{Schema: string(text), References: s.refs})
		if err != nil {
			return 0, 0, fmt.Errorf("register %s under %s: %w", s.file, s.subject, err)
		}
		ids[i] = ss.ID
	}
	return ids[2], ids[3], nil
}
