package serde

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
)

func mustParse(t testing.TB, text string) avro.Schema {
	t.Helper()
	s, err := avroschema.Parse(text)
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	return s
}

func everything(t testing.TB) *Schema {
	t.Helper()
	text, err := os.ReadFile("testdata/everything.avsc")
	if err != nil {
		t.Fatal(err)
	}
	return &Schema{ID: 42, Text: string(text), Avro: mustParse(t, string(text))}
}

// everythingJSON is a value of testdata/everything.avsc in the exact form
// DecodeJSON writes.
const everythingJSON = `{"n":null,"b":true,"i":-2147483648,"l":9223372036854775807,"f":1.5,"d":-0.1,` +
	`"bs":"AAEC/w==","s":"héllo \"q\"\n\u0001\u2028","color":"GREEN","md5":"3q2+7w==","tags":["a","","c"],` +
	`"attrs":{"k":-1},"opt":"x","optLast":null,"choice":{"test.serde.Point":{"x":1,"y":-1}},` +
	`"ts":"2024-05-01T12:34:56.789Z","tsMicros":"1969-12-31T23:59:59.999999Z","localTs":"2024-05-01T12:34:56.000",` +
	`"localTsMicros":"0001-01-01T00:00:00.000001","day":"1970-01-01","tod":"23:59:59.999","todMicros":"00:00:00.000001",` +
	`"price":-12.30,"amount":922337203685477.5807,"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8",` +
	`"rawId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","where":{"x":3,"y":4},` +
	`"next":{"n":null,"b":false,"i":0,"l":0,"f":"NaN","d":"-Infinity","bs":"","s":"","color":"RED","md5":"AAAAAA==",` +
	`"tags":[],"attrs":{},"opt":null,"optLast":7,"choice":null,"ts":253402300800000,"tsMicros":"1970-01-01T00:00:00.000000Z","localTs":"1970-01-01T00:00:00.000",` +
	`"localTsMicros":"1970-01-01T00:00:00.000000","day":"2000-02-29","tod":86400000,"todMicros":-1,"price":0.00,"amount":-0.0001,` +
	`"id":"not-a-uuid-is-fine-for-a-string","rawId":"00000000-0000-0000-0000-000000000000","where":null,"next":null,"points":[],"withDefault":""},` +
	`"points":[{"x":1,"y":2}],"withDefault":"dflt"}`

func TestJSONRoundTrip(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatalf("EncodeJSON: %v", err)
	}
	id, body, err := ParseHeader(framed)
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
			if !errors.Is(err, ErrInvalidValue) {
				t.Errorf("error %v is not ErrInvalidValue", err)
			}
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValueError", err)
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

