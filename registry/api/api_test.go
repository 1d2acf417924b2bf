package api_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
)

const (
	fID      = `{"name":"id","type":"string"}`
	fAmount  = `{"name":"amount","type":"double","default":0.0}`
	fNoDef   = `{"name":"note","type":"string"}`
	fQtyLong = `{"name":"id","type":"long"}`
)

func srErr(t *testing.T, err error, status, code int) {
	t.Helper()
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *sr.ResponseError", err)
	}
	if re.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("got %d/%d (%s), want %d/%d", re.StatusCode, re.ErrorCode, re.Message, status, code)
	}
}

// Rows 1-3 and the cross-cutting protocol rules.
func TestRootTypesAndProtocol(t *testing.T) {
	c, cl := start(t)
	c.expect("GET", "/", "", 200, `{}`)
	c.expect("POST", "/", "", 200, `{}`)
	c.expect("GET", "/schemas/types", "", 200, `["AVRO"]`)
	types, err := cl.SupportedTypes(ctx)
	if err != nil || len(types) != 1 || types[0] != sr.TypeAvro {
		t.Fatalf("SupportedTypes = %v, %v", types, err)
	}

	t.Run("unknown routes get a Confluent 404", func(t *testing.T) {
		for _, p := range []string{"/nope", "/subjects/a/b/c/d/e/f", "/associations/resources/ns/name", "/schemas/ids/abc", "/subjects//versions", "/contexts/x"} {
			r := c.expectErr("GET", p, "", 404, 404)
			if !strings.Contains(r.body, "HTTP 404 Not Found") {
				t.Fatalf("%s: %s", p, r.body)
			}
		}
	})
	t.Run("wrong method is 405 with Allow", func(t *testing.T) {
		r := c.expectErr("PATCH", "/subjects/x/versions", "", 405, 405)
		if r.header.Get("Allow") != "GET, HEAD, POST, OPTIONS" { // HEAD and OPTIONS are answered too
			t.Fatalf("Allow = %q", r.header.Get("Allow"))
		}
		c.expectErr("DELETE", "/schemas/types", "", 405, 405)
	})
	t.Run("content negotiation", func(t *testing.T) {
		for accept, want := range map[string]string{
			"":                                    "application/vnd.schemaregistry.v1+json",
			"application/json":                    "application/json",
			"application/vnd.schemaregistry+json": "application/vnd.schemaregistry+json",
			"application/json, application/vnd.schemaregistry.v1+json": "application/vnd.schemaregistry.v1+json",
			"text/html,application/xhtml+xml,*/*;q=0.8":                "application/vnd.schemaregistry.v1+json",
		} {
			r := c.do("GET", "/subjects", "", "Accept", accept)
			if r.status != 200 || r.header.Get("Content-Type") != want {
				t.Fatalf("Accept %q: %d %q, want %q", accept, r.status, r.header.Get("Content-Type"), want)
			}
		}
		r := c.do("GET", "/subjects", "", "Accept", "text/html")
		if r.status != 406 || r.errorCode() != 406 {
			t.Fatalf("Accept text/html: %d %s", r.status, r.body)
		}
	})
	t.Run("request content types", func(t *testing.T) {
		s := body(record("A", fID))
		for _, ct := range []string{"application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json", "application/octet-stream"} {
			if r := c.do("POST", "/subjects/ct/versions", s, "Content-Type", ct); r.status != 200 {
				t.Fatalf("Content-Type %s: %d %s", ct, r.status, r.body)
			}
		}
		r := c.do("POST", "/subjects/ct/versions", s, "Content-Type", "text/xml")
		if r.status != 415 || r.errorCode() != 415 {
			t.Fatalf("text/xml: %d %s", r.status, r.body)
		}
	})
	t.Run("bad JSON is 400, a missing body 422", func(t *testing.T) {
		c.expectErr("POST", "/subjects/x/versions", `{"schema":`, 400, 400)
		r := c.expectErr("POST", "/subjects/x/versions", `{"schema":{"type":"string"}}`, 400, 400)
		if !strings.Contains(r.body, "schema must be a string") {
			t.Fatalf("type error message: %s", r.body)
		}
		c.expectErr("POST", "/subjects/x/versions", "", 422, 422)
		c.expectErr("PUT", "/config", "", 422, 422)
	})
	t.Run("unknown fields and null metadata/ruleSet are accepted", func(t *testing.T) {
		c.expect("POST", "/subjects/unk/versions", body(record("U", fID), `"metadata":null`, `"ruleSet":null`, `"whatever":[1,2]`), 200, `{"id":`)
	})
}

