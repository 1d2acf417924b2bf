package api_test

// Interoperability with Confluent's own Go client,
// github.com/confluentinc/confluent-kafka-go/v2/schemaregistry (pure Go; its
// serde package needs cgo and is tested in interop_confluent_serde_test.go).
// Every call goes over real HTTP to a real edactl registry; a test file only,
// so the edactl binary never links Confluent's client.
//
// Confluent's client caches aggressively (register, lookup, by-id and
// by-version answers), so assertions that must reach the server use a fresh
// client (fresh).

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
)

// confluentClient returns Confluent's client for srv, without retries so a
// server error surfaces at once.
func confluentClient(t *testing.T, srv *httptest.Server) schemaregistry.Client {
	t.Helper()
	conf := schemaregistry.NewConfig(srv.URL)
	conf.MaxRetries = 0
	conf.RequestTimeoutMs = 5000
	cl, err := schemaregistry.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// startConfluent starts a registry and returns it with Confluent's client and
// a function that makes a fresh Confluent client (empty caches).
func startConfluent(t *testing.T) (*httptest.Server, schemaregistry.Client, func() schemaregistry.Client) {
	t.Helper()
	srv := registrytest.Start(t)
	return srv, confluentClient(t, srv), func() schemaregistry.Client { return confluentClient(t, srv) }
}

// wantConfluentErr checks that err is Confluent's *rest.Error with code.
func wantConfluentErr(t *testing.T, err error, code int) {
	t.Helper()
	var re *rest.Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not Confluent's *rest.Error with error_code %d", err, err, code)
	}
	if re.Code != code {
		t.Fatalf("error_code %d (%s), want %d", re.Code, re.Message, code)
	}
}

func avro(s string) schemaregistry.SchemaInfo { return schemaregistry.SchemaInfo{Schema: s} }

// Canonical (Avro Java toString) texts, so the schema the server returns can
// be compared byte for byte.
const (
	cOrderV1 = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"}]}`
	cOrderV2 = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0.0}]}`
	cOrderV3 = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double","default":0.0},{"name":"note","type":"string"}]}`
)

