package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/registrytest"
)

// A 409 in Confluent's own words: descriptions without edactl's "PATH:"
// prefix, an old schema whose text holds quotes, braces and the word
// "compatibility:", and a forward problem.
const confluent409 = `Schema being registered is incompatible with an earlier schema for subject "orders-value", details: [` +
	`{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'total' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'total'}, ` +
	`{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/fields/0/type/1' in the old schema', additionalInfo:'reader union lacking writer type: INT'}, ` +
	`{oldSchemaVersion: 3}, ` +
	`{oldSchema: '{"type":"record","name":"Order","doc":"it's {odd}, compatibility: 'X'}","fields":[]}'}, ` +
	`{validateFields: 'false', compatibility: 'FULL'}]`

func TestParseConfluentCompatMessages(t *testing.T) {
	msgs, ok := splitCompatDetails(confluent409)
	if !ok || len(msgs) != 5 {
		t.Fatalf("split = %d messages (ok %v): %q", len(msgs), ok, msgs)
	}
	rep := parseCompatMessages(msgs)
	if rep.Level != compat.Level("FULL") {
		t.Errorf("level = %q, want FULL", rep.Level)
	}
	is := rep.Incompatibilities()
	if len(is) != 2 {
		t.Fatalf("incompatibilities = %+v, want 2", is)
	}
	if is[0].Rule != "READER_FIELD_MISSING_DEFAULT_VALUE" || is[0].Path != "/fields/1" ||
		is[0].Message != "The field 'total' at path '/fields/1' in the new schema has no default value and is missing in the old schema" {
		t.Errorf("first = %+v", is[0])
	}
	if len(rep.Comparisons) != 2 || rep.Comparisons[0].Direction != compat.DirBackward || rep.Comparisons[1].Direction != compat.DirForward {
		t.Fatalf("comparisons = %+v, want one backward then one forward", rep.Comparisons)
	}
	if rep.versions[0] != 3 || rep.versions[1] != 3 {
		t.Errorf("versions = %v, want [3 3]", rep.versions)
	}
	var b strings.Builder
	if err := writeCompatAnswer(&b, "v4.avsc", "orders-value", rep, msgs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"v4.avsc cannot read data written with orders-value version 3:\n  /fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: The field 'total'",
		"orders-value version 3 cannot read data written with v4.avsc:\n  /fields/0/type/1: MISSING_UNION_BRANCH: ",
		"v4.avsc is incompatible under FULL: 2 problem(s)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

// Messages that are not Confluent's format are printed as they are.
func TestCompatAnswerUnparsed(t *testing.T) {
	if _, ok := splitCompatDetails("Schema being registered is incompatible with an earlier schema"); ok {
		t.Error("a message without details split")
	}
	msgs := []string{"some registry's own words"}
	rep := parseCompatMessages(msgs)
	var b strings.Builder
	if err := writeCompatAnswer(&b, "x.avsc", "s", rep, msgs); err != nil {
		t.Fatal(err)
	}
	if want := "x.avsc is incompatible with s:\n  some registry's own words\n"; b.String() != want {
		t.Errorf("output = %q, want %q", b.String(), want)
	}
}

// registry schema --subject looks an id up in the subject's context.
func TestRegistrySchemaContext(t *testing.T) {
	srv := registrytest.Start(t)
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for subject, name := range map[string]string{"a-value": "InDefault", ":.team:a-value": "InTeam"} {
		var out struct {
			ID int `json:"id"`
		}
		schema := sr.Schema{Schema: `{"type":"record","name":"` + name + `","fields":[]}`}
		if err := cl.Do(ctx, "POST", "/subjects/"+subject+"/versions", schema, &out); err != nil || out.ID != 1 {
			t.Fatalf("register %s: id %d, %v", subject, out.ID, err)
		}
	}
	env := map[string]string{"EDACTL_REGISTRY": srv.URL}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"registry", "schema", "1"}, 0, `"name": "InDefault"`},
		{[]string{"registry", "schema", "1", "--subject", ":.team:a-value"}, 0, `"name": "InTeam"`},
		{[]string{"registry", "schema", "1", "--subject", ":.team:a-value", "-o", "json"}, 0, `"schema": "{\"type\":\"record\",\"name\":\"InTeam\"`},
		{[]string{"registry", "schema", "2", "--subject", ":.team:a-value"}, 1, "error_code 40403"},
		{[]string{"registry", "schema", "1.5"}, 2, `invalid schema id "1.5"`},
	} {
		code, out, errOut := run(t, env, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("edactl %s: exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
		}
	}

	// compat against a subject in a context, from stdin.
	dir := t.TempDir()
	f := filepath.Join(dir, "new.avsc")
	os.WriteFile(f, []byte(`{"type":"record","name":"InTeam","fields":[{"name":"x","type":"int"}]}`), 0o600)
	code, out, errOut := run(t, env, "registry", "compat", ":.team:a-value", f)
	if code != 1 || !strings.Contains(out, "InTeam.x: READER_FIELD_MISSING_DEFAULT_VALUE:") {
		t.Errorf("compat: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
