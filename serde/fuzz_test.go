package serde

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
)

// Seeds live in testdata/fuzz/<FuzzName>/; run a target with e.g.
//
//	go test ./serde -run '^$' -fuzz FuzzDecodeJSON -fuzztime 60s

func FuzzParseHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		id, body, err := ParseHeader(data)
		if IsFramed(data) != (err == nil) {
			t.Fatalf("IsFramed(%x) = %v, ParseHeader error %v", data, IsFramed(data), err)
		}
		if err != nil {
			if !errors.Is(err, ErrNotFramed) {
				t.Fatalf("error %v is not ErrNotFramed", err)
			}
			return
		}
		if again := append(AppendHeader(nil, id), body...); !bytes.Equal(again, data) {
			t.Fatalf("AppendHeader(ParseHeader(%x)) = %x", data, again)
		}
	})
}

// fuzzSchemas are the schemas the JSON fuzz targets use, registered in a
// real registry: every kind of value, and a recursive record.
func fuzzSchemas(f *testing.F) (*Registry, []*Schema) {
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
	reg := NewRegistry(cl)
	var out []*Schema
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
		framed := append(AppendHeader(nil, s.ID), body...)
		js, got, err := reg.DecodeJSON(ctx, framed)
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("error %v is neither ErrTruncated nor ErrInvalidValue", err)
			}
			return
		}
		back, err := EncodeJSON(got, js)
		if err != nil {
			t.Fatalf("EncodeJSON(DecodeJSON(%x)) = %v\njson: %s", body, err, js)
		}
		js2, _, err := reg.DecodeJSON(ctx, back)
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
			if !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("error %v is not ErrInvalidValue", err)
			}
			return
		}
		js, _, err := reg.DecodeJSON(ctx, framed)
		if err != nil {
			t.Fatalf("DecodeJSON(EncodeJSON(%s)) = %v", text, err)
		}
		again, err := EncodeJSON(s, js)
		if err != nil || !bytes.Equal(again, framed) {
			t.Fatalf("bytes changed on a round trip of %s: %x vs %x (%v)", js, framed, again, err)
		}
	})
}

// FuzzResolver rewrites arbitrary writer bodies for the reader of a
// compatible pair: it must never panic, and the output for a valid writer
// body must be a valid reader body.
func FuzzResolver(f *testing.F) {
	pairs := [][2]string{
		{orderV1, orderV2},
		{`{"type":"record","name":"N","fields":[{"name":"v","type":"int"},{"name":"gone","type":["null","string"]},{"name":"kids","type":{"type":"array","items":"N"}}]}`,
			`{"type":"record","name":"N","fields":[{"name":"kids","type":{"type":"array","items":"N"}},{"name":"v","type":["null","double"]},{"name":"x","type":{"type":"map","values":"string"},"default":{"a":"b"}}]}`},
		{`{"type":"record","name":"U","fields":[{"name":"u","type":["int","string",{"type":"enum","name":"E","symbols":["A","B","C"]}]}]}`,
			`{"type":"record","name":"U","fields":[{"name":"u","type":["null","long",{"type":"enum","name":"E","symbols":["C","A"],"default":"A"},"bytes"]}]}`},
	}
	type pair struct {
		res            *Resolver
		writer, reader *Schema
	}
	var compiled []pair
	for _, p := range pairs {
		w, r := mustParse(f, p[0]), mustParse(f, p[1])
		res, err := NewResolver(w, r)
		if err != nil {
			f.Fatal(err)
		}
		compiled = append(compiled, pair{res, &Schema{Avro: w}, &Schema{Avro: r}})
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		p := compiled[int(which)%len(compiled)]
		out, err := p.res.Append(nil, body)
		if err != nil {
			return
		}
		if _, err := AppendJSON(nil, p.writer.Avro, body); err != nil {
			return // not a valid writer value (bad UTF-8, say): nothing to hold the output to
		}
		if _, err := AppendJSON(nil, p.reader.Avro, out); err != nil {
			t.Fatalf("resolved body does not decode with the reader: %v", err)
		}
	})
}
