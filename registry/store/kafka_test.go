package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func kfakeCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func clientFor(c *kfake.Cluster) func(...kgo.Opt) (*kgo.Client, error) {
	return func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
	}
}

func openKafka(t *testing.T, c *kfake.Cluster, topic string) *Kafka {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	k, err := OpenKafka(ctx, KafkaConfig{Topic: topic, NewClient: clientFor(c)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func TestKafka(t *testing.T) {
	c := kfakeCluster(t, kfake.NumBrokers(3))
	k := openKafka(t, c, "")
	testLog(t, k)
	// The topic was created with the log's settings.
	adm := kadm.NewClient(k.cl)
	rcs, err := adm.DescribeTopicConfigs(context.Background(), DefaultKafkaTopic)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := rcs.On(DefaultKafkaTopic, nil)
	got := map[string]string{}
	for _, cf := range rc.Configs {
		got[cf.Key] = cf.MaybeValue()
	}
	if got["retention.ms"] != "-1" || got["retention.bytes"] != "-1" || got["cleanup.policy"] != "delete" {
		t.Fatalf("topic configs = retention.ms %q retention.bytes %q cleanup.policy %q", got["retention.ms"], got["retention.bytes"], got["cleanup.policy"])
	}
	// A second instance opens the existing topic and sees the same log.
	k2 := openKafka(t, c, "")
	if got := fmt.Sprint(collect(t, k2, 0)); got != "[a b c]" {
		t.Fatalf("second instance replays %s", got)
	}
	k.Close()
	if _, err := k.Append(context.Background(), [][]byte{[]byte("x")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
}

// TestKafkaFollow: Follow sees the records other instances append, in the
// order of the log.
func TestKafkaFollow(t *testing.T) {
	c := kfakeCluster(t)
	a, b := openKafka(t, c, "log"), openKafka(t, c, "log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []string
	var offs []uint64
	done := make(chan error, 1)
	go func() {
		done <- a.Follow(ctx, 0, func(off uint64, rec []byte) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, string(rec))
			offs = append(offs, off)
			return nil
		})
	}()
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := a
			if i%2 == 1 {
				l = b
			}
			if _, err := l.Append(ctx, [][]byte{fmt.Appendf(nil, "r%d", i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := len(seen)
		mu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Follow saw %d of %d records", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	for i, o := range offs {
		if o != uint64(i) {
			t.Fatalf("record %d has offset %d", i, o)
		}
	}
	replayed := collect(t, b, 0)
	if strings.Join(replayed, ",") != strings.Join(seen, ",") {
		t.Fatal("Follow and Replay disagree on the order")
	}
	mu.Unlock()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow returned %v after cancel", err)
	}
}

// TestKafkaRefusesBadTopic: a topic that would lose or reorder records is
// refused at open with the setting named.
func TestKafkaRefusesBadTopic(t *testing.T) {
	c := kfakeCluster(t)
	cl, err := clientFor(c)()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	s := func(v string) *string { return &v }
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, "three"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"retention.ms": s("604800000")}, "finite"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"retention.ms": s("-1"), "retention.bytes": s("-1"), "cleanup.policy": s("compact")}, "compacted"); err != nil {
		t.Fatal(err)
	}
	for topic, want := range map[string]string{"three": "3 partitions", "finite": "retention.ms=604800000", "compacted": "cleanup.policy=compact"} {
		_, err := OpenKafka(ctx, KafkaConfig{Topic: topic, NewClient: clientFor(c)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenKafka(%s) = %v, want an error naming %q", topic, err, want)
		}
	}
}
