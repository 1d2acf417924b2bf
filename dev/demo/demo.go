// Package demo generates a realistic order flow for `edactl dev --demo`, so
// that the TUI and the stream commands have something real to show.
//
// One flow is a customer's order as the sample catalogue's services would
// write it, across four topics:
//
//	orders.placed ──> payments.captured ──┬─> inventory.reserved (one per order line)
//	                                      └─> … ──> shipping.dispatched
//
// Every record is encoded with the latest registered schema of its subject
// (TopicNameStrategy: "<topic>-value") in the Confluent wire format through
// serde, keyed by its x-eda-key field, and carries CloudEvents Kafka-binding
// headers (ce_id, ce_type, ce_source, ce_time, ce_correlationid = the order id,
// ce_causationid = the ce_id of the event that caused it) and a W3C
// traceparent whose trace-id is shared by the whole flow, so `edactl trace`
// finds a flow by either id and draws its causation tree.
//
// RunSummary runs the order-summary processor (OrderSummarySpec, what
// `edactl gen processor` generates for the catalogue) over that flow, so
// that orders.summary holds each order joined with its payment and latest
// stock reservation, carrying the flow's traceparent.
//
// Besides producing, Run keeps two consumer groups to look at: "analytics"
// reads orders.placed slowly (one record every two seconds), so it is active
// and its lag grows; "accounting" committed its offsets of payments.captured
// a few seconds into the demo and stopped, so it is Empty, lags, and can be
// rewound either way.
//
// Design decisions:
//
//   - Flows are a pure function of a seed and a start time (Generator.Flow),
//     so tests produce exactly the same records every run; Run only adds
//     pacing.
//   - Kafka is reached through the franz-go clients the caller builds and
//     closes (one per role), as everywhere in edactl.
//   - The package imports serde and franz-go only; it is a development tool,
//     not part of the stream engine.
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

// The demo's topics, named by the sample catalogue's x-eda-topic attributes.
const (
	TopicOrders    = "orders.placed"
	TopicPayments  = "payments.captured"
	TopicInventory = "inventory.reserved"
	TopicShipping  = "shipping.dispatched"
)

// The demo's consumer groups.
const (
	// LaggingGroup reads orders.placed slower than orders arrive.
	LaggingGroup = "analytics"
	// IdleGroup committed offsets of payments.captured once and stopped.
	IdleGroup = "accounting"
)

// Topic is a topic the demo writes, with its partition count.
type Topic struct {
	Name       string
	Partitions int32
}

// Topics returns the demo's topics in flow order.
func Topics() []Topic {
	return []Topic{{TopicOrders, 3}, {TopicPayments, 3}, {TopicInventory, 2}, {TopicShipping, 2}}
}

// Header is one record header.
type Header struct {
	Key, Value string
}

// Event is one record of a flow before encoding.
type Event struct {
	Topic string
	// Subject is the schema registry subject the value is encoded with.
	Subject string
	Key     string
	// Value is the record value as JSON in serde's mapping (see
	// serde.Registry.DecodeJSON).
	Value   string
	Headers []Header
	Time    time.Time
	// ID and CausationID are the ce_id and ce_causationid headers.
	ID, CausationID string
}

// Flow is one order's events, in time order.
type Flow struct {
	OrderID string
	// TraceID is the trace-id of every event's traceparent header.
	TraceID string
	Events  []Event
}

// Generator builds flows. It is deterministic: the same seed gives the same
// flows. It is not safe for concurrent use.
type Generator struct {
	rnd *rand.Rand
}

// NewGenerator returns a Generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

type product struct {
	sku   string
	cents int64
}

var (
	// catalogue, places and the name tables are read-only rule tables.
	catalogue = []product{
		{"SKU-TEA-001", 1250}, {"SKU-MUG-014", 890}, {"SKU-KETTLE-2", 4999}, {"SKU-BEANS-1K", 2190},
		{"SKU-FILTER-40", 450}, {"SKU-GRINDER-7", 8900}, {"SKU-CUP-SET", 2400},
	}
	places = []struct{ street, city, postal, country string }{
		{"Keizersgracht 12", "Amsterdam", "1015 CS", "NL"},
		{"Torstraße 101", "Berlin", "10119", "DE"},
		{"Rue Oberkampf 40", "Paris", "75011", "FR"},
		{"Calle de Alcalá 88", "Madrid", "28009", "ES"},
		{"Via Roma 7", "Torino", "10121", "IT"},
	}
	channels   = []string{"WEB", "WEB", "MOBILE_APP", "STORE"}
	methods    = []string{"CARD", "CARD", "PAYPAL", "BANK_TRANSFER"}
	carriers   = []string{"DHL", "UPS", "POSTNL", "DPD", "GLS"}
	warehouses = []string{"AMS-1", "BER-2"}
)

