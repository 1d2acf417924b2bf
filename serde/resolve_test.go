package serde

import (
	"errors"
	"strings"
	"testing"
)

func TestResolverIdentity(t *testing.T) {
	s := mustParse(t, orderV2)
	res, err := NewResolver(s, mustParse(t, orderV2))
	if err != nil || !res.Identity() {
		t.Fatalf("same schema: identity=%v, %v", res != nil && res.Identity(), err)
	}
	res, err = NewResolver(mustParse(t, orderV1), s)
	if err != nil || res.Identity() {
		t.Fatalf("v1→v2: identity=%v, %v", res != nil && res.Identity(), err)
	}
}

func TestResolverIncompatible(t *testing.T) {
	tests := []struct {
		name, writer, reader, path, msg string
	}{
		{"missing default", orderV1, `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"total","type":"long"}]}`,
			"OrderPlaced.total", `reader field "total" is not in the writer's record shop.OrderPlaced and has no default`},
		{"type", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}`, "R.a[]", "reader expects int, writer wrote long"},
		{"name", `{"type":"record","name":"A","fields":[]}`, `{"type":"record","name":"B","fields":[]}`, "B", "names differ"},
		{"fixed size", `{"type":"fixed","name":"F","size":2}`, `{"type":"fixed","name":"F","size":3}`, "F", "has 2 bytes, reader's has 3"},
		{"union branch", `"boolean"`, `["null","string"]`, "union", "reader union [null,string] has no branch for writer boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewResolver(mustParse(t, tt.writer), mustParse(t, tt.reader))
			var ve *ValueError
			if !errors.Is(err, ErrIncompatible) || !errors.As(err, &ve) {
				t.Fatalf("error %v, want ErrIncompatible", err)
			}
			if ve.Path != tt.path || !strings.Contains(ve.Msg, tt.msg) {
				t.Errorf("got %q at %q, want %q at %q", ve.Msg, ve.Path, tt.msg, tt.path)
			}
		})
	}
}