func TestConfluentGoRegisterAndRead(t *testing.T) {
	_, cl, fresh := startConfluent(t)
	const subj = "orders-value"

	id1, err := cl.Register(subj, avro(cOrderV1), false)
	if err != nil || id1 <= 0 {
		t.Fatalf("Register v1 = %d, %v", id1, err)
	}
	// The server, not the client cache, must answer: a fresh client.
	md, err := fresh().RegisterFullResponse(subj, avro(cOrderV1), false)
	if err != nil || md.ID != id1 {
		t.Fatalf("re-register = %+v, %v; want id %d", md, err, id1)
	}
	spaced := "{ \"type\" : \"record\",\n \"name\":\"Order\", \"namespace\": \"com.acme\", \"fields\" : [ {\"name\":\"id\", \"type\":\"string\"} ] }"
	if id, err := fresh().Register(subj, avro(spaced), false); err != nil || id != id1 {
		t.Fatalf("whitespace variant = %d, %v; want %d", id, err, id1)
	}
	if id, err := cl.Register("orders-copy", avro(cOrderV1), false); err != nil || id != id1 {
		t.Fatalf("same schema under another subject = %d, %v; want %d", id, err, id1)
	}
	id2, err := cl.Register(subj, avro(cOrderV2), false)
	if err != nil || id2 == id1 || id2 <= 0 {
		t.Fatalf("Register v2 = %d, %v (v1 is %d)", id2, err, id1)
	}

	t.Run("GetBySubjectAndID", func(t *testing.T) {
		c := fresh()
		for _, s := range []string{subj, ""} { // with and without ?subject=
			info, err := c.GetBySubjectAndID(s, id1)
			if err != nil || info.Schema != cOrderV1 || info.SchemaType != "" || len(info.References) != 0 {
				t.Fatalf("GetBySubjectAndID(%q, %d) = %+v, %v", s, id1, info, err)
			}
		}
		_, err := c.GetBySubjectAndID(subj, 9999)
		wantConfluentErr(t, err, 40403)
	})
	t.Run("GetLatestSchemaMetadata and GetSchemaMetadata", func(t *testing.T) {
		c := fresh()
		latest, err := c.GetLatestSchemaMetadata(subj)
		if err != nil || latest.ID != id2 || latest.Version != 2 || latest.Subject != subj || latest.Schema != cOrderV2 {
			t.Fatalf("GetLatestSchemaMetadata = %+v, %v", latest, err)
		}
		v1, err := c.GetSchemaMetadata(subj, 1)
		if err != nil || v1.ID != id1 || v1.Version != 1 || v1.Subject != subj || v1.Schema != cOrderV1 {
			t.Fatalf("GetSchemaMetadata(1) = %+v, %v", v1, err)
		}
		_, err = c.GetSchemaMetadata(subj, 7)
		wantConfluentErr(t, err, 40402)
		_, err = c.GetLatestSchemaMetadata("no-such-subject")
		wantConfluentErr(t, err, 40401)
	})
	t.Run("lists", func(t *testing.T) {
		c := fresh()
		if vs, err := c.GetAllVersions(subj); err != nil || !slices.Equal(vs, []int{1, 2}) {
			t.Fatalf("GetAllVersions = %v, %v", vs, err)
		}
		if ss, err := c.GetAllSubjects(); err != nil || !slices.Equal(ss, []string{"orders-copy", subj}) {
			t.Fatalf("GetAllSubjects = %v, %v", ss, err)
		}
		want := []schemaregistry.SubjectAndVersion{{Subject: "orders-copy", Version: 1}, {Subject: subj, Version: 1}}
		if svs, err := c.GetSubjectsAndVersionsByID(id1); err != nil || !slices.Equal(svs, want) {
			t.Fatalf("GetSubjectsAndVersionsByID = %v, %v", svs, err)
		}
		if ctxs, err := c.GetAllContexts(); err != nil || !slices.Equal(ctxs, []string{"."}) {
			t.Fatalf("GetAllContexts = %v, %v", ctxs, err)
		}
		_, err := c.GetAllVersions("no-such-subject")
		wantConfluentErr(t, err, 40401)
	})
	t.Run("LookupSchema (POST /subjects/{s})", func(t *testing.T) {
		c := fresh()
		md, err := c.GetIDFullResponse(subj, avro(cOrderV1), false)
		if err != nil || md.ID != id1 || md.Version != 1 || md.Subject != subj {
			t.Fatalf("GetIDFullResponse = %+v, %v", md, err)
		}
		if id, err := c.GetID(subj, avro(cOrderV2), false); err != nil || id != id2 {
			t.Fatalf("GetID(v2) = %d, %v; want %d", id, err, id2)
		}
		if v, err := c.GetVersion(subj, avro(cOrderV2), false); err != nil || v != 2 {
			t.Fatalf("GetVersion(v2) = %d, %v", v, err)
		}
		_, err = c.GetID(subj, avro(`{"type":"record","name":"Nope","fields":[]}`), false)
		wantConfluentErr(t, err, 40403)
		_, err = c.GetID("no-such-subject", avro(cOrderV1), false)
		wantConfluentErr(t, err, 40401)
		// normalize=true is sent as a query parameter and must still find it.
		if id, err := fresh().GetID(subj, avro(cOrderV1), true); err != nil || id != id1 {
			t.Fatalf("GetID normalize = %d, %v", id, err)
		}
	})
	t.Run("register errors", func(t *testing.T) {
		_, err := cl.Register(subj, avro(`{"type":"record","name":"Bad","fields":[{"name":"a","type":"nope"}]}`), false)
		wantConfluentErr(t, err, 42201)
		_, err = cl.Register("__GLOBAL", avro(cOrderV1), false)
		wantConfluentErr(t, err, 42208)
		_, err = cl.Register(subj, schemaregistry.SchemaInfo{Schema: cOrderV1, SchemaType: "PROTOBUF"}, false)
		wantConfluentErr(t, err, 42201)
	})
}