// Row 11 and the id rules of §1.3.
func TestRegisterIDs(t *testing.T) {
	c, cl := start(t)
	v1 := record("Order", fID)
	id1, err := cl.RegisterSchema(ctx, "orders-value", sr.Schema{Schema: v1}, -1, -1)
	if err != nil || id1 != 1 {
		t.Fatalf("register = %d, %v", id1, err)
	}
	t.Run("idempotent, whitespace-insensitive", func(t *testing.T) {
		spaced := strings.ReplaceAll(v1, ",", " ,\n  ")
		c.expect("POST", "/subjects/orders-value/versions", body(spaced), 200, `{"id":1}`)
		if vs, _ := cl.SubjectVersions(ctx, "orders-value"); !slices.Equal(vs, []int{1}) {
			t.Fatalf("versions = %v", vs)
		}
	})
	t.Run("same schema under another subject shares the id", func(t *testing.T) {
		ss, err := cl.CreateSchema(ctx, "orders-copy", sr.Schema{Schema: v1})
		if err != nil || ss.ID != 1 || ss.Version != 1 {
			t.Fatalf("CreateSchema = %+v, %v", ss, err)
		}
	})
	t.Run("doc and custom attributes give new ids", func(t *testing.T) {
		withDoc := `{"type":"record","name":"Order","doc":"an order","fields":[` + fID + `]}`
		c.expect("POST", "/subjects/doc/versions", body(withDoc), 200, `{"id":2}`)
		withProp := `{"type":"record","name":"Order","x-eda-kind":"event","fields":[` + fID + `]}`
		c.expect("POST", "/subjects/prop/versions", body(withProp), 200, `{"id":3}`)
		c.expect("GET", "/schemas/ids/3", "", 200, `{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}],\"x-eda-kind\":\"event\"}"}`)
	})
	t.Run("schema text is stored in Confluent's canonical form", func(t *testing.T) {
		c.expect("POST", "/subjects/prim/versions", body(`{"type": "string"}`), 200, `{"id":4}`)
		c.expect("GET", "/schemas/ids/4", "", 200, `{"schema":"\"string\""}`)
		c.expect("GET", "/schemas/ids/4/schema", "", 200, `"string"`)
	})
	t.Run("explicit next version is accepted, another is 42201", func(t *testing.T) {
		c.expect("POST", "/subjects/orders-value/versions", body(record("Order", fID, fAmount), `"version":2`), 200, `{"id":5}`)
		c.expectErr("POST", "/subjects/orders-value/versions", body(record("Order", fID, fAmount, `{"name":"x","type":"int","default":1}`), `"version":7`), 422, 42201)
	})
	t.Run("explicit id outside IMPORT is 42205", func(t *testing.T) {
		c.expectErr("POST", "/subjects/orders-value/versions", body(record("Order", fID, `{"name":"y","type":"int","default":1}`), `"id":100`), 422, 42205)
	})
	t.Run("invalid schemas are 42201", func(t *testing.T) {
		for _, s := range []string{
			body(`{"type":"record","name":"Bad","fields":[{"name":"a","type":"nope"}]}`),
			// A number out of float64's range in an attribute.
			body(`{"type":"record","name":"Bad","fields":[{"name":"a","type":"int","x":1e400}]}`),
			body(`not json`),
			body(record("T", fID), `"schemaType":"PROTOBUF"`),
			body(""),
			`{}`,
		} {
			c.expectErr("POST", "/subjects/bad/versions", s, 422, 42201)
		}
	})
	t.Run("invalid subject is 42208", func(t *testing.T) {
		c.expectErr("POST", "/subjects/__GLOBAL/versions", body(record("G", fID)), 422, 42208)
		c.expectErr("POST", "/subjects/a%01b/versions", body(record("G", fID)), 422, 42208)
	})
	t.Run("invalid ruleSet is 42210", func(t *testing.T) {
		c.expectErr("POST", "/subjects/rules/versions", body(record("R", fID), `"ruleSet":{"domainRules":[{"name":"r","kind":"MAGIC","mode":"WRITE","type":"CEL"}]}`), 422, 42210)
		c.expect("POST", "/subjects/rules/versions", body(record("R", fID), `"ruleSet":{"domainRules":[{"name":"r","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"true"}]}`), 200, `{"id":`)
	})
	t.Run("empty schema copies the latest version", func(t *testing.T) {
		r := c.expect("POST", "/subjects/orders-value/versions", `{"schema":"","metadata":{"properties":{"owner":"team-a"}}}`, 200, `{"id":`)
		if r.body == `{"id":5}` {
			t.Fatal("metadata change reused the id")
		}
		c.expect("GET", "/subjects/orders-value/versions/latest", "", 200, `"metadata":{"properties":{"owner":"team-a"}}`)
	})
}

