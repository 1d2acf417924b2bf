package avroschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/jsontree"
)

func field(typ, def string) string {
	return `{"type":"record","name":"R","fields":[{"name":"f","type":` + typ + `,"default":` + def + `}]}`
}

// Every kind of bad default and fixed size the issue lists, and the valid
// neighbours of each: hamba/avro refuses some (Parse fails), Validate must
// report the rest (hamba=false marks those hamba lets through), naming the
// field path; valid ones pass both.
func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		schema string
		hamba  bool   // hamba/avro refuses it already
		path   string // "" means valid
		msg    string
	}{
		{"int 1.5", field(`"int"`, `1.5`), false, "R.f", "is not an int"},
		{"int 1.0", field(`"int"`, `1.0`), false, "R.f", "is not an int"},
		{"int 1e2", field(`"int"`, `1e2`), false, "R.f", "is not an int"},
		{"int 2^31", field(`"int"`, `2147483648`), false, "R.f", "is not an int"},
		{"int -2^31-1", field(`"int"`, `-2147483649`), false, "R.f", "is not an int"},
		{"int ok", field(`"int"`, `-2147483648`), false, "", ""},
		{"long 2^63", field(`"long"`, `9223372036854775808`), false, "R.f", "is not a long"},
		{"long 1e30", field(`"long"`, `1e30`), false, "R.f", "is not a long"},
		{"long 1.5", field(`"long"`, `1.5`), false, "R.f", "is not a long"},
		{"long ok", field(`"long"`, `9223372036854775807`), false, "", ""},
		{"logical int", field(`{"type":"int","logicalType":"date"}`, `1.5`), false, "R.f", "is not an int"},
		{"logical long", field(`{"type":"long","logicalType":"timestamp-millis"}`, `1.5`), false, "R.f", "is not a long"},
		{"string for int", field(`"int"`, `"1"`), true, "", ""},
		{"int for string", field(`"string"`, `1`), true, "", ""},
		{"record field of type int given a string", field(`{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}`, `{"a":"x"}`), true, "", ""},
		{"record field of type int given 1.5", field(`{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}`, `{"a":1.5}`), false, "R.f", `default.a 1.5 is not an int`},
		{"record missing field", field(`{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}`, `{}`), true, "", ""},
		{"record field defaulted", field(`{"type":"record","name":"S","fields":[{"name":"a","type":"int","default":1}]}`, `{}`), false, "", ""},
		{"nested field default", field(`{"type":"record","name":"S","fields":[{"name":"a","type":"int","default":1.5}]}`, `{"a":1}`), false, "R.f.a", "is not an int"},
		{"union first branch", field(`["int","null"]`, `1.5`), false, "R.f", "first branch"},
		{"union long first", field(`["long","null"]`, `9223372036854775808`), false, "R.f", "first branch"},
		{"union second branch", field(`["null","int"]`, `1`), true, "", ""},
		{"union ok", field(`["null","int"]`, `null`), false, "", ""},
		{"enum symbol", field(`{"type":"enum","name":"E","symbols":["A"]}`, `"B"`), true, "", ""},
		{"enum ok", field(`{"type":"enum","name":"E","symbols":["A"]}`, `"A"`), false, "", ""},
		{"enum own default", `{"type":"enum","name":"E","symbols":["A"],"default":"B"}`, true, "", ""},
		{"bytes code point 256", field(`"bytes"`, `"\u0100"`), true, "", ""},
		{"bytes ok", field(`"bytes"`, `"\u00ff\u0000"`), false, "", ""},
		{"fixed too short", field(`{"type":"fixed","name":"F","size":2}`, `"a"`), false, "R.f", "exactly 2 code points"},
		{"fixed too long", field(`{"type":"fixed","name":"F","size":2}`, `"abc"`), false, "R.f", "exactly 2 code points"},
		{"fixed code point 256", field(`{"type":"fixed","name":"F","size":1}`, `"\u0100"`), true, "", ""},
		{"fixed ok", field(`{"type":"fixed","name":"F","size":2}`, `"\u00ffa"`), false, "", ""},
		{"array items", field(`{"type":"array","items":"int"}`, `[1,1.5]`), false, "R.f", "default[1] 1.5"},
		{"map values", field(`{"type":"map","values":"long"}`, `{"k":1e3}`), false, "R.f", `default["k"] 1e3`},
		{"array item record", `{"type":"array","items":{"type":"record","name":"S","fields":[{"name":"a","type":"int","default":1.5}]}}`, false, "[].a", "is not an int"},
		{"float 1", field(`"float"`, `1`), false, "", ""},
		{"fixed size 2^31", `{"type":"fixed","name":"F","size":2147483648}`, false, "F", "size 2147483648"},
		{"fixed size 2^32", `{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":4294967296}}]}`, false, "R.f", "fixed F has size 4294967296"},
		{"fixed size 1.5", `{"type":"fixed","name":"F","size":1.5}`, false, "F", "size 1.5"},
		{"fixed size negative", `{"type":"fixed","name":"F","size":-1}`, true, "", ""},
		{"fixed size largest", `{"type":"fixed","name":"F","size":2147483647}`, false, "", ""},
		{"union of records", `["null",{"type":"record","name":"U","fields":[{"name":"a","type":"long","default":0.5}]}]`, false, "U.a", "is not a long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.schema)
			if c.hamba {
				if err == nil {
					t.Fatalf("hamba/avro now accepts %s: Validate must cover it", c.schema)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			ps := Validate(c.schema, s)
			if c.path == "" {
				if len(ps) != 0 {
					t.Fatalf("valid schema reported: %v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Path != c.path || !strings.Contains(ps[0].Message, c.msg) {
				t.Fatalf("Validate = %v, want one problem at %s containing %q", ps, c.path, c.msg)
			}
		})
	}
}

func TestParseDefinitions(t *testing.T) {
	a1 := `{"type":"record","name":"A","namespace":"n","fields":[{"name":"x","type":"int"}]}`
	a2 := `{"type":"record","name":"A","namespace":"n","fields":[{"name":"y","type":"string"}]}`
	a1Again := `{"type":"record","namespace":"n","name":"A","doc":"same type","fields":[{"name":"x","type":"int"}]}`
	user := `{"type":"record","name":"T","fields":[{"name":"a","type":"n.A"}]}`
	cases := []struct {
		name   string
		text   string
		refs   []string
		redefs []Redefinition
	}{
		{"one definition, used", user, []string{a1}, nil},
		{"two references differ", user, []string{a1, a2}, []Redefinition{{"n.A", 0, 1}}},
		{"two references agree", user, []string{a1, a1Again}, nil},
		{"the schema redefines a reference", a2, []string{a1}, []Redefinition{{"n.A", 0, 1}}},
		{"a reference uses an earlier one", user, []string{a1, `{"type":"record","name":"B","namespace":"n","fields":[{"name":"a","type":"A"}]}`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, redefs, err := ParseDefinitions(c.text, c.refs...)
			if err != nil {
				t.Fatal(err)
			}
			if len(redefs) != len(c.redefs) || len(redefs) > 0 && redefs[0] != c.redefs[0] {
				t.Fatalf("redefinitions = %v, want %v", redefs, c.redefs)
			}
		})
	}
}

// TestParseAndValidateMatches checks that ParseAndValidate, which decodes
// the text once for the fast parser and validation, gives what
// ParseDefinitions and then Validate give, on the repository's schemas and
// on TestValidate's kinds of bad default (with and without \u escapes,
// which take the path that decodes twice).
func TestParseAndValidateMatches(t *testing.T) {
	texts := corpus(t)
	defaults := []struct{ typ, def string }{
		{`"int"`, `1.5`}, {`"int"`, `2147483648`}, {`"long"`, `1e30`}, {`"long"`, `9223372036854775807`},
		{`"float"`, `"x"`}, {`"double"`, `1e400`}, {`"bytes"`, `"\u0100"`}, {`"bytes"`, `"ÿ"`},
		{`{"type":"fixed","name":"F","size":2}`, `"abc"`}, {`{"type":"fixed","name":"F","size":1.5}`, `"a"`},
		{`{"type":"enum","name":"E","symbols":["A"]}`, `"B"`}, {`["null","int"]`, `1`}, {`["int","null"]`, `1.5`},
		{`{"type":"array","items":"int"}`, `[1,2.5,"x"]`}, {`{"type":"map","values":"long"}`, `{"b":1.5,"a":1e3}`},
		{`{"type":"record","name":"S","fields":[{"name":"a","type":"int"},{"name":"b","type":"long"}]}`, `{"a":1.5}`},
		{`"string"`, `"\ud800"`}, {`"bytes"`, "\"\xff\""},
	}
	// Defaults hamba/avro converts when it parses them (bytes from a
	// string, a record's missing fields filled in): the validation reads
	// them as the text has them, not as the parse left them.
	texts["bytes items"] = field(`{"type":"array","items":"bytes"}`, `[""]`)
	texts["record default"] = field(`{"type":"record","name":"S","fields":[{"name":"c","type":{"type":"array","items":"long"},"default":[1]}]}`, `{}`)
	for i, d := range defaults {
		texts[fmt.Sprintf("default %d", i)] = field(d.typ, d.def)
	}
	for name, text := range texts {
		s1, r1, err1 := ParseDefinitions(text)
		s2, r2, p2, err2 := ParseAndValidate(text)
		if a, b := describeParse(s1, err1), describeParse(s2, err2); a != b {
			t.Errorf("%s: ParseAndValidate parses\n%s\ninto\n%s\nParseDefinitions into\n%s", name, text, b, a)
			continue
		}
		if err1 != nil {
			continue
		}
		if fmt.Sprint(r1) != fmt.Sprint(r2) {
			t.Errorf("%s: redefinitions %v, want %v", name, r2, r1)
		}
		if p1 := Validate(text, s1); fmt.Sprintf("%#v", p1) != fmt.Sprintf("%#v", p2) {
			t.Errorf("%s: ParseAndValidate finds %#v, Validate %#v", name, p2, p1)
		}
		// The same from the caller's tree of the text.
		tree, err := jsontree.ParseString(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s3, r3, p3, err3 := ParseAndValidateTree(text, tree)
		if a, b := describeParse(s1, err1), describeParse(s3, err3); a != b {
			t.Errorf("%s: ParseAndValidateTree parses\n%s\ninto\n%s\nParseDefinitions into\n%s", name, text, b, a)
		} else if fmt.Sprint(r1) != fmt.Sprint(r3) || fmt.Sprintf("%#v", p2) != fmt.Sprintf("%#v", p3) {
			t.Errorf("%s: ParseAndValidateTree finds %v %#v, want %v %#v", name, r3, p3, r1, p2)
		}
	}
}

// FuzzParseAndValidate checks ParseAndValidate and ParseAndValidateTree
// against ParseDefinitions and then Validate on arbitrary text: the same
// schema (or error), redefinitions and problems.
func FuzzParseAndValidate(f *testing.F) {
	for _, s := range []string{
		field(`"int"`, `1.5`), field(`["null","string"]`, `null`), field(`{"type":"array","items":["int","null"]}`, `[1,2]`),
		`{"type":"record","name":"R","fields":[{"name":"a","type":["null","long"],"x":1.5},{"name":"b","type":["null","long"]}]}`,
		`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"double"},"default":{"k":1e3}}]}`,
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int","x":1e400}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s1, r1, err1 := ParseDefinitions(text)
		want := describeParse(s1, err1)
		var p1 []Problem
		if err1 == nil {
			p1 = Validate(text, s1)
		}
		// The registry's way: the text's tree when it has one.
		tree, err := jsontree.ParseString(text)
		if err != nil {
			tree = nil
		}
		s2, r2, p2, err2 := ParseAndValidate(text)
		s3, r3, p3, err3 := ParseAndValidateTree(text, tree)
		for i, got := range []struct {
			s   string
			r   []Redefinition
			p   []Problem
			err error
		}{{describeParse(s2, err2), r2, p2, err2}, {describeParse(s3, err3), r3, p3, err3}} {
			if got.s != want {
				t.Fatalf("path %d parses %q into\n%s\nParseDefinitions into\n%s", i, text, got.s, want)
			}
			if got.err == nil && (fmt.Sprint(got.r) != fmt.Sprint(r1) || fmt.Sprintf("%#v", got.p) != fmt.Sprintf("%#v", p1)) {
				t.Fatalf("path %d on %q: %v %#v, want %v %#v", i, text, got.r, got.p, r1, p1)
			}
		}
	})
}

// Without references a schema has nothing to redefine, and parseDefinitions
// does not look for redefinitions: naming a type twice in one schema is an
// error of the parse itself, for every entry point.
func TestANameTwiceInOneSchemaIsAParseError(t *testing.T) {
	text := `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"X","fields":[]}},{"name":"b","type":{"type":"record","name":"X","fields":[{"name":"c","type":"int"}]}}]}`
	if _, _, err := ParseDefinitions(text); err == nil || !strings.Contains(err.Error(), `duplicate name "X"`) {
		t.Fatalf("ParseDefinitions: %v", err)
	}
	if _, _, _, err := ParseAndValidate(text); err == nil || !strings.Contains(err.Error(), `duplicate name "X"`) {
		t.Fatalf("ParseAndValidate: %v", err)
	}
}
