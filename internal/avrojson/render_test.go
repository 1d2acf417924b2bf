package avrojson

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/edactl/edactl/serde"
)

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
		{"empty", nil, serde.ErrTruncated, "R.a", 0, "need 1 byte(s), have 0"},
		{"varint cut", []byte{0x80}, serde.ErrTruncated, "R.a", 0, "need 2 byte(s)"},
		{"varint too long", bytes.Repeat([]byte{0xff}, 11), serde.ErrInvalidValue, "R.a", 0, "overflows 64 bits"},
		{"string cut", []byte{0, 10, 'a'}, serde.ErrTruncated, "R.s", 2, "need 5 byte(s), have 1"},
		{"negative length", []byte{0, 1}, serde.ErrInvalidValue, "R.s", 1, "negative length -1"},
		{"bad utf8", []byte{0, 2, 0xff, 0xfe}, serde.ErrInvalidValue, "R.s", 1, "not valid UTF-8"},
		{"too many nulls", binary.AppendUvarint([]byte{0, 0}, 4_000_000), serde.ErrInvalidValue, "R.xs", 6, "more than 1048576 items"},
		{"enum index", []byte{0, 0, 0, 2}, serde.ErrInvalidValue, "R.e", 3, "enum E index 1 out of range [0,1)"},
		{"union index", []byte{0, 0, 0, 0, 4}, serde.ErrInvalidValue, "R.u", 4, "union branch 2 out of range [0,2)"},
		{"boolean byte", []byte{0, 0, 0, 0, 0, 2}, serde.ErrInvalidValue, "R.ok", 5, "boolean byte 0x02"},
		{"trailing", []byte{0, 0, 0, 0, 0, 1, 9}, serde.ErrInvalidValue, "R", 6, "1 byte(s) left after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AppendJSON(nil, s, tt.body)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("error %v, want %v", err, tt.sentinel)
			}
			var ve *serde.ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *serde.ValueError", err)
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

// Plans compiles a schema's plan on first use; concurrent first uses must
// all render (go test -race checks the publication).
func TestPlansConcurrentFirstUse(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatal(err)
	}
	fresh := &serde.Schema{ID: s.ID, Text: s.Text, Avro: s.Avro}
	var plans Plans
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := plans.For(fresh).AppendJSON(nil, framed[serde.HeaderSize:])
			if err != nil || string(got) != everythingJSON {
				t.Errorf("AppendJSON = %s, %v", got, err)
			}
		})
	}
	wg.Wait()
	if plans.For(fresh) != plans.For(fresh) || plans.For(fresh) == plans.For(s) {
		t.Error("Plans does not keep one plan per schema")
	}
}

// Rendering a record allocates nothing once the plan is compiled, looking
// the plan up included.
func TestPlanAppendJSONAllocatesNothing(t *testing.T) {
	s := everything(t)
	framed, err := EncodeJSON(s, []byte(everythingJSON))
	if err != nil {
		t.Fatal(err)
	}
	var plans Plans
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := plans.For(s).AppendJSON(buf[:0], framed[serde.HeaderSize:]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendJSON allocates %v times per record", allocs)
	}
}

// A decimal renders while its digits fit its precision, and is refused,
// naming the digits, past it: bytes and fixed, both signs, at the edge.
func TestDecimalPrecisionEdge(t *testing.T) {
	s := mustParse(t, `{"type":"record","name":"D","fields":[
		{"name":"b","type":{"type":"bytes","logicalType":"decimal","precision":3,"scale":2}},
		{"name":"f","type":{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":3,"scale":1}}]}`)
	plan := Compile(s)
	for _, c := range []struct {
		b, f [2]byte // unscaled values, big-endian two's complement
		want string  // the JSON, or the error's message
	}{
		{[2]byte{0x03, 0xe7}, [2]byte{0xfc, 0x19}, `{"b":9.99,"f":-99.9}`},                     // 999, -999
		{[2]byte{0x00, 0x00}, [2]byte{0x00, 0x05}, `{"b":0.00,"f":0.5}`},                       // 0, 5
		{[2]byte{0x03, 0xe8}, [2]byte{0x00, 0x00}, "D.b: offset 0: decimal(3,2) has 4 digits"}, // 1000
		{[2]byte{0xfc, 0x18}, [2]byte{0x00, 0x00}, "D.b: offset 0: decimal(3,2) has 4 digits"}, // -1000
		{[2]byte{0x00, 0x01}, [2]byte{0x03, 0xe8}, "D.f: offset 3: decimal(3,1) has 4 digits"}, // 1000
	} {
		body := append([]byte{4}, c.b[:]...)
		body = append(body, c.f[:]...)
		out, err := plan.AppendJSON(nil, body)
		got := string(out)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("% x: got %s, want %s", body, got, c.want)
		}
	}
}

