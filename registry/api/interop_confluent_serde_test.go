//go:build cgo

package api_test

// Confluent's Go serializer and deserializer (schemaregistry/serde/avrov2)
// against a real edactl registry. The serde package imports
// confluent-kafka-go's kafka package (for kafka.Header), which is cgo and
// links librdkafka, hence the build tag: builds with CGO_ENABLED=0 (the
// release binaries) skip this file; `go test` with a C compiler, as CI runs
// it, includes it.

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	confluentserde "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	hamba "github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

const (
	cPaymentV1 = `{"type":"record","name":"Payment","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}`
	cPaymentV2 = `{"type":"record","name":"Payment","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"currency","type":"string","default":"EUR"}]}`
	cMoney     = `{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"units","type":"long"},{"name":"currency","type":"string"}]}`
	cInvoice   = `{"type":"record","name":"Invoice","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"total","type":"Money"}]}`
)

type paymentV1 struct {
	ID     string  `avro:"id"`
	Amount float64 `avro:"amount"`
}

type paymentV2 struct {
	ID       string  `avro:"id"`
	Amount   float64 `avro:"amount"`
	Currency string  `avro:"currency"`
}

type money struct {
	Units    int64  `avro:"units"`
	Currency string `avro:"currency"`
}

type invoice struct {
	ID    string `avro:"id"`
	Total money  `avro:"total"`
}

// autoEvent's schema is derived by Confluent's serializer (StructToSchema).
type autoEvent struct {
	Name  string   `avro:"name"`
	Count int64    `avro:"count"`
	Tags  []string `avro:"tags"`
	Note  *string  `avro:"note"`
}

