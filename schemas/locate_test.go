package schemas

import (
	"context"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

const located = `{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "shop",
  "fields": [
    {"name": "id", "type": "string"},
    {
      "name": "lines",
      "type": {"type": "array", "items": {
        "type": "record", "name": "Line",
        "fields": [
          {"name": "sku", "type": "string"},
          {"name": "price",
           "type": ["null", "double"]}
        ]}}
    },
    {"name": "again", "type": {"type": "array", "items": "Line"}},
    {"name": "byName", "aliases": ["oldName"], "type": {"type": "map", "values": "shop.Line"}},
    {"name": "esc\u0061ped", "type": "string"}
  ]
}`

func TestLineOfPointer(t *testing.T) {
	v := &Version{Source: []byte(located)}
	for ptr, want := range map[string]int{
		"":                                     1,
		"/":                                    1,
		"/fields/0":                            6,
		"/fields/0/type":                       6,
		"/fields/1":                            7,
		"/fields/1/type":                       9,
		"/fields/1/type/items":                 9,
		"/fields/1/type/items/fields/1":        13,
		"/fields/1/type/items/fields/1/type":   14,
		"/fields/1/type/items/fields/1/type/1": 14,
		// Through a reference to Line, defined above.
		"/fields/2/type/items/fields/1/type": 14,
		"/fields/3/type/values/fields/0":     12,
		// Beyond what exists: the deepest line reached.
		"/fields/9":             5,
		"/fields/0/type/fields": 6,
		"/fields/x":             5,
		"/fields/4":             19,
	} {
		if got := v.LineOfPointer(ptr); got != want {
			t.Errorf("LineOfPointer(%q) = %d, want %d", ptr, got, want)
		}
	}
}

func TestLineOfPath(t *testing.T) {
	v := &Version{Source: []byte(located)}
	for path, want := range map[string]int{
		"(root)":                    1,
		"OrderPlaced":               1,
		"OrderPlaced.id":            6,
		"OrderPlaced.lines":         7,
		"OrderPlaced.lines[]":       9,
		"OrderPlaced.lines[].price": 13,
		"OrderPlaced.again[].sku":   12,
		"OrderPlaced.byName{}.sku":  12,
		"OrderPlaced.oldName":       18, // by alias
		"OrderPlaced.escaped":       19,
		"OrderPlaced.gone":          1,
		"OrderPlaced.lines[].gone":  9,
		"OrderPlaced.id[]":          6,
	} {
		if got := v.LineOfPath(path); got != want {
			t.Errorf("LineOfPath(%q) = %d, want %d", path, got, want)
		}
	}
	bad := &Version{Source: []byte("{not json")}
	if bad.LineOfPath("A.b") != 1 || bad.LineOfPointer("/fields/0") != 1 {
		t.Error("invalid JSON locates to line 1")
	}
}

// Every incompatibility registry/compat reports on a real pair is located
// on the line of the field it names.
func TestLocateCompatIncompatibilities(t *testing.T) {
	v1 := `{"type":"record","name":"R","fields":[
 {"name":"a","type":"int"},
 {"name":"u","type":["null","string"]},
 {"name":"m","type":{"type":"map","values":{"type":"enum","name":"E","symbols":["A","B"]}}}
]}`
	v2 := `{"type":"record","name":"R","fields":[
 {"name":"a","type":"string"},
 {"name":"u","type":["null","int"]},
 {"name":"m","type":{"type":"map","values":{"type":"enum","name":"E","symbols":["A"]}}},
 {"name":"n","type":"long"}
]}`
	r, _ := avroschema.Parse(v2)
	w, _ := avroschema.Parse(v1)
	ver := &Version{Source: []byte(v2)}
	want := map[string]int{"R.a": 2, "R.u": 3, "R.m{}": 4, "R.n": 5}
	issues := compat.CheckPair(r, w)
	if len(issues) != 4 {
		t.Fatalf("want 4 issues, got %v", issues)
	}
	for _, is := range issues {
		if got := ver.LineOfPointer(is.Pointer); got != want[is.Path] {
			t.Errorf("%s (%s): line %d, want %d", is.Path, is.Pointer, got, want[is.Path])
		}
		if got := ver.LineOfPath(is.Path); got != want[is.Path] {
			t.Errorf("%s by path: line %d, want %d", is.Path, got, want[is.Path])
		}
	}
}

func TestCheckHistoryLocatesBothDirections(t *testing.T) {
	fsys := mapFS(map[string]string{
		"edactl.yaml":             "compatibility: FULL\n",
		"schemas/a/thing/v1.avsc": "{\"type\":\"record\",\"name\":\"Thing\",\"fields\":[\n{\"name\":\"a\",\"type\":\"int\"},\n{\"name\":\"b\",\"type\":\"int\"}]}",
		"schemas/a/thing/v2.avsc": "{\"type\":\"record\",\"name\":\"Thing\",\"fields\":[\n{\"name\":\"a\",\"type\":\"long\"}]}",
	})
	tree, err := LoadFS(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := CheckHistory(context.Background(), tree)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.String())
	}
	want := []string{
		"schemas/a/thing/v2.avsc:1: a.thing-value: Thing.b: READER_FIELD_MISSING_DEFAULT_VALUE: v1 cannot read data written with v2 (FULL): reader field \"b\" is not in the writer's record Thing and has no default value",
		"schemas/a/thing/v2.avsc:2: a.thing-value: Thing.a: TYPE_MISMATCH: v1 cannot read data written with v2 (FULL): reader expects int, writer wrote long",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