func (g *Generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rnd.IntN(16)]
	}
	return string(b)
}

func (g *Generator) uuid() string {
	h := g.hex(32)
	// Version 4, RFC 4122 variant.
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[g.rnd.IntN(4)]) + h[17:20] + "-" + h[20:]
}

func (g *Generator) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

func (g *Generator) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rnd.Int64N(int64(hi-lo)+1))
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func jsonString(s string) string { return fmt.Sprintf("%q", s) }

// Flow returns the next order's flow, placed at start.
func (g *Generator) Flow(start time.Time) Flow {
	start = start.Truncate(time.Millisecond)
	f := Flow{OrderID: g.uuid(), TraceID: g.hex(32)}
	corr := f.OrderID
	event := func(topic, typ, source, key, value string, at time.Time, cause string) Event {
		e := Event{Topic: topic, Subject: topic + "-value", Key: key, Value: value, Time: at, ID: g.uuid(), CausationID: cause}
		e.Headers = []Header{
			{"traceparent", "00-" + f.TraceID + "-" + g.hex(16) + "-01"},
			{"ce_specversion", "1.0"},
			{"ce_id", e.ID},
			{"ce_type", typ},
			{"ce_source", source},
			{"ce_time", ts(at)},
			{"ce_correlationid", corr},
		}
		if cause != "" {
			e.Headers = append(e.Headers, Header{"ce_causationid", cause})
		}
		e.Headers = append(e.Headers, Header{"content-type", "application/avro"})
		return e
	}

	// orders.placed
	type line struct {
		p   product
		qty int
	}
	var lines []line
	used := map[int]bool{}
	for n := 1 + g.rnd.IntN(3); len(lines) < n; {
		i := g.rnd.IntN(len(catalogue))
		if used[i] {
			continue
		}
		used[i] = true
		lines = append(lines, line{catalogue[i], 1 + g.rnd.IntN(3)})
	}
	var total int64
	var ls []string
	for _, l := range lines {
		total += l.p.cents * int64(l.qty)
		ls = append(ls, fmt.Sprintf(`{"sku":%q,"quantity":%d,"unitPriceCents":%d}`, l.p.sku, l.qty, l.p.cents))
	}
	coupon := "null"
	if g.rnd.IntN(5) == 0 {
		coupon = jsonString("SPRING10")
		total = total * 9 / 10
	}
	customer := fmt.Sprintf("cus-%04d", 1000+g.rnd.IntN(9000))
	placed := event(TopicOrders, "shop.orders.OrderPlaced", "/checkout", f.OrderID,
		fmt.Sprintf(`{"orderId":%q,"customerId":%q,"lines":[%s],"totalCents":%d,"placedAt":%q,"currency":"EUR","couponCode":%s,"channel":%q}`,
			f.OrderID, customer, strings.Join(ls, ","), total, ts(start), coupon, g.pick(channels)),
		start, "")

	// payments.captured, caused by the order.
	paidAt := start.Add(g.between(200*time.Millisecond, 1200*time.Millisecond))
	ref := "null"
	if g.rnd.IntN(4) != 0 {
		ref = jsonString("psp_" + g.hex(12))
	}
	paid := event(TopicPayments, "shop.payments.PaymentCaptured", "/payments", f.OrderID,
		fmt.Sprintf(`{"paymentId":%q,"orderId":%q,"amountMinor":%d,"currency":"EUR","capturedAt":%q,"method":%q,"providerReference":%s}`,
			g.uuid(), f.OrderID, total, ts(paidAt), g.pick(methods), ref),
		paidAt, placed.ID)

	// inventory.reserved, one per line, caused by the payment.
	f.Events = append(f.Events, placed, paid)
	last := paid
	at := paidAt
	for _, l := range lines {
		at = at.Add(g.between(50*time.Millisecond, 400*time.Millisecond))
		expires := "null"
		if g.rnd.IntN(2) == 0 {
			expires = jsonString(ts(at.Add(30 * time.Minute)))
		}
		r := event(TopicInventory, "shop.inventory.StockReserved", "/inventory", l.p.sku,
			fmt.Sprintf(`{"reservationId":%q,"orderId":%q,"sku":%q,"quantity":%d,"warehouse":%q,"remaining":%d,"expiresAt":%s}`,
				g.uuid(), f.OrderID, l.p.sku, l.qty, g.pick(warehouses), g.rnd.IntN(500), expires),
			at, paid.ID)
		f.Events = append(f.Events, r)
		last = r
	}

	// shipping.dispatched, caused by the last reservation.
	shippedAt := at.Add(g.between(time.Second, 4*time.Second))
	pl := places[g.rnd.IntN(len(places))]
	shipped := event(TopicShipping, "shop.shipping.ShipmentDispatched", "/shipping", f.OrderID,
		fmt.Sprintf(`{"shipmentId":%q,"orderId":%q,"carrier":%q,"trackingNumber":%q,"address":{"street":%q,"city":%q,"postalCode":%q,"country":%q},"dispatchedAt":%q,"parcelCount":%d}`,
			g.uuid(), f.OrderID, g.pick(carriers), fmt.Sprintf("TRK%010d", g.rnd.Int64N(1e10)), pl.street, pl.city, pl.postal, pl.country,
			ts(shippedAt), len(lines)),
		shippedAt, last.ID)
	f.Events = append(f.Events, shipped)
	return f
}

