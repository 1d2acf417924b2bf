package compat

import (
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// Two versions of the same record with different fields must not shadow each
// other (hamba/avro's global cache would make the second parse return the
// first).
func TestParseUsesAFreshCachePerSchema(t *testing.T) {
	v1, err := avroschema.Parse(`{"type":"record","name":"Shadow","fields":[{"name":"a","type":"int"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := avroschema.Parse(`{"type":"record","name":"Shadow","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if avroschema.Canonical(v1) == avroschema.Canonical(v2) {
		t.Fatalf("versions shadow each other: %s", avroschema.Canonical(v2))
	}
	if issues := CheckPair(v2, v1); len(issues) != 1 || issues[0].Rule != ReaderFieldMissingDefault {
		t.Fatalf("want one READER_FIELD_MISSING_DEFAULT_VALUE, got %v", issues)
	}
}
