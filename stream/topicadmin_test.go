package stream

import (
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestTopicAdmin: create with partitions and configs, change the
// configuration, raise the partition count (never lower it), delete, and
// the refusals: an existing topic, an unknown one, an internal one.
func TestTopicAdmin(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	c := tc.client()
	ctx := ctxT(t)

	ch, err := c.CreateTopic(ctx, "payments", CreateTopicOptions{Partitions: 3, Replicas: -1, Configs: map[string]string{"retention.ms": "3600000"}})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Action != "created" || ch.Partitions != 3 || ch.Replicas < 1 {
		t.Errorf("create: %+v", ch)
	}
	if _, err := c.CreateTopic(ctx, "payments", CreateTopicOptions{Partitions: 1, Replicas: -1}); !errors.Is(err, kerr.TopicAlreadyExists) {
		t.Errorf("create twice: %v", err)
	}
	value := func(name string) string {
		cfs, err := c.TopicConfig(ctx, "payments")
		if err != nil {
			t.Fatal(err)
		}
		for _, cf := range cfs {
			if cf.Name == name {
				return cf.Value
			}
		}
		return ""
	}
	if v := value("retention.ms"); v != "3600000" {
		t.Errorf("retention.ms after create: %q", v)
	}
	if _, err := c.AlterTopicConfig(ctx, "payments", map[string]string{"retention.ms": "7200000", "cleanup.policy": "compact"}, nil); err != nil {
		t.Fatal(err)
	}
	if v := value("retention.ms"); v != "7200000" {
		t.Errorf("retention.ms after set: %q", v)
	}
	if _, err := c.AlterTopicConfig(ctx, "payments", nil, []string{"cleanup.policy"}); err != nil {
		t.Fatal(err)
	}
	if v := value("cleanup.policy"); v != "delete" {
		t.Errorf("cleanup.policy after delete: %q, want the default", v)
	}
	if _, err := c.AlterTopicConfig(ctx, "nope", map[string]string{"retention.ms": "1"}, nil); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("alter unknown: %v", err)
	}

	if ch, err := c.SetPartitions(ctx, "payments", 5); err != nil || ch.Partitions != 5 {
		t.Fatalf("partitions 5: %+v %v", ch, err)
	}
	if d, err := c.DescribeTopic(ctx, "payments"); err != nil || len(d.Partitions) != 5 {
		t.Errorf("after partitions 5: %v %v", d, err)
	}
	if _, err := c.SetPartitions(ctx, "payments", 2); err == nil || !strings.Contains(err.Error(), "has 5 partitions: Kafka cannot remove partitions") {
		t.Errorf("partitions 2: %v", err)
	}
	if _, err := c.SetPartitions(ctx, "nope", 2); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("partitions of unknown: %v", err)
	}

	for _, name := range []string{"__consumer_offsets", "__anything"} {
		if _, err := c.DeleteTopic(ctx, name); !errors.Is(err, ErrInternalTopic) {
			t.Errorf("delete %s: %v", name, err)
		}
	}
	if _, err := c.DeleteTopic(ctx, "nope"); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("delete unknown: %v", err)
	}
	if ch, err := c.DeleteTopic(ctx, "payments"); err != nil || ch.Action != "deleted" {
		t.Fatalf("delete: %+v %v", ch, err)
	}
	ts, err := c.ListTopics(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range ts {
		if ts.Name == "payments" {
			t.Error("payments is listed after delete")
		}
	}
}
