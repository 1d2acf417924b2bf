package serde

import (
	"errors"
	"fmt"
	"testing"
)

type bodyPoint struct {
	X int32  `avro:"x"`
	S string `avro:"s"`
}

// TestDecodeBody: DecodeBody decodes into a pointer with the decoder it
// looked up once, even when the Go type it is given changes, and refuses
// what it cannot decode into with ErrInvalidValue instead of panicking.
func TestDecodeBody(t *testing.T) {
	typ, err := NewType("points-value", `{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"s","type":"string"}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte{0x54, 0x04, 'h', 'i'} // x=42, s="hi"
	for range 3 {
		var p bodyPoint
		if err := DecodeBody(typ, body, &p); err != nil || p != (bodyPoint{42, "hi"}) {
			t.Fatalf("DecodeBody = %+v, %v; want {42 hi}", p, err)
		}
		// Another Go type with the same Type: its own decoder.
		var m map[string]any
		if err := DecodeBody(typ, body, &m); err != nil || fmt.Sprint(m) != "map[s:hi x:42]" {
			t.Fatalf("DecodeBody into a map = %v, %v", m, err)
		}
	}
	var p bodyPoint
	if err := DecodeBody(typ, body[:3], &p); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated body: %v, want ErrTruncated", err)
	}
	if err := DecodeBody(typ, append(body, 0), &p); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("a byte left over: %v, want ErrInvalidValue", err)
	}
	for name, v := range map[string]any{"nil": nil, "not a pointer": p, "nil pointer": (*bodyPoint)(nil)} {
		if err := DecodeBody(typ, body, v); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: %v, want ErrInvalidValue", name, err)
		}
	}
	if err := DecodeBody(Type{}, body, &p); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("a zero Type: %v, want ErrInvalidValue", err)
	}
}
