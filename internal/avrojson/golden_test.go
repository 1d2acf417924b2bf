package avrojson

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/render.golden.gz with what the renderer writes now")

const renderGolden = "testdata/render.golden.gz"

// TestRenderGolden renders the bodies in testdata/render.golden.gz and
// compares each result (one line per body: schema, body in hex, result),
// JSON or error, byte for byte with the one recorded there. The file was
// written by the renderer edactl had before the compiled plans (checked
// against it over millions of random bodies), from random valid and broken
// bodies of every example, code generator feature and test schema (see
// renderSchemas for their names): it pins the JSON mapping down to the
// digit. After a deliberate change of the mapping, rewrite it with
//
//	go test ./internal/avrojson -run TestRenderGolden -update
func TestRenderGolden(t *testing.T) {
	schemas := renderSchemas(t)
	if *updateGolden {
		writeRenderGolden(t, schemas)
		return
	}
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
	for line := 1; sc.Scan(); line++ {
		name, rest, ok1 := strings.Cut(sc.Text(), "\t")
		bodyHex, want, ok2 := strings.Cut(rest, "\t")
		body, err := hex.DecodeString(bodyHex)
		schema := schemas[name]
		if !ok1 || !ok2 || err != nil || schema == nil {
			t.Fatalf("%s:%d: bad line (schema %q known: %v, hex error %v)", renderGolden, line, name, schema != nil, err)
		}
		if got := renderResult(Compile(schema), body); got != want {
			t.Errorf("%s:%d: %s body %s:\n got %s\nwant %s", renderGolden, line, name, bodyHex, got, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 20*len(schemas) {
		t.Fatalf("%s holds %d cases, want at least %d", renderGolden, n, 20*len(schemas))
	}
}

// renderResult is what the golden file records for a body: "ok " and the
// JSON, or "error " and the error.
func renderResult(p *Plan, body []byte) string {
	js, err := p.AppendJSON(nil, body)
	if err != nil {
		return "error " + err.Error()
	}
	return "ok " + string(js)
}

func writeRenderGolden(t *testing.T, schemas map[string]avro.Schema) {
	var out bytes.Buffer
	for _, name := range sortedNames(schemas) {
		plan := Compile(schemas[name])
		rnd := rand.New(rand.NewPCG(2, uint64(len(name))))
		g := &bodyGen{rnd: rnd, deep: 3}
		for i := range 16 {
			g.invalid = i%4 == 3
			body := g.body(schemas[name])
			variant := append(bytes.Clone(body), byte(rnd.Uint32()))
			if len(body) > 0 {
				switch i % 3 {
				case 0:
					variant = body[:rnd.IntN(len(body))]
				case 1:
					variant = bytes.Clone(body)
					variant[rnd.IntN(len(variant))] ^= byte(1 + rnd.IntN(255))
				}
			}
			for _, b := range [][]byte{body, variant} {
				fmt.Fprintf(&out, "%s\t%x\t%s\n", name, b, renderResult(plan, b))
			}
		}
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(out.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(renderGolden, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
