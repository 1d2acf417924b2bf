package registry

import (
	"bytes"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		normalize      bool
	}{
		{"primitive object collapses", `{"type": "string"}`, `"string"`, false},
		{"primitive keeps custom props", `{"type":"long","logicalType":"timestamp-millis"}`, `{"type":"long","logicalType":"timestamp-millis"}`, false},
		{"primitive drops doc", `{"type":"int","doc":"x"}`, `"int"`, false},
		{"record attribute order and whitespace",
			`{ "fields": [ {"type": "string", "name": "id"} ], "name": "Order", "type": "record", "namespace": "shop" }`,
			`{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}`, false},
		{"dotted name splits into namespace", `{"type":"record","name":"shop.Order","fields":[]}`,
			`{"type":"record","name":"Order","namespace":"shop","fields":[]}`, false},
		{"doc, default, order, aliases and props kept",
			`{"type":"record","name":"R","doc":"d","aliases":["Old"],"x-eda-kind":"event","fields":[{"name":"a","type":"int","default":1,"order":"descending","aliases":["b"],"doc":"fd","x":true}]}`,
			`{"type":"record","name":"R","doc":"d","fields":[{"name":"a","type":"int","doc":"fd","default":1,"order":"descending","aliases":["b"],"x":true}],"x-eda-kind":"event","aliases":["Old"]}`, false},
		{"nested same-namespace types print short names",
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[]}},{"name":"c","type":"n.B"}]}`,
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[]}},{"name":"c","type":"B"}]}`, false},
		{"other namespace prints full name",
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"b","type":{"type":"enum","name":"m.E","symbols":["X","Y"],"default":"X"}},{"name":"c","type":"m.E"}]}`,
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"b","type":{"type":"enum","name":"E","namespace":"m","symbols":["X","Y"],"default":"X"}},{"name":"c","type":"m.E"}]}`, false},
		{"null namespace inside a namespace",
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"f","type":{"type":"fixed","name":"F","namespace":"","size":4}}]}`,
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"f","type":{"type":"fixed","name":"F","namespace":"","size":4}}]}`, false},
		{"unions, arrays and maps",
			`{"type":"record","name":"U","fields":[{"name":"u","type":["null",{"type":"array","items":{"type":"map","values":"long"}}],"default":null}]}`,
			`{"type":"record","name":"U","fields":[{"name":"u","type":["null",{"type":"array","items":{"type":"map","values":"long"}}],"default":null}]}`, false},
		{"float defaults print like Java doubles",
			`{"type":"record","name":"D","fields":[{"name":"a","type":"double","default":1e3},{"name":"b","type":"double","default":0.5},{"name":"c","type":"double","default":1e10}]}`,
			`{"type":"record","name":"D","fields":[{"name":"a","type":"double","default":1000.0},{"name":"b","type":"double","default":0.5},{"name":"c","type":"double","default":1.0E10}]}`, false},
		{"strings escaped like Jackson", `{"type":"record","name":"S","doc":"a \"q\" </b> é\u0001","fields":[]}`,
			`{"type":"record","name":"S","doc":"a \"q\" </b> é\u0001","fields":[]}`, false},
		{"repeated keys: first position, last value, as Jackson",
			`{"type":"record","name":"R","fields":[],"x":1,"doc":"a","x":[2,{"y":1,"y":"\ud83d"}],"doc":"b\u00e9` + "\xff" + `"}`,
			`{"type":"record","name":"R","doc":"bé` + "\uFFFD" + `","fields":[],"x":[2,{"y":"` + "\uFFFD" + `"}]}`, false},
		{"normalize sorts props and aliases, writes full names",
			`{"type":"record","name":"A","namespace":"n","z":1,"a":2,"aliases":["Z","B"],"fields":[{"name":"b","type":{"type":"record","name":"B","fields":[]}},{"name":"c","type":"B"}]}`,
			`{"type":"record","name":"A","namespace":"n","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[]}},{"name":"c","type":"n.B"}],"a":2,"z":1,"aliases":["n.B","n.Z"]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonical(tc.in, nil, tc.normalize)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Canonical\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestCanonicalWithReferences(t *testing.T) {
	money := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"},{"name":"cur","type":{"type":"enum","name":"Currency","symbols":["EUR"]}}]}`
	order := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"},{"name":"c","type":"Currency"}]}`
	got, err := Canonical(order, []string{money}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Money is the reference's top-level type: a name. Currency is nested in
	// the reference: Avro Java writes it out at first use.
	want := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"},{"name":"c","type":{"type":"enum","name":"Currency","symbols":["EUR"]}}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	res, err := ResolvedText(order, []string{money})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":{"type":"record","name":"Money","fields":[{"name":"cents","type":"long"},{"name":"cur","type":{"type":"enum","name":"Currency","symbols":["EUR"]}}]}},{"name":"c","type":"Currency"}]}`; res != want {
		t.Fatalf("resolved\n got %s\nwant %s", res, want)
	}
}

// TestJSONStringLen checks the size newContent and newVersion reserve for
// a quoted string against what writeJSONString writes, for every byte.
func TestJSONStringLen(t *testing.T) {
	texts := []string{"", `{"type":"record","name":"R","fields":[]}`, "tab\there \"q\" back\\slash \x00\x1f\x7f é \u2028"}
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	texts = append(texts, string(all))
	for _, s := range texts {
		var b bytes.Buffer
		writeJSONString(&b, s)
		if got := jsonStringLen(s); got != b.Len() {
			t.Errorf("jsonStringLen(%q) = %d, writeJSONString writes %d bytes", s, got, b.Len())
		}
	}
}