// Row 11's 409 and rows 20-21.
func TestCompatibility(t *testing.T) {
	c, cl := start(t)
	v1 := record("Order", fID)
	c.expect("POST", "/subjects/o/versions", body(v1), 200, `{"id":1}`)

	t.Run("register rejects an incompatible schema with 409", func(t *testing.T) {
		r := c.expectErr("POST", "/subjects/o/versions", body(record("Order", fID, fNoDef)), 409, 409)
		for _, want := range []string{"Schema being registered is incompatible with an earlier schema for subject \\\"o\\\"", "errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'", "{oldSchemaVersion: 1}", "compatibility: 'BACKWARD'"} {
			if !strings.Contains(r.body, want) {
				t.Fatalf("409 body lacks %q: %s", want, r.body)
			}
		}
		_, err := cl.RegisterSchema(ctx, "o", sr.Schema{Schema: record("Order", fID, fNoDef)}, -1, -1)
		srErr(t, err, 409, 409)
	})
	t.Run("compatibility endpoints", func(t *testing.T) {
		bad := body(record("Order", fID, fNoDef))
		good := body(record("Order", fID, fAmount))
		c.expect("POST", "/compatibility/subjects/o/versions/latest", good, 200, `{"is_compatible":true}`)
		c.expect("POST", "/compatibility/subjects/o/versions/1", bad, 200, `{"is_compatible":false}`)
		c.expect("POST", "/compatibility/subjects/o/versions/-1", bad, 200, `{"is_compatible":false}`)
		r := c.expect("POST", "/compatibility/subjects/o/versions?verbose=true", bad, 200, `"is_compatible":false`)
		if !strings.Contains(r.body, "READER_FIELD_MISSING_DEFAULT_VALUE") {
			t.Fatalf("verbose messages missing: %s", r.body)
		}
		res, err := sr.NewClient(sr.URLs(c.url))
		if err != nil {
			t.Fatal(err)
		}
		cr, err := res.CheckCompatibility(sr.WithParams(ctx, sr.Verbose), "o", -1, sr.Schema{Schema: record("Order", fID, fNoDef)})
		if err != nil || cr.Is || len(cr.Messages) == 0 {
			t.Fatalf("CheckCompatibility = %+v, %v", cr, err)
		}
		// 7.9 quirk: latest on a missing subject is compatible.
		c.expect("POST", "/compatibility/subjects/missing/versions/latest", bad, 200, `{"is_compatible":true}`)
		c.expect("POST", "/compatibility/subjects/missing/versions", bad, 200, `{"is_compatible":true}`)
		c.expectErr("POST", "/compatibility/subjects/o/versions/9", good, 404, 40402)
		c.expectErr("POST", "/compatibility/subjects/missing/versions/2", good, 404, 40402)
		c.expectErr("POST", "/compatibility/subjects/o/versions/0", good, 422, 42202)
		c.expectErr("POST", "/compatibility/subjects/o/versions/latest", body(`{"type":"nope"}`), 422, 42201)
		r = c.expect("POST", "/compatibility/subjects/o/versions/latest?verbose=true", body(`{"type":"nope"}`), 200, `"is_compatible":false`)
		if !strings.Contains(r.body, "messages") {
			t.Fatalf("verbose invalid schema: %s", r.body)
		}
		c.expectErr("POST", "/compatibility/subjects/o/versions", body(`{"type":"nope"}`), 422, 42201)
	})
	t.Run("transitive levels check every live version, soft-deleted ones are skipped", func(t *testing.T) {
		c.expect("PUT", "/config/t", `{"compatibility":"FORWARD_TRANSITIVE"}`, 200, `{"compatibility":"FORWARD_TRANSITIVE"}`)
		c.expect("POST", "/subjects/t/versions", body(record("T", fID, `{"name":"a","type":"int"}`)), 200, "")
		c.expect("POST", "/subjects/t/versions", body(record("T", fID, `{"name":"a","type":"int"}`, `{"name":"b","type":"int"}`)), 200, "")
		// Dropping field a breaks version 1 (which needs it, no default) but not 2 under FORWARD.
		dropA := body(record("T", fID, `{"name":"b","type":"int"}`))
		c.expectErr("POST", "/subjects/t/versions", dropA, 409, 409)
		c.expect("PUT", "/config/t", `{"compatibility":"FORWARD"}`, 200, "")
		c.expect("POST", "/compatibility/subjects/t/versions", dropA, 200, `{"is_compatible":false}`)
		c.expect("PUT", "/config/t", `{"compatibility":"FORWARD_TRANSITIVE"}`, 200, "")
		c.expect("DELETE", "/subjects/t/versions/1", "", 200, `1`)
		c.expect("DELETE", "/subjects/t/versions/2", "", 200, `2`)
		c.expect("POST", "/subjects/t/versions", dropA, 200, "")
	})
	t.Run("NONE accepts anything", func(t *testing.T) {
		c.expect("PUT", "/config/o", `{"compatibility":"none"}`, 200, `{"compatibility":"NONE"}`)
		c.expect("POST", "/subjects/o/versions", body(record("Order", fQtyLong)), 200, "")
	})
	t.Run("compatibilityGroup only compares within the group", func(t *testing.T) {
		c.expect("PUT", "/config/g", `{"compatibility":"BACKWARD","compatibilityGroup":"major"}`, 200, `"compatibilityGroup":"major"`)
		md := func(v string) string { return `"metadata":{"properties":{"major":"` + v + `"}}` }
		c.expect("POST", "/subjects/g/versions", body(record("G", fID), md("1")), 200, "")
		c.expectErr("POST", "/subjects/g/versions", body(record("G", fQtyLong), md("1")), 409, 409)
		c.expect("POST", "/subjects/g/versions", body(record("G", fQtyLong), md("2")), 200, "")
	})
}

