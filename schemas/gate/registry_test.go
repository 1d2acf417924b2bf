package gate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/schemas/gate"
)

func client(t *testing.T, opts ...registrytest.Option) *sr.Client {
	t.Helper()
	srv := registrytest.Start(t, opts...)
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func load(t *testing.T, files map[string]string) *schemas.Tree {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, c := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(c)}
	}
	tree, err := schemas.LoadFS(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestPushExamplesThenCheck(t *testing.T) {
	ctx := context.Background()
	cl := client(t)
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}

	plan, err := gate.Push(ctx, tree, cl, gate.PushOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Registered != 17 || plan.Refused != 0 {
		t.Fatalf("dry run: %+v", plan)
	}
	if subs, err := cl.Subjects(ctx); err != nil || len(subs) != 0 {
		t.Fatalf("a dry run registers nothing: %v %v", subs, err)
	}

	res, err := gate.Push(ctx, tree, cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Registered != 17 || res.Refused != 0 {
		t.Fatalf("push: %+v", res)
	}
	for _, sp := range res.Subjects {
		for _, v := range sp.Versions {
			if v.Version != v.Local || v.ID == 0 {
				t.Errorf("%s: local v%d registered as version %d id %d", sp.Subject, v.Local, v.Version, v.ID)
			}
		}
	}
	// What the registry holds is the files, in order.
	e := tree.Event("payments/payment-captured")
	got, err := cl.Schemas(ctx, e.Subject)
	if err != nil || len(got) != 3 {
		t.Fatalf("registry holds %v, %v", got, err)
	}

	again, err := gate.Push(ctx, tree, cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Registered != 0 {
		t.Errorf("second push registered %d", again.Registered)
	}
	for _, sp := range again.Subjects {
		if sp.Status != gate.StatusUpToDate {
			t.Errorf("%s: %s", sp.Subject, sp.Status)
		}
	}

	r, err := gate.Check(ctx, tree, gate.Options{Registry: cl, RegistryURL: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || len(r.Findings) != 0 {
		t.Errorf("check against registry: %s %v", r.Summary(), r.Findings)
	}
}

const (
	v1Int  = `{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"id","fields":[{"name":"id","type":"string","doc":"d"},{"name":"n","type":"int","doc":"d"}]}`
	v2Long = `{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"id","fields":[{"name":"id","type":"string","doc":"d"},{"name":"n","type":"long","doc":"d"}]}`
)

// New versions are checked against the registry's history under the
// registry's level for the subject, which may be stricter than the tree's.
func TestRegistryLevelApplies(t *testing.T) {
	ctx := context.Background()
	cl := client(t)
	v1only := load(t, map[string]string{"schemas/a/thing-created/v1.avsc": v1Int})
	if res, err := gate.Push(ctx, v1only, cl, gate.PushOptions{}); err != nil || res.Registered != 1 {
		t.Fatalf("push v1: %+v %v", res, err)
	}
	subject := v1only.Events[0].Subject
	if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}, subject); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}

	tree := load(t, map[string]string{"schemas/a/thing-created/v1.avsc": v1Int, "schemas/a/thing-created/v2.avsc": v2Long})
	local, err := gate.Check(ctx, tree, gate.Options{})
	if err != nil || !local.OK {
		t.Fatalf("BACKWARD locally: int→long is fine: %v %v", err, local.Findings)
	}
	r, err := gate.Check(ctx, tree, gate.Options{Registry: cl})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || len(r.Findings) != 1 {
		t.Fatalf("want one finding, got %v", r.Findings)
	}
	f := r.Findings[0]
	if f.Rule != "TYPE_MISMATCH" || f.File != "schemas/a/thing-created/v2.avsc" || f.Path != "ThingCreated.n" ||
		f.Message != "registry version 1 cannot read data written with v2 (FULL): reader expects int, writer wrote long" {
		t.Errorf("finding: %+v", f)
	}

	res, err := gate.Push(ctx, tree, cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || res.Subjects[0].Status != gate.StatusRefused || !strings.Contains(res.Subjects[0].Reason, "under its level FULL") {
		t.Fatalf("push: %+v", res)
	}
	if vs, _ := cl.SubjectVersions(ctx, subject); len(vs) != 1 {
		t.Errorf("refused push registered something: %v", vs)
	}
}

// When the registry rejects a version after earlier ones of the same run
// were registered, those are deleted again: nothing is half-done.
func TestPushRollsBackASubject(t *testing.T) {
	ctx := context.Background()
	cl := client(t, registrytest.WithRegistryOptions(registry.WithMaxSchemaBytes(400)))
	big := strings.Replace(v1Int, `"doc":"d","x-eda-key"`, `"doc":"`+strings.Repeat("long documentation ", 30)+`","x-eda-key"`, 1)
	tree := load(t, map[string]string{
		"schemas/a/thing-created/v1.avsc": v1Int,
		"schemas/a/thing-created/v2.avsc": big,
		"schemas/b/other-created/v1.avsc": strings.Replace(v1Int, "ThingCreated", "OtherCreated", 1),
	})
	res, err := gate.Push(ctx, tree, cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || res.Registered != 1 {
		t.Fatalf("want one refused subject and the other registered: %+v", res)
	}
	var refused gate.SubjectPush
	for _, sp := range res.Subjects {
		if sp.Status == gate.StatusRefused {
			refused = sp
		}
	}
	if !strings.Contains(refused.Reason, "the registry rejected v2.avsc: HTTP 4") || !strings.Contains(refused.Reason, "the 1 version(s) registered before it were deleted again") {
		t.Errorf("reason: %s", refused.Reason)
	}
	if vs, err := cl.SubjectVersions(ctx, refused.Subject); err == nil && len(vs) > 0 {
		t.Errorf("subject %s still holds %v", refused.Subject, vs)
	}
	if vs, err := cl.SubjectVersions(sr.WithParams(ctx, sr.ShowDeleted), refused.Subject); err == nil && len(vs) > 0 {
		t.Errorf("subject %s still holds deleted %v: rollback must delete permanently", refused.Subject, vs)
	}
}

func TestPushRefusesBrokenEvents(t *testing.T) {
	ctx := context.Background()
	cl := client(t)
	tree := load(t, map[string]string{
		"schemas/a/thing-created/v1.avsc": v1Int,
		"schemas/a/thing-created/v3.avsc": v2Long, // gap
	})
	res, err := gate.Push(ctx, tree, cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || len(res.Subjects[0].Findings) == 0 || res.Subjects[0].Findings[0].Rule != schemas.RuleVersionGap {
		t.Fatalf("push: %+v", res)
	}
	if subs, _ := cl.Subjects(ctx); len(subs) != 0 {
		t.Errorf("registered %v", subs)
	}
}

// A new version with the content of a published one (a revert, v3 = v1)
// would be answered with the existing version and create none: push refuses
// the subject before registering anything, and never deletes the published
// version, even when a later version is rejected.
func TestPushRefusesARevertAndKeepsPublishedVersions(t *testing.T) {
	ctx := context.Background()
	cl := client(t, registrytest.WithRegistryOptions(registry.WithMaxSchemaBytes(400)))
	v2 := strings.Replace(v1Int, `"fields":[`, `"fields":[{"name":"note","type":["null","string"],"default":null,"doc":"n"},`, 1)
	big := strings.Replace(v1Int, `"doc":"d","x-eda-key"`, `"doc":"`+strings.Repeat("long documentation ", 30)+`","x-eda-key"`, 1)
	files := map[string]string{"schemas/a/thing-created/v1.avsc": v1Int}
	if res, err := gate.Push(ctx, load(t, files), cl, gate.PushOptions{}); err != nil || res.Registered != 1 {
		t.Fatalf("first push: %+v %v", res, err)
	}
	files["schemas/a/thing-created/v2.avsc"] = v2
	files["schemas/a/thing-created/v3.avsc"] = v1Int
	files["schemas/a/thing-created/v4.avsc"] = big
	res, err := gate.Push(ctx, load(t, files), cl, gate.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || res.Registered != 0 {
		t.Fatalf("want the subject refused with nothing registered: %+v", res)
	}
	sp := res.Subjects[0]
	if len(sp.Findings) != 1 || sp.Findings[0].Rule != gate.RuleRepeatsPublished || sp.Findings[0].Version != 3 {
		t.Fatalf("findings: %+v", sp.Findings)
	}
	vs, err := cl.SubjectVersions(sr.WithParams(ctx, sr.ShowDeleted), sp.Subject)
	if err != nil || len(vs) != 1 || vs[0] != 1 {
		t.Fatalf("the registry must still hold exactly version 1: %v %v", vs, err)
	}
	// check --against registry reports the same problem.
	rep, err := gate.Check(ctx, load(t, files), gate.Options{Registry: cl, RegistryURL: "test"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Rule == gate.RuleRepeatsPublished
	}
	if !found || rep.OK {
		t.Fatalf("check against the registry must report %s: %+v", gate.RuleRepeatsPublished, rep.Findings)
	}
}
