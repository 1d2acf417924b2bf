package avrojson

import (
	"context"
	"os"
	"testing"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

func mustParse(t testing.TB, text string) avro.Schema {
	t.Helper()
	s, err := avroschema.Parse(text)
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	return s
}

func everything(t testing.TB) *serde.Schema {
	t.Helper()
	text, err := os.ReadFile("testdata/everything.avsc")
	if err != nil {
		t.Fatal(err)
	}
	return &serde.Schema{ID: 42, Text: string(text), Avro: mustParse(t, string(text))}
}

// everythingJSON is a value of testdata/everything.avsc in the exact form
// DecodeJSON writes.
const everythingJSON = `{"n":null,"b":true,"i":-2147483648,"l":9223372036854775807,"f":1.5,"d":-0.1,` +
	`"bs":"AAEC/w==","s":"héllo \"q\"\n\u0001\u2028","color":"GREEN","md5":"3q2+7w==","tags":["a","","c"],` +
	`"attrs":{"k":-1},"opt":"x","optLast":null,"choice":{"test.serde.Point":{"x":1,"y":-1}},` +
	`"ts":"2024-05-01T12:34:56.789Z","tsMicros":"1969-12-31T23:59:59.999999Z","localTs":"2024-05-01T12:34:56.000",` +
	`"localTsMicros":"0001-01-01T00:00:00.000001","day":"1970-01-01","tod":"23:59:59.999","todMicros":"00:00:00.000001",` +
	`"price":-12.30,"amount":922337203685477.5807,"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8",` +
	`"rawId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","where":{"x":3,"y":4},` +
	`"next":{"n":null,"b":false,"i":0,"l":0,"f":"NaN","d":"-Infinity","bs":"","s":"","color":"RED","md5":"AAAAAA==",` +
	`"tags":[],"attrs":{},"opt":null,"optLast":7,"choice":null,"ts":253402300800000,"tsMicros":"1970-01-01T00:00:00.000000Z","localTs":"1970-01-01T00:00:00.000",` +
	`"localTsMicros":"1970-01-01T00:00:00.000000","day":"2000-02-29","tod":86400000,"todMicros":-1,"price":0.00,"amount":-0.0001,` +
	`"id":"not-a-uuid-is-fine-for-a-string","rawId":"00000000-0000-0000-0000-000000000000","where":null,"next":null,"points":[],"withDefault":""},` +
	`"points":[{"x":1,"y":2}],"withDefault":"dflt"}`

// orderV2 is an order event with a defaulted field, as serde's tests have it.
const orderV2 = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"total","type":"long","default":0}]}`

// testRegistry is edactl's schema registry over real HTTP, with a pkg/sr
// client talking to it.
type testRegistry struct {
	cl *sr.Client
}

func startRegistry(t testing.TB) *testRegistry {
	t.Helper()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{cl: cl}
}

// register registers text under subject and returns its id and version.
func (r *testRegistry) register(t testing.TB, subject, text string, refs ...sr.SchemaReference) (id, version int) {
	t.Helper()
	ss, err := r.cl.CreateSchema(context.Background(), subject, sr.Schema{Schema: text, References: refs})
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return ss.ID, ss.Version
}
