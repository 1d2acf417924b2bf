package stream

import (
	"errors"
	"testing"
	"time"
)

func TestTopicsAndGroups(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 2, "audit": 1})
	tc.producer = tc.newClient(manual())
	now := time.Now()
	for i := range 5 {
		tc.produce(rec("orders", int32(i%2), "k", "v", now))
	}
	c := tc.client()

	ts, err := c.ListTopics(ctxT(t), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Name != "audit" || ts[1].Name != "orders" || ts[1].Partitions != 2 || ts[1].Records != 5 ||
		len(ts[1].EndOffsets) != 2 || ts[1].EndOffsets[0] != 3 || ts[1].EndOffsets[1] != 2 {
		t.Errorf("topics %+v", ts)
	}

	d, err := c.DescribeTopic(ctxT(t), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Partitions) != 2 || d.Partitions[0].End != 3 || d.Partitions[1].Start != 0 || d.Partitions[1].End != 2 || d.Partitions[0].Leader < 0 {
		t.Errorf("describe %+v", d)
	}
	if len(d.Configs) == 0 {
		t.Error("no configs")
	}
	if _, err := c.DescribeTopic(ctxT(t), "nope"); !errors.Is(err, ErrUnknownTopic) {
		t.Errorf("describe unknown: %v", err)
	}

	tc.commitGroup("billing", map[string]map[int32]int64{"orders": {0: 1, 1: 2}})
	gs, err := c.ListGroups(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].Name != "billing" || gs[0].Lag != 2 || gs[0].Members != 0 {
		t.Errorf("groups %+v", gs)
	}
	gd, err := c.DescribeGroup(ctxT(t), "billing")
	if err != nil {
		t.Fatal(err)
	}
	if gd.State != "Empty" || len(gd.Offsets) != 2 || gd.Offsets[0].Committed != 1 || gd.Offsets[0].Lag != 2 || gd.Offsets[1].Lag != 0 || gd.Lag != 2 {
		t.Errorf("group %+v", gd)
	}
	if _, err := c.DescribeGroup(ctxT(t), "nobody"); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("describe unknown group: %v", err)
	}
}