// Rows 4-10, 12-14.
func TestReads(t *testing.T) {
	c, cl := start(t)
	for i, s := range []string{"a", "b", "b"} {
		fields := []string{fID}
		if i == 2 {
			fields = append(fields, fAmount)
		}
		c.expect("POST", "/subjects/"+s+"/versions", body(record("R", fields...)), 200, "")
	}
	c.expect("GET", "/schemas/ids/1/versions", "", 200, `[{"subject":"a","version":1},{"subject":"b","version":1}]`)
	c.expect("GET", "/schemas/ids/1/subjects", "", 200, `["a","b"]`)
	c.expect("GET", "/schemas/ids/1/subjects?subject=b", "", 200, `["b"]`)
	c.expect("GET", "/schemas/ids/1/subjects?offset=1&limit=1", "", 200, `["b"]`)
	c.expectErr("GET", "/schemas/ids/99", "", 404, 40403)
	c.expectErr("GET", "/schemas/ids/99/schema", "", 404, 40403)
	c.expectErr("GET", "/schemas/ids/99/subjects", "", 404, 40403)
	c.expectErr("GET", "/schemas/ids/99/versions", "", 404, 40403)
	c.expectErr("GET", "/schemas/ids/-3", "", 404, 40403)
	c.expect("GET", "/schemas/ids/2?fetchMaxId=true", "", 200, `"maxId":2}`)
	ss, err := cl.SchemaByID(ctx, 2)
	if err != nil || !strings.Contains(ss.Schema, "amount") {
		t.Fatalf("SchemaByID = %+v, %v", ss, err)
	}
	text, err := cl.SchemaTextByID(ctx, 1)
	if err != nil || !strings.HasPrefix(text, `{"type":"record"`) {
		t.Fatalf("SchemaTextByID = %q, %v", text, err)
	}

	c.expect("GET", "/subjects", "", 200, `["a","b"]`)
	c.expect("GET", "/subjects?subjectPrefix=b", "", 200, `["b"]`)
	c.expect("GET", "/subjects?limit=1", "", 200, `["a"]`)
	c.expect("GET", "/subjects?offset=5", "", 200, `[]`)
	c.expectErr("GET", "/subjects?offset=x", "", 400, 400)
	c.expect("GET", "/subjects/b/versions", "", 200, `[1,2]`)
	c.expectErr("GET", "/subjects/zz/versions", "", 404, 40401)

	c.expect("GET", "/subjects/b/versions/latest", "", 200, `{"subject":"b","version":2,"id":2,"schema":`)
	c.expect("GET", "/subjects/b/versions/LATEST", "", 200, `"version":2`)
	c.expect("GET", "/subjects/b/versions/-1", "", 200, `"version":2`)
	c.expect("GET", "/subjects/b/versions/1", "", 200, `"version":1,"id":1`)
	c.expect("GET", "/subjects/b/versions/1/schema", "", 200, `{"type":"record","name":"R","fields":[{"name":"id","type":"string"}]}`)
	for _, v := range []string{"0", "-2", "abc", "2147483648"} {
		c.expectErr("GET", "/subjects/b/versions/"+v, "", 422, 42202)
		c.expectErr("GET", "/subjects/b/versions/"+v+"/schema", "", 422, 42202)
	}
	c.expectErr("GET", "/subjects/b/versions/3", "", 404, 40402)
	c.expectErr("GET", "/subjects/zz/versions/1", "", 404, 40401)
	c.expect("GET", "/subjects/b/versions/1/referencedby", "", 200, `[]`)
	c.expectErr("GET", "/subjects/zz/versions/1/referencedby", "", 404, 40401)
	c.expectErr("GET", "/subjects/b/versions/7/referencedby", "", 404, 40402)
	c.expectErr("GET", "/subjects/b/versions/x/referencedby", "", 422, 42202)

	c.expect("GET", "/schemas", "", 200, `[{"subject":"a","version":1,"id":1,`)
	r := c.do("GET", "/schemas?latestOnly=true", "")
	if strings.Count(r.body, `"subject"`) != 2 || !strings.Contains(r.body, `"subject":"b","version":2`) {
		t.Fatalf("latestOnly: %s", r.body)
	}
	r = c.do("GET", "/schemas?subjectPrefix=b&limit=1&offset=1", "")
	if !strings.HasPrefix(r.body, `[{"subject":"b","version":2`) || strings.Count(r.body, `"subject"`) != 1 {
		t.Fatalf("prefix+paging: %s", r.body)
	}
	all, err := cl.AllSchemas(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("AllSchemas = %d, %v", len(all), err)
	}
	bv, err := cl.SchemaByVersion(ctx, "b", -1)
	if err != nil || bv.Version != 2 || bv.ID != 2 {
		t.Fatalf("SchemaByVersion = %+v, %v", bv, err)
	}
	usages, err := cl.SchemaUsagesByID(ctx, 1)
	if err != nil || len(usages) != 2 {
		t.Fatalf("SchemaUsagesByID = %v, %v", usages, err)
	}

	t.Run("lookup (row 15)", func(t *testing.T) {
		got, err := cl.LookupSchema(ctx, "b", sr.Schema{Schema: record("R", fID)})
		if err != nil || got.Version != 1 || got.ID != 1 {
			t.Fatalf("LookupSchema = %+v, %v", got, err)
		}
		c.expectErr("POST", "/subjects/zz", body(record("R", fID)), 404, 40401)
		c.expectErr("POST", "/subjects/a", body(record("R", fID, fAmount)), 404, 40403)
		c.expectErr("POST", "/subjects/a", body(`{"type":"nope"}`), 422, 42201)
	})
}

