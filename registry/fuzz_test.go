package registry

import (
	"reflect"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// FuzzDecodeRecord feeds arbitrary bytes to the log record decoder: it must
// never panic; a record it accepts must encode and decode to itself and
// fold without panicking.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"kind":"SchemaRegistered","subject":"s","version":1,"id":1,"schema":"\"string\"","references":[{"name":"n","subject":"r","version":2}],"metadata":{"properties":{"a":"b"}}}`,
		`{"v":1,"kind":"VersionDeleted","subject":"s","version":1,"permanent":true}`,
		`{"v":1,"kind":"SubjectDeleted","subject":":.ctx:s"}`,
		`{"v":1,"kind":"ConfigSet","subject":":.ctx:","config":{"compatibilityLevel":"FULL","normalize":true}}`,
		`{"v":1,"kind":"ModeSet","mode":"IMPORT"}`,
		`{"v":1,"kind":"ModeDeleted","subject":"s","recursive":true}`,
		`{"v":2}`, `null`, `{"v":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := decodeRecord(data)
		if err != nil {
			return
		}
		enc, err := encodeRecord(&rec)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		again, err := decodeRecord(enc)
		if err != nil || !reflect.DeepEqual(normalizeRecord(rec), normalizeRecord(again)) {
			t.Fatalf("round trip changed the record: %+v → %s → %+v (%v)", rec, enc, again, err)
		}
		st := newState()
		st.apply(&rec)
		st.apply(&again)
	})
}

// normalizeRecord maps empty and nil collections alike, as JSON does.
func normalizeRecord(r record) record {
	if len(r.References) == 0 {
		r.References = nil
	}
	if r.Metadata != nil && len(r.Metadata.Tags) == 0 && len(r.Metadata.Properties) == 0 && len(r.Metadata.Sensitive) == 0 {
		r.Metadata = &Metadata{}
	}
	if r.Metadata != nil {
		m := *r.Metadata
		if len(m.Tags) == 0 {
			m.Tags = nil
		}
		if len(m.Properties) == 0 {
			m.Properties = nil
		}
		if len(m.Sensitive) == 0 {
			m.Sensitive = nil
		}
		r.Metadata = &m
	}
	return r
}

// FuzzCanonical checks that Canonical never panics and that the canonical
// string of a schema it accepts still parses and is a fixed point. (It may
// refuse a schema hamba/avro accepts: hamba matches attribute names
// case-insensitively, Avro Java, and so Confluent, does not.)
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`{"type":"record","name":"A","namespace":"n","doc":"d","fields":[{"name":"b","type":{"type":"enum","name":"m.E","symbols":["X"]},"default":"X"},{"name":"c","type":["null","m.E"],"default":null}]}`,
		`{"type":"array","items":{"type":"map","values":{"type":"fixed","name":"F","size":2}}}`,
		`{"type":"long","logicalType":"timestamp-millis","x":[1,{"y":null}]}`,
		`["null","string",{"type":"record","name":"R","aliases":["a.Old"],"fields":[]}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		if _, err := avroschema.Parse(schema); err != nil {
			return
		}
		for _, normalize := range []bool{false, true} {
			c, err := Canonical(schema, nil, normalize)
			if err != nil {
				return
			}
			if _, err := avroschema.Parse(c); err != nil {
				t.Fatalf("canonical form %s of %s does not parse: %v", c, schema, err)
			}
			c2, err := Canonical(c, nil, normalize)
			if err != nil || c2 != c {
				t.Fatalf("canonical form is not a fixed point:\n%s\n%s (%v)", c, c2, err)
			}
		}
	})
}
