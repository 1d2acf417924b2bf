package codegen

import (
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

func TestInlineSchema(t *testing.T) {
	currency := `{"type":"enum","name":"Currency","namespace":"shop","symbols":["EUR","USD"],"default":"EUR"}`
	// Money defines Code inline and refers to Currency by its short name.
	money := `{"type":"record","name":"Money","namespace":"shop","fields":[
		{"name":"minor","type":"long","default":9007199254740993},
		{"name":"currency","type":"Currency"},
		{"name":"code","type":{"type":"fixed","name":"Code","size":2},"default":"\u00ffa"},
		{"name":"note","type":"bytes","default":"\u00ff\u0001"}]}`
	tests := []struct {
		name, text string
		deps       []string
		want       []string // substrings of the result
		count      map[string]int
	}{
		{
			name: "defaults kept as written",
			text: `{"type":"record","name":"R","namespace":"shop","fields":[{"name":"m","type":"Money"}]}`,
			deps: []string{currency, money},
			want: []string{`"default":9007199254740993`, `"default":"ÿa"`, `"default":"ÿ\u0001"`, `"name":"shop.Money"`, `"name":"shop.Currency"`},
		},
		{
			name:  "a type used twice is defined once",
			text:  `{"type":"record","name":"R","namespace":"shop","fields":[{"name":"a","type":"shop.Money"},{"name":"b","type":["null","Money"],"default":null},{"name":"c","type":{"type":"array","items":"Money"}}]}`,
			deps:  []string{currency, money},
			count: map[string]int{`"name":"shop.Money"`: 1, `"name":"shop.Currency"`: 1},
		},
		{
			name:  "a dependency used before the type that defines it inline",
			text:  `{"type":"record","name":"R","namespace":"x","fields":[{"name":"code","type":"shop.Code"},{"name":"m","type":"shop.Money"}]}`,
			deps:  []string{currency, money},
			count: map[string]int{`"name":"shop.Code"`: 1, `"name":"Code"`: 0},
		},
		{
			name: "a reference in object form, and maps",
			text: `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"shop.Money"}},{"name":"n","type":{"type":"map","values":"shop.Currency"}}]}`,
			deps: []string{currency, money},
			want: []string{`"values":"shop.Currency"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inlineSchema(tt.text, tt.deps)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %s:\n%s", w, got)
				}
			}
			for w, n := range tt.count {
				if c := strings.Count(got, w); c != n {
					t.Errorf("%s appears %d times, want %d:\n%s", w, c, n, got)
				}
			}
			// Self-contained, and the same schema as the references give.
			alone, err := avroschema.Parse(got)
			if err != nil {
				t.Fatalf("does not parse alone: %v\n%s", err, got)
			}
			withRefs, err := avroschema.ParseWithReferences(tt.text, tt.deps...)
			if err != nil {
				t.Fatal(err)
			}
			if avroschema.Canonical(alone) != avroschema.Canonical(withRefs) {
				t.Errorf("canonical forms differ:\n%s\n%s", avroschema.Canonical(alone), avroschema.Canonical(withRefs))
			}
		})
	}
	if _, err := inlineSchema(`{"type":"record","name":"R","fields":[{"name":"m","type":"shop.Nope"}]}`, []string{currency}); err == nil {
		t.Error("an unknown name was accepted")
	}
}
