package regmigrate_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/regmigrate"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/registry/store"
)

func client(t *testing.T, u string) *sr.Client {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(u))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func do(t *testing.T, cl *sr.Client, ctx context.Context, method, path string, body any) {
	t.Helper()
	if err := cl.Do(ctx, method, path, body, nil); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// populate fills a registry with what an export must carry: versions, soft
// deleted ones (a version, a whole subject), a hard-deleted one (an id gap),
// references, metadata, per-subject configs and modes.
func populate(t *testing.T, cl *sr.Client) {
	ctx := context.Background()
	reg := func(subject, schema string, refs []map[string]any, md map[string]any) {
		t.Helper()
		body := map[string]any{"schema": schema}
		if refs != nil {
			body["references"] = refs
		}
		if md != nil {
			body["metadata"] = md
		}
		do(t, cl, ctx, http.MethodPost, "/subjects/"+subject+"/versions", body)
	}
	do(t, cl, ctx, http.MethodPut, "/config", map[string]any{"compatibility": "BACKWARD_TRANSITIVE"})
	reg("base-value", `{"type":"record","name":"Base","fields":[{"name":"a","type":"int"}]}`, nil, nil)
	reg("base-value", `{"type":"record","name":"Base","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}`, nil, nil)
	reg("order-value", `{"type":"record","name":"Order","fields":[{"name":"base","type":"Base"}]}`,
		[]map[string]any{{"name": "Base", "subject": "base-value", "version": 2}}, nil)
	reg("meta-value", `{"type":"record","name":"Meta","fields":[{"name":"x","type":"long"}]}`, nil,
		map[string]any{"properties": map[string]string{"owner": "team-a", "tier": "1"}})
	reg("hard-value", `{"type":"record","name":"Hard","fields":[]}`, nil, nil)
	reg("old-value", `{"type":"record","name":"Old","fields":[{"name":"o","type":"int"}]}`, nil, nil)
	reg("old-value", `{"type":"record","name":"Old","fields":[{"name":"o","type":"int"},{"name":"p","type":"int","default":0}]}`, nil, nil)
	reg("gone-value", `{"type":"record","name":"Gone","fields":[]}`, nil, nil)
	reg("later-value", `{"type":"string"}`, nil, nil)
	do(t, cl, ctx, http.MethodDelete, "/subjects/old-value/versions/1", nil)
	do(t, cl, ctx, http.MethodDelete, "/subjects/gone-value", nil)
	do(t, cl, ctx, http.MethodDelete, "/subjects/hard-value", nil)
	if _, err := cl.DeleteSubject(ctx, "hard-value", sr.HardDelete); err != nil {
		t.Fatal(err)
	}
	do(t, cl, ctx, http.MethodPut, "/config/meta-value", map[string]any{"compatibility": "NONE", "normalize": true})
	do(t, cl, ctx, http.MethodPut, "/config/base-value", map[string]any{"compatibility": "FULL", "compatibilityGroup": "major"})
	do(t, cl, ctx, http.MethodPut, "/mode/order-value", map[string]any{"mode": "READONLY"})
	do(t, cl, ctx, http.MethodPut, "/mode/meta-value", map[string]any{"mode": "READWRITE"})
}

// dump renders everything a client can read from a registry: every
// GET /schemas/ids/N up to the highest id, every subject's versions (with
// deleted=true) and live versions with each version's body, every config
// and mode.
func dump(t *testing.T, u string) string {
	t.Helper()
	var b strings.Builder
	get := func(path string) string {
		resp, err := http.Get(u + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return fmt.Sprintf("%s → %d %s\n", path, resp.StatusCode, bytes.TrimSpace(buf.Bytes()))
	}
	for id := 1; id <= 12; id++ {
		b.WriteString(get(fmt.Sprintf("/schemas/ids/%d", id)))
	}
	b.WriteString(get("/subjects?deleted=true"))
	b.WriteString(get("/subjects"))
	for _, s := range []string{"base-value", "order-value", "meta-value", "hard-value", "old-value", "gone-value", "later-value"} {
		b.WriteString(get("/subjects/" + s + "/versions?deleted=true"))
		b.WriteString(get("/subjects/" + s + "/versions"))
		for v := 1; v <= 2; v++ {
			b.WriteString(get(fmt.Sprintf("/subjects/%s/versions/%d?deleted=true", s, v)))
		}
		b.WriteString(get("/config/" + s))
		b.WriteString(get("/mode/" + s))
	}
	b.WriteString(get("/config"))
	b.WriteString(get("/mode"))
	return b.String()
}

func kafkaLog(t *testing.T) store.Log {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "source: "+x, "target: "+y)
		}
	}
	return strings.Join(out, "\n")
}