// Short strings take word-wide paths that read past a string, forward into
// the body's spare capacity or back from its end when the capacity ends
// there (as franz-go's record values do). Every length from 0 to 17, with
// bytes that need escaping, non-ASCII and invalid UTF-8 at every position,
// renders as AppendJSONString writes it (or is refused when not UTF-8),
// whatever the capacity and output room.
func TestShortStringsEveryPosition(t *testing.T) {
	schema := mustParse(t, `{"type":"record","name":"S","fields":[{"name":"a","type":"string"},{"name":"m","type":{"type":"map","values":"string"}},{"name":"z","type":"string"}]}`)
	plan := Compile(schema)
	specials := []string{"", "\"", "\\", "\n", "\x01", "\x7f", "é", "\xff", "\u2028", "A"}
	for n := 0; n <= 17; n++ {
		for at := 0; at < max(n, 1); at++ {
			for _, sp := range specials {
				str := []byte(strings.Repeat("x", n))
				if n > 0 {
					str = append(str[:at], append([]byte(sp), str[at+1:]...)...)
				}
				// a, a map of {str: str}, then z: str again, last in the
				// body.
				var body []byte
				body = appendAvroString(body, str)
				body = append(body, 2)
				body = appendAvroString(body, str)
				body = appendAvroString(body, str)
				body = append(body, 0)
				body = appendAvroString(body, str)
				q := string(AppendJSONString(nil, str))
				want := `{"a":` + q + `,"m":{` + q + `:` + q + `},"z":` + q + `}`
				for _, capped := range []bool{true, false} {
					in := body[:len(body):len(body)]
					if !capped {
						in = append(make([]byte, 0, len(body)+32), body...)
					}
					for _, room := range []int{0, 64, 4096} {
						out, err := plan.AppendJSON(make([]byte, 0, room), in)
						if !utf8Valid(str) {
							if err == nil {
								t.Fatalf("%q: rendered %s, want an error", str, out)
							}
							continue
						}
						if err != nil || string(out) != want {
							t.Fatalf("%q (capped %v, room %d): rendered %s, %v; want %s", str, capped, room, out, err, want)
						}
					}
				}
			}
		}
	}
}

func appendAvroString(dst, s []byte) []byte {
	dst = binary.AppendVarint(dst, int64(len(s)))
	return append(dst, s...)
}

func utf8Valid(b []byte) bool { return utf8.Valid(b) }

// quickString takes its word-wide path, and writes the string right, for
// every plain ASCII string of 0 to 16 bytes: reading forward into spare
// capacity, or back from the string's end when the capacity ends there
// and 16 bytes precede that end; it declines the others.
func TestQuickStringPaths(t *testing.T) {
	for n := 0; n <= 17; n++ {
		str := []byte("abcdefghijklmnopq"[:n])
		for before := 0; before <= 20; before++ {
			in := append(bytes.Repeat([]byte{'#'}, before), byte(2*n))
			in = append(in, str...)
			for _, capped := range []bool{true, false} {
				buf := in[:len(in):len(in)]
				if !capped {
					buf = append(make([]byte, 0, len(in)+shortMax), in...)
				}
				r := renderer{in: buf, pos: before}
				out, ok := r.quickString(make([]byte, 0, 64))
				wantOK := n <= shortMax && (!capped || before+1+n >= shortMax)
				if ok != wantOK {
					t.Fatalf("n %d, %d bytes before, capped %v: ok %v, want %v", n, before, capped, ok, wantOK)
				}
				if !ok {
					if r.pos != before || len(out) != 0 {
						t.Fatalf("n %d: declined but read to %d, wrote %q", n, r.pos, out)
					}
					continue
				}
				if want := `"` + string(str) + `"`; string(out) != want || r.pos != len(in) {
					t.Fatalf("n %d, %d bytes before, capped %v: wrote %q to %d, want %q to %d", n, before, capped, out, r.pos, want, len(in))
				}
			}
		}
	}
}

