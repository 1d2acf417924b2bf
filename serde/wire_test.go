package serde

import (
	"bytes"
	"errors"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, id := range []int{0, 1, 255, 256, 1 << 24, 1<<31 - 1} {
		framed := AppendHeader([]byte("prefix"), id)
		framed = append(framed, "body"...)
		got, body, err := ParseHeader(framed[len("prefix"):])
		if err != nil || got != id || string(body) != "body" {
			t.Errorf("ParseHeader(AppendHeader(%d)) = %d, %q, %v", id, got, body, err)
		}
	}
	if got := AppendHeader(nil, 0x01020304); !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Errorf("AppendHeader = %x, want 0001020304 (magic byte, big-endian id)", got)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		is     []error
		isNot  []error
		prefix string
	}{
		{"empty", nil, []error{ErrNotFramed}, []error{ErrUnknownMagic}, "0 byte(s), want at least 5"},
		{"four bytes", []byte{0, 0, 0, 1}, []error{ErrNotFramed}, []error{ErrUnknownMagic}, "4 byte(s)"},
		{"magic 1", []byte{1, 0, 0, 0, 1}, []error{ErrNotFramed, ErrUnknownMagic}, nil, "unknown magic byte 0x01 at offset 0"},
		{"json text", []byte(`{"a":1}`), []error{ErrNotFramed, ErrUnknownMagic}, nil, "unknown magic byte 0x7b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseHeader(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.is {
				if !errors.Is(err, s) {
					t.Errorf("%v is not %v", err, s)
				}
			}
			for _, s := range tt.isNot {
				if errors.Is(err, s) {
					t.Errorf("%v is %v", err, s)
				}
			}
			if !bytes.HasPrefix([]byte(err.Error()), []byte(tt.prefix)) {
				t.Errorf("error %q, want prefix %q", err, tt.prefix)
			}
		})
	}
}

// Tools call ParseHeader on every key and value they read, and most keys
// are not framed: telling them apart must not allocate.
func TestParseHeaderNotFramedAllocatesNothing(t *testing.T) {
	for _, in := range [][]byte{[]byte("ord-00000042"), []byte("k1"), nil, {0, 0, 0, 0, 7, 2}} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, err := ParseHeader(in); err != nil && !errors.Is(err, ErrNotFramed) {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("ParseHeader(%q) allocates %v times", in, allocs)
		}
	}
}
