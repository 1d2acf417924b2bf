package stream

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// testCluster is an in-process kfake cluster with clients per role.
type testCluster struct {
	t        testing.TB
	kf       *kfake.Cluster
	brokers  []string
	admin    *kgo.Client
	consumer *kgo.Client
	producer *kgo.Client
}

// newTestCluster starts kfake with the given topics (name → partitions).
func newTestCluster(t testing.TB, topics map[string]int32) *testCluster {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1)}
	for name, n := range topics {
		opts = append(opts, kfake.SeedTopics(n, name))
	}
	kf, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	tc := &testCluster{t: t, kf: kf, brokers: kf.ListenAddrs()}
	tc.admin = tc.newClient()
	tc.consumer = tc.newClient()
	tc.producer = tc.newClient()
	return tc
}

func (tc *testCluster) newClient(extra ...kgo.Opt) *kgo.Client {
	tc.t.Helper()
	cl, err := kgo.NewClient(ClientOpts(tc.brokers, extra...)...)
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(cl.Close)
	return cl
}

// client returns a stream Client over the cluster's role clients.
func (tc *testCluster) client(opts ...Option) *Client {
	tc.t.Helper()
	c, err := New(append([]Option{WithAdmin(tc.admin), WithConsumer(tc.consumer), WithProducer(tc.producer)}, opts...)...)
	if err != nil {
		tc.t.Fatal(err)
	}
	return c
}

// produce writes records synchronously.
func (tc *testCluster) produce(recs ...*kgo.Record) {
	tc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tc.producer.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		tc.t.Fatal(err)
	}
}

// rec builds a record for a partition with a string key and value.
func rec(topic string, p int32, key, value string, ts time.Time, headers ...string) *kgo.Record {
	r := &kgo.Record{Topic: topic, Partition: p, Value: []byte(value), Timestamp: ts}
	if key != "" {
		r.Key = []byte(key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: headers[i], Value: []byte(headers[i+1])})
	}
	return r
}

// manualPartitioner lets tests pick partitions; ClientOpts callers use the
// default key-hash partitioner.
func manual() kgo.Opt { return kgo.RecordPartitioner(kgo.ManualPartitioner()) }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustBound(t testing.TB, s string) Bound {
	t.Helper()
	b, err := ParseBound(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func offsetsOf(rs []*Record) string {
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf("%d@%d ", r.Partition, r.Offset)
	}
	return s
}

func sortRecs(rs []*Record) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Topic != rs[j].Topic {
			return rs[i].Topic < rs[j].Topic
		}
		if rs[i].Partition != rs[j].Partition {
			return rs[i].Partition < rs[j].Partition
		}
		return rs[i].Offset < rs[j].Offset
	})
}