// Producer encodes events with their subject's latest schema and writes
// them.
type Producer struct {
	cl  *kgo.Client
	reg *serde.Registry
}

// NewProducer returns a Producer writing with cl and encoding through reg.
func NewProducer(cl *kgo.Client, reg *serde.Registry) *Producer {
	return &Producer{cl: cl, reg: reg}
}

// Record encodes one event as a Kafka record.
func (p *Producer) Record(ctx context.Context, e Event) (*kgo.Record, error) {
	s, err := p.reg.SchemaBySubject(ctx, e.Subject, -1)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", e.Subject, err)
	}
	value, err := avrojson.EncodeJSON(s, []byte(e.Value))
	if err != nil {
		return nil, fmt.Errorf("encode %s event %s: %w", e.Topic, e.ID, err)
	}
	r := &kgo.Record{Topic: e.Topic, Key: []byte(e.Key), Value: value, Timestamp: e.Time}
	for _, h := range e.Headers {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: h.Key, Value: []byte(h.Value)})
	}
	return r, nil
}

// Produce writes events synchronously, in order.
func (p *Producer) Produce(ctx context.Context, events ...Event) error {
	recs := make([]*kgo.Record, 0, len(events))
	for _, e := range events {
		r, err := p.Record(ctx, e)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	if err := p.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	return nil
}

// ProduceFlows writes n flows, the first placed at start and one more every
// second, all events in timestamp order (Kafka's time lookups expect
// timestamps to grow with offsets). It returns the flows.
func (p *Producer) ProduceFlows(ctx context.Context, g *Generator, n int, start time.Time) ([]Flow, error) {
	flows := make([]Flow, 0, n)
	var events []Event
	for i := range n {
		f := g.Flow(start.Add(time.Duration(i) * time.Second))
		flows = append(flows, f)
		events = append(events, f.Events...)
	}
	slices.SortStableFunc(events, func(a, b Event) int { return a.Time.Compare(b.Time) })
	return flows, p.Produce(ctx, events...)
}

// CreateTopics creates the demo's topics; topics that exist are left alone.
func CreateTopics(ctx context.Context, admin *kgo.Client) error {
	adm := kadm.NewClient(admin)
	for _, t := range Topics() {
		_, err := adm.CreateTopic(ctx, t.Partitions, 1, nil, t.Name)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t.Name, err)
		}
	}
	return nil
}

// CommitIdleGroup commits IdleGroup's offsets of payments.captured at the
// current end offsets, unless the group has committed offsets already. The
// group then has no members (Empty) and lags as payments arrive.
func CommitIdleGroup(ctx context.Context, admin *kgo.Client) error {
	adm := kadm.NewClient(admin)
	have, err := adm.FetchOffsets(ctx, IdleGroup)
	if errors.Is(err, kerr.GroupIDNotFound) {
		err = nil // no commits yet
	}
	if err != nil {
		return fmt.Errorf("offsets of group %s: %w", IdleGroup, err)
	}
	if len(have) > 0 {
		return nil
	}
	ends, err := adm.ListEndOffsets(ctx, TopicPayments)
	if err != nil {
		return fmt.Errorf("end offsets of %s: %w", TopicPayments, err)
	}
	offs := kadm.Offsets{}
	ends.Each(func(o kadm.ListedOffset) {
		offs.Add(kadm.Offset{Topic: o.Topic, Partition: o.Partition, At: o.Offset, LeaderEpoch: -1})
	})
	resp, err := adm.CommitOffsets(ctx, IdleGroup, offs)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("commit offsets of group %s: %w", IdleGroup, err)
	}
	return nil
}

// LaggingConsumerOpts are the extra franz-go options of the LaggingGroup
// member's client (build it with stream.ClientOpts or the caller's own).
func LaggingConsumerOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(LaggingGroup),
		kgo.ConsumeTopics(TopicOrders),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.ClientID("analytics-svc"),
	}
}