// TestRoundTrip: export from a registry with soft-deleted versions,
// references, metadata, per-subject configs and modes, import the file into
// an empty edactl on each store, and every read matches the source's.
func TestRoundTrip(t *testing.T) {
	src := registrytest.Start(t)
	populate(t, client(t, src.URL))
	ctx := context.Background()
	entries, err := regmigrate.Fetch(ctx, client(t, src.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := regmigrate.Write(&file, src.URL, entries); err != nil {
		t.Fatal(err)
	}
	want := dump(t, src.URL)
	for _, target := range []struct {
		name string
		opts []registrytest.Option
	}{
		{"bolt", nil},
		{"kafka", []registrytest.Option{registrytest.WithLog(kafkaLog(t))}},
	} {
		t.Run(target.name, func(t *testing.T) {
			dst := registrytest.Start(t, target.opts...)
			read, err := regmigrate.Read(bytes.NewReader(file.Bytes()), "export.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			tcl := client(t, dst.URL)
			plan, err := regmigrate.PlanImport(ctx, tcl, read)
			if err != nil {
				t.Fatal(err)
			}
			if err := regmigrate.Apply(ctx, tcl, plan, nil); err != nil {
				t.Fatal(err)
			}
			// Reads on the kafka store wait for nothing: the import's
			// writes were answered once applied on this instance.
			if got := dump(t, dst.URL); got != want {
				t.Fatalf("the target differs from the source:\n%s", diff(want, got))
			}
			// Re-running changes nothing.
			again, err := regmigrate.PlanImport(ctx, tcl, read)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Actions) != 0 {
				t.Fatalf("a second import would change %d things: %v", len(again.Actions), again.Actions)
			}
			// The id counter continues after the highest imported id.
			var res struct{ ID int }
			if err := tcl.Do(ctx, http.MethodPost, "/subjects/new-value/versions", map[string]string{"schema": `{"type":"record","name":"New","fields":[]}`}, &res); err != nil {
				t.Fatal(err)
			}
			maxID := 0
			for _, e := range read {
				maxID = max(maxID, e.ID)
			}
			if res.ID != maxID+1 {
				t.Fatalf("first new id after the import = %d, want %d", res.ID, maxID+1)
			}
		})
	}
}

// TestDryRun: a plan lists the changes and makes none.
func TestDryRun(t *testing.T) {
	src := registrytest.Start(t)
	populate(t, client(t, src.URL))
	ctx := context.Background()
	entries, err := regmigrate.Fetch(ctx, client(t, src.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := registrytest.Start(t)
	before := dump(t, dst.URL)
	plan, err := regmigrate.PlanImport(ctx, client(t, dst.URL), entries)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range plan.Actions {
		kinds = append(kinds, a.Kind)
	}
	if n := len(slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return k != regmigrate.ActRegister })); n != 8 {
		t.Fatalf("plan registers %d versions, want 8 (the hard-deleted one is gone): %v", n, plan.Actions)
	}
	if dump(t, dst.URL) != before {
		t.Fatal("planning changed the target")
	}
	// A version the target holds with another id is a conflict.
	tcl := client(t, dst.URL)
	do(t, tcl, ctx, http.MethodPost, "/subjects/later-value/versions", map[string]string{"schema": `{"type":"int"}`})
	_, err = regmigrate.PlanImport(ctx, tcl, entries)
	if err == nil || !strings.Contains(err.Error(), "later-value version 1 has id 1 on the target") {
		t.Fatalf("conflicting target: %v", err)
	}
}
