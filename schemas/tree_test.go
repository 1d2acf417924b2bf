package schemas

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

const okEvent = `{"type":"record","name":"OrderPlaced","namespace":"shop","doc":"d","x-eda-kind":"event","x-eda-key":"orderId","x-eda-topic":"orders","x-eda-owner":"team-a","fields":[{"name":"orderId","type":"string","doc":"d"},{"name":"amount","type":"long","doc":"d"}]}`

func TestLoadEventMetadataAndSubjects(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{
		"schemas/orders/order-placed/v1.avsc": okEvent,
		"schemas/orders/order-placed/v2.avsc": okEvent,
		"schemas/orders/README.md":            "docs may live anywhere",
	}
	for _, tt := range []struct {
		strategy, subject string
	}{
		{"", "orders-value"},
		{"topic", "orders-value"},
		{"record", "shop.OrderPlaced"},
		{"topic-record", "orders-shop.OrderPlaced"},
	} {
		fsys := mapFS(files)
		fsys["edactl.yaml"] = &fstest.MapFile{Data: []byte("subject_strategy: " + tt.strategy + "\nevents:\n  orders/order-placed:\n    consumers: [x]\n")}
		tree, err := LoadFS(ctx, fsys)
		if err != nil {
			t.Fatal(err)
		}
		if len(tree.Problems) > 0 {
			t.Fatalf("problems: %v", tree.Problems)
		}
		e := tree.Event("orders/order-placed")
		if e == nil || len(e.Versions) != 2 {
			t.Fatalf("event not loaded: %+v", tree.Events)
		}
		if e.Subject != tt.subject {
			t.Errorf("%s: subject = %q, want %q", tt.strategy, e.Subject, tt.subject)
		}
		if e.Kind != KindEvent || e.Key != "orderId" || e.Topic != "orders" || e.Owner != "team-a" || e.FullName != "shop.OrderPlaced" {
			t.Errorf("metadata: %+v", e)
		}
		if len(e.Consumers) != 1 || e.Latest().Number != 2 || e.Versions[0].File != "schemas/orders/order-placed/v1.avsc" {
			t.Errorf("versions/config: %+v", e)
		}
	}
}

