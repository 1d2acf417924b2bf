package avrojson

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/edactl/edactl/serde"
)

func TestJSONInputForms(t *testing.T) {
	s := mustParse(t, `{"type":"record","name":"R","fields":[
		{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}},
		{"name":"c","type":["string",{"type":"record","name":"R2","namespace":"x","fields":[]}]},
		{"name":"u","type":["null","x.R2"],"default":null},
		{"name":"opt","type":["null","long"],"default":null},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"}
	]}`)
	tests := []struct {
		name, in, want string
	}{
		{"readable forms", `{"ts":"2024-05-01T14:34:56.789+02:00","day":"2024-02-29","price":1.5,"c":{"string":"s"}}`,
			`{"ts":"2024-05-01T12:34:56.789Z","day":"2024-02-29","price":1.50,"c":{"string":"s"},"u":null,"opt":null,"e":"B"}`},
		{"underlying numbers", `{"ts":0,"day":-1,"price":1e2,"c":{"x.R2":{}},"opt":-5}`,
			`{"ts":"1970-01-01T00:00:00.000Z","day":"1969-12-31","price":100.00,"c":{"x.R2":{}},"u":null,"opt":-5,"e":"B"}`},
		{"short branch name", `{"ts":0,"day":0,"price":-0.01,"c":{"R2":{}},"u":{"a":1}}`, ""},
		{"exponent decimal", `{"ts":0,"day":0,"price":1234E-2,"c":{"string":""}}`,
			`{"ts":"1970-01-01T00:00:00.000Z","day":"1970-01-01","price":12.34,"c":{"string":""},"u":null,"opt":null,"e":"B"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := AppendAvro(nil, s, []byte(tt.in))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("AppendAvro(%s) succeeded, want an error", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("AppendAvro: %v", err)
			}
			got, err := AppendJSON(nil, s, body)
			if err != nil {
				t.Fatalf("AppendJSON: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEncodeJSONErrors(t *testing.T) {
	s := everything(t)
	valid := []byte(everythingJSON)
	replace := func(old, new string) string {
		if !strings.Contains(everythingJSON, old) {
			t.Fatalf("test bug: %q not in the value", old)
		}
		return strings.Replace(everythingJSON, old, new, 1)
	}
	_ = valid
	tests := []struct {
		name, in, wantPath, wantMsg string
	}{
		{"not JSON", `{"n":`, "Everything", "invalid JSON"},
		{"two values", everythingJSON + " {}", "Everything", "more than one JSON value"},
		{"int overflow", replace(`"i":-2147483648`, `"i":-2147483649`), "Everything.i", "not a 32-bit integer"},
		{"long as float", replace(`"l":9223372036854775807`, `"l":1.5`), "Everything.l", "not a 64-bit integer"},
		{"long overflow", replace(`"l":9223372036854775807`, `"l":9223372036854775808`), "Everything.l", "not a 64-bit integer"},
		{"bad enum", replace(`"color":"GREEN"`, `"color":"PINK"`), "Everything.color", `"PINK" is not a symbol of enum test.serde.Color`},
		{"fixed size", replace(`"md5":"3q2+7w=="`, `"md5":"3q0="`), "Everything.md5", "holds 4 byte(s), got 2"},
		{"bad base64", replace(`"bs":"AAEC/w=="`, `"bs":"!!"`), "Everything.bs", "not standard base64"},
		{"array item", replace(`"tags":["a","","c"]`, `"tags":["a",1]`), "Everything.tags[1]", "want a string, got a number"},
		{"map value", replace(`"attrs":{"k":-1}`, `"attrs":{"k":"x"}`), `Everything.attrs["k"]`, "want an integer, got a string"},
		{"unknown field", replace(`"n":null,`, `"n":null,"nope":1,`), "Everything", `has no field "nope"`},
		{"duplicate field", replace(`"n":null,`, `"n":null,"n":null,`), "Everything", `field "n" appears twice`},
		{"missing field", replace(`"b":true,`, ``), "Everything.b", "missing (the field has no default)"},
		{"union branch", replace(`"choice":{"test.serde.Point":{"x":1,"y":-1}}`, `"choice":{"boolean":true}`), "Everything.choice", `"boolean" is not a branch of union [null,string,long,test.serde.Color,test.serde.Point,array]`},
		{"union bare value", replace(`"choice":{"test.serde.Point":{"x":1,"y":-1}}`, `"choice":"s"`), "Everything.choice", `want {"<branch>": value}`},
		{"nested record field", replace(`"where":{"x":3,"y":4}`, `"where":{"x":3}`), "Everything.where.y", "missing"},
		{"timestamp precision", replace(`"ts":"2024-05-01T12:34:56.789Z"`, `"ts":"2024-05-01T12:34:56.7891Z"`), "Everything.ts", "more precise than milliseconds"},
		{"timestamp form", replace(`"ts":"2024-05-01T12:34:56.789Z"`, `"ts":"yesterday"`), "Everything.ts", "not an RFC 3339 timestamp"},
		{"local timestamp with zone", replace(`"localTs":"2024-05-01T12:34:56.000"`, `"localTs":"2024-05-01T12:34:56Z"`), "Everything.localTs", "not a local timestamp"},
		{"date form", replace(`"day":"1970-01-01"`, `"day":"1970-1-1"`), "Everything.day", "not a date"},
		{"time of day", replace(`"tod":"23:59:59.999"`, `"tod":"24:00:00"`), "Everything.tod", "not a time of day"},
		{"decimal scale", replace(`"price":-12.30`, `"price":-12.301`), "Everything.price", "more than 2 fractional digit(s)"},
		{"decimal precision", replace(`"price":-12.30`, `"price":123456789.00`), "Everything.price", "more than the precision"},
		{"decimal huge exponent", replace(`"price":-12.30`, `"price":1e999999999`), "Everything.price", "exponent out of range"},
		{"decimal as string", replace(`"price":-12.30`, `"price":"-12.30"`), "Everything.price", "want a number for a decimal"},
		{"fixed decimal overflow", replace(`"amount":922337203685477.5807`, `"amount":922337203685477.5808`), "Everything.amount", "does not fit in fixed test.serde.Amount"},
		{"uuid", replace(`"rawId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"`, `"rawId":"6ba7b810-9dad-11d1-80b4-00c04fd430cX"`), "Everything.rawId", "not a UUID"},
		{"float overflow", replace(`"f":1.5`, `"f":1e39`), "Everything.f", "does not fit a 32-bit float"},
		{"recursive path", replace(`"next":{"n":null,"b":false`, `"next":{"n":null,"b":0`), "Everything.next.b", "want true or false, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeJSON(s, []byte(tt.in))
			if err == nil {
				t.Fatal("EncodeJSON succeeded, want an error")
			}
			if !errors.Is(err, serde.ErrInvalidValue) {
				t.Errorf("error %v is not serde.ErrInvalidValue", err)
			}
			var ve *serde.ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *serde.ValueError", err)
			}
			if ve.Path != tt.wantPath {
				t.Errorf("path = %q, want %q (error: %v)", ve.Path, tt.wantPath, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "encode with schema id 42: ") {
				t.Errorf("error %q does not name the schema id", err)
			}
		})
	}
}

func TestDecimalBytes(t *testing.T) {
	dec := mustParse(t, `{"type":"bytes","logicalType":"decimal","precision":20,"scale":2}`)
	for _, tt := range []struct {
		text string
		want []byte
	}{
		{"0", []byte{0}}, {"1.27", []byte{0x7f}}, {"1.28", []byte{0, 0x80}}, {"-0.01", []byte{0xff}},
		{"-1.28", []byte{0x80}}, {"-1.29", []byte{0xff, 0x7f}},
	} {
		n, err := parseDecimal(tt.text, 2)
		if err != nil {
			t.Fatalf("parseDecimal(%s): %v", tt.text, err)
		}
		if got := decimalBytes(n, 0); !bytes.Equal(got, tt.want) {
			t.Errorf("decimalBytes(%s) = %x, want %x", tt.text, got, tt.want)
		}
		body := append(binary.AppendVarint(nil, int64(len(tt.want))), tt.want...)
		back, err := AppendJSON(nil, dec, body)
		if err != nil || string(back) != tt.text && !(tt.text == "0" && string(back) == "0.00") {
			t.Errorf("AppendJSON(%x) = %s, %v, want %s", tt.want, back, err, tt.text)
		}
	}
}

func TestMapKeepsDuplicateKeysInOrder(t *testing.T) {
	s := mustParse(t, `{"type":"map","values":"int"}`)
	in := `{"b":1,"a":2,"b":3}`
	body, err := AppendAvro(nil, s, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := AppendJSON(nil, s, body)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("got %s, want %s", out, in)
	}
}
