package compat

import (
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
)

// TestSuggestFix: one case per fix kind, and the cases with no fix; the
// fix comes from the rule, path and types of the incompatibility Check
// reports.
func TestSuggestFix(t *testing.T) {
	rec := func(fields string) string {
		return `{"type": "record", "name": "R", "fields": [` + fields + `]}`
	}
	enum := func(syms string) string {
		return `{"name": "s", "type": {"type": "enum", "name": "S", "symbols": [` + syms + `]}}`
	}
	tests := []struct {
		name       string
		level      Level
		old, new   string
		kind       FixKind
		member     string
		value      string
		alt        FixKind
		noFix      bool
		wantOnType bool
	}{
		{name: "add default to a new string field", level: Backward,
			old: rec(`{"name": "a", "type": "int"}`), new: rec(`{"name": "a", "type": "int"}, {"name": "b", "type": "string"}`),
			kind: FixAddDefault, member: "default", value: `""`},
		{name: "add default null to a nullable field", level: Backward,
			old: rec(`{"name": "a", "type": "int"}`), new: rec(`{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "long"]}`),
			kind: FixAddDefault, member: "default", value: `null`},
		{name: "add default to a record field", level: Backward,
			old:  rec(`{"name": "a", "type": "int"}`),
			new:  rec(`{"name": "a", "type": "int"}, {"name": "m", "type": {"type": "record", "name": "M", "fields": [{"name": "x", "type": "long"}, {"name": "y", "type": "string", "default": "z"}, {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["P", "Q"]}}]}}`),
			kind: FixAddDefault, member: "default", value: `{"x": 0, "y": "z", "e": "P"}`},
		{name: "a rename is an alias", level: Backward,
			old: rec(`{"name": "a", "type": "int"}, {"name": "amount", "type": "long"}`), new: rec(`{"name": "a", "type": "int"}, {"name": "amountCents", "type": "long"}`),
			kind: FixAddAlias, member: "aliases", value: `["amount"]`},
		{name: "two removed fields of the type: no rename guess", level: Backward,
			old: rec(`{"name": "p", "type": "long"}, {"name": "q", "type": "long"}`), new: rec(`{"name": "r", "type": "long"}`),
			kind: FixAddDefault, member: "default", value: `0`},
		{name: "a removed field of another type is no rename", level: Backward,
			old: rec(`{"name": "p", "type": "string"}`), new: rec(`{"name": "r", "type": "long"}`),
			kind: FixAddDefault, member: "default", value: `0`},
		{name: "keep removed enum symbols, or add a default", level: Backward,
			old: rec(enum(`"A", "B", "C"`)), new: rec(enum(`"A", "C"`)),
			kind: FixKeepSymbols, member: "symbols", value: `["B"]`, alt: FixEnumDefault, wantOnType: true},
		{name: "narrowing: widen", level: Backward,
			old: rec(`{"name": "n", "type": "long"}`), new: rec(`{"name": "n", "type": "int"}`),
			kind: FixWiden, member: "type", value: `"long"`},
		{name: "another type: keep it", level: Backward,
			old: rec(`{"name": "n", "type": "string"}`), new: rec(`{"name": "n", "type": "boolean"}`),
			kind: FixKeepType, member: "type", value: `"string"`},
		{name: "forward widening: keep the old type", level: Forward,
			old: rec(`{"name": "n", "type": "int"}`), new: rec(`{"name": "n", "type": "long"}`),
			kind: FixKeepType, member: "type", value: `"int"`},
		{name: "a renamed record: alias its old name", level: Backward,
			old:  rec(`{"name": "c", "type": {"type": "record", "name": "Customer", "namespace": "shop", "fields": [{"name": "id", "type": "string"}]}}`),
			new:  rec(`{"name": "c", "type": {"type": "record", "name": "Client", "namespace": "shop", "fields": [{"name": "id", "type": "string"}]}}`),
			kind: FixTypeAlias, member: "aliases", value: `["shop.Customer"]`, wantOnType: true},
		{name: "forward rename: keep the old name", level: Forward,
			old:  rec(`{"name": "s", "type": {"type": "enum", "name": "S", "symbols": ["A"]}}`),
			new:  rec(`{"name": "s", "type": {"type": "enum", "name": "T", "aliases": ["S"], "symbols": ["A"]}}`),
			kind: FixKeepName, member: "name", value: `"S"`, wantOnType: true},
		{name: "forward new enum symbol: no fix in the new version", level: Forward,
			old: rec(enum(`"A"`)), new: rec(enum(`"A", "B"`)), noFix: true},
		{name: "forward removed field: keep it", level: Forward,
			old: rec(`{"name": "a", "type": "int"}, {"name": "b", "type": {"type": "array", "items": "long"}, "doc": "B."}`), new: rec(`{"name": "a", "type": "int"}`),
			kind: FixKeepField, member: "fields", value: `[{"name":"b","doc":"B.","type":{"type":"array","items":"long"}}]`, wantOnType: true},
		{name: "add default to a new small fixed field", level: Backward,
			old: rec(`{"name": "a", "type": "int"}`), new: rec(`{"name": "a", "type": "int"}, {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}`),
			kind: FixAddDefault, member: "default", value: `"\u0000\u0000"`},
		// A default of 2^31-1 zero bytes would be 12 GiB of JSON.
		{name: "a new huge fixed field: no default suggested", level: Backward,
			old: rec(`{"name": "a", "type": "int"}`), new: rec(`{"name": "a", "type": "int"}, {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2147483647}}`),
			noFix: true},
		{name: "forward removed field of a named type: no fix", level: Forward,
			old: rec(`{"name": "a", "type": "int"}, {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}}`), new: rec(`{"name": "a", "type": "int"}`), noFix: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldS, err := avroschema.Parse(tt.old)
			if err != nil {
				t.Fatal(err)
			}
			newS, err := avroschema.Parse(tt.new)
			if err != nil {
				t.Fatal(err)
			}
			r := Check(tt.level, newS, []avro.Schema{oldS})
			if r.Compatible {
				t.Fatal("compatible: the case tests nothing")
			}
			c := r.Comparisons[0]
			for _, cc := range r.Comparisons {
				if !cc.Compatible() {
					c = cc
				}
			}
			fx, ok := SuggestFix(newS, oldS, c.Direction, c.Incompatibilities[0])
			if tt.noFix {
				if ok {
					t.Fatalf("got fix %+v, want none", fx)
				}
				return
			}
			if !ok {
				t.Fatalf("no fix for %v", c.Incompatibilities[0])
			}
			if fx.Kind != tt.kind || fx.Member != tt.member || string(fx.Value) != tt.value || fx.OnType != tt.wantOnType {
				t.Errorf("got %s %s=%s (on type %v), want %s %s=%s", fx.Kind, fx.Member, fx.Value, fx.OnType, tt.kind, tt.member, tt.value)
			}
			if tt.alt != "" && (fx.Alternative == nil || fx.Alternative.Kind != tt.alt) {
				t.Errorf("alternative %+v, want %s", fx.Alternative, tt.alt)
			}
			if fx.Description == "" {
				t.Error("no description")
			}
		})
	}
}
