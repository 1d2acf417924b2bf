package compat

import (
	"slices"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

func TestDiff(t *testing.T) {
	old, err := avroschema.Parse(`{"type":"record","name":"OrderPlaced","doc":"An order was placed.","fields":[
		{"name":"id","type":"string"},
		{"name":"qty","type":"int"},
		{"name":"ccy","type":"string"},
		{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","LOST"]}},
		{"name":"note","type":["null","string"],"default":null},
		{"name":"gone","type":"boolean"},
		{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"sku","type":"string"}]}}},
		{"name":"at","type":"long"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	new, err := avroschema.Parse(`{"type":"record","name":"OrderPlaced","doc":"An order was placed.","fields":[
		{"name":"id","type":"string"},
		{"name":"qty","type":"long"},
		{"name":"currency","type":"string","aliases":["ccy"],"default":"EUR"},
		{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"],"default":"NEW"}},
		{"name":"note","type":["null","string","int"],"default":null},
		{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"sku","type":"string"},{"name":"price","type":"double","default":0}]}}},
		{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"channel","type":"string","default":"web"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range Diff(old, new) {
		got = append(got, c.String())
	}
	want := []string{
		"OrderPlaced.qty: TYPE_CHANGED: int → long",
		"OrderPlaced.currency: FIELD_RENAMED: ccy → currency",
		`OrderPlaced.currency: DEFAULT_CHANGED: "EUR"`,
		"OrderPlaced.status: SYMBOLS_ADDED: SHIPPED",
		"OrderPlaced.status: SYMBOLS_REMOVED: LOST",
		"OrderPlaced.status: ENUM_DEFAULT_CHANGED: NEW",
		"OrderPlaced.note: UNION_BRANCHES_CHANGED: [null, string] → [null, string, int]",
		"OrderPlaced.items[].price: FIELD_ADDED: double = 0",
		"OrderPlaced.at: TYPE_CHANGED: long → long (timestamp-millis)",
		`OrderPlaced.channel: FIELD_ADDED: string = "web"`,
		"OrderPlaced.gone: FIELD_REMOVED: boolean",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff:\n got %q\nwant %q", got, want)
	}
	if d := Diff(new, new); len(d) != 0 {
		t.Errorf("a schema differs from itself: %v", d)
	}
	rec, _ := avroschema.Parse(`{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}`)
	rec2, _ := avroschema.Parse(`{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]},{"name":"v","type":"int","default":1}]}`)
	if d := Diff(rec, rec2); len(d) != 1 || d[0].Kind != FieldAdded {
		t.Errorf("recursive diff: %v", d)
	}
}