// Row 18: GET /subjects/{s}/metadata, the newest version whose metadata
// properties contain every key/value pair (Confluent serializers'
// use.latest.with.metadata).
func TestLatestWithMetadata(t *testing.T) {
	c, _ := start(t)
	const base = "/subjects/team%2Fm/"
	for _, md := range []string{
		``, // version 1: no metadata
		`"metadata":{"properties":{"owner":"a","major":"1"}}`,
		`"metadata":{"properties":{"owner":"a","major":"2"},"tags":{"id":["PII"]}}`,
		`"metadata":{"properties":{"owner":"b"}}`,
	} {
		extra := []string{}
		if md != "" {
			extra = append(extra, md)
		}
		c.expect("POST", base+"versions", body(record("M", fID), extra...), 200, `{"id":`)
	}
	v3 := c.expect("GET", base+"versions/3", "", 200, `"version":3`).body
	for query, version := range map[string]string{
		"?key=owner&value=a":                   `"version":3`,
		"?key=owner&value=a&key=major&value=1": `"version":2`,
		"?key=major&value=1&key=owner&value=a": `"version":2`,
		"?key=owner&value=b":                   `"version":4`,
		"":                                     `"version":4`, // any version with properties
		"?key=owner":                           `"version":4`, // an unpaired key is ignored
		"?deleted=false&key=owner&value=a&format=": `"version":3`,
	} {
		c.expect("GET", base+"metadata"+query, "", 200, version)
	}
	if got := c.expect("GET", base+"metadata?key=major&value=2", "", 200, "").body; got != v3 {
		t.Fatalf("metadata match = %s, want the version entity %s", got, v3)
	}
	c.expectErr("GET", base+"metadata?key=owner&value=c", "", 404, 40403)
	c.expectErr("GET", base+"metadata?key=tags&value=PII", "", 404, 40403) // tags are not properties
	c.expectErr("GET", "/subjects/nope/metadata?key=owner&value=a", "", 404, 40401)
	c.expectErr("POST", base+"metadata", "", 405, 405)

	c.expect("DELETE", base+"versions/3", "", 200, `3`)
	c.expect("GET", base+"metadata?key=owner&value=a", "", 200, `"version":2`)
	c.expectErr("GET", base+"metadata?key=major&value=2", "", 404, 40403)
	c.expect("GET", base+"metadata?key=major&value=2&deleted=true", "", 200, `"version":3`)
	c.expect("DELETE", "/subjects/team%2Fm", "", 200, `[1,2,4]`)
	c.expectErr("GET", base+"metadata?key=owner&value=a", "", 404, 40401)
	c.expect("GET", base+"metadata?key=owner&value=a&deleted=true", "", 200, `"version":3`)
}

// Rows 16-17 and the soft/hard delete state machine.
func TestDeleteStateMachine(t *testing.T) {
	c, cl := start(t)
	v1, v2 := record("D", fID), record("D", fID, fAmount)
	c.expect("POST", "/subjects/d/versions", body(v1), 200, `{"id":1}`)
	c.expect("POST", "/subjects/d/versions", body(v2), 200, `{"id":2}`)

	c.expectErr("DELETE", "/subjects/d/versions/1?permanent=true", "", 404, 40407)
	c.expectErr("DELETE", "/subjects/zz/versions/1", "", 404, 40401)
	c.expectErr("DELETE", "/subjects/d/versions/5", "", 404, 40402)
	c.expectErr("DELETE", "/subjects/d/versions/zero", "", 422, 42202)
	c.expect("DELETE", "/subjects/d/versions/1", "", 200, `1`)
	c.expectErr("DELETE", "/subjects/d/versions/1", "", 404, 40406)
	c.expect("GET", "/subjects/d/versions", "", 200, `[2]`)
	c.expect("GET", "/subjects/d/versions?deleted=true", "", 200, `[1,2]`)
	c.expect("GET", "/subjects/d/versions?deletedOnly=true", "", 200, `[1]`)
	c.expectErr("GET", "/subjects/d/versions/1", "", 404, 40402)
	c.expect("GET", "/subjects/d/versions/1?deleted=true", "", 200, `"version":1`)
	// A soft-deleted version's id stays resolvable.
	c.expect("GET", "/schemas/ids/1", "", 200, `{"schema":`)
	c.expect("GET", "/schemas/ids/1/versions", "", 200, `[]`)
	c.expect("GET", "/schemas/ids/1/versions?deleted=true", "", 200, `[{"subject":"d","version":1}]`)

	t.Run("re-registering a soft-deleted schema makes a new version with the same id", func(t *testing.T) {
		c.expect("POST", "/subjects/d/versions", body(v1), 200, `{"id":1}`)
		c.expect("GET", "/subjects/d/versions?deleted=true", "", 200, `[2,3]`)
		c.expect("GET", "/subjects/d/versions/3", "", 200, `"version":3,"id":1`)
	})

	c.expectErr("DELETE", "/subjects/d?permanent=true", "", 404, 40405)
	vs, err := cl.DeleteSubject(ctx, "d", sr.SoftDelete)
	if err != nil || !slices.Equal(vs, []int{2, 3}) {
		t.Fatalf("DeleteSubject = %v, %v", vs, err)
	}
	c.expectErr("DELETE", "/subjects/d", "", 404, 40404)
	c.expectErr("GET", "/subjects/d/versions", "", 404, 40401)
	c.expectErr("GET", "/subjects/d/versions/latest", "", 404, 40401)
	c.expect("GET", "/subjects", "", 200, `[]`)
	c.expect("GET", "/subjects?deleted=true", "", 200, `["d"]`)
	c.expect("GET", "/subjects?deletedOnly=true", "", 200, `["d"]`)
	c.expect("GET", "/schemas/ids/2", "", 200, `{"schema":`)
	c.expect("PUT", "/config/d", `{"compatibility":"FULL"}`, 200, "")

	vs, err = cl.DeleteSubject(ctx, "d", sr.HardDelete)
	if err != nil || !slices.Equal(vs, []int{2, 3}) {
		t.Fatalf("hard DeleteSubject = %v, %v", vs, err)
	}
	c.expectErr("DELETE", "/subjects/d", "", 404, 40401)
	c.expectErr("DELETE", "/subjects/d?permanent=true", "", 404, 40401)
	c.expectErr("GET", "/schemas/ids/1", "", 404, 40403)
	c.expectErr("GET", "/schemas/ids/2", "", 404, 40403)
	// Hard deleting the subject removed its config too.
	c.expectErr("GET", "/config/d", "", 404, 40408)
	c.expect("GET", "/subjects?deleted=true", "", 200, `[]`)

	t.Run("ids are never reused; versions restart after a hard delete", func(t *testing.T) {
		c.expect("POST", "/subjects/d/versions", body(v1), 200, `{"id":3}`)
		c.expect("GET", "/subjects/d/versions", "", 200, `[1]`)
	})
	t.Run("hard delete of one version", func(t *testing.T) {
		c.expect("DELETE", "/subjects/d/versions/latest", "", 200, `1`)
		c.expect("DELETE", "/subjects/d/versions/1?permanent=true", "", 200, `1`)
		c.expectErr("GET", "/subjects/d/versions?deleted=true", "", 404, 40401)
	})
}

