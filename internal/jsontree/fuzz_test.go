package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse holds the tree to encoding/json: it accepts exactly what
// json.Valid accepts (but for nesting past MaxDepth, which json.Valid
// allows up to 10000 levels), its offsets point at the values, and it
// decodes every string and number as encoding/json does, keeping every
// member in order. Seeds live in testdata/fuzz/FuzzParse; run it with
//
//	go test ./internal/jsontree -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		valid := json.Valid(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("%q: error %v is not a *SyntaxError with an offset in the text", data, err)
			}
			if strings.Contains(se.Msg, "nests deeper") {
				return
			}
			if valid {
				t.Fatalf("%q: refused (%v), json.Valid accepts it", data, err)
			}
			return
		}
		if !valid {
			t.Fatalf("%q: accepted, json.Valid refuses it", data)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("%q: encoding/json: %v", data, err)
		}
		if got := lastWins(v); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n tree %#v\n json %#v", data, got, want)
		}
		checkOffsets(t, data, v)
		// A Parser that parsed the previous inputs gives the same tree.
		pv, err := fuzzParser.Parse(data)
		if err != nil {
			t.Fatalf("%q: Parse accepts it, a used Parser refuses it: %v", data, err)
		}
		if got := lastWins(pv); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n used Parser %#v\n json %#v", data, got, want)
		}
		checkOffsets(t, data, pv)
	})
}

// fuzzParser parses every input of FuzzParse after the ones before it.
var fuzzParser Parser

// lastWins is v as encoding/json decodes it into an any (with UseNumber):
// a repeated key's last value wins.
func lastWins(v *Value) any {
	switch v.Kind() {
	case Null:
		return nil
	case Bool:
		return v.Bool()
	case Number:
		return json.Number(v.Text())
	case String:
		return v.Text()
	case Array:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = lastWins(v.Item(i))
		}
		return out
	}
	out := map[string]any{}
	for i := range v.Len() {
		out[v.Key(i)] = lastWins(v.Item(i))
	}
	return out
}

// checkOffsets checks that each value's offset is where its text starts.
func checkOffsets(t *testing.T, data []byte, v *Value) {
	t.Helper()
	first := map[Kind]string{Null: "n", Bool: "tf", Number: "-0123456789", String: `"`, Array: "[", Object: "{"}
	if off := v.Offset(); off < 0 || off >= len(data) || !strings.ContainsRune(first[v.Kind()], rune(data[off])) {
		t.Fatalf("%q: %v at offset %d", data, v.Kind(), off)
	}
	for i := range v.Len() {
		checkOffsets(t, data, v.Item(i))
	}
}
