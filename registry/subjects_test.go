package registry

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/edactl/edactl/registry/store"
)

// TestDeletedChoices pins what each Deleted value admits, on every read that
// takes one: a subject with versions 1 (soft deleted) and 2, and a subject
// whose only version is soft deleted.
func TestDeletedChoices(t *testing.T) {
	ctx := context.Background()
	r, err := Open(ctx, store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	schema := func(n int) string {
		return fmt.Sprintf(`{"type":"record","name":"R","fields":[{"name":"f%d","type":"int","default":0}]}`, n)
	}
	for _, s := range []struct {
		subject string
		n       int
	}{{"a", 1}, {"a", 2}, {"gone", 3}} {
		if _, err := r.Register(ctx, s.subject, RegisterRequest{Schema: schema(s.n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.DeleteVersion(ctx, "a", 1, SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteSubject(ctx, "gone", SoftDelete); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name              string
		d                 Deleted
		subjects          string
		versions          string
		latest            int // Version("a", -1, d), 0 if not found
		v1, v2            bool
		goneFound         bool
		byID1, schemasAll string
	}{
		{"LiveOnly", LiveOnly, "[a]", "[2]", 2, false, true, false, "[]", "[a/2]"},
		{"IncludeDeleted", IncludeDeleted, "[a gone]", "[1 2]", 2, true, true, true, "[{a 1}]", "[a/1 a/2 gone/1]"},
		{"DeletedOnly", DeletedOnly, "[gone]", "[1]", 1, true, false, true, "[{a 1}]", "[a/1 gone/1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmt.Sprint(r.Subjects("", tc.d)); got != tc.subjects {
				t.Errorf("Subjects = %s, want %s", got, tc.subjects)
			}
			vs, err := r.Versions("a", tc.d)
			if got := fmt.Sprint(vs); err != nil || got != tc.versions {
				t.Errorf("Versions(a) = %s, %v; want %s", got, err, tc.versions)
			}
			latest := 0
			if v, err := r.Version("a", -1, tc.d); err == nil {
				latest = v.Version
			}
			if latest != tc.latest {
				t.Errorf("Version(a, latest) = %d, want %d", latest, tc.latest)
			}
			for n, want := range map[int]bool{1: tc.v1, 2: tc.v2} {
				_, err := r.Version("a", n, tc.d)
				if want != (err == nil) || err != nil && !errors.Is(err, ErrVersionNotFound) {
					t.Errorf("Version(a, %d) err = %v, want found=%v", n, err, want)
				}
			}
			_, err = r.Versions("gone", tc.d)
			if tc.goneFound != (err == nil) || err != nil && !errors.Is(err, ErrSubjectNotFound) {
				t.Errorf("Versions(gone) err = %v, want found=%v", err, tc.goneFound)
			}
			svs, err := r.VersionsByID(DefaultContext, 1, tc.d)
			if got := fmt.Sprint(svs); err != nil || got != tc.byID1 {
				t.Errorf("VersionsByID(1) = %s, %v; want %s", got, err, tc.byID1)
			}
			var all []string
			for _, v := range r.Schemas(SchemasFilter{Deleted: tc.d}) {
				all = append(all, fmt.Sprintf("%s/%d", v.Subject, v.Version))
			}
			if got := fmt.Sprint(all); got != tc.schemasAll {
				t.Errorf("Schemas = %s, want %s", got, tc.schemasAll)
			}
		})
	}
}
