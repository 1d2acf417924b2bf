package schemas

import (
	"context"
	"strings"
	"testing"
)

func lintOne(t *testing.T, cfg, schema string) []Finding {
	t.Helper()
	tree, err := LoadFS(context.Background(), mapFS(map[string]string{
		"edactl.yaml":                 cfg,
		"schemas/d/the-event/v1.avsc": schema,
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tree.Problems {
		if p.Rule != RuleNameNotFolder {
			t.Fatalf("load problem: %s", p)
		}
	}
	return Lint(tree)
}

func rules(fs []Finding) string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule+"@"+f.Path)
	}
	return strings.Join(ids, " ")
}

func TestLintRules(t *testing.T) {
	all := "lint:\n  disable: []\n"
	onlyDoc := "lint:\n  disable: [passive-aggressive-event, command-publishing, event-name-tense, missing-key, key-not-a-field, nullable-without-default]\n"
	tests := []struct {
		name, cfg, schema, want string
	}{
		{"clean event", all,
			`{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"id","fields":[{"name":"id","type":"string","doc":"d"},{"name":"total","type":"long","doc":"d"}]}`,
			""},
		{"passive-aggressive", all,
			`{"type":"record","name":"ThingHappened","doc":"d","x-eda-key":"thingId","fields":[{"name":"thingId","type":"string","doc":"d"},{"name":"occurred_at","type":"long","doc":"d"},{"name":"customerIds","type":{"type":"array","items":"string"},"doc":"d"},{"name":"correlationId","type":"string","doc":"d"}]}`,
			"passive-aggressive-event@ThingHappened"},
		{"passive-aggressive only for events", all,
			`{"type":"record","name":"TheEvent","x-eda-kind":"document","doc":"d","x-eda-key":"thingId","fields":[{"name":"thingId","type":"string","doc":"d"}]}`,
			""},
		{"missing docs everywhere, nested", onlyDoc,
			`{"type":"record","name":"A","fields":[{"name":"x","type":["null",{"type":"record","name":"B","doc":" ","fields":[{"name":"y","type":"int"}]}],"default":null},{"name":"m","doc":"d","type":{"type":"map","values":{"type":"record","name":"C","doc":"d","fields":[{"name":"z","type":"int","doc":"d"}]}}}]}`,
			"missing-doc@A missing-doc@A.x missing-doc@A.x missing-doc@A.x.y"},
		{"event tense", all,
			`{"type":"record","name":"OrderPlace","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"},{"name":"b","type":"string","doc":"d"}]}`,
			"event-name-tense@OrderPlace"},
		{"irregular past and Event suffix are fine", all,
			`{"type":"record","name":"InvoiceSentEvent","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"},{"name":"b","type":"string","doc":"d"}]}`,
			""},
		{"version tags are not words", all,
			`{"type":"record","name":"OrderPlacedEventV2","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"},{"name":"b","type":"string","doc":"d"}]}`,
			""},
		{"command in past tense", all,
			`{"type":"record","name":"OrderCancelled","x-eda-kind":"command","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"}]}`,
			"event-name-tense@OrderCancelled"},
		{"imperative command with ambiguous verb", all,
			`{"type":"record","name":"ResetPassword","x-eda-kind":"command","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"}]}`,
			""},
		{"queries have no tense rule", all,
			`{"type":"record","name":"GetStock","x-eda-kind":"query","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"}]}`,
			""},
		{"missing key", all,
			`{"type":"record","name":"TheEvent","doc":"d","fields":[{"name":"a","type":"string","doc":"d"}]}`,
			"event-name-tense@TheEvent missing-key@TheEvent"},
		{"nested key found", all,
			`{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"ref.id","fields":[{"name":"ref","doc":"d","type":{"type":"record","name":"Ref","doc":"d","fields":[{"name":"id","type":"string","doc":"d"}]}},{"name":"body","type":"string","doc":"d"}]}`,
			""},
		{"key not a field", all,
			`{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"ref.nope","fields":[{"name":"ref","doc":"d","type":{"type":"record","name":"Ref","doc":"d","fields":[{"name":"id","type":"string","doc":"d"}]}},{"name":"body","type":"string","doc":"d"}]}`,
			"key-not-a-field@ThingCreated"},
		{"nullable without default, nested too", all,
			`{"type":"record","name":"ThingCreated","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":["null","string"],"doc":"d"},{"name":"b","type":["null","string"],"default":null,"doc":"d"},{"name":"c","doc":"d","type":{"type":"array","items":{"type":"record","name":"C","doc":"d","fields":[{"name":"d","type":[{"type":"null"},"int"],"doc":"d"}]}}}]}`,
			"nullable-without-default@ThingCreated.a nullable-without-default@ThingCreated.c[].d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules(lintOne(t, tt.cfg, tt.schema))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestLintCommandPublishing(t *testing.T) {
	schema := `{"type":"record","name":"PlaceOrder","x-eda-kind":"command","doc":"d","x-eda-key":"a","fields":[{"name":"a","type":"string","doc":"d"}]}`
	one := lintOne(t, "events:\n  d/the-event:\n    consumers: [a]\n", schema)
	if len(one) != 0 {
		t.Errorf("one consumer: %v", one)
	}
	two := lintOne(t, "events:\n  d/the-event:\n    producers: [x]\n    consumers: [a, b]\n", schema)
	if len(two) != 1 || two[0].Rule != LintCommandPublishing || two[0].File != "edactl.yaml" || two[0].Line != 4 || two[0].Severity != Warning {
		t.Errorf("two consumers: %+v", two)
	}
}

func TestPastTense(t *testing.T) {
	for w, want := range map[string]bool{"Placed": true, "Sent": true, "Paid": true, "Shipped": true, "Need": false, "Proceed": false,
		"Agreed": true, "Place": false, "Red": false, "Reset": false, "Updated": true} {
		if got := pastTense(w, false); got != want {
			t.Errorf("pastTense(%q) = %v", w, got)
		}
	}
	if !pastTense("Reset", true) {
		t.Error("lenient: Reset counts for events")
	}
}

func TestLintRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range LintRules {
		if r.ID == "" || r.Purpose == "" || r.check == nil || seen[r.ID] {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
	}
	if len(LintRuleIDs()) != 7 || LintRuleByID("missing-doc") == nil || LintRuleByID("nope") != nil {
		t.Error("rule lookup")
	}
}
