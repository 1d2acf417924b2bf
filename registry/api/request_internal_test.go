package api

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestSchemaOnlyMatchesUnmarshal checks the one-pass reading of
// {"schema":"..."} bodies against json.Unmarshal: whenever schemaOnly
// accepts a body, Unmarshal decodes it to the same schema and nothing else;
// and it accepts the common bodies.
func TestSchemaOnlyMatchesUnmarshal(t *testing.T) {
	bodies := []string{
		`{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}"}`,
		" \n{\"schema\":\"\\\"string\\\"\"}\t\r\n",
		`{"schema":""}`,
		`{"schema":"a\\b\/c\"d\be\ff\ng\rh\ti"}`,
		`{"schema":"\u0041"}`, `{"schema":"é"}`, "{\"schema\":\"a\x7fb\"}", "{\"schema\":\"a\x01\"}",
		`{"schema":"a\"}`, `{"schema":"a\\"}`, `{"schema":"a"}"}`, `{"schema":"a\x"}`, `{"schema":"a\"`,
		`{"schema":"a","schemaType":"AVRO"}`, `{"schemaType":"AVRO","schema":"a"}`, `{"SCHEMA":"a"}`,
		`{ "schema":"a"}`, `{"schema": "a"}`, `{"schema":"a" }`, `{"schema":1}`, `{"schema":"a"}x`, `"a"`, `{}`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab{}[]:,\"\\/bfnrtu0 \x01\x7f\xc3\xa9")
	for range 20000 {
		b := []byte(`{"schema":"`)
		for range rng.IntN(12) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		bodies = append(bodies, string(append(b, `"}`...)))
	}
	accepted := 0
	for _, body := range bodies {
		got, ok := schemaOnly([]byte(body))
		if !ok {
			continue
		}
		accepted++
		var b registerBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Errorf("%q: schemaOnly reads %q, json.Unmarshal fails: %v", body, got, err)
			continue
		}
		if want := (registerBody{Schema: b.Schema}); !reflect.DeepEqual(b, want) || got != b.Schema {
			t.Errorf("%q: schemaOnly reads %q, json.Unmarshal %+v", body, got, b)
		}
	}
	for _, body := range bodies[:4] {
		if _, ok := schemaOnly([]byte(body)); !ok {
			t.Errorf("%q: not read in one pass", body)
		}
	}
	if accepted < 1000 {
		t.Errorf("only %d of %d bodies read in one pass", accepted, len(bodies))
	}
}
