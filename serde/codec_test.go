package serde

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// order is a hand-written type for orderV2.
type order struct {
	ID    string `avro:"id"`
	Total int64  `avro:"total"`
}

func orderType(t testing.TB, subject, text string) Type {
	return Type{Subject: subject, Schema: mustParse(t, text), Text: text, API: NewAPI()}
}

func TestCodecEncodeDecodeAcrossVersions(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id1, _ := tr.register(t, "orders-value", orderV1)
	id2, _ := tr.register(t, "orders-value", orderV2)
	reg := NewRegistry(tr.cl)
	c := NewCodec[order](reg, orderType(t, "orders-value", orderV2))

	framed, err := c.Encode(ctx, &order{ID: "o-1", Total: 1250})
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := ParseHeader(framed); id != id2 {
		t.Errorf("encoded with id %d, want %d", id, id2)
	}
	var got order
	if err := c.Decode(ctx, framed, &got); err != nil || got != (order{"o-1", 1250}) {
		t.Fatalf("Decode = %+v, %v", got, err)
	}

	// A v1 record (no total) decodes with the default.
	v1 := frame(t, &Schema{ID: id1, Avro: mustParse(t, orderV1)}, map[string]any{"id": "old"})
	got = order{Total: 99}
	if err := c.Decode(ctx, v1, &got); err != nil || got != (order{"old", 0}) {
		t.Fatalf("Decode(v1) = %+v, %v", got, err)
	}

	// One id lookup, one fetch per writer id, however many records.
	for range 10 {
		if _, err := c.Encode(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if err := c.Decode(ctx, v1, &got); err != nil {
			t.Fatal(err)
		}
	}
	if n := tr.calls.count("POST /subjects/orders-value"); n != 1 {
		t.Errorf("schema looked up %d times, want 1", n)
	}
	if n := tr.calls.count(fmt.Sprintf("GET /schemas/ids/%d", id1)); n != 1 {
		t.Errorf("writer schema %d fetched %d times, want 1", id1, n)
	}
	if n := tr.calls.count(fmt.Sprintf("GET /schemas/ids/%d", id2)); n != 0 {
		t.Errorf("own schema fetched by id %d times, want 0 (known from the lookup)", n)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCodecLookupByCanonicalForm(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	// Registered with different whitespace and a doc: the text lookup
	// fails, the canonical form matches.
	registered := strings.Replace(orderV2, `"namespace":"shop",`, `"namespace": "shop", "doc": "an order",`, 1)
	id, _ := tr.register(t, "orders-value", registered)
	c := NewCodec[order](NewRegistry(tr.cl), orderType(t, "orders-value", orderV2))
	got, err := c.ID(ctx)
	if err != nil || got != id {
		t.Fatalf("ID = %d, %v; want %d", got, err, id)
	}
}

func TestCodecNotRegistered(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	reg := NewRegistry(tr.cl)
	c := NewCodec[order](reg, orderType(t, "orders-value", orderV2))
	if _, err := c.Encode(ctx, &order{}); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("error %v, want ErrNotRegistered", err)
	}
	c = NewCodec[order](reg, orderType(t, "orders-value", orderV2), WithAutoRegister())
	framed, err := c.Encode(ctx, &order{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := reg.SchemaBySubject(ctx, "orders-value", -1)
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := ParseHeader(framed); id != s.ID {
		t.Errorf("framed with %d, registered as %d", id, s.ID)
	}
}

func TestCodecDecodeErrors(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	_, _ = tr.register(t, "orders-value", orderV2)
	otherID, _ := tr.register(t, "payments-value", `{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"}]}`)
	badID, _ := tr.register(t, "orders-value-bad", `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"id","type":"long"}]}`)
	reg := NewRegistry(tr.cl)
	c := NewCodec[order](reg, orderType(t, "orders-value", orderV2))
	good, err := c.Encode(ctx, &order{ID: "o-1", Total: 3})
	if err != nil {
		t.Fatal(err)
	}
	other := frame(t, must(reg.SchemaByID(ctx, otherID)), map[string]any{"id": "p"})
	bad := frame(t, must(reg.SchemaByID(ctx, badID)), map[string]any{"id": int64(5)})
	tests := []struct {
		name string
		c    *Codec[order]
		in   []byte
		is   error
		msg  string
	}{
		{"not framed", c, []byte("{}"), ErrNotFramed, "2 byte(s)"},
		{"magic", c, append([]byte{1}, good[1:]...), ErrUnknownMagic, "magic byte 0x01"},
		{"unknown id", c, AppendHeader(nil, 777), ErrUnknownSchemaID, "schema id 777"},
		{"other subject", c, other, ErrSubjectMismatch, `is registered under [payments-value v1], not under "orders-value"`},
		{"truncated", c, good[:len(good)-1], ErrTruncated, "decode schema id"},
		{"trailing", c, append(append([]byte{}, good...), 0), ErrInvalidValue, "bytes left after the value"},
		{"incompatible", NewCodec[order](reg, orderType(t, "orders-value", orderV2), WithAnySubject()), bad, ErrIncompatible, "OrderPlaced.id: reader expects string, writer wrote long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v order
			err := tt.c.Decode(ctx, tt.in, &v)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestCodecConcurrentUse(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id1, _ := tr.register(t, "orders-value", orderV1)
	reg := NewRegistry(tr.cl)
	c := NewCodec[order](reg, orderType(t, "orders-value", orderV2), WithAutoRegister())
	v1 := frame(t, &Schema{ID: id1, Avro: mustParse(t, orderV1)}, map[string]any{"id": "old"})
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 50 {
				want := order{ID: fmt.Sprintf("%d-%d", g, i), Total: int64(i)}
				framed, err := c.Encode(ctx, &want)
				if err != nil {
					done <- err
					return
				}
				var got order
				if err := c.Decode(ctx, framed, &got); err != nil || got != want {
					done <- fmt.Errorf("decode: %+v, %v", got, err)
					return
				}
				if err := c.Decode(ctx, v1, &got); err != nil || got != (order{ID: "old"}) {
					done <- fmt.Errorf("decode v1: %+v, %v", got, err)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestEncodePanicsBecomeErrors(t *testing.T) {
	type dec struct {
		P *big.Rat `avro:"p"`
	}
	s := `{"type":"record","name":"D","fields":[{"name":"p","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}}]}`
	typ, err := NewType("d-value", s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AppendBody(nil, typ, &dec{}); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("nil *big.Rat: %v, want ErrInvalidValue", err)
	}
}
