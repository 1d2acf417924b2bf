package avroschema

import (
	"crypto/sha256"
	"strings"
	"testing"
)

// The Parsing Canonical Form and CRC-64-AVRO vectors published with the Avro
// specification (share/test/data/schema-tests.txt). Case 026's boolean
// default is written as true instead of "true", which hamba/avro rightly
// rejects; the canonical form is unaffected.
func TestCanonicalFormSpecVectors(t *testing.T) {
	cases := []struct {
		in, canonical string
		fp            int64 // 0 when the vector gives none
	}{
		{`"null"`, `"null"`, 7195948357588979594},
		{`{"type":"null"}`, `"null"`, 0},
		{`"boolean"`, `"boolean"`, -6970731678124411036},
		{`{"type":"boolean"}`, `"boolean"`, 0},
		{`"int"`, `"int"`, 8247732601305521295},
		{`{"type":"int"}`, `"int"`, 0},
		{`"long"`, `"long"`, -3434872931120570953},
		{`{"type":"long"}`, `"long"`, 0},
		{`"float"`, `"float"`, 5583340709985441680},
		{`"double"`, `"double"`, -8181574048448539266},
		{`"bytes"`, `"bytes"`, 5746618253357095269},
		{`"string"`, `"string"`, -8142146995180207161},
		{`[  ]`, `[]`, -1241056759729112623},
		{`[ "int"  ]`, `["int"]`, -5232228896498058493},
		{`[ "int" , {"type":"boolean"} ]`, `["int","boolean"]`, 5392556393470105090},
		{`{"fields":[], "type":"record", "name":"foo"}`, `{"name":"foo","type":"record","fields":[]}`, -4824392279771201922},
		{`{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}`, `{"name":"x.y.foo","type":"record","fields":[]}`, 5916914534497305771},
		{`{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}`, `{"name":"a.b.foo","type":"record","fields":[]}`, -4616218487480524110},
		{`{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}`, `{"name":"foo","type":"record","fields":[]}`, -4824392279771201922},
		{`{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}`, `{"name":"foo","type":"record","fields":[]}`, -4824392279771201922},
		{`{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}`, `{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}`, 7843277075252814651},
		{`{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true},
		   {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo" }`,
			`{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}`, -4860222112080293046},
		{`{"type":"enum", "name":"foo", "symbols":["A1"]}`, `{"name":"foo","type":"enum","symbols":["A1"]}`, -6342190197741309591},
		{`{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}`, `{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}`, -4448647247586288245},
		{`{"name":"foo","type":"fixed","size":15}`, `{"name":"foo","type":"fixed","size":15}`, 1756455273707447556},
		{`{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}`, `{"name":"x.y.z.foo","type":"fixed","size":32}`, -3064184465700546786},
		{`{ "items":{"type":"null"}, "type":"array"}`, `{"type":"array","items":"null"}`, -589620603366471059},
		{`{ "values":"string", "type":"map"}`, `{"type":"map","values":"string"}`, -8732877298790414990},
		{`{"name":"PigValue","type":"record","fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}`,
			`{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}`, -1759257747318642341},
		// logical types are not part of the canonical form
		{`{"type":"long","logicalType":"timestamp-millis"}`, `"long"`, -3434872931120570953},
		{`{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}}]}`,
			`{"name":"R","type":"record","fields":[{"name":"d","type":"bytes"}]}`, 0},
	}
	for _, c := range cases {
		s, err := Parse(c.in)
		if err != nil {
			t.Fatalf("parse %s: %v", c.in, err)
		}
		if got := Canonical(s); got != c.canonical {
			t.Errorf("Canonical(%s)\n got %s\nwant %s", c.in, got, c.canonical)
		}
		if c.fp != 0 {
			if got := int64(FingerprintCRC64(s)); got != c.fp {
				t.Errorf("FingerprintCRC64(%s) = %d, want %d", c.in, got, c.fp)
			}
		}
		if got, want := FingerprintSHA256(s), sha256.Sum256([]byte(c.canonical)); got != want {
			t.Errorf("FingerprintSHA256(%s) is not the SHA-256 of the canonical form", c.in)
		}
	}
}

func TestParseReferences(t *testing.T) {
	addr := `{"type":"record","name":"Address","namespace":"shop","fields":[{"name":"city","type":"string"}]}`
	s, err := ParseWithReferences(`{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"home","type":"shop.Address"}]}`, addr)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"shop.Customer","type":"record","fields":[{"name":"home","type":{"name":"shop.Address","type":"record","fields":[{"name":"city","type":"string"}]}}]}`; Canonical(s) != want {
		t.Fatalf("got %s", Canonical(s))
	}
	if _, err := Parse(`{"type":"record","name":"Customer","fields":[{"name":"home","type":"shop.Address"}]}`); err == nil {
		t.Fatal("an unknown named type must not parse without its reference")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"":                             "empty schema",
		"   ":                          "empty schema",
		`{"type":"record"`:             "line 1, column 16: invalid JSON",
		"{\n  \"type\": 'x'\n}":        "line 2, column 11: invalid JSON",
		`{"type":"recrod","name":"R"}`: "invalid schema",
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}`:             "invalid schema",
		`{"type":"enum","name":"E","symbols":["A"],"default":"B"}`:                                    "invalid schema",
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}`: "duplicate field",
	}
	for in, want := range cases {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// Input nested deeper than MaxNesting is refused before hamba/avro's
// recursive parser sees it.
func TestHostileNesting(t *testing.T) {
	_, err := Parse(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("got %v", err)
	}
}