// ConsumeSlowly reads with cl (built with LaggingConsumerOpts) one record
// every interval and commits it, until ctx is done.
func ConsumeSlowly(ctx context.Context, cl *kgo.Client, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fs := cl.PollRecords(ctx, 1)
		if ctx.Err() != nil {
			return nil
		}
		if err := fs.Err0(); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("group %s: %w", LaggingGroup, err)
		}
		if recs := fs.Records(); len(recs) > 0 {
			if err := cl.CommitRecords(ctx, recs...); err != nil && ctx.Err() == nil {
				return fmt.Errorf("group %s: commit: %w", LaggingGroup, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Options configure Run.
type Options struct {
	// Producer writes the records; Admin creates topics and commits the
	// idle group; Lagging is the LaggingGroup member's client (built with
	// LaggingConsumerOpts). All are required and closed by the caller.
	Producer, Admin, Lagging *kgo.Client
	// Registry encodes the values; the sample catalogue must be registered.
	Registry *serde.Registry
	// OrdersPerSecond is the rate of new flows (default 2).
	OrdersPerSecond float64
	// LagEvery is how often the lagging group processes one record
	// (default 2s).
	LagEvery time.Duration
	// IdleAfter is when the idle group commits its offsets, after the
	// demo starts (default 5s), so that there are records on both sides.
	IdleAfter time.Duration
	// Seed seeds the generator (default: from the clock).
	Seed uint64
	// Clock gives the time (default time.Now).
	Clock func() time.Time
	// Logger receives errors that do not stop the demo (default: discarded).
	Logger *slog.Logger
}

func (o *Options) validate() error {
	if o.Producer == nil || o.Admin == nil || o.Lagging == nil || o.Registry == nil {
		return errors.New("demo: Producer, Admin, Lagging and Registry are required")
	}
	if o.OrdersPerSecond <= 0 {
		o.OrdersPerSecond = 2
	}
	if o.LagEvery <= 0 {
		o.LagEvery = 2 * time.Second
	}
	if o.IdleAfter <= 0 {
		o.IdleAfter = 5 * time.Second
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Seed == 0 {
		o.Seed = uint64(o.Clock().UnixNano())
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run creates the topics, then produces flows at OrdersPerSecond — each
// event when its time comes, stamped with the time it is written — while
// the lagging group consumes slowly, and commits the idle group after
// IdleAfter, until ctx is done. It returns nil when ctx ends, or the first
// error that stops it.
func Run(ctx context.Context, opts Options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	if err := CreateTopics(ctx, opts.Admin); err != nil {
		return err
	}
	idleAt := opts.Clock().Add(opts.IdleAfter)
	lagDone := make(chan error, 1)
	go func() { lagDone <- ConsumeSlowly(ctx, opts.Lagging, opts.LagEvery) }()

	g := NewGenerator(opts.Seed)
	p := NewProducer(opts.Producer, opts.Registry)
	every := time.Duration(float64(time.Second) / opts.OrdersPerSecond)
	next := opts.Clock()
	var due []Event // scheduled, in time order
	tick := time.NewTicker(min(every, 50*time.Millisecond))
	defer tick.Stop()
	for {
		now := opts.Clock()
		if !idleAt.IsZero() && !now.Before(idleAt) {
			if err := CommitIdleGroup(ctx, opts.Admin); err != nil {
				return err
			}
			idleAt = time.Time{}
		}
		for !next.After(now) {
			due = append(due, g.Flow(next).Events...)
			next = next.Add(every)
		}
		slices.SortStableFunc(due, func(a, b Event) int { return cmp.Compare(a.Time.UnixMilli(), b.Time.UnixMilli()) })
		n := 0
		for n < len(due) && !due[n].Time.After(now) {
			n++
		}
		if n > 0 {
			batch := make([]*kgo.Record, 0, n)
			for _, e := range due[:n] {
				r, err := p.Record(ctx, e)
				if err != nil {
					return err
				}
				r.Timestamp = now
				batch = append(batch, r)
			}
			due = due[n:]
			for _, r := range batch {
				opts.Producer.Produce(ctx, r, func(r *kgo.Record, err error) {
					if err != nil && ctx.Err() == nil {
						opts.Logger.Warn("demo: produce", "topic", r.Topic, "err", err)
					}
				})
			}
		}
		select {
		case <-ctx.Done():
			return <-lagDone
		case err := <-lagDone:
			// ConsumeSlowly returns nil only once ctx is done.
			return err
		case <-tick.C:
		}
	}
}
