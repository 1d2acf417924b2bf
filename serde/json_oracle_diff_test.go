package serde

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// TestRenderMatchesOracle renders random valid and broken bodies of every
// schema with the compiled renderer and with the old one: the JSON, or the
// error (message, path, offset, sentinel), must be the same.
func TestRenderMatchesOracle(t *testing.T) {
	schemas := renderSchemas(t)
	n := 3000
	if testing.Short() {
		n = 300
	}
	for _, name := range sortedNames(schemas) {
		s := &Schema{Avro: schemas[name]}
		t.Run(name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, uint64(len(name))))
			g := &bodyGen{rnd: rnd}
			for i := range n {
				g.invalid = i%3 == 0
				body := g.body(s.Avro)
				compareRender(t, s, body)
				// Broken variants: cut, a byte changed, a byte added.
				if len(body) > 0 {
					compareRender(t, s, body[:rnd.IntN(len(body))])
					flipped := bytes.Clone(body)
					flipped[rnd.IntN(len(flipped))] ^= byte(1 + rnd.IntN(255))
					compareRender(t, s, flipped)
				}
				compareRender(t, s, append(bytes.Clone(body), byte(rnd.Uint32())))
			}
		})
	}
}

func compareRender(t *testing.T, s *Schema, body []byte) {
	t.Helper()
	want, wantErr := oldAppendJSON([]byte("prefix:"), s.Avro, body, 5)
	got, gotErr := s.jsonPlan().appendJSON([]byte("prefix:"), body, 5)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("body %x:\n got error %v\nwant error %v\n got %s", body, gotErr, wantErr, got)
	}
	if wantErr != nil {
		var wv, gv *ValueError
		if !errors.As(wantErr, &wv) || !errors.As(gotErr, &gv) || *wv != *gv {
			t.Fatalf("body %x: got error %#v, want %#v", body, gotErr, wantErr)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body %x:\n got %s\nwant %s", body, got, want)
	}
}

// TestGoldenMatchesOracle checks that testdata/render.golden.gz records
// what the old renderer writes.
func TestGoldenMatchesOracle(t *testing.T) {
	schemas := renderSchemas(t)
	f, err := os.Open(renderGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		body, _ := hex.DecodeString(fields[1])
		js, err := oldAppendJSON(nil, schemas[fields[0]], body, 0)
		got := "ok " + string(js)
		if err != nil {
			got = "error " + err.Error()
		}
		if got != fields[2] {
			t.Fatalf("%s %s: old renderer wrote %s, golden has %s", fields[0], fields[1], got, fields[2])
		}
		n++
	}
	t.Logf("%d golden cases match the old renderer", n)
}
