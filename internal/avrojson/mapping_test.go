package avrojson

import (
	"bytes"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/serde"
)

func TestJSONRoundTrip(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatalf("EncodeJSON: %v", err)
	}
	id, body, err := serde.ParseHeader(framed)
	if err != nil || id != 42 {
		t.Fatalf("ParseHeader = %d, %v", id, err)
	}
	got, err := AppendJSON(nil, s.Avro, body)
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	if string(got) != everythingJSON {
		t.Errorf("decode(encode(x)) != x\n got: %s\nwant: %s", got, everythingJSON)
	}
	again, err := AppendAvro(nil, s.Avro, got)
	if err != nil {
		t.Fatalf("AppendAvro: %v", err)
	}
	if !bytes.Equal(again, body) {
		t.Errorf("encode(decode(b)) != b")
	}

	// hamba/avro reads what we wrote.
	var generic map[string]any
	if err := avro.Unmarshal(s.Avro, body, &generic); err != nil {
		t.Fatalf("hamba Unmarshal of our bytes: %v", err)
	}
	if generic["l"] != int64(9223372036854775807) || generic["color"] != "GREEN" || generic["withDefault"] != "dflt" {
		t.Errorf("hamba read l=%v color=%v withDefault=%v", generic["l"], generic["color"], generic["withDefault"])
	}
	// And we read what hamba writes from the same value (hamba writes
	// arrays of records as blocks with a negative count and a byte size).
	hb, err := avro.Marshal(s.Avro, generic)
	if err != nil {
		t.Fatalf("hamba Marshal: %v", err)
	}
	fromHamba, err := AppendJSON(nil, s.Avro, hb)
	if err != nil {
		t.Fatalf("AppendJSON of hamba's bytes: %v", err)
	}
	if string(fromHamba) != everythingJSON {
		t.Errorf("hamba's encoding decodes to\n%s\nwant\n%s", fromHamba, everythingJSON)
	}
}
