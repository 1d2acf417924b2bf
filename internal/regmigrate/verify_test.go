package regmigrate_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/regmigrate"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// TestVerify: every schema id the topics' records use that the registry
// cannot resolve is reported, with where it was first seen.
func TestVerify(t *testing.T) {
	reg := registrytest.Start(t)
	rcl := client(t, reg.URL)
	ctx := context.Background()
	do(t, rcl, ctx, http.MethodPost, "/subjects/a-value/versions", map[string]string{"schema": `"string"`})
	do(t, rcl, ctx, http.MethodPost, "/subjects/b-value/versions", map[string]string{"schema": `"long"`})
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "orders", "payments"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	newClient := func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
	}
	cl, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	framed := func(id int) []byte { return serde.AppendHeader(nil, id) }
	old := time.Now().Add(-48 * time.Hour)
	recs := []*kgo.Record{
		{Topic: "orders", Partition: 0, Value: framed(1), Timestamp: old},
		{Topic: "orders", Partition: 0, Value: framed(77), Timestamp: old}, // before --since
		{Topic: "orders", Partition: 1, Key: framed(2), Value: []byte("plain text")},
		{Topic: "payments", Partition: 0, Value: framed(99)},
		{Topic: "payments", Partition: 1, Key: []byte("k"), Value: framed(99)},
	}
	pcl, err := newClient(kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	if err := pcl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	rep, err := regmigrate.Verify(ctx, newClient, rcl, []string{"orders", "payments"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 5 || rep.IDs != 4 || len(rep.Missing) != 2 || rep.Missing[0].ID != 77 || rep.Missing[1].ID != 99 || rep.Missing[1].Records != 2 {
		t.Fatalf("report = %+v", rep)
	}
	if rep.Missing[0].First != "orders[0] offset 1 value" {
		t.Fatalf("first sighting of 77: %q", rep.Missing[0].First)
	}
	rep, err = regmigrate.Verify(ctx, newClient, rcl, []string{"orders", "payments"}, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 3 || len(rep.Missing) != 1 || rep.Missing[0].ID != 99 {
		t.Fatalf("report since a day ago = %+v", rep)
	}
	if _, err := regmigrate.Verify(ctx, newClient, rcl, []string{"nope"}, time.Time{}); err == nil {
		t.Fatal("a missing topic must be an error")
	}
}