func TestConfluentGoCompatibility(t *testing.T) {
	_, cl, fresh := startConfluent(t)
	const subj = "compat-value"
	if _, err := cl.Register(subj, avro(cOrderV1), false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		version int // 0: all versions
		schema  string
		want    bool
	}{
		{"added field with default vs latest", -1, cOrderV2, true},
		{"added field without default vs latest", -1, cOrderV3, false},
		{"added field without default vs version 1", 1, cOrderV3, false},
		{"added field with default vs all", 0, cOrderV2, true},
		{"added field without default vs all", 0, cOrderV3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ok bool
			var err error
			if tc.version == 0 {
				ok, err = cl.TestSubjectCompatibility(subj, avro(tc.schema))
			} else {
				ok, err = cl.TestCompatibility(subj, tc.version, avro(tc.schema))
			}
			if err != nil || ok != tc.want {
				t.Fatalf("compatible = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
	t.Run("register refuses an incompatible schema with 409", func(t *testing.T) {
		_, err := cl.Register(subj, avro(cOrderV3), false)
		wantConfluentErr(t, err, 409)
	})
	t.Run("error codes", func(t *testing.T) {
		_, err := cl.TestCompatibility(subj, 5, avro(cOrderV2))
		wantConfluentErr(t, err, 40402)
		_, err = cl.TestCompatibility(subj, -1, avro(`{"type":"nope"}`))
		wantConfluentErr(t, err, 42201)
		// 7.9: latest on a missing subject is compatible.
		if ok, err := cl.TestCompatibility("no-such-subject", -1, avro(cOrderV3)); err != nil || !ok {
			t.Fatalf("latest on a missing subject = %v, %v", ok, err)
		}
	})
	t.Run("a subject-level NONE lets the incompatible schema in", func(t *testing.T) {
		if _, err := cl.UpdateCompatibility(subj, schemaregistry.None); err != nil {
			t.Fatal(err)
		}
		if ok, err := fresh().TestSubjectCompatibility(subj, avro(cOrderV3)); err != nil || !ok {
			t.Fatalf("under NONE = %v, %v", ok, err)
		}
		if id, err := cl.Register(subj, avro(cOrderV3), false); err != nil || id <= 0 {
			t.Fatalf("register under NONE = %d, %v", id, err)
		}
	})
}

// The client decodes GET answers from "compatibilityLevel" and sends PUTs
// with "compatibility"; both directions must carry the level.
func TestConfluentGoConfig(t *testing.T) {
	_, cl, _ := startConfluent(t)
	const subj = "cfg-value"

	if lvl, err := cl.GetDefaultCompatibility(); err != nil || lvl != schemaregistry.Backward {
		t.Fatalf("GetDefaultCompatibility = %v, %v", lvl.String(), err)
	}
	_, err := cl.GetCompatibility(subj)
	wantConfluentErr(t, err, 40408)
	_, err = cl.GetConfig(subj, false)
	wantConfluentErr(t, err, 40408)
	if c, err := cl.GetConfig(subj, true); err != nil || c.CompatibilityLevel != schemaregistry.Backward {
		t.Fatalf("GetConfig(defaultToGlobal) = %+v, %v", c, err)
	}

	if lvl, err := cl.UpdateCompatibility(subj, schemaregistry.Full); err != nil || lvl != schemaregistry.Full {
		t.Fatalf("UpdateCompatibility = %v, %v", lvl.String(), err)
	}
	if lvl, err := cl.GetCompatibility(subj); err != nil || lvl != schemaregistry.Full {
		t.Fatalf("GetCompatibility after update = %v, %v", lvl.String(), err)
	}
	if lvl, err := cl.UpdateDefaultCompatibility(schemaregistry.ForwardTransitive); err != nil || lvl != schemaregistry.ForwardTransitive {
		t.Fatalf("UpdateDefaultCompatibility = %v, %v", lvl.String(), err)
	}
	if lvl, err := cl.GetDefaultCompatibility(); err != nil || lvl != schemaregistry.ForwardTransitive {
		t.Fatalf("GetDefaultCompatibility after update = %v, %v", lvl.String(), err)
	}
	if lvl, err := cl.GetCompatibility(subj); err != nil || lvl != schemaregistry.Full {
		t.Fatalf("the subject level must win over the global one: %v, %v", lvl.String(), err)
	}

	echo, err := cl.UpdateConfig(subj, schemaregistry.ServerConfig{CompatibilityUpdate: schemaregistry.BackwardTransitive, Normalize: true})
	if err != nil || echo.CompatibilityUpdate != schemaregistry.BackwardTransitive || !echo.Normalize {
		t.Fatalf("UpdateConfig echo = %+v, %v", echo, err)
	}
	got, err := cl.GetConfig(subj, false)
	if err != nil || got.CompatibilityLevel != schemaregistry.BackwardTransitive || !got.Normalize || got.CompatibilityUpdate != 0 {
		t.Fatalf("GetConfig after UpdateConfig = %+v, %v", got, err)
	}
	echo, err = cl.UpdateDefaultConfig(schemaregistry.ServerConfig{CompatibilityUpdate: schemaregistry.None})
	if err != nil || echo.CompatibilityUpdate != schemaregistry.None {
		t.Fatalf("UpdateDefaultConfig = %+v, %v", echo, err)
	}
	if got, err := cl.GetDefaultConfig(); err != nil || got.CompatibilityLevel != schemaregistry.None {
		t.Fatalf("GetDefaultConfig = %+v, %v", got, err)
	}
}

// Confluent's Go client has no mode calls; it must still see the errors a
// mode causes. The mode is set with franz-go's client.
func TestConfluentGoMode(t *testing.T) {
	srv, cl, _ := startConfluent(t)
	fr, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Register("m-value", avro(cOrderV1), false); err != nil {
		t.Fatal(err)
	}
	if r := fr.SetMode(ctx, sr.ModeReadOnly, "m-value"); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	_, err = cl.Register("m-value", avro(cOrderV2), false)
	wantConfluentErr(t, err, 42205)
	_, err = cl.DeleteSubject("m-value", false)
	wantConfluentErr(t, err, 42205)
	if _, err := cl.Register("other-value", avro(cOrderV2), false); err != nil {
		t.Fatalf("another subject stays writable: %v", err)
	}
	if md, err := cl.GetLatestSchemaMetadata("m-value"); err != nil || md.Version != 1 {
		t.Fatalf("reads still work under READONLY: %+v, %v", md, err)
	}
	if r := fr.SetMode(ctx, sr.ModeReadWrite, "m-value"); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	if _, err := cl.Register("m-value", avro(cOrderV2), false); err != nil {
		t.Fatalf("after READWRITE: %v", err)
	}
}

func TestConfluentGoDelete(t *testing.T) {
	_, cl, fresh := startConfluent(t)
	const subj = "del-value"
	id1, err := cl.Register(subj, avro(cOrderV1), false)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := cl.Register(subj, avro(cOrderV2), false)
	if err != nil {
		t.Fatal(err)
	}

	// Version state machine: soft, then hard; 40406/40407 on the wrong order.
	_, err = cl.DeleteSubjectVersion(subj, 1, true)
	wantConfluentErr(t, err, 40407)
	if v, err := cl.DeleteSubjectVersion(subj, 1, false); err != nil || v != 1 {
		t.Fatalf("soft DeleteSubjectVersion = %d, %v", v, err)
	}
	_, err = cl.DeleteSubjectVersion(subj, 1, false)
	wantConfluentErr(t, err, 40406)
	if vs, err := fresh().GetAllVersions(subj); err != nil || !slices.Equal(vs, []int{2}) {
		t.Fatalf("versions after soft delete = %v, %v", vs, err)
	}
	_, err = fresh().GetSchemaMetadata(subj, 1)
	wantConfluentErr(t, err, 40402)
	if md, err := fresh().GetSchemaMetadataIncludeDeleted(subj, 1, true); err != nil || md.ID != id1 || md.Schema != cOrderV1 {
		t.Fatalf("deleted version with deleted=true = %+v, %v", md, err)
	}
	if v, err := fresh().GetVersionIncludeDeleted(subj, avro(cOrderV1), false, true); err != nil || v != 1 {
		t.Fatalf("lookup with deleted=true = %d, %v", v, err)
	}
	if info, err := fresh().GetBySubjectAndID(subj, id1); err != nil || info.Schema != cOrderV1 {
		t.Fatalf("a soft-deleted schema's id still resolves: %+v, %v", info, err)
	}
	if v, err := cl.DeleteSubjectVersion(subj, 1, true); err != nil || v != 1 {
		t.Fatalf("hard DeleteSubjectVersion = %d, %v", v, err)
	}
	_, err = fresh().GetSchemaMetadataIncludeDeleted(subj, 1, true)
	wantConfluentErr(t, err, 40402)

	// Subject state machine: 40405 hard before soft, 40404 soft twice.
	_, err = cl.DeleteSubject(subj, true)
	wantConfluentErr(t, err, 40405)
	if vs, err := cl.DeleteSubject(subj, false); err != nil || !slices.Equal(vs, []int{2}) {
		t.Fatalf("soft DeleteSubject = %v, %v", vs, err)
	}
	_, err = cl.DeleteSubject(subj, false)
	wantConfluentErr(t, err, 40404)
	if ss, err := fresh().GetAllSubjects(); err != nil || len(ss) != 0 {
		t.Fatalf("subjects after soft delete = %v, %v", ss, err)
	}
	_, err = fresh().GetLatestSchemaMetadata(subj)
	wantConfluentErr(t, err, 40401)
	if info, err := fresh().GetBySubjectAndID("", id2); err != nil || info.Schema != cOrderV2 {
		t.Fatalf("id of a soft-deleted subject = %+v, %v", info, err)
	}

	// Registering a soft-deleted schema again: same id, a new version.
	if md, err := fresh().RegisterFullResponse(subj, avro(cOrderV2), false); err != nil || md.ID != id2 {
		t.Fatalf("re-register after soft delete = %+v, %v", md, err)
	}
	if md, err := fresh().GetLatestSchemaMetadata(subj); err != nil || md.ID != id2 || md.Version != 3 {
		t.Fatalf("latest after re-register = %+v, %v; want id %d version 3", md, err, id2)
	}
	// ... and the soft-deleted version 2 with that id is gone for good.
	_, err = fresh().GetSchemaMetadataIncludeDeleted(subj, 2, true)
	wantConfluentErr(t, err, 40402)
	if _, err := cl.DeleteSubject(subj, false); err != nil {
		t.Fatal(err)
	}
	if vs, err := cl.DeleteSubject(subj, true); err != nil || !slices.Equal(vs, []int{3}) {
		t.Fatalf("hard DeleteSubject = %v, %v", vs, err)
	}
	_, err = fresh().GetBySubjectAndID("", id2)
	wantConfluentErr(t, err, 40403)
	_, err = cl.DeleteSubject("no-such-subject", false)
	wantConfluentErr(t, err, 40401)
}

// Subjects are path-escaped by the client (url.PathEscape: "/" is %2F, "?"
// %3F, "#" %23, " " %20); the registry must see one segment, the subject.
func TestConfluentGoEscapedSubjects(t *testing.T) {
	srv, cl, fresh := startConfluent(t)
	fr, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"com/acme/orders.avsc", "a/b/c.proto", "team a/orders?v=1#x&y", "%2F-literal", "trailing/"} {
		t.Run(subj, func(t *testing.T) {
			id, err := cl.Register(subj, avro(cOrderV1), false)
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			if _, err := cl.Register(subj, avro(cOrderV2), false); err != nil {
				t.Fatalf("Register v2: %v", err)
			}
			// franz-go sees the same subject, so the server stored it unescaped.
			if vs, err := fr.SubjectVersions(ctx, subj); err != nil || !slices.Equal(vs, []int{1, 2}) {
				t.Fatalf("franz-go SubjectVersions(%q) = %v, %v", subj, vs, err)
			}
			c := fresh()
			if md, err := c.GetSchemaMetadata(subj, 1); err != nil || md.Subject != subj || md.ID != id {
				t.Fatalf("GetSchemaMetadata = %+v, %v", md, err)
			}
			if md, err := c.GetLatestSchemaMetadata(subj); err != nil || md.Subject != subj || md.Version != 2 {
				t.Fatalf("GetLatestSchemaMetadata = %+v, %v", md, err)
			}
			if v, err := c.GetVersion(subj, avro(cOrderV1), false); err != nil || v != 1 {
				t.Fatalf("lookup = %d, %v", v, err)
			}
			if info, err := c.GetBySubjectAndID(subj, id); err != nil || info.Schema != cOrderV1 {
				t.Fatalf("GetBySubjectAndID (subject in the query) = %+v, %v", info, err)
			}
			if ok, err := c.TestCompatibility(subj, -1, avro(cOrderV3)); err != nil || ok {
				t.Fatalf("TestCompatibility = %v, %v", ok, err)
			}
			if ok, err := c.TestSubjectCompatibility(subj, avro(cOrderV2)); err != nil || !ok {
				t.Fatalf("TestSubjectCompatibility = %v, %v", ok, err)
			}
			if _, err := c.UpdateCompatibility(subj, schemaregistry.Full); err != nil {
				t.Fatalf("UpdateCompatibility: %v", err)
			}
			if lvl, err := c.GetCompatibility(subj); err != nil || lvl != schemaregistry.Full {
				t.Fatalf("GetCompatibility = %v, %v", lvl.String(), err)
			}
			if v, err := c.DeleteSubjectVersion(subj, 2, false); err != nil || v != 2 {
				t.Fatalf("DeleteSubjectVersion = %d, %v", v, err)
			}
			if vs, err := c.DeleteSubject(subj, false); err != nil || !slices.Equal(vs, []int{1}) {
				t.Fatalf("DeleteSubject = %v, %v", vs, err)
			}
			if vs, err := c.DeleteSubject(subj, true); err != nil || !slices.Equal(vs, []int{1, 2}) {
				t.Fatalf("DeleteSubject permanent = %v, %v", vs, err)
			}
		})
	}
	if ss, err := fresh().GetAllSubjects(); err != nil || len(ss) != 0 {
		t.Fatalf("subjects left = %q, %v", ss, err)
	}
}

// GetLatestWithMetadata is GET /subjects/{s}/metadata?key=…&value=…, also
// what the serializers' UseLatestWithMetadata calls.
func TestConfluentGoLatestWithMetadata(t *testing.T) {
	_, cl, fresh := startConfluent(t)
	const subj = "md/orders-value"
	withProps := func(schema string, props map[string]string) schemaregistry.SchemaInfo {
		return schemaregistry.SchemaInfo{Schema: schema, Metadata: &schemaregistry.Metadata{Properties: props}}
	}
	ids := map[int]int{}
	for v, info := range []schemaregistry.SchemaInfo{
		withProps(cOrderV1, map[string]string{"app.major": "1", "owner": "team-a"}),
		withProps(cOrderV2, map[string]string{"app.major": "1", "owner": "team-b"}),
		withProps(cOrderV2, map[string]string{"app.major": "2", "owner": "team-b"}),
	} {
		id, err := cl.Register(subj, info, false)
		if err != nil {
			t.Fatalf("register version %d: %v", v+1, err)
		}
		ids[v+1] = id
	}
	if ids[2] == ids[3] {
		t.Fatalf("metadata must be part of the id: %v", ids)
	}
	for _, tc := range []struct {
		props   map[string]string
		version int
	}{
		{map[string]string{"app.major": "1"}, 2},
		{map[string]string{"app.major": "1", "owner": "team-a"}, 1},
		{map[string]string{"owner": "team-b"}, 3},
		{map[string]string{"app.major": "2"}, 3},
	} {
		md, err := fresh().GetLatestWithMetadata(subj, tc.props, false)
		if err != nil || md.Version != tc.version || md.ID != ids[tc.version] || md.Subject != subj {
			t.Fatalf("GetLatestWithMetadata(%v) = %+v, %v; want version %d", tc.props, md, err, tc.version)
		}
		if md.Metadata == nil || md.Metadata.Properties["owner"] == "" {
			t.Fatalf("the answer lacks its metadata: %+v", md)
		}
	}
	_, err := fresh().GetLatestWithMetadata(subj, map[string]string{"app.major": "3"}, false)
	wantConfluentErr(t, err, 40403)
	_, err = fresh().GetLatestWithMetadata("no-such-subject", map[string]string{"app.major": "1"}, false)
	wantConfluentErr(t, err, 40401)
}

// Confluent's client's credential sources against edactl's --auth-file
// users and tokens.
func TestConfluentGoAuth(t *testing.T) {
	auth, err := api.ParseAuth([]byte(`
users:
  - {name: reader, password: r, role: read}
  - {name: writer, password: w, role: write}
tokens:
  - {name: ci, token: tok, role: admin}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := registrytest.Start(t, registrytest.WithAPIOptions(api.WithAuth(auth)))
	newClient := func(conf *schemaregistry.Config) schemaregistry.Client {
		conf.MaxRetries = 0
		cl, err := schemaregistry.NewClient(conf)
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	writer := newClient(schemaregistry.NewConfigWithBasicAuthentication(srv.URL, "writer", "w"))
	if _, err := writer.Register("a-value", avro(cOrderV1), false); err != nil {
		t.Fatalf("writer (USER_INFO): %v", err)
	}
	_, err = writer.UpdateCompatibility("a-value", schemaregistry.None)
	wantConfluentErr(t, err, 403)

	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("reader", "r")
	urlConf := schemaregistry.NewConfig(u.String())
	urlConf.BasicAuthCredentialsSource = "URL"
	reader := newClient(urlConf)
	if vs, err := reader.GetAllVersions("a-value"); err != nil || !slices.Equal(vs, []int{1}) {
		t.Fatalf("reader (URL) = %v, %v", vs, err)
	}
	_, err = reader.Register("a-value", avro(cOrderV2), false)
	wantConfluentErr(t, err, 403)

	admin := newClient(schemaregistry.NewConfigWithBearerAuthentication(srv.URL, "tok", "lsrc-1", "pool-1"))
	if lvl, err := admin.UpdateCompatibility("a-value", schemaregistry.None); err != nil || lvl != schemaregistry.None {
		t.Fatalf("admin (STATIC_TOKEN) = %v, %v", lvl.String(), err)
	}

	_, err = newClient(schemaregistry.NewConfigWithBasicAuthentication(srv.URL, "reader", "wrong")).GetAllSubjects()
	wantConfluentErr(t, err, 401)
	_, err = newClient(schemaregistry.NewConfig(srv.URL)).GetAllSubjects()
	wantConfluentErr(t, err, 401)
}
