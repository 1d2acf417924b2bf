package serde

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

const (
	orderV1 = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"id","type":"string"}]}`
	orderV2 = `{"type":"record","name":"OrderPlaced","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"total","type":"long","default":0}]}`
)

func TestSchemaByIDCachesAndNamesSubject(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id, _ := tr.register(t, "orders-value", orderV1)
	r := NewRegistry(tr.cl)

	for range 3 {
		s, err := r.SchemaByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != id || s.Subject != "orders-value" || s.Version != 1 || s.Text != orderV1 {
			t.Fatalf("got %+v", s)
		}
		if rec, ok := s.Avro.(*avro.RecordSchema); !ok || rec.FullName() != "shop.OrderPlaced" {
			t.Fatalf("Avro = %v", s.Avro)
		}
	}
	if n := tr.calls.count(fmt.Sprintf("GET /schemas/ids/%d", id)); n != 1 {
		t.Errorf("GET /schemas/ids/%d sent %d times, want 1", id, n)
	}
}

func TestSchemaByIDUnknown(t *testing.T) {
	tr := startRegistry(t)
	r := NewRegistry(tr.cl)
	_, err := r.SchemaByID(context.Background(), 999)
	if !errors.Is(err, ErrUnknownSchemaID) {
		t.Fatalf("error %v is not ErrUnknownSchemaID", err)
	}
	var re *RegistryError
	if !errors.As(err, &re) || re.Code != 40403 || re.StatusCode != 404 {
		t.Fatalf("error %v: want a RegistryError with code 40403", err)
	}
	if !errors.Is(err, sr.ErrSchemaNotFound) {
		t.Errorf("error %v does not unwrap to sr.ErrSchemaNotFound", err)
	}
	if !strings.Contains(err.Error(), "schema id 999") {
		t.Errorf("error %q does not name the id", err)
	}
	// Failures are not cached.
	if _, err := r.SchemaByID(context.Background(), 999); err == nil {
		t.Fatal("second call succeeded")
	}
	if n := tr.calls.count("GET /schemas/ids/999"); n != 2 {
		t.Errorf("GET sent %d times, want 2 (errors are not cached)", n)
	}
}

func TestVersionsOfOneRecordDoNotShadowEachOther(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id1, _ := tr.register(t, "orders-value", orderV1)
	id2, _ := tr.register(t, "orders-value", orderV2)
	r := NewRegistry(tr.cl)
	s2, err := r.SchemaByID(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := r.SchemaByID(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s1.Avro.(*avro.RecordSchema).Fields()); n != 1 {
		t.Errorf("v1 has %d fields, want 1", n)
	}
	if n := len(s2.Avro.(*avro.RecordSchema).Fields()); n != 2 {
		t.Errorf("v2 has %d fields, want 2", n)
	}
}

func TestSchemaBySubject(t *testing.T) {
	ctx := context.Background()
	tr := startRegistry(t)
	id1, _ := tr.register(t, "orders-value", orderV1)
	now := time.Unix(1000, 0)
	r := NewRegistry(tr.cl, WithLatestTTL(time.Minute), withClock(func() time.Time { return now }))

	s, err := r.SchemaBySubject(ctx, "orders-value", 1)
	if err != nil || s.ID != id1 || s.Version != 1 || s.Subject != "orders-value" {
		t.Fatalf("version 1: %+v, %v", s, err)
	}
	latest, err := r.SchemaBySubject(ctx, "orders-value", -1)
	if err != nil || latest != s {
		t.Fatalf("latest: %+v, %v (want the cached version 1)", latest, err)
	}

	id2, _ := tr.register(t, "orders-value", orderV2)
	if latest, _ := r.SchemaBySubject(ctx, "orders-value", -1); latest.ID != id1 {
		t.Errorf("latest within the TTL = id %d, want the remembered %d", latest.ID, id1)
	}
	now = now.Add(2 * time.Minute)
	if latest, _ := r.SchemaBySubject(ctx, "orders-value", -1); latest.ID != id2 || latest.Version != 2 {
		t.Errorf("latest after the TTL = %+v, want id %d version 2", latest, id2)
	}
	if n := tr.calls.count("GET /subjects/orders-value/versions/1"); n != 1 {
		t.Errorf("version 1 fetched %d times, want 1", n)
	}

	_, err = r.SchemaBySubject(ctx, "orders-value", 9)
	var re *RegistryError
	if !errors.As(err, &re) || re.Code != 40402 {
		t.Errorf("missing version: %v, want code 40402", err)
	}
	if _, err := r.SchemaBySubject(ctx, "nope", -1); !errors.Is(err, sr.ErrSubjectNotFound) {
		t.Errorf("missing subject: %v, want sr.ErrSubjectNotFound", err)
	}
	if _, err := r.SchemaBySubject(ctx, "orders-value", 0); err == nil {
		t.Error("version 0 accepted")
	}
}

func TestConcurrentCallersShareOneRequest(t *testing.T) {
	tr := startRegistry(t)
	id, _ := tr.register(t, "orders-value", orderV1)
	r := NewRegistry(tr.cl)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.SchemaByID(context.Background(), id); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := tr.calls.count(fmt.Sprintf("GET /schemas/ids/%d", id)); n != 1 {
		t.Errorf("GET sent %d times for 32 concurrent callers, want 1", n)
	}
}
