package stream

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestReplay(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 2, "orders-replay": 4})
	tc.producer = tc.newClient(manual())
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 20 {
		tc.produce(rec("orders", int32(i%2), fmt.Sprintf("k%d", i%5), fmt.Sprintf("v%d", i), base.Add(time.Duration(i)*time.Minute), "h", fmt.Sprint(i)))
	}
	tc.producer = tc.newClient() // the default, key-hashing partitioner
	c := tc.client()

	var progress []ReplayProgress
	res, err := c.Replay(ctxT(t), ReplayOptions{Source: "orders", Target: "orders-replay",
		From: mustBound(t, "@2024-05-01T10:04:00Z"), Until: mustBound(t, "@2024-05-01T10:14:00Z"),
		Progress: func(p ReplayProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 10 {
		t.Errorf("copied %d, want 10 (minutes 4..13)", res.Copied)
	}
	if len(progress) == 0 || progress[len(progress)-1].Copied != 10 || progress[len(progress)-1].Total != 10 {
		t.Errorf("progress %+v", progress)
	}
	var got []*Record
	c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders-replay"}}}, func(r *Record) error {
		got = append(got, r)
		return nil
	})
	if len(got) != 10 {
		t.Fatalf("target has %d records", len(got))
	}
	keyPart := map[string]int32{}
	for _, r := range got {
		k := string(r.Key.Raw)
		if p, ok := keyPart[k]; ok && p != r.Partition {
			t.Errorf("key %s on partitions %d and %d", k, p, r.Partition)
		}
		keyPart[k] = r.Partition
		if len(r.Headers) != 1 || r.Headers[0].Key != "h" || "v"+string(r.Headers[0].Value) != string(r.Value.Raw) {
			t.Errorf("record %s lost its header: %v", r.Value.Raw, r.Headers)
		}
	}
	// Partitioned by key exactly as a Kafka producer would.
	want := map[string]int32{}
	for k := range keyPart {
		p := kgo.StickyKeyPartitioner(nil).ForTopic("orders-replay").Partition(&kgo.Record{Key: []byte(k)}, 4)
		want[k] = int32(p)
	}
	for k, p := range keyPart {
		if want[k] != p {
			t.Errorf("key %s on partition %d, murmur2 says %d", k, p, want[k])
		}
	}

	// --rate limits: 10 records at 50/s take at least ~180ms.
	start := time.Now()
	if _, err := c.Replay(ctxT(t), ReplayOptions{Source: "orders", Target: "orders-replay", Until: mustBound(t, "5"), Rate: 50}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("10 records at 50/s took %v", d)
	}

	if _, err := c.Replay(ctxT(t), ReplayOptions{Source: "orders", Target: "orders"}); !errors.Is(err, ErrReplayIntoSelf) {
		t.Errorf("into itself: %v", err)
	}
	if _, err := c.Replay(ctxT(t), ReplayOptions{Source: "orders", Target: "missing"}); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("missing target: %v", err)
	}
}
