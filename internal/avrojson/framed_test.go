package avrojson

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/serde"
)

func TestSchemaReferences(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	money := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"},{"name":"currency","type":"string"}]}`
	tr.register(t, "shop.Money", money)
	order := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"shop.Money"}]}`
	id, _ := tr.register(t, "orders-value", order, sr.SchemaReference{Name: "shop.Money", Subject: "shop.Money", Version: 1})

	r := serde.NewRegistry(tr.cl)
	s, err := r.SchemaByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := EncodeJSON(s, []byte(`{"total":{"cents":1250,"currency":"EUR"}}`))
	if err != nil {
		t.Fatal(err)
	}
	js, _, err := DecodeJSON(ctx, r, framed)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"total":{"cents":1250,"currency":"EUR"}}`; string(js) != want {
		t.Errorf("got %s, want %s", js, want)
	}
}

func TestDecodeJSONThroughRegistry(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id, _ := tr.register(t, "orders-value", orderV2)
	r := serde.NewRegistry(tr.cl)
	s, err := r.SchemaBySubject(ctx, "orders-value", -1)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := EncodeJSON(s, []byte(`{"id":"o-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	js, got, err := DecodeJSON(ctx, r, framed)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"id":"o-1","total":0}` || got.ID != id {
		t.Errorf("DecodeJSON = %s (schema %d)", js, got.ID)
	}

	tests := []struct {
		name string
		in   []byte
		is   error
		msg  string
	}{
		{"short", []byte{0, 0}, serde.ErrNotFramed, "2 byte(s)"},
		{"magic", []byte{9, 0, 0, 0, 1, 0}, serde.ErrUnknownMagic, "unknown magic byte 0x09"},
		{"unknown id", serde.AppendHeader(nil, 4242), serde.ErrUnknownSchemaID, "schema id 4242"},
		{"truncated", framed[:len(framed)-2], serde.ErrTruncated, fmt.Sprintf("decode with schema id %d: OrderPlaced.id: offset 6: truncated input", id)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeJSON(ctx, r, tt.in)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}