func TestLoadDisplayDirAndDefaults(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "proj", "edactl.yaml"), "schemas: contracts\n")
	ev := strings.ReplaceAll(okEvent, `"x-eda-topic":"orders",`, "")
	writeFile(t, filepath.Join(dir, "proj", "contracts", "orders", "order_placed", "v1.avsc"), ev)
	tree, err := Load(ctx, filepath.Join(dir, "proj", "edactl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := tree.Event("orders/order_placed")
	if e == nil {
		t.Fatalf("no event: %+v %v", tree.Events, tree.Problems)
	}
	want := filepath.ToSlash(filepath.Join(dir, "proj", "contracts", "orders", "order_placed", "v1.avsc"))
	if e.Versions[0].File != want {
		t.Errorf("file = %q, want %q", e.Versions[0].File, want)
	}
	if e.Topic != "orders.order_placed" || e.Subject != "orders.order_placed-value" {
		t.Errorf("default topic/subject: %q %q", e.Topic, e.Subject)
	}
	if _, err := Load(ctx, filepath.Join(dir, "missing", "edactl.yaml")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing config: %v", err)
	}
	writeFile(t, filepath.Join(dir, "empty", "edactl.yaml"), "")
	if _, err := Load(ctx, filepath.Join(dir, "empty", "edactl.yaml")); err == nil || !strings.Contains(err.Error(), "schema tree") {
		t.Errorf("missing schemas dir: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestLoadProblems(t *testing.T) {
	ctx := context.Background()
	rec := func(name string) string {
		return `{"type":"record","name":"` + name + `","fields":[{"name":"a","type":"string"}]}`
	}
	fsys := mapFS(map[string]string{
		"edactl.yaml":                    "events:\n  x/missing:\n    topic: t\n  a/topic-clash:\n    topic: other\n",
		"schemas/a/gap/v2.avsc":          rec("Gap"),
		"schemas/a/gap/v5.avsc":          rec("Gap"),
		"schemas/a/empty-dir/README":     "no versions: not an event",
		"schemas/a/topic-clash/v1.avsc":  `{"type":"record","name":"TopicClash","x-eda-topic":"mine","fields":[]}`,
		"schemas/a/same-topic/v1.avsc":   `{"type":"record","name":"SameTopic","x-eda-topic":"shared","fields":[]}`,
		"schemas/b/same-topic/v1.avsc":   `{"type":"record","name":"SameTopic","x-eda-topic":"shared","fields":[]}`,
		"schemas/a/bad-key/v1.avsc":      `{"type":"record","name":"BadKey","x-eda-key":7,"fields":[]}`,
		"schemas/a/deep/x/v1.avsc":       rec("X"),
		"schemas/a/.hidden/v1.avsc":      "ignored",
		"schemas/a/empty/v1.avsc":        "  ",
		"schemas/a/renamed/v1.avsc":      `{"type":"record","name":"Renamed","namespace":"old","fields":[]}`,
		"schemas/a/renamed/v2.avsc":      `{"type":"record","name":"Renamed","namespace":"new","aliases":["old.Renamed"],"fields":[]}`,
		"schemas/a/renamed/notes.txt":    "fine",
		"schemas/a/renamed/v2.avsc.orig": "fine too: not .avsc",
	})
	tree, err := LoadFS(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range tree.Problems {
		if p.Severity != Error {
			t.Errorf("load problems are errors: %s", p)
		}
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"schemas/a/gap/v2.avsc:1: a.gap-value: -: VERSION_GAP: the first version is v2.avsc: versions start at v1.avsc",
		"schemas/a/gap/v5.avsc:1: a.gap-value: -: VERSION_GAP: v5.avsc follows v2.avsc: v3.avsc to v4.avsc are missing",
		`schemas/a/topic-clash/v1.avsc:1: mine-value: TopicClash: TOPIC_CONFLICT: x-eda-topic is "mine" but edactl.yaml sets topic "other" for a/topic-clash (line 5): keep one`,
		`schemas/a/same-topic/v1.avsc:1: shared-value: -: DUPLICATE_SUBJECT: events a/same-topic, b/same-topic share subject "shared-value"`,
		`schemas/a/bad-key/v1.avsc:1: a.bad-key-value: BadKey: INVALID_ATTRIBUTE: x-eda-key must be a non-empty string, not 7`,
		"schemas/a/deep/x/v1.avsc:1: -: -: BAD_LAYOUT",
		"schemas/a/empty/v1.avsc:1: -: -: INVALID_JSON: empty schema",
		"edactl.yaml:2: -: -: UNKNOWN_EVENT: events.x/missing",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, "hidden") || strings.Contains(all, "empty-dir") || strings.Contains(all, "renamed") {
		t.Errorf("unexpected problems:\n%s", all)
	}
	if tree.Event("a/empty-dir") != nil {
		t.Error("a folder without versions is not an event")
	}

	// Under the record strategy a namespace change moves the subject.
	fsys["edactl.yaml"] = &fstest.MapFile{Data: []byte("subject_strategy: record\n")}
	tree, err = LoadFS(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range tree.Problems {
		if p.Rule == RuleSubjectChanges && p.File == "schemas/a/renamed/v1.avsc" {
			found = true
		}
	}
	if !found {
		t.Errorf("no SUBJECT_CHANGES: %v", tree.Problems)
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LoadFS(ctx, mapFS(map[string]string{"schemas/a/b/v1.avsc": okEvent}))
	if err == nil {
		t.Fatal("want an error from a cancelled context")
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"OrderPlaced":        "Order Placed",
		"order_placed":       "order placed",
		"HTTPRequestSent":    "HTTP Request Sent",
		"orderID":            "order ID",
		"v2Thing":            "v2 Thing",
		"shipment-delivered": "shipment delivered",
	} {
		if got := strings.Join(words(in), " "); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
	if kebab("OrderPlaced") != "order-placed" {
		t.Error(kebab("OrderPlaced"))
	}
	if normName("Order_Placed") != normName("order-placed") {
		t.Error("normName")
	}
}

func TestVersionNumber(t *testing.T) {
	for name, want := range map[string]int{"v1.avsc": 1, "v12.avsc": 12, "v0.avsc": 0, "v01.avsc": 0, "v.avsc": 0, "V1.avsc": 0, "v1.json": 0, "v-1.avsc": 0, "v1a.avsc": 0} {
		n, ok := versionNumber(name)
		if ok != (want > 0) || n != want {
			t.Errorf("versionNumber(%q) = %d, %v", name, n, ok)
		}
	}
}