// Schema references (§1.3.7) with a %2F subject and 42206.
func TestReferences(t *testing.T) {
	c, cl := start(t)
	money := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	refSubject := "shop/money.avsc"
	ss, err := cl.CreateSchema(ctx, refSubject, sr.Schema{Schema: money})
	if err != nil {
		t.Fatal(err)
	}
	c.expect("GET", "/subjects/shop%2Fmoney.avsc/versions", "", 200, `[1]`)
	c.expect("GET", "/subjects", "", 200, `["shop/money.avsc"]`)

	order := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`
	refs := []sr.SchemaReference{{Name: "shop.Money", Subject: refSubject, Version: 1}}
	o, err := cl.CreateSchema(ctx, "order-value", sr.Schema{Schema: order, References: refs})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == ss.ID || len(o.References) != 1 || o.References[0].Subject != refSubject {
		t.Fatalf("CreateSchema with refs = %+v", o)
	}
	c.expect("GET", fmt.Sprintf("/schemas/ids/%d", o.ID), "", 200,
		`{"schema":"{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"total\",\"type\":\"Money\"}]}","references":[{"name":"shop.Money","subject":"shop/money.avsc","version":1}]}`)
	r := c.expect("GET", fmt.Sprintf("/schemas/ids/%d?format=resolved", o.ID), "", 200, "")
	if !strings.Contains(r.body, `cents`) {
		t.Fatalf("resolved schema lacks the referenced type: %s", r.body)
	}
	c.expect("GET", "/subjects/shop%2Fmoney.avsc/versions/1/referencedby", "", 200, fmt.Sprintf("[%d]", o.ID))
	users, err := cl.SchemaReferences(ctx, refSubject, 1)
	if err != nil || len(users) != 1 || users[0].Subject != "order-value" {
		t.Fatalf("SchemaReferences = %+v, %v", users, err)
	}
	// Same schema, no references: the name cannot resolve.
	c.expectErr("POST", "/subjects/order2/versions", body(order), 422, 42201)
	c.expectErr("POST", "/subjects/order2/versions", body(order, `"references":[{"name":"shop.Money","subject":"nope","version":1}]`), 422, 42201)
	// Lookup with references.
	got, err := cl.LookupSchema(ctx, "order-value", sr.Schema{Schema: order, References: refs})
	if err != nil || got.ID != o.ID {
		t.Fatalf("lookup with refs = %+v, %v", got, err)
	}
	// A referenced version cannot be deleted, softly or not.
	c.expectErr("DELETE", "/subjects/shop%2Fmoney.avsc/versions/1", "", 422, 42206)
	c.expectErr("DELETE", "/subjects/shop%2Fmoney.avsc", "", 422, 42206)
	c.expect("DELETE", "/subjects/order-value", "", 200, `[1]`)
	c.expectErr("DELETE", "/subjects/shop%2Fmoney.avsc", "", 422, 42206) // a soft-deleted referrer still resolves
	c.expect("DELETE", "/subjects/order-value?permanent=true", "", 200, `[1]`)
	c.expect("DELETE", "/subjects/shop%2Fmoney.avsc", "", 200, `[1]`)
}

// Rows 22-27.
func TestConfig(t *testing.T) {
	c, cl := start(t)
	c.expect("GET", "/config", "", 200, `{"compatibilityLevel":"BACKWARD"}`)
	c.expect("PUT", "/config", `{"compatibility":"full_transitive"}`, 200, `{"compatibility":"FULL_TRANSITIVE"}`)
	c.expect("GET", "/config", "", 200, `{"compatibilityLevel":"FULL_TRANSITIVE"}`)
	c.expectErr("PUT", "/config", `{"compatibility":"SIDEWAYS"}`, 422, 42203)
	c.expect("DELETE", "/config", "", 200, `{"compatibilityLevel":"FULL_TRANSITIVE"}`)
	c.expect("GET", "/config", "", 200, `{"compatibilityLevel":"BACKWARD"}`)

	c.expectErr("GET", "/config/s", "", 404, 40408)
	c.expect("GET", "/config/s?defaultToGlobal=true", "", 200, `{"compatibilityLevel":"BACKWARD"}`)
	c.expect("PUT", "/config/s", `{"compatibility":"FORWARD","normalize":true}`, 200, `{"compatibility":"FORWARD","normalize":true}`)
	c.expect("GET", "/config/s", "", 200, `{"compatibilityLevel":"FORWARD","normalize":true}`)
	c.expectErr("PUT", "/config/__GLOBAL", `{"compatibility":"FORWARD"}`, 422, 42208)
	c.expectErr("PUT", "/config/s", `{"compatibility":"x"}`, 422, 42203)
	c.expect("DELETE", "/config/s", "", 200, `{"compatibilityLevel":"FORWARD","normalize":true}`)
	c.expectErr("DELETE", "/config/s", "", 404, 40401)

	res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}, "k")
	if res[0].Err != nil || res[0].Level != sr.CompatFull {
		t.Fatalf("SetCompatibility = %+v", res[0])
	}
	got := cl.Compatibility(ctx, "k")
	if got[0].Err != nil || got[0].Level != sr.CompatFull {
		t.Fatalf("Compatibility = %+v", got[0])
	}
	got = cl.Compatibility(ctx, "unset")
	srErr(t, got[0].Err, 404, 40408)
}

// Rows 28-33 and IMPORT mode.
func TestModesAndImport(t *testing.T) {
	c, cl := start(t)
	c.expect("GET", "/mode", "", 200, `{"mode":"READWRITE"}`)
	c.expect("POST", "/subjects/live/versions", body(record("L", fID)), 200, `{"id":1}`)

	c.expectErr("PUT", "/mode", `{"mode":"SIDEWAYS"}`, 422, 42204)
	c.expectErr("PUT", "/mode/x", `{"mode":"FORWARD"}`, 422, 42204)
	c.expectErr("PUT", "/mode", `{"mode":"IMPORT"}`, 422, 42205)
	c.expectErr("PUT", "/mode/__EMPTY", `{"mode":"READONLY"}`, 422, 42208)

	t.Run("READONLY blocks writes", func(t *testing.T) {
		c.expect("PUT", "/mode/live", `{"mode":"readonly"}`, 200, `{"mode":"READONLY"}`)
		c.expect("GET", "/mode/live", "", 200, `{"mode":"READONLY"}`)
		c.expectErr("POST", "/subjects/live/versions", body(record("L", fID, fAmount)), 422, 42205)
		c.expectErr("DELETE", "/subjects/live", "", 422, 42205)
		c.expectErr("DELETE", "/subjects/live/versions/1", "", 422, 42205)
		c.expectErr("PUT", "/config/live", `{"compatibility":"NONE"}`, 422, 42205)
		c.expect("GET", "/subjects/live/versions/1", "", 200, "") // reads still work
		c.expect("DELETE", "/mode/live", "", 200, `{"mode":"READONLY"}`)
		c.expectErr("GET", "/mode/live", "", 404, 40409)
		c.expect("GET", "/mode/live?defaultToGlobal=true", "", 200, `{"mode":"READWRITE"}`)
		c.expectErr("DELETE", "/mode/live", "", 404, 40401)
		c.expect("DELETE", "/mode/live?recursive=true", "", 200, `{}`)
	})

	t.Run("IMPORT keeps explicit ids and skips compatibility", func(t *testing.T) {
		res := cl.SetMode(sr.WithParams(ctx, sr.Force), sr.ModeImport)
		if res[0].Err != nil || res[0].Mode != sr.ModeImport {
			t.Fatalf("SetMode = %+v", res[0])
		}
		id, err := cl.RegisterSchema(ctx, "imported", sr.Schema{Schema: record("I", fID)}, 42, 3)
		if err != nil || id != 42 {
			t.Fatalf("import register = %d, %v", id, err)
		}
		c.expect("GET", "/subjects/imported/versions", "", 200, `[3]`)
		// Incompatible, but IMPORT does not check.
		c.expect("POST", "/subjects/imported/versions", body(record("I", fQtyLong), `"id":43`, `"version":4`), 200, `{"id":43}`)
		// Same content again with another id: the existing one wins, 42207.
		c.expectErr("POST", "/subjects/imported/versions", body(record("I", fQtyLong), `"id":50`), 422, 42207)
		// Reusing an id for other content: 42205.
		c.expectErr("POST", "/subjects/other/versions", body(record("Other", fID), `"id":42`), 422, 42205)
		c.expectErr("POST", "/subjects/imported/versions", body(record("I", fID, fAmount), `"id":60`, `"version":3`), 422, 42205)
		c.expect("PUT", "/mode", `{"mode":"READWRITE"}`, 200, `{"mode":"READWRITE"}`)
		// New ids continue after the imported ones.
		c.expect("POST", "/subjects/after/versions", body(record("After", fID)), 200, `{"id":44}`)
	})
	t.Run("ids and versions stay within 32 bits", func(t *testing.T) {
		c.expect("PUT", "/mode?force=true", `{"mode":"IMPORT"}`, 200, `{"mode":"IMPORT"}`)
		c.expectErr("POST", "/subjects/huge/versions", body(record("Huge", fID), `"id":9223372036854775807`, `"version":1`), 422, 42201)
		c.expectErr("POST", "/subjects/huge/versions", body(record("Huge", fID), `"id":2147483648`, `"version":1`), 422, 42201)
		c.expectErr("POST", "/subjects/huge/versions", body(record("Huge", fID), `"id":7`, `"version":3000000000`), 422, 42201)
		// The largest id is fine, and then new ids take the lowest id never
		// used in the context.
		c.expect("POST", "/subjects/last/versions", body(record("Last", fID), `"id":2147483647`, `"version":1`), 200, `{"id":2147483647}`)
		c.expect("GET", "/schemas/ids/2147483647/versions", "", 200, `[{"subject":"last","version":1}]`)
		c.expect("PUT", "/mode", `{"mode":"READWRITE"}`, 200, `{"mode":"READWRITE"}`)
		c.expect("POST", "/subjects/lowest/versions", body(record("Next", fID)), 200, `{"id":2}`)
		// Registering something the registry already holds still works.
		c.expect("POST", "/subjects/next/versions", body(record("Last", fID)), 200, `{"id":2147483647}`)
	})
	t.Run("subject-level IMPORT needs force only when the subject has versions", func(t *testing.T) {
		c.expect("PUT", "/mode/fresh", `{"mode":"IMPORT"}`, 200, `{"mode":"IMPORT"}`)
		c.expectErr("PUT", "/mode/live", `{"mode":"IMPORT"}`, 422, 42205)
		c.expect("PUT", "/mode/live?force=true", `{"mode":"IMPORT"}`, 200, `{"mode":"IMPORT"}`)
		c.expect("DELETE", "/mode?recursive=true", "", 200, `{"mode":"READWRITE"}`)
		c.expectErr("GET", "/mode/live", "", 404, 40409)
	})
	got := cl.Mode(ctx)
	if got[0].Err != nil || got[0].Mode != sr.ModeReadWrite {
		t.Fatalf("Mode = %+v", got[0])
	}
}

// Row 34 and the /contexts/{ctx} prefix.
func TestContexts(t *testing.T) {
	c, cl := start(t)
	c.expect("GET", "/contexts", "", 200, `["."]`)
	c.expect("POST", "/subjects/s/versions", body(record("C", fID)), 200, `{"id":1}`)
	cctx := sr.InContext(ctx, "team")
	id, err := cl.RegisterSchema(cctx, "s", sr.Schema{Schema: record("C", fID, fAmount)}, -1, -1)
	if err != nil || id != 1 {
		t.Fatalf("register in context = %d, %v (ids are per context)", id, err)
	}
	c.expect("GET", "/contexts", "", 200, `[".",".team"]`)
	c.expect("GET", "/subjects", "", 200, `[":.team:s","s"]`)
	c.expect("GET", "/contexts/.team/subjects", "", 200, `[":.team:s"]`)
	c.expect("GET", "/subjects/:.team:s/versions/1", "", 200, `"subject":":.team:s"`)
	got, err := cl.SchemaByID(cctx, 1)
	if err != nil || !strings.Contains(got.Schema, "amount") {
		t.Fatalf("SchemaByID in context = %+v, %v", got, err)
	}
	c.expect("GET", "/schemas/ids/1?subject=:.team:x", "", 200, `amount`)
	c.expect("GET", "/contexts/team/config", "", 200, `{"compatibilityLevel":"BACKWARD"}`)
	c.expect("PUT", "/contexts/team/config", `{"compatibility":"NONE"}`, 200, "")
	c.expect("GET", "/config/s?defaultToGlobal=true", "", 200, `{"compatibilityLevel":"BACKWARD"}`)
	c.expect("GET", "/contexts/team/config/s?defaultToGlobal=true", "", 200, `{"compatibilityLevel":"NONE"}`)
	c.expect("GET", "/contexts?contextPrefix=.t", "", 200, `[".team"]`)
}

func TestBodyLimit(t *testing.T) {
	c, _ := start(t)
	big := body(strings.Repeat(" ", 17<<20) + `"string"`)
	c.expectErr("POST", "/subjects/big/versions", big, 413, 413)
}
