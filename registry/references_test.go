package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/store"
)

const (
	moneySchema  = `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	orderSchema  = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`
	orderSchema2 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"},{"name":"note","type":"string","default":""}]}`
)

var moneyRef = []Reference{{Name: "shop.Money", Subject: "money", Version: 1}}

// Registering the schema of a soft-deleted version again makes a new version
// with the same id; as on Confluent, the soft-deleted version is kept when
// another schema references it (with a warning), so the referrer stays
// resolvable and writable, and a replay gives the same state.
func TestRegisteringAgainKeepsAReferencedSoftDeletedVersion(t *testing.T) {
	ctx := context.Background()
	log := store.NewMemory()
	var logs logBuffer
	r := openTest(t, log, WithLogger(logs.logger()))
	money, err := r.Register(ctx, "money", RegisterRequest{Schema: moneySchema})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteVersion(ctx, "money", 1, SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(ctx, "order", RegisterRequest{Schema: orderSchema, References: moneyRef}); err != nil {
		t.Fatal(err)
	}
	again, err := r.Register(ctx, "money", RegisterRequest{Schema: moneySchema})
	if err != nil || again.ID != money.ID || again.Version != 2 {
		t.Fatalf("register money again = %+v, %v", again, err)
	}
	if !strings.Contains(logs.String(), "without tombstoning") || !strings.Contains(logs.String(), "kept=[1]") {
		t.Fatalf("no warning about the kept version in the log:\n%s", logs.String())
	}
	check := func(r *Registry) {
		t.Helper()
		if vs, err := r.Versions("money", IncludeDeleted); err != nil || fmt.Sprint(vs) != "[1 2]" {
			t.Fatalf("Versions(money, deleted) = %v, %v", vs, err)
		}
		if ids, err := r.ReferencedBy("money", 1, IncludeDeleted); err != nil || len(ids) == 0 {
			t.Fatalf("ReferencedBy(money 1) = %v, %v", ids, err)
		}
		if _, err := r.Resolved(mustVersion(t, r, "order", 1).Content); err != nil {
			t.Fatalf("order does not resolve: %v", err)
		}
	}
	check(r)
	// The referrer can still be written to (it was 500 on every write).
	if _, err := r.Register(ctx, "order", RegisterRequest{Schema: orderSchema2, References: moneyRef}); err != nil {
		t.Fatalf("register order v2: %v", err)
	}
	r.Close()
	check(openTest(t, log))
}

func mustVersion(t *testing.T, r *Registry, subject string, v int) *Version {
	t.Helper()
	ver, err := r.Version(subject, v, IncludeDeleted)
	if err != nil {
		t.Fatal(err)
	}
	return ver
}

// Deleting a referenced version follows Confluent's deleteSchemaVersion: a
// soft delete is refused (42206) while a live version references it, a
// permanent delete while any version, soft-deleted ones included, does.
func TestDeletingAReferencedVersion(t *testing.T) {
	ctx := context.Background()
	log := store.NewMemory()
	r := openTest(t, log)
	if _, err := r.Register(ctx, "money", RegisterRequest{Schema: moneySchema}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(ctx, "order", RegisterRequest{Schema: orderSchema, References: moneyRef}); err != nil {
		t.Fatal(err)
	}
	_, err := r.DeleteVersion(ctx, "money", 1, SoftDelete)
	wantCode(t, "soft delete with a live referrer", err, CodeReferenceExists)
	if _, err := r.DeleteVersion(ctx, "order", 1, SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteVersion(ctx, "money", 1, SoftDelete); err != nil {
		t.Fatalf("soft delete with only a soft-deleted referrer: %v", err)
	}
	_, err = r.DeleteVersion(ctx, "money", 1, PermanentDelete)
	wantCode(t, "permanent delete with a soft-deleted referrer", err, CodeReferenceExists)
	if _, err := r.DeleteVersion(ctx, "order", 1, PermanentDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteVersion(ctx, "money", 1, PermanentDelete); err != nil {
		t.Fatalf("permanent delete once nothing references it: %v", err)
	}
	r.Close()
	if got := openTest(t, log).Subjects("", IncludeDeleted); len(got) != 0 {
		t.Fatalf("replayed subjects = %v", got)
	}
}

// A log written by an older edactl (record format 1) can hold a version
// whose reference no longer resolves: registering the referenced schema
// again tombstoned the referenced version. Replaying it keeps that state,
// and whatever must read the broken version answers 42201 naming it, never
// an internal error.
func TestAnUnresolvableStoredReferenceIs4xx(t *testing.T) {
	ctx := context.Background()
	log := store.NewMemory()
	old := []record{
		{Format: 1, Kind: schemaRegistered, Subject: "money", Version: 1, ID: 1, Schema: moneySchema},
		{Format: 1, Kind: versionDeleted, Subject: "money", Version: 1},
		{Format: 1, Kind: schemaRegistered, Subject: "order", Version: 1, ID: 2, Schema: orderSchema, References: moneyRef},
		{Format: 1, Kind: schemaRegistered, Subject: "money", Version: 2, ID: 1, Schema: moneySchema},
	}
	var data [][]byte
	for _, rec := range old {
		b, err := encodeRecord(&rec)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	if _, err := log.Append(ctx, data); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, log)
	if _, err := r.Version("money", 1, IncludeDeleted); err == nil {
		t.Fatal("replaying format 1 kept the tombstoned version")
	}
	_, err := r.Register(ctx, "order", RegisterRequest{Schema: recordSchema("Other", `{"name":"a","type":"int"}`)})
	re := wantCode(t, "register against the broken version", err, CodeInvalidSchema)
	if re.HTTPStatus() != 422 || !strings.Contains(re.Message, "version 1 of subject order") || !strings.Contains(re.Message, "soft delete that version") {
		t.Fatalf("message = %q", re.Message)
	}
	_, err = r.CheckCompatibility(ctx, "order", 0, RegisterRequest{Schema: recordSchema("Other", `{"name":"a","type":"int"}`)})
	wantCode(t, "compatibility check against the broken version", err, CodeInvalidSchema)
	_, err = r.Resolved(mustVersion(t, r, "order", 1).Content)
	wantCode(t, "resolving the broken version", err, CodeInvalidSchema)
	// The way out the message names works.
	if _, err := r.DeleteVersion(ctx, "order", 1, SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(ctx, "order", RegisterRequest{Schema: recordSchema("Other", `{"name":"a","type":"int"}`)}); err != nil {
		t.Fatalf("register once the broken version is soft deleted: %v", err)
	}
}
