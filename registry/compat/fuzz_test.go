package compat

import (
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// FuzzParseAndCheck parses two arbitrary byte strings as schemas and, when
// both parse, checks them against each other under every level. It must
// never panic or hang. Seeds live in testdata/fuzz/FuzzParseAndCheck.
func FuzzParseAndCheck(f *testing.F) {
	for _, c := range structuredCases[:40] {
		f.Add([]byte(fixtures[c.reader]), []byte(fixtures[c.writer]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ra, err := avroschema.Parse(string(a))
		if err != nil {
			return
		}
		_ = avroschema.Canonical(ra)
		_ = avroschema.FingerprintCRC64(ra)
		rb, err := avroschema.Parse(string(b))
		if err != nil {
			return
		}
		for _, l := range Levels {
			r := Check(l, ra, []avroSchema{rb, ra})
			for _, is := range r.Incompatibilities() {
				if is.Rule == "" || is.Path == "" || is.Message == "" {
					t.Fatalf("incomplete incompatibility %+v", is)
				}
			}
		}
		if len(CheckPair(ra, ra)) != 0 {
			t.Fatalf("a schema must be compatible with itself: %s\n%v", a, CheckPair(ra, ra))
		}
	})
}
