package regmigrate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/regmigrate"
	"github.com/edactl/edactl/registry/registrytest"
)

// confluentRecords is what Confluent Schema Registry writes to _schemas
// for the history populate makes through the REST API, in Confluent's key
// and value JSON (SchemaKey, ConfigKey, ModeKey, DeleteSubjectKey,
// ClearSubjectKey, NoopKey and their values). A nil value is a tombstone.
var confluentRecords = []struct{ key, value string }{
	{`{"keytype":"NOOP","magic":0}`, ""},
	{`{"keytype":"CONFIG","subject":null,"magic":0}`, `{"compatibilityLevel":"BACKWARD_TRANSITIVE"}`},
	{`{"keytype":"SCHEMA","subject":"base-value","version":1,"magic":1}`, `{"subject":"base-value","version":1,"id":1,"schema":"{\"type\":\"record\",\"name\":\"Base\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"base-value","version":2,"magic":1}`, `{"subject":"base-value","version":2,"id":2,"schema":"{\"type\":\"record\",\"name\":\"Base\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"order-value","version":1,"magic":1}`, `{"subject":"order-value","version":1,"id":3,"schemaType":"AVRO","references":[{"name":"Base","subject":"base-value","version":2}],"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"base\",\"type\":\"Base\"}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"meta-value","version":1,"magic":1}`, `{"subject":"meta-value","version":1,"id":4,"md5":"00000000000000000000000000000000","metadata":{"properties":{"owner":"team-a","tier":"1"}},"ruleSet":null,"schema":"{\"type\":\"record\",\"name\":\"Meta\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"hard-value","version":1,"magic":1}`, `{"subject":"hard-value","version":1,"id":5,"schema":"{\"type\":\"record\",\"name\":\"Hard\",\"fields\":[]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"old-value","version":1,"magic":1}`, `{"subject":"old-value","version":1,"id":6,"schema":"{\"type\":\"record\",\"name\":\"Old\",\"fields\":[{\"name\":\"o\",\"type\":\"int\"}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"old-value","version":2,"magic":1}`, `{"subject":"old-value","version":2,"id":7,"schema":"{\"type\":\"record\",\"name\":\"Old\",\"fields\":[{\"name\":\"o\",\"type\":\"int\"},{\"name\":\"p\",\"type\":\"int\",\"default\":0}]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"gone-value","version":1,"magic":1}`, `{"subject":"gone-value","version":1,"id":8,"schema":"{\"type\":\"record\",\"name\":\"Gone\",\"fields\":[]}","deleted":false}`},
	{`{"keytype":"SCHEMA","subject":"later-value","version":1,"magic":1}`, `{"subject":"later-value","version":1,"id":9,"schema":"\"string\"","deleted":false}`},
	// DELETE /subjects/old-value/versions/1: the version's value again,
	// deleted.
	{`{"keytype":"SCHEMA","subject":"old-value","version":1,"magic":1}`, `{"subject":"old-value","version":1,"id":6,"schema":"{\"type\":\"record\",\"name\":\"Old\",\"fields\":[{\"name\":\"o\",\"type\":\"int\"}]}","deleted":true}`},
	// DELETE /subjects/gone-value.
	{`{"keytype":"DELETE_SUBJECT","subject":"gone-value","magic":0}`, `{"subject":"gone-value","version":1}`},
	// DELETE /subjects/hard-value, then ?permanent=true: tombstones and a
	// CLEAR_SUBJECT.
	{`{"keytype":"DELETE_SUBJECT","subject":"hard-value","magic":0}`, `{"subject":"hard-value","version":1}`},
	{`{"keytype":"SCHEMA","subject":"hard-value","version":1,"magic":1}`, ""},
	{`{"keytype":"CLEAR_SUBJECT","subject":"hard-value","magic":0}`, `{"subject":"hard-value"}`},
	// A config set and removed again leaves nothing.
	{`{"keytype":"CONFIG","subject":"later-value","magic":0}`, `{"subject":"later-value","compatibilityLevel":"FORWARD"}`},
	{`{"keytype":"CONFIG","subject":"later-value","magic":0}`, ""},
	{`{"keytype":"CONFIG","subject":"meta-value","magic":0}`, `{"subject":"meta-value","alias":null,"normalize":true,"validateFields":null,"compatibilityLevel":"NONE"}`},
	{`{"keytype":"CONFIG","subject":"base-value","magic":0}`, `{"subject":"base-value","compatibilityLevel":"FULL","compatibilityGroup":"major"}`},
	{`{"keytype":"MODE","subject":"order-value","magic":0}`, `{"subject":"order-value","mode":"READONLY"}`},
	{`{"keytype":"MODE","subject":"meta-value","magic":0}`, `{"subject":"meta-value","mode":"READWRITE"}`},
	{`{"keytype":"NOOP","magic":0}`, ""},
}

// TestFromSchemasTopic: a _schemas topic in Confluent's record format
// imports to the same state as the REST import of the same history.
func TestFromSchemasTopic(t *testing.T) {
	for _, r := range confluentRecords {
		if !json.Valid([]byte(r.key)) || r.value != "" && !json.Valid([]byte(r.value)) {
			t.Fatalf("test record is not JSON: %s %s", r.key, r.value)
		}
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	newClient := func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
	}
	ctx := context.Background()
	cl, err := newClient(kgo.DefaultProduceTopic("_schemas"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": new("compact")}, "_schemas"); err != nil {
		t.Fatal(err)
	}
	for _, r := range confluentRecords {
		rec := &kgo.Record{Key: []byte(r.key)}
		if r.value != "" {
			rec.Value = []byte(r.value)
		}
		if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	entries, stats, err := regmigrate.ReadSchemasTopic(ctx, newClient, "_schemas")
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != len(confluentRecords) || stats.ByKeyType["NOOP"] != 2 || stats.ByKeyType["DELETE_SUBJECT"] != 2 {
		t.Fatalf("stats = %+v", stats)
	}
	fromTopic := registrytest.Start(t)
	tcl := client(t, fromTopic.URL)
	plan, err := regmigrate.PlanImport(ctx, tcl, entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := regmigrate.Apply(ctx, tcl, plan, nil); err != nil {
		t.Fatal(err)
	}
	// The REST way: the same history made through the API, exported and
	// imported.
	src := registrytest.Start(t)
	populate(t, client(t, src.URL))
	restEntries, err := regmigrate.Fetch(ctx, client(t, src.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	fromREST := registrytest.Start(t)
	rcl := client(t, fromREST.URL)
	plan, err = regmigrate.PlanImport(ctx, rcl, restEntries)
	if err != nil {
		t.Fatal(err)
	}
	if err := regmigrate.Apply(ctx, rcl, plan, nil); err != nil {
		t.Fatal(err)
	}
	want, got := dump(t, fromREST.URL), dump(t, fromTopic.URL)
	if got != want {
		t.Fatalf("the _schemas import differs from the REST import:\n%s", diff(want, got))
	}
	if !strings.Contains(got, `"owner":"team-a"`) || !strings.Contains(got, "/mode/order-value → 200 {\"mode\":\"READONLY\"}") {
		t.Fatal("the imported state lacks the metadata or the mode")
	}
	// A record that is not Confluent's is refused with its offset.
	if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte(`{"keytype":"SCHEMA","subject":"x","version":1,"magic":1}`), Value: []byte(`{"id":"one"}`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	_, _, err = regmigrate.ReadSchemasTopic(ctx, newClient, "_schemas")
	if err == nil || !strings.Contains(err.Error(), "_schemas[0] offset 23: SCHEMA value") {
		t.Fatalf("bad record: %v", err)
	}
}