// Goroutines rendering timestamps of different minutes with one plan share
// its minute cache: each reads back only the text of its own minute.
func TestTimestampMinuteCacheConcurrent(t *testing.T) {
	plan := Compile(mustParse(t, `{"type":"record","name":"T","fields":[{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"us","type":{"type":"long","logicalType":"timestamp-micros"}}]}`))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out []byte
			for i := range 20_000 {
				// Minutes of this goroutine and of the others, before
				// and after the epoch, at second and millisecond edges.
				ms := int64((i%7)*61_000+g*3_600_000+i%1000) - 90_000
				if i%3 == 0 {
					ms = -ms*1_000 + 59_999
				}
				body := binary.AppendVarint(nil, ms)
				body = binary.AppendVarint(body, ms*1000+7)
				var err error
				if out, err = plan.AppendJSON(out[:0], body); err != nil {
					t.Error(err)
					return
				}
				tm := time.UnixMilli(ms).UTC()
				want := `{"at":"` + tm.Format("2006-01-02T15:04:05.000Z") + `","us":"` + time.UnixMicro(ms*1000+7).UTC().Format("2006-01-02T15:04:05.000000Z") + `"}`
				if string(out) != want {
					t.Errorf("%d ms rendered %s, want %s", ms, out, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Record fields of the leaves with a path of their own in the record loop
// (strings, small ints and longs, enums) render every index and value, also
// those just past that path: enum indexes of two varint bytes, ints of 10
// and more, negative ones.
func TestRecordFieldFastPaths(t *testing.T) {
	syms := make([]string, 200)
	for i := range syms {
		syms[i] = fmt.Sprintf(`"S%d"`, i)
	}
	plan := Compile(mustParse(t, `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":[`+strings.Join(syms, ",")+`]}},{"name":"i","type":"int"},{"name":"l","type":"long"}]}`))
	for idx := range 200 {
		for _, v := range []int64{0, 1, 9, 10, 11, 63, 64, -1, -9, -10, 1 << 40} {
			body := binary.AppendVarint(nil, int64(idx))
			body = binary.AppendVarint(body, v%(1<<31))
			body = binary.AppendVarint(body, v)
			out, err := plan.AppendJSON(nil, body)
			want := fmt.Sprintf(`{"e":"S%d","i":%d,"l":%d}`, idx, v%(1<<31), v)
			if err != nil || string(out) != want {
				t.Fatalf("rendered %s, %v; want %s", out, err, want)
			}
		}
	}
	// An index past the symbols is still refused.
	if _, err := plan.AppendJSON(nil, []byte{0x90, 0x03, 0, 0}); err == nil {
		t.Fatal("enum index 200 rendered")
	}
}

// An optional string field renders null, short and long strings, strings
// to escape, and refuses invalid UTF-8, through the record loop's path for
// unions and past it; a union of two types keeps its wrapper.
func TestRecordFieldUnionPaths(t *testing.T) {
	plan := Compile(mustParse(t, `{"type":"record","name":"R","fields":[{"name":"o","type":["null","string"]},{"name":"w","type":["int","string"]}]}`))
	for _, s := range []string{"", "a", "SPRING", strings.Repeat("x", 16), strings.Repeat("y", 17), `q"uote`, "é", "\xff"} {
		for _, null := range []bool{true, false} {
			body := []byte{2}
			want := `{"o":` + string(AppendJSONString(nil, s))
			if null {
				body, want = []byte{0}, `{"o":null`
			} else {
				body = appendAvroString(body, []byte(s))
			}
			body = append(body, 2)
			body = appendAvroString(body, []byte("w"))
			want += `,"w":{"string":"w"}}`
			out, err := plan.AppendJSON(nil, body[:len(body):len(body)])
			if !null && !utf8.ValidString(s) {
				if err == nil {
					t.Fatalf("%q rendered %s", s, out)
				}
				continue
			}
			if err != nil || string(out) != want {
				t.Fatalf("rendered %s, %v; want %s", out, err, want)
			}
		}
	}
}
