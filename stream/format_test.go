package stream

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/termtext"
)

func TestFormat(t *testing.T) {
	rec := &Record{
		Topic: "orders.placed", Partition: 2, Offset: 41,
		Timestamp: time.UnixMilli(1714557600123),
		Headers:   []Header{{Key: "ce_type", Value: []byte("OrderPlaced")}, {Key: "tenant", Value: []byte("acme")}},
		Key:       Payload{Raw: []byte("o-1"), Encoding: EncUTF8, JSON: json.RawMessage(`"o-1"`)},
		Value: Payload{Raw: []byte{0, 0, 0, 0, 3, 6, 'o', '-', '1'}, Encoding: EncAvro,
			JSON: json.RawMessage(`{"orderId":"o-1"}`), Schema: &SchemaRef{ID: 3}},
	}
	tomb := &Record{Topic: "t", Key: Payload{Raw: []byte{0xff, 0x01}, Encoding: EncBase64, JSON: json.RawMessage(`"/wE="`)},
		Value: Payload{Encoding: EncNull, JSON: nullJSON}}
	for _, tt := range []struct {
		format string
		raw    bool
		rec    *Record
		want   string
	}{
		{format: `%k %v\n`, rec: rec, want: "o-1 {\"orderId\":\"o-1\"}\n"},
		{format: `%t/%p@%o %T`, rec: rec, want: "orders.placed/2@41 1714557600123"},
		{format: `%K %S|%h|100%%\t\\`, rec: rec, want: "3 9|ce_type=OrderPlaced,tenant=acme|100%\t\\"},
		{format: `%v`, raw: true, rec: rec, want: "\x00\x00\x00\x00\x03\x06o-1"},
		{format: `[%k][%v] %K %S %h\r\n`, rec: tomb, want: "[/wE=][] 2 -1 \r\n"},
		{format: `[%k]`, raw: true, rec: tomb, want: "[\xff\x01]"},
		{format: `plain`, rec: rec, want: "plain"},
		{format: ``, rec: rec, want: ""},
	} {
		f, err := ParseFormat(tt.format)
		if err != nil {
			t.Fatalf("%q: %v", tt.format, err)
		}
		f.Raw = tt.raw
		if got := string(f.Append(nil, tt.rec)); got != tt.want {
			t.Errorf("%q (raw %v): got %q, want %q", tt.format, tt.raw, got, tt.want)
		}
	}

	// With Escape, text from the record cannot act on a terminal.
	evil := &Record{Topic: "t", Key: Payload{Raw: []byte("k\x1b[2J"), Encoding: EncBase64, JSON: json.RawMessage(`"x"`)},
		Value:   Payload{Raw: []byte("v\x1b]0;x\a"), Encoding: EncBase64, JSON: json.RawMessage(`"eA=="`)},
		Headers: []Header{{Key: "h\r", Value: []byte("\x1b")}}}
	f, _ := ParseFormat(`%k %v %h`)
	f.Raw, f.Escape = true, termtext.Escape
	if got, want := string(f.Append(nil, evil)), `k\x1b[2J v\x1b]0;x\a h\r=\x1b`; got != want {
		t.Errorf("escaped: got %q, want %q", got, want)
	}

	for format, want := range map[string]string{
		`%k %x`:  `unknown directive %x at position 4`,
		`%`:      `a lone % at position 1`,
		`ab\`:    `a lone \ at position 3`,
		`%k\q%v`: `unknown escape \q at position 3`,
		`%n`:     `unknown directive %n at position 1`,
	} {
		if _, err := ParseFormat(format); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", format, err, want)
		}
	}
}
