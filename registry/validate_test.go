package registry

import (
	"context"
	"strings"
	"testing"
)

// A new version whose defaults do not match their types, whose fixed size
// is beyond int32, or whose references define one name differently is
// refused with 42201 naming the field path (or the references and the
// name). IMPORT mode accepts it, as the source registry held it, with a
// warning in the log, and registering it again later returns its id.
func TestRegisterValidatesWhatHambaLetsThrough(t *testing.T) {
	ctx := context.Background()
	var logs logBuffer
	r := openTest(t, nil, WithLogger(logs.logger()))
	bad := map[string]string{
		"int":   recordSchema("R", `{"name":"f","type":"int","default":1.5}`),
		"long":  recordSchema("R", `{"name":"f","type":"long","default":9223372036854775808}`),
		"union": recordSchema("R", `{"name":"f","type":["int","null"],"default":2147483648}`),
		"fixed": recordSchema("R", `{"name":"f","type":{"type":"fixed","name":"F","size":2147483648}}`),
	}
	for name, schema := range bad {
		_, err := r.Register(ctx, name, RegisterRequest{Schema: schema})
		re := wantCode(t, "register "+name, err, CodeInvalidSchema)
		if !strings.Contains(re.Message, "R.f") {
			t.Errorf("register %s: message %q does not name the field R.f", name, re.Message)
		}
		_, err = r.CheckCompatibility(ctx, name, 0, RegisterRequest{Schema: schema})
		wantCode(t, "check "+name, err, CodeInvalidSchema)
	}
	if got := r.Subjects("", IncludeDeleted); len(got) != 0 {
		t.Fatalf("refused schemas were registered: %v", got)
	}

	// Two references defining one name differently.
	a1 := `{"type":"record","name":"A","namespace":"n","fields":[{"name":"x","type":"int"}]}`
	a2 := `{"type":"record","name":"A","namespace":"n","fields":[{"name":"y","type":"string"}]}`
	for s, schema := range map[string]string{"a1": a1, "a2": a2} {
		if _, err := r.Register(ctx, s, RegisterRequest{Schema: schema}); err != nil {
			t.Fatal(err)
		}
	}
	refs := []Reference{{Name: "n.A", Subject: "a1", Version: 1}, {Name: "other.A", Subject: "a2", Version: 1}}
	user := recordSchema("T", `{"name":"a","type":"n.A"}`)
	_, err := r.Register(ctx, "user", RegisterRequest{Schema: user, References: refs})
	re := wantCode(t, "register with conflicting references", err, CodeInvalidSchema)
	for _, want := range []string{`reference "n.A" (subject a1, version 1)`, `reference "other.A" (subject a2, version 1)`, "both define n.A"} {
		if !strings.Contains(re.Message, want) {
			t.Errorf("message %q lacks %q", re.Message, want)
		}
	}

	// IMPORT accepts, with a warning.
	if _, err := r.SetMode(ctx, "", "IMPORT", ForceImport); err != nil {
		t.Fatal(err)
	}
	res, err := r.Register(ctx, "int", RegisterRequest{Schema: bad["int"], ID: 100, Version: 1})
	if err != nil || res.ID != 100 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	if !strings.Contains(logs.String(), "imported a schema that fails validation") || !strings.Contains(logs.String(), "R.f") {
		t.Fatalf("no warning in the log:\n%s", logs.String())
	}
	if _, err := r.SetMode(ctx, "", "READWRITE", CheckImport); err != nil {
		t.Fatal(err)
	}
	// What the registry holds stays registrable (serializers register at
	// start-up) and can be looked up.
	if res, err := r.Register(ctx, "int", RegisterRequest{Schema: bad["int"]}); err != nil || res.ID != 100 || !res.Existing {
		t.Fatalf("register the imported schema again = %+v, %v", res, err)
	}
	if _, err := r.Lookup(ctx, "int", RegisterRequest{Schema: bad["int"]}, LiveOnly); err != nil {
		t.Fatalf("lookup of the imported schema: %v", err)
	}
}
