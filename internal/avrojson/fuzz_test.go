package avrojson

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// Seeds live in testdata/fuzz/<FuzzName>/; run a target with e.g.
//
//	go test ./internal/avrojson -run '^$' -fuzz FuzzDecodeJSON -fuzztime 60s

// fuzzSchemas are the schemas the JSON fuzz targets use, registered in a
// real registry: every kind of value, and a recursive record.
func fuzzSchemas(f *testing.F) (*serde.Registry, []*serde.Schema) {
	everythingText, err := os.ReadFile("testdata/everything.avsc")
	if err != nil {
		f.Fatal(err)
	}
	texts := map[string]string{
		"everything-value": string(everythingText),
		"tree-value":       `{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"attrs","type":{"type":"map","values":["null","double","Node"]}}]}`,
		"flat-value":       `{"type":"record","name":"Flat","fields":[{"name":"a","type":"int"},{"name":"s","type":"string"},{"name":"f","type":"float"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}`,
	}
	srv := registrytest.Start(f, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		f.Fatal(err)
	}
	reg := serde.NewRegistry(cl)
	var out []*serde.Schema
	for _, subject := range []string{"everything-value", "tree-value", "flat-value"} {
		if _, err := cl.RegisterSchema(context.Background(), subject, sr.Schema{Schema: texts[subject]}, -1, -1); err != nil {
			f.Fatal(err)
		}
		s, err := reg.SchemaBySubject(context.Background(), subject, -1)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, s)
	}
	return reg, out
}

// FuzzDecodeJSON feeds arbitrary bodies, framed with a registered id, to
// DecodeJSON: it must never panic, and whatever it decodes must encode back
// to a body that decodes to the same JSON.
func FuzzDecodeJSON(f *testing.F) {
	reg, schemas := fuzzSchemas(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		s := schemas[int(which)%len(schemas)]
		framed := append(serde.AppendHeader(nil, s.ID), body...)
		js, got, err := DecodeJSON(ctx, reg, framed)
		if err != nil {
			if !errors.Is(err, serde.ErrTruncated) && !errors.Is(err, serde.ErrInvalidValue) {
				t.Fatalf("error %v is neither serde.ErrTruncated nor serde.ErrInvalidValue", err)
			}
			return
		}
		back, err := EncodeJSON(got, js)
		if err != nil {
			t.Fatalf("EncodeJSON(DecodeJSON(%x)) = %v\njson: %s", body, err, js)
		}
		js2, _, err := DecodeJSON(ctx, reg, back)
		if err != nil || !bytes.Equal(js, js2) {
			t.Fatalf("JSON changed on a round trip:\n%s\n%s (%v)", js, js2, err)
		}
	})
}

// FuzzEncodeJSON feeds arbitrary JSON to EncodeJSON: it must never panic,
// and what it encodes must decode to JSON that encodes to the same bytes.
func FuzzEncodeJSON(f *testing.F) {
	reg, schemas := fuzzSchemas(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, which uint8, text []byte) {
		s := schemas[int(which)%len(schemas)]
		framed, err := EncodeJSON(s, text)
		if err != nil {
			if !errors.Is(err, serde.ErrInvalidValue) {
				t.Fatalf("error %v is not serde.ErrInvalidValue", err)
			}
			return
		}
		js, _, err := DecodeJSON(ctx, reg, framed)
		if err != nil {
			t.Fatalf("DecodeJSON(EncodeJSON(%s)) = %v", text, err)
		}
		again, err := EncodeJSON(s, js)
		if err != nil || !bytes.Equal(again, framed) {
			t.Fatalf("bytes changed on a round trip of %s: %x vs %x (%v)", js, framed, again, err)
		}
	})
}
