package demo

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// env is a kfake cluster and a real registry holding the sample catalogue.
type env struct {
	brokers []string
	reg     *serde.Registry
	admin   *kgo.Client
	prod    *kgo.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	srv := registrytest.Start(t, registrytest.InMemory())
	src, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree.Events {
		for _, v := range e.Versions {
			if _, err := src.CreateSchema(ctx, e.Subject, sr.Schema{Schema: string(v.Source)}); err != nil {
				t.Fatalf("register %s v%d: %v", e.Subject, v.Number, err)
			}
		}
	}
	e := &env{brokers: kf.ListenAddrs(), reg: serde.NewRegistry(src)}
	e.admin = e.client(t)
	e.prod = e.client(t)
	return e
}

func (e *env) client(t *testing.T, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(stream.ClientOpts(e.brokers, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFlowsAreDeterministic(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	a, b := NewGenerator(7), NewGenerator(7)
	for range 5 {
		fa, fb := a.Flow(start), b.Flow(start)
		if !reflect.DeepEqual(fa, fb) {
			t.Fatalf("same seed, different flows:\n%+v\n%+v", fa, fb)
		}
	}
	if reflect.DeepEqual(NewGenerator(7).Flow(start), NewGenerator(8).Flow(start)) {
		t.Fatal("different seeds gave the same flow")
	}
}

func TestFlowShape(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	g := NewGenerator(1)
	for range 50 {
		f := g.Flow(start)
		topics := map[string]int{}
		ids := map[string]bool{}
		for i, e := range f.Events {
			topics[e.Topic]++
			if i > 0 && e.Time.Before(f.Events[i-1].Time) {
				t.Fatalf("flow %s: events not in time order", f.OrderID)
			}
			if i == 0 && e.CausationID != "" || i > 0 && !ids[e.CausationID] {
				t.Fatalf("flow %s: event %d (%s) caused by %q, not an earlier event", f.OrderID, i, e.Topic, e.CausationID)
			}
			ids[e.ID] = true
			var tp, corr string
			for _, h := range e.Headers {
				switch h.Key {
				case "traceparent":
					tp = h.Value
				case "ce_correlationid":
					corr = h.Value
				}
			}
			if !strings.HasPrefix(tp, "00-"+f.TraceID+"-") || len(tp) != 55 || corr != f.OrderID {
				t.Fatalf("flow %s: traceparent %q, correlation %q", f.OrderID, tp, corr)
			}
			if !json.Valid([]byte(e.Value)) {
				t.Fatalf("invalid JSON value %s", e.Value)
			}
		}
		if topics[TopicOrders] != 1 || topics[TopicPayments] != 1 || topics[TopicShipping] != 1 || topics[TopicInventory] < 1 || topics[TopicInventory] > 3 {
			t.Fatalf("flow %s: events per topic %v", f.OrderID, topics)
		}
	}
}

// TestProducedFlowsDecodeAndTrace writes flows to kfake, encoded through a
// real registry, and reads them back through stream: every value decodes
// with its subject's latest schema, and tracing a flow by its trace-id (or
// by its order id) finds its events on the four topics, joined by causation
// edges into one tree rooted at the order.
func TestProducedFlowsDecodeAndTrace(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if err := CreateTopics(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	if err := CreateTopics(ctx, e.admin); err != nil {
		t.Fatalf("second CreateTopics: %v", err)
	}
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	flows, err := NewProducer(e.prod, e.reg).ProduceFlows(ctx, NewGenerator(42), 4, start)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range flows {
		want += len(f.Events)
	}
	c, err := stream.New(stream.WithAdmin(e.admin), stream.WithConsumer(e.client(t)), stream.WithRegistry(e.reg),
		stream.WithClock(func() time.Time { return start.Add(time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, tp := range Topics() {
		topics = append(topics, tp.Name)
	}
	got := 0
	_, err = c.Consume(ctx, stream.ConsumeOptions{ReadSpec: stream.ReadSpec{Topics: topics}}, func(r *stream.Record) error {
		got++
		if r.Value.Encoding != stream.EncAvro || r.Value.Schema == nil || r.Value.Schema.Subject != r.Topic+"-value" {
			t.Errorf("%s/%d@%d: value %s (%v)", r.Topic, r.Partition, r.Offset, r.Value.Encoding, r.Value.Err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("read %d records, want %d", got, want)
	}

	for _, id := range []string{flows[2].TraceID, flows[2].OrderID} {
		g, err := c.Trace(ctx, stream.TraceOptions{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		f := flows[2]
		if len(g.Hits) != len(f.Events) || len(g.Edges) != len(f.Events)-1 {
			t.Fatalf("trace %s: %d hits, %d edges; want %d and %d", id, len(g.Hits), len(g.Edges), len(f.Events), len(f.Events)-1)
		}
		seen := map[string]bool{}
		for _, h := range g.Hits {
			seen[h.Record.Topic] = true
		}
		if len(seen) != 4 || g.Hits[0].Record.Topic != TopicOrders || g.Hits[len(g.Hits)-1].Record.Topic != TopicShipping {
			t.Fatalf("trace %s: topics %v, first %s", id, seen, g.Hits[0].NodeName())
		}
		caused := map[int]bool{}
		for _, ed := range g.Edges {
			caused[ed.To] = true
		}
		if caused[0] || len(caused) != len(g.Hits)-1 {
			t.Fatalf("trace %s: edges %v do not form a tree rooted at the order", id, g.Edges)
		}
	}
}

// TestRunKeepsALaggingAndAnIdleGroup runs the live demo briefly: flows
// arrive on all four topics, the analytics group is active and lags, and
// the accounting group is Empty with a lag.
func TestRunKeepsALaggingAndAnIdleGroup(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	lagging := e.client(t, LaggingConsumerOpts()...)
	go func() {
		done <- Run(ctx, Options{Producer: e.prod, Admin: e.admin, Lagging: lagging, Registry: e.reg,
			OrdersPerSecond: 20, LagEvery: 300 * time.Millisecond, IdleAfter: time.Second, Seed: 3})
	}()
	c, err := stream.New(stream.WithAdmin(e.admin))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		an, err1 := c.DescribeGroup(ctxT(t), LaggingGroup)
		ac, err2 := c.DescribeGroup(ctxT(t), IdleGroup)
		ts, err3 := c.ListTopics(ctxT(t), false)
		ok := err1 == nil && err2 == nil && err3 == nil &&
			an.State == "Stable" && len(an.Members) == 1 && an.Lag > 20 &&
			ac.State == "Empty" && ac.Lag > 0 && len(ts) == 4 && committedSome(ac)
		for _, tp := range ts {
			ok = ok && tp.Records > 0
		}
		if ok {
			committed := false
			for _, o := range an.Offsets {
				committed = committed || o.Committed > 0
			}
			if !committed {
				continue // the slow consumer has not committed yet
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo groups not as expected: analytics %+v (%v), accounting %+v (%v), topics %+v (%v)", an, err1, ac, err2, ts, err3)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// committedSome reports whether the group committed an offset past 0: it
// committed after records arrived, so a rewind can go either way.
func committedSome(d *stream.GroupDetail) bool {
	for _, o := range d.Offsets {
		if o.Committed > 0 {
			return true
		}
	}
	return false
}