func serializer(t *testing.T, cl schemaregistry.Client, set func(*avrov2.SerializerConfig)) *avrov2.Serializer {
	t.Helper()
	conf := avrov2.NewSerializerConfig()
	if set != nil {
		set(conf)
	}
	s, err := avrov2.NewSerializer(cl, confluentserde.ValueSerde, conf)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func deserializer(t *testing.T, cl schemaregistry.Client, useLatest bool) *avrov2.Deserializer {
	t.Helper()
	conf := avrov2.NewDeserializerConfig()
	conf.UseLatestVersion = useLatest
	d, err := avrov2.NewDeserializer(cl, confluentserde.ValueSerde, conf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// frameID checks the Confluent wire format (magic byte 0, big-endian id)
// and returns the id and the Avro body.
func frameID(t *testing.T, framed []byte) (int, []byte) {
	t.Helper()
	if len(framed) < 5 || framed[0] != 0 {
		t.Fatalf("not Confluent-framed: % x", framed)
	}
	return int(binary.BigEndian.Uint32(framed[1:5])), framed[5:]
}

func TestConfluentGoSerdeRoundTrip(t *testing.T) {
	srv, cl, fresh := startConfluent(t)
	fr, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	edaReg := serde.NewRegistry(fr)

	t.Run("auto-register a derived schema", func(t *testing.T) {
		note := "hi"
		in := autoEvent{Name: "n", Count: 1 << 40, Tags: []string{"a", "b"}, Note: &note}
		framed, err := serializer(t, cl, nil).Serialize("auto/events", &in)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		id, _ := frameID(t, framed)
		latest, err := fr.SchemaByVersion(ctx, "auto/events-value", -1)
		if err != nil || latest.ID != id || latest.Version != 1 {
			t.Fatalf("registered %+v, %v; frame has id %d", latest, err, id)
		}
		var out autoEvent
		if err := deserializer(t, fresh(), false).DeserializeInto("auto/events", framed, &out); err != nil {
			t.Fatalf("DeserializeInto: %v", err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("round trip: %+v, want %+v", out, in)
		}
	})

	id1, err := cl.Register("payments-value", avro(cPaymentV1), false)
	if err != nil {
		t.Fatal(err)
	}
	p1 := paymentV1{ID: "p-1", Amount: 12.5}

	t.Run("lookup (auto-register off)", func(t *testing.T) {
		derived, err := avrov2.StructToSchema(reflect.TypeFor[autoEvent]())
		if err != nil {
			t.Fatal(err)
		}
		id, err := cl.Register("lookup-value", avro(derived.String()), false)
		if err != nil {
			t.Fatal(err)
		}
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) { c.AutoRegisterSchemas = false }).Serialize("lookup", &autoEvent{Name: "x"})
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if got, _ := frameID(t, framed); got != id {
			t.Fatalf("frame id %d, want the looked-up %d", got, id)
		}
		_, err = serializer(t, fresh(), func(c *avrov2.SerializerConfig) { c.AutoRegisterSchemas = false }).Serialize("lookup", &paymentV2{})
		wantConfluentErr(t, err, 40403)
	})

	t.Run("use.latest.version and the wire format", func(t *testing.T) {
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) {
			c.AutoRegisterSchemas = false
			c.UseLatestVersion = true
		}).Serialize("payments", &p1)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		id, body := frameID(t, framed)
		if id != id1 {
			t.Fatalf("frame id %d, want %d", id, id1)
		}
		want, err := hamba.Marshal(hamba.MustParse(cPaymentV1), p1)
		if err != nil {
			t.Fatal(err)
		}
		if string(body) != string(want) {
			t.Fatalf("Avro body % x, want % x", body, want)
		}
		// edactl's own decoder reads Confluent's framing.
		js, _, err := avrojson.DecodeJSON(ctx, edaReg, framed)
		if err != nil || !jsonEqual(string(js), `{"id":"p-1","amount":12.5}`) {
			t.Fatalf("edactl DecodeJSON = %s, %v", js, err)
		}
		var out paymentV1
		if err := deserializer(t, fresh(), false).DeserializeInto("payments", framed, &out); err != nil || out != p1 {
			t.Fatalf("DeserializeInto = %+v, %v", out, err)
		}
	})

	id2, err := cl.Register("payments-value", avro(cPaymentV2), false)
	if err != nil || id2 == id1 {
		t.Fatalf("register v2 = %d, %v", id2, err)
	}

	t.Run("use.schema.id", func(t *testing.T) {
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) {
			c.AutoRegisterSchemas = false
			c.UseSchemaID = id1
		}).Serialize("payments", &p1)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if id, _ := frameID(t, framed); id != id1 {
			t.Fatalf("frame id %d, want %d", id, id1)
		}
	})

	t.Run("a v1 record read as the latest version", func(t *testing.T) {
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) {
			c.AutoRegisterSchemas = false
			c.UseSchemaID = id1
		}).Serialize("payments", &p1)
		if err != nil {
			t.Fatal(err)
		}
		// The deserializer looks the writer up with deleted=true and
		// resolves it against the latest version.
		var out paymentV2
		if err := deserializer(t, fresh(), true).DeserializeInto("payments", framed, &out); err != nil {
			t.Fatalf("DeserializeInto: %v", err)
		}
		if want := (paymentV2{ID: "p-1", Amount: 12.5, Currency: "EUR"}); out != want {
			t.Fatalf("resolved = %+v, want %+v", out, want)
		}
	})

	t.Run("use.latest.with.metadata", func(t *testing.T) {
		ids := map[string]int{}
		for _, mv := range [][2]string{{"1", cPaymentV1}, {"2", cPaymentV2}} {
			major, text := mv[0], mv[1]
			info := schemaregistry.SchemaInfo{Schema: text, Metadata: &schemaregistry.Metadata{Properties: map[string]string{"app.major": major}}}
			id, err := cl.Register("pm-value", info, false)
			if err != nil {
				t.Fatal(err)
			}
			ids[major] = id
		}
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) {
			c.AutoRegisterSchemas = false
			c.UseLatestWithMetadata = map[string]string{"app.major": "1"}
		}).Serialize("pm", &p1)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if id, _ := frameID(t, framed); id != ids["1"] {
			t.Fatalf("frame id %d, want major 1's %d (major 2 is %d)", id, ids["1"], ids["2"])
		}
		conf := avrov2.NewDeserializerConfig()
		conf.UseLatestWithMetadata = map[string]string{"app.major": "2"}
		d, err := avrov2.NewDeserializer(fresh(), confluentserde.ValueSerde, conf)
		if err != nil {
			t.Fatal(err)
		}
		var out paymentV2
		if err := d.DeserializeInto("pm", framed, &out); err != nil {
			t.Fatalf("DeserializeInto: %v", err)
		}
		if want := (paymentV2{ID: "p-1", Amount: 12.5, Currency: "EUR"}); out != want {
			t.Fatalf("read as major 2 = %+v, want %+v", out, want)
		}
	})

	t.Run("edactl encodes, Confluent decodes", func(t *testing.T) {
		s, err := edaReg.SchemaByID(ctx, id2)
		if err != nil {
			t.Fatal(err)
		}
		framed, err := avrojson.EncodeJSON(s, []byte(`{"id":"p-9","amount":-1.25,"currency":"CHF"}`))
		if err != nil {
			t.Fatal(err)
		}
		var out paymentV2
		if err := deserializer(t, fresh(), false).DeserializeInto("payments", framed, &out); err != nil {
			t.Fatalf("DeserializeInto: %v", err)
		}
		if want := (paymentV2{ID: "p-9", Amount: -1.25, Currency: "CHF"}); out != want {
			t.Fatalf("decoded %+v, want %+v", out, want)
		}
	})

	t.Run("references across subjects with slashes", func(t *testing.T) {
		if _, err := cl.Register("com/acme/Money", avro(cMoney), false); err != nil {
			t.Fatal(err)
		}
		info := schemaregistry.SchemaInfo{Schema: cInvoice, References: []schemaregistry.Reference{{Name: "com.acme.Money", Subject: "com/acme/Money", Version: 1}}}
		id, err := cl.Register("invoices/eu-value", info, false)
		if err != nil {
			t.Fatalf("register with a reference: %v", err)
		}
		got, err := fresh().GetBySubjectAndID("invoices/eu-value", id)
		if err != nil || !reflect.DeepEqual(got.References, info.References) {
			t.Fatalf("GetBySubjectAndID references = %+v, %v", got.References, err)
		}
		in := invoice{ID: "i-1", Total: money{Units: 1999, Currency: "EUR"}}
		framed, err := serializer(t, fresh(), func(c *avrov2.SerializerConfig) {
			c.AutoRegisterSchemas = false
			c.UseLatestVersion = true
		}).Serialize("invoices/eu", &in)
		if err != nil {
			t.Fatalf("Serialize: %v", err)
		}
		if fid, _ := frameID(t, framed); fid != id {
			t.Fatalf("frame id %d, want %d", fid, id)
		}
		var out invoice
		if err := deserializer(t, fresh(), false).DeserializeInto("invoices/eu", framed, &out); err != nil || out != in {
			t.Fatalf("DeserializeInto = %+v, %v", out, err)
		}
		js, _, err := avrojson.DecodeJSON(ctx, edaReg, framed)
		if err != nil || !jsonEqual(string(js), `{"id":"i-1","total":{"units":1999,"currency":"EUR"}}`) {
			t.Fatalf("edactl DecodeJSON = %s, %v", js, err)
		}
	})
}
