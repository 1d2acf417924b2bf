package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	for _, tt := range []struct {
		in   string
		kind Kind
		text string
	}{
		{`{}`, Object, ""},
		{`[]`, Array, ""},
		{` {"a" : [1, {"b": "\u00e9\ud83d\ude00\n"}]} `, Object, ""},
		{`"s"`, String, "s"},
		{`""`, String, ""},
		{"\t\r\n 0 \n", Number, "0"},
		{`-0`, Number, "-0"},
		{`1.50`, Number, "1.50"},
		{`1.5e3`, Number, "1.5e3"},
		{`-2E-07`, Number, "-2E-07"},
		{`1e+2`, Number, "1e+2"},
		{`true`, Bool, "true"},
		{`false`, Bool, "false"},
		{`null`, Null, "null"},
		{`"a\"b\\c\/d\b\f\n\r\t"`, String, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u0041\u00e9\u20AC"`, String, "Aé€"},
		{`"\ud83d\ude00"`, String, "\U0001F600"},
		{`"héllo ✓"`, String, "héllo ✓"},
		// Decoded as encoding/json decodes: U+FFFD for what is not UTF-8.
		{"\"a\xffb\"", String, "a\uFFFDb"},
		{"\"\xed\xa0\x80\"", String, "\uFFFD\uFFFD\uFFFD"},
		{`"\ud83d"`, String, "\uFFFD"},
		{`"\ude00"`, String, "\uFFFD"},
		{`"\ud83d\u0041"`, String, "\uFFFDA"},
		{`"\ud83d\ud83d\ude00"`, String, "\uFFFD\U0001F600"},
		{"\"\x7f\"", String, "\x7f"},
	} {
		v, err := ParseString(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if v.Kind() != tt.kind || v.Text() != tt.text {
			t.Errorf("%q: %v %q, want %v %q", tt.in, v.Kind(), v.Text(), tt.kind, tt.text)
		}
		if !json.Valid([]byte(tt.in)) {
			t.Errorf("%q: encoding/json refuses it", tt.in)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tt := range []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "no JSON value"},
		{"  \n", 3, "no JSON value"},
		{`{`, 1, "invalid JSON: unexpected end of input"},
		{`{"a"}`, 4, `invalid JSON: invalid character '}' after object key`},
		{`{"a":1,}`, 7, `invalid JSON: invalid character '}' looking for beginning of object key string`},
		{`{"a":1 "b":2}`, 7, `invalid JSON: invalid character '"' after object key:value pair`},
		{`{1:2}`, 1, `invalid JSON: invalid character '1' looking for beginning of object key string`},
		{`[1,]`, 3, `invalid JSON: invalid character ']' looking for beginning of value`},
		{`[1 2]`, 3, `invalid JSON: invalid character '2' after array element`},
		{`"abc`, 4, "invalid JSON: unexpected end of input"},
		{`{"a":1}x`, 7, `invalid JSON: invalid character 'x' after top-level value`},
		{`{"a":1} {}`, 8, "more than one JSON value"},
		{`1 2`, 2, "more than one JSON value"},
		{`tru`, 3, "invalid JSON: unexpected end of input"},
		{`trUe`, 2, `invalid JSON: invalid character 'U' in literal true (expecting 'u')`},
		{`nul1`, 3, `invalid JSON: invalid character '1' in literal null (expecting 'l')`},
		{`"\x"`, 2, `invalid JSON: invalid character 'x' in string escape code`},
		{`"\'"`, 2, `invalid JSON: invalid character '\'' in string escape code`},
		{`"\u12"`, 5, `invalid JSON: invalid character '"' in \u hexadecimal character escape`},
		{"\"a\nb\"", 2, `invalid JSON: invalid character '\n' in string literal`},
		{"\"a\x00\"", 2, `invalid JSON: invalid character '\x00' in string literal`},
		{`01`, 1, "more than one JSON value"},
		{`{}]`, 2, `invalid JSON: invalid character ']' after top-level value`},
		{`-`, 1, "invalid JSON: unexpected end of input"},
		{`-a`, 1, `invalid JSON: invalid character 'a' in numeric literal`},
		{`+1`, 0, `invalid JSON: invalid character '+' looking for beginning of value`},
		{`.5`, 0, `invalid JSON: invalid character '.' looking for beginning of value`},
		{`1.`, 2, "invalid JSON: unexpected end of input"},
		{`1.e3`, 2, `invalid JSON: invalid character 'e' after decimal point in numeric literal`},
		{`1e`, 2, "invalid JSON: unexpected end of input"},
		{`1e+x`, 3, `invalid JSON: invalid character 'x' in exponent of numeric literal`},
		{`[NaN]`, 1, `invalid JSON: invalid character 'N' looking for beginning of value`},
		{"\xef\xbb\xbf{}", 0, `invalid JSON: invalid character 'ï' looking for beginning of value`},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), MaxDepth, fmt.Sprintf("JSON nests deeper than %d levels", MaxDepth)},
	} {
		_, err := ParseString(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || se.Msg != tt.msg {
			t.Errorf("%q: offset %d %q, want offset %d %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
		if want := fmt.Sprintf("offset %d: %s", tt.offset, tt.msg); err.Error() != want {
			t.Errorf("%q: error %q, want %q", tt.in, err, want)
		}
		if json.Valid([]byte(tt.in)) && !strings.Contains(tt.msg, "nests deeper") {
			t.Errorf("%q: encoding/json accepts it", tt.in)
		}
	}
}

// TestParseSchemaLocatorCases are the cases schemas' own parser was held
// to before the tree replaced it.
func TestParseSchemaLocatorCases(t *testing.T) {
	for _, ok := range []string{`{}`, `[]`, `"s"`, `1.5e3`, `-2`, `true`, `null`, ` {"a" : [1, {"b": "\u00e9\ud83d\ude00\n"}]} `} {
		if _, err := Parse([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `"abc`, `{"a":1}x`, `tru`, `{1:2}`, `"\x"`, `"\u12"`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	n, _ := Parse([]byte(`{"k":"a\"b\\c\/d"}`))
	if n.First("k").Text() != `a"b\c/d` {
		t.Errorf("escapes: %q", n.First("k").Text())
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if _, err := Parse([]byte(deep)); err == nil {
		t.Error("too deep: want an error")
	}
}

func TestParseNestingLimit(t *testing.T) {
	deep := strings.Repeat(`[{"a":`, MaxDepth/2) + "1" + strings.Repeat("}]", MaxDepth/2)
	if _, err := ParseString(deep); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
}

func TestOffsetsAndOrder(t *testing.T) {
	text := "{\"b\": 1, \"a\": [true, null, \"x\"],\n \"b\": {\"k\": -2.5}}"
	v, err := ParseString(text)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(v *Value, key string)
	walk = func(v *Value, key string) {
		got = append(got, fmt.Sprintf("%s%s@%d", key, v.Kind(), v.Offset()))
		for i := range v.Len() {
			k := ""
			if v.Kind() == Object {
				k = v.Key(i) + "="
			}
			walk(v.Item(i), k)
		}
	}
	walk(v, "")
	var members, items []string
	for k, m := range v.Members() {
		members = append(members, k+"="+m.Kind().String())
	}
	for item := range v.Last("a").Values() {
		items = append(items, item.Text())
	}
	if !reflect.DeepEqual(members, []string{"b=number", "a=array", "b=object"}) || !reflect.DeepEqual(items, []string{"true", "null", "x"}) {
		t.Errorf("Members %v, Values %v", members, items)
	}
	want := []string{"object@0", "b=number@6", "a=array@14", "boolean@15", "null@21", "string@27", "b=object@39", "k=number@45"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if l := NewLines([]byte(text)); l.Line(v.Last("b").Offset()) != 2 || l.Line(v.First("b").Offset()) != 1 || l.Line(0) != 1 {
		t.Errorf("lines: first b on %d, last b on %d", l.Line(v.First("b").Offset()), l.Line(v.Last("b").Offset()))
	}
}

func TestLookups(t *testing.T) {
	v, err := ParseString(`{"a":1,"b":2,"a":3}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		what      string
		got, want any
	}{
		{"First a", v.First("a").Text(), "1"},
		{"Last a", v.Last("a").Text(), "3"},
		{"First b", v.First("b").Text(), "2"},
		{"Index a", v.Index("a"), 0},
		{"LastIndex a", v.LastIndex("a"), 2},
		{"missing", v.First("c"), (*Value)(nil)},
		{"RepeatedKey", v.RepeatedKey(), 2},
		{"Len", v.Len(), 3},
		{"nil First", (*Value)(nil).First("a"), (*Value)(nil)},
		{"nil Last", (*Value)(nil).Last("a"), (*Value)(nil)},
		{"array First", v.Item(0).First("a"), (*Value)(nil)},
		{"array RepeatedKey", v.Item(0).RepeatedKey(), -1},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
}

func TestRepeatedKey(t *testing.T) {
	var members []string
	for i := range 40 {
		members = append(members, fmt.Sprintf(`"k%d":%d`, i, i))
	}
	for _, tt := range []struct {
		in   string
		want int
	}{
		{`{}`, -1},
		{`{"a":1}`, -1},
		{`{"a":1,"b":2}`, -1},
		{`{"a":1,"a":2}`, 1},
		{`{"a":1,"b":2,"c":3,"b":4,"a":5}`, 3},
		{"{" + strings.Join(members, ",") + "}", -1},
		{"{" + strings.Join(members, ",") + `,"k7":0,"k1":0}`, 40},
		{"{" + strings.Join(members[:10], ",") + `,"k3":0}`, 10},
	} {
		v, err := ParseString(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.RepeatedKey(); got != tt.want {
			t.Errorf("%.40s: RepeatedKey = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// Documents past the first slab (more than maxSlab values, or more values
// than the comma count suggests) grow new slabs without moving values.
func TestParseLargeDocuments(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"commas":",,,,,,,,,,,,,,,,,,,,","items":[`)
	for i := range 3 * maxSlab {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"i":%d,"s":[[],{}]}`, i)
	}
	b.WriteString("]}")
	v, err := ParseString(b.String())
	if err != nil {
		t.Fatal(err)
	}
	items := v.Last("items")
	if items.Len() != 3*maxSlab {
		t.Fatalf("%d items", items.Len())
	}
	for i := range items.Len() {
		it := items.Item(i)
		if it.First("i").Text() != fmt.Sprint(i) || it.First("s").Len() != 2 || it.First("s").Item(1).Kind() != Object {
			t.Fatalf("item %d: %q", i, it.First("i").Text())
		}
	}
	if v.First("commas").Text() != strings.Repeat(",", 20) {
		t.Errorf("commas: %q", v.First("commas").Text())
	}
}

// TestParserReusesItsSlab parses texts of every size, and some that fail,
// one after another with one Parser: each tree is the one ParseString
// builds, with nothing left over from the trees before it, and a text that
// fits the kept slab takes no slab allocation.
func TestParserReusesItsSlab(t *testing.T) {
	var big strings.Builder
	big.WriteString(`[`)
	for i := range 2 * maxKeptSlab {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"i":%d}`, i)
	}
	big.WriteString(`]`)
	texts := []string{
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}]}`,
		`{"a":1}`,
		`[1,2,{"x":[3,4,{"y":{}}]},"s\n"]`,
		`{"a":[1,2,`, // fails after writing values
		`"just a string"`,
		big.String(),
		`{"type":"enum","name":"E","symbols":["A","B","C","D","E","F"]}`,
		`[[[[[]]]],{},{"k":{"k":{"k":null}}}]`,
		`{"b":true,"b":false}`,
		`[]`,
	}
	var p Parser
	for round := range 2 {
		for _, text := range texts {
			want, wantErr := ParseString(text)
			got, err := p.ParseString(text)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("round %d, %.40q: Parser error %v, ParseString error %v", round, text, err, wantErr)
			}
			if err != nil {
				continue
			}
			if g, w := lastWins(got), lastWins(want); !reflect.DeepEqual(g, w) {
				t.Fatalf("round %d, %.40q:\n Parser %#v\n ParseString %#v", round, text, g, w)
			}
			if got.Len() != want.Len() || got.RepeatedKey() != want.RepeatedKey() {
				t.Fatalf("round %d, %.40q: %d members (repeated %d), want %d (%d)", round, text, got.Len(), got.RepeatedKey(), want.Len(), want.RepeatedKey())
			}
			checkOffsets(t, []byte(text), got)
		}
	}
	small := texts[0]
	p.ParseString(small)
	if n := testing.AllocsPerRun(100, func() { p.ParseString(small) }); n > 0 {
		t.Errorf("a used Parser allocates %.0f times per parse of a text that fits its slab, want 0", n)
	}
}

func TestParseDoesNotAliasBytes(t *testing.T) {
	data := []byte(`{"key":"value"}`)
	v, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	copy(data, bytes.Repeat([]byte("x"), len(data)))
	if v.Key(0) != "key" || v.Item(0).Text() != "value" {
		t.Errorf("the tree changed with the input: %q %q", v.Key(0), v.Item(0).Text())
	}
}

// BenchmarkParse measures parsing one JSON line of the typical event
// (testdata/schemas/bench-order.avsc), the per-line work of edactl produce.
func BenchmarkParse(b *testing.B) {
	line := []byte(`{"order_id":"ord-00000042","customer_id":"cust-00042","placed_at":"2024-05-01T10:00:00.000Z","total":123.45,"currency":"EUR",` +
		`"items":[{"sku":"SKU-1","qty":2,"price":19.99},{"sku":"SKU-2","qty":1,"price":5.5}],"coupon":null,"attrs":{"channel":"web","region":"eu-west"}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := Parse(line); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeMatchesEncodingJSON compares Decode with encoding/json's
// decoding (UseNumber) of the same texts: escapes, invalid UTF-8, repeated
// keys, numbers as spelled, nesting.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	texts := []string{
		`null`, `true`, `false`, `0`, `-1.50e+3`, `"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800"`, "\"\xff\xfe\"",
		`[]`, `{}`, `[1,[2,[3,{"a":[]}]]]`, `{"a":1,"b":{"c":[true,null,"x"]},"a":2}`,
		`{"type":"record","name":"R","fields":[{"name":"f","type":["null","string"],"default":null}]}`,
	}
	for _, text := range texts {
		v, err := ParseString(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if got := v.Decode(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Decode gives %#v, encoding/json %#v", text, got, want)
		}
	}
}

// Decode shares one boxed value for each of Avro's type names and
// allocates none for them; any other string decodes as itself.
func TestDecodeSharesTypeNames(t *testing.T) {
	for _, name := range commonStrings {
		s := name.(string)
		v, err := ParseString(strconv.Quote(s))
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Decode(); got != name {
			t.Errorf("Decode of %q = %#v", s, got)
		}
		if n := testing.AllocsPerRun(100, func() { _ = v.Decode() }); n != 0 {
			t.Errorf("Decode of %q allocates %v times", s, n)
		}
	}
	for _, s := range []string{"nul", "records", "Record", "", "decimal"} {
		if got := boxString(s); got != s {
			t.Errorf("boxString(%q) = %#v", s, got)
		}
	}
}