func TestDecodeErrors(t *testing.T) {
	s := mustParse(t, `{"type":"record","name":"R","fields":[
		{"name":"a","type":"long"},
		{"name":"s","type":"string"},
		{"name":"xs","type":{"type":"array","items":"null"}},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},
		{"name":"u","type":["null","int"]},
		{"name":"ok","type":"boolean"}
	]}`)
	tests := []struct {
		name     string
		body     []byte
		sentinel error
		path     string
		offset   int
		msg      string
	}{
		{"empty", nil, ErrTruncated, "R.a", 0, "need 1 byte(s), have 0"},
		{"varint cut", []byte{0x80}, ErrTruncated, "R.a", 0, "need 2 byte(s)"},
		{"varint too long", bytes.Repeat([]byte{0xff}, 11), ErrInvalidValue, "R.a", 0, "overflows 64 bits"},
		{"string cut", []byte{0, 10, 'a'}, ErrTruncated, "R.s", 2, "need 5 byte(s), have 1"},
		{"negative length", []byte{0, 1}, ErrInvalidValue, "R.s", 1, "negative length -1"},
		{"bad utf8", []byte{0, 2, 0xff, 0xfe}, ErrInvalidValue, "R.s", 1, "not valid UTF-8"},
		{"too many nulls", binary.AppendUvarint([]byte{0, 0}, 4_000_000), ErrInvalidValue, "R.xs", 6, "more than 1048576 items"},
		{"enum index", []byte{0, 0, 0, 2}, ErrInvalidValue, "R.e", 3, "enum E index 1 out of range [0,1)"},
		{"union index", []byte{0, 0, 0, 0, 4}, ErrInvalidValue, "R.u", 4, "union branch 2 out of range [0,2)"},
		{"boolean byte", []byte{0, 0, 0, 0, 0, 2}, ErrInvalidValue, "R.ok", 5, "boolean byte 0x02"},
		{"trailing", []byte{0, 0, 0, 0, 0, 1, 9}, ErrInvalidValue, "R", 6, "1 byte(s) left after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AppendJSON(nil, s, tt.body)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("error %v, want %v", err, tt.sentinel)
			}
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValueError", err)
			}
			if ve.Path != tt.path || ve.Offset != tt.offset {
				t.Errorf("at %s offset %d, want %s offset %d (%v)", ve.Path, ve.Offset, tt.path, tt.offset, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
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

// appendFloat's fast path for short decimals must write exactly what
// strconv's shortest form does.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	check := func(f float64) {
		t.Helper()
		format := byte('f')
		if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
		want := strconv.AppendFloat(nil, f, format, -1, 64)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		if got := appendFloat(nil, f, 64); string(got) != string(want) {
			t.Fatalf("appendFloat(%v [%016x]) = %s, want %s", f, math.Float64bits(f), got, want)
		}
	}
	for range 300_000 {
		// Decimals with up to 7 fractional digits, of every magnitude up
		// to and past 2^50, their neighbours, and random bits.
		k := rnd.IntN(8)
		m := rnd.Int64N(int64(1) << (1 + rnd.IntN(55)))
		f := float64(m) / math.Pow(10, float64(k))
		if rnd.IntN(2) == 0 {
			f = -f
		}
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(math.Nextafter(f, math.Inf(-1)))
		check(math.Float64frombits(rnd.Uint64()))
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e-6, 9.99999e-7, 1 << 50, 1<<50 - 0.5, 1<<50 - 1, 0.1, 0.2, 0.3, 19.99, 5.5, 1e15, 123456789.0123, 0.00001, 0.0001, 4503599627370495.5} {
		check(f)
		check(-f)
	}
}

// A Schema compiles its plan on first use; concurrent first uses must all
// render (go test -race checks the publication).
func TestSchemaAppendJSONConcurrentFirstUse(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatal(err)
	}
	fresh := &Schema{ID: s.ID, Text: s.Text, Avro: s.Avro}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := fresh.AppendJSON(nil, framed[HeaderSize:])
			if err != nil || string(got) != everythingJSON {
				t.Errorf("AppendJSON = %s, %v", got, err)
			}
		})
	}
	wg.Wait()
}

// Rendering a record allocates nothing once the plan is compiled.
func TestSchemaAppendJSONAllocatesNothing(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.AppendJSON(buf[:0], framed[HeaderSize:]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendJSON allocates %v times per record", allocs)
	}
}

// civilDate agrees with the time package over the years 0–9999 and says
// no just outside them.
func TestCivilDate(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 11))
	check := func(days int64) {
		t.Helper()
		tm := time.Unix(days*secsPerDay, 0).UTC()
		y, m, d, ok := civilDate(days)
		inRange := tm.Year() >= 0 && tm.Year() <= 9999
		if ok != inRange || ok && (y != tm.Year() || m != int(tm.Month()) || d != tm.Day()) {
			t.Fatalf("civilDate(%d) = %d-%d-%d %v, time says %s", days, y, m, d, ok, tm.Format(time.DateOnly))
		}
	}
	for days := int64(dayYear0 - 800); days < dayYear0+800; days++ {
		check(days)
	}
	for days := int64(dayYear10000 - 800); days < dayYear10000+800; days++ {
		check(days)
	}
	for range 200_000 {
		check(rnd.Int64N(dayYear10000-dayYear0+20000) + dayYear0 - 10000)
	}
	check(math.MaxInt64 / secsPerDay)
	check(math.MinInt64 / secsPerDay)
}
