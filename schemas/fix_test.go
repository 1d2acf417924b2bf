package schemas

import (
	"encoding/json"
	"testing"

	"github.com/edactl/edactl/internal/jsontree"
)

// TestMemberEdit: new members and items go where a person would put them,
// inline in one-line objects, on their own line with the same indentation
// in multi-line ones; existing members are replaced in place.
func TestMemberEdit(t *testing.T) {
	tests := []struct {
		name, src, key, value string
		append                bool
		want                  string
	}{
		{"inline", `{"name": "a", "type": "int"}`, "default", `0`, false, `{"name": "a", "type": "int", "default": 0}`},
		{"multi-line", "{\n  \"name\": \"a\",\n  \"type\": \"int\"\n}", "default", `0`, false, "{\n  \"name\": \"a\",\n  \"type\": \"int\",\n  \"default\": 0\n}"},
		{"replace", `{"name": "a", "type": "int"}`, "type", `"long"`, false, `{"name": "a", "type": "long"}`},
		{"replace a container", `{"name": "a", "type": {"type": "map", "values": "int"}}`, "type", `"long"`, false, `{"name": "a", "type": "long"}`},
		{"empty object", `{}`, "default", `null`, false, `{"default": null}`},
		{"append inline", `{"symbols": ["A", "B"]}`, "symbols", `["C"]`, true, `{"symbols": ["A", "B", "C"]}`},
		{"append multi-line", "{\"symbols\": [\n    \"A\",\n    \"B\"\n  ]}", "symbols", `["C", "D"]`, true, "{\"symbols\": [\n    \"A\",\n    \"B\",\n    \"C\",\n    \"D\"\n  ]}"},
		{"append to empty", `{"aliases": []}`, "aliases", `["x"]`, true, `{"aliases": ["x"]}`},
		{"append creates", `{"name": "a"}`, "aliases", `["x"]`, true, `{"name": "a", "aliases": ["x"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			obj, err := jsontree.Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			off, length, txt, ok := memberEdit(src, obj, tt.key, json.RawMessage(tt.value), tt.append)
			if !ok {
				t.Fatal("no edit")
			}
			got, err := ApplyFixes(src, []*Fix{{Offset: off, Length: length, Text: txt}})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Error("result is not JSON")
			}
		})
	}
}

func TestApplyFixesRefusesOverlaps(t *testing.T) {
	src := []byte(`{"type": "int"}`)
	_, err := ApplyFixes(src, []*Fix{{File: "f", Offset: 9, Length: 5, Text: `"long"`}, {File: "f", Offset: 10, Length: 2, Text: "x"}})
	if err == nil {
		t.Fatal("overlapping fixes applied")
	}
	got, err := ApplyFixes(src, []*Fix{{Offset: 9, Length: 5, Text: `"long"`}, {Offset: 9, Length: 5, Text: `"long"`}})
	if err != nil || string(got) != `{"type": "long"}` {
		t.Fatalf("identical fixes: %s, %v", got, err)
	}
}
