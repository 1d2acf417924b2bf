package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/store"
)

// TestParseCacheBound checks the two generations: the cache never holds
// much more than its limit, an entry used again survives rotations, and an
// unbounded cache keeps everything.
func TestParseCacheBound(t *testing.T) {
	key := func(i int) parsedKey { return parsedKey{key: [32]byte{byte(i), byte(i >> 8)}} }
	c := newParseCache(10_000)
	hot := &parsedSchema{size: 100}
	c.put(key(0), hot)
	for i := 1; i < 1000; i++ {
		c.put(key(i), &parsedSchema{size: 100})
		if c.get(key(0)) != hot {
			t.Fatalf("after %d puts the entry used at every step is gone", i)
		}
		if _, size := c.entries(); size > 10_000+2*100 {
			t.Fatalf("after %d puts the cache holds %d bytes, over its limit of 10,000", i, size)
		}
	}
	if c.get(key(1)) != nil {
		t.Error("an entry never used again survived 999 later ones")
	}
	u := newParseCache(0)
	for i := range 1000 {
		u.put(key(i), &parsedSchema{size: 1 << 20})
	}
	if n, _ := u.entries(); n != 1000 {
		t.Errorf("the unbounded cache holds %d of 1000 entries", n)
	}
}

// TestRegisterWithASmallParseCache registers long BACKWARD_TRANSITIVE
// histories with a cache far smaller than they are: every registration is
// still checked against every version (an incompatible one is refused
// naming the version it breaks), and the cache stays within its bound.
func TestRegisterWithASmallParseCache(t *testing.T) {
	ctx := context.Background()
	const limit = 64 << 10
	r, err := Open(ctx, store.NewMemory(), WithParseCacheBytes(limit))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	bt := string(compat.BackwardTransitive)
	if _, err := r.SetConfig(ctx, "", ConfigUpdate{Compatibility: &bt}); err != nil {
		t.Fatal(err)
	}
	schema := func(s, v int, extra string) string {
		var sb strings.Builder
		fmt.Fprintf(&sb, `{"type":"record","name":"Event","namespace":"c.s%d","fields":[{"name":"id","type":"string"}`, s)
		for f := 1; f < v; f++ {
			fmt.Fprintf(&sb, `,{"name":"f%d","type":["null","string"],"default":null}`, f)
		}
		sb.WriteString(extra + `]}`)
		return sb.String()
	}
	for s := range 4 {
		for v := 1; v <= 40; v++ {
			res, err := r.Register(ctx, fmt.Sprintf("s%d", s), RegisterRequest{Schema: schema(s, v, "")})
			if err != nil || res.Version != v {
				t.Fatalf("subject s%d version %d: %+v, %v", s, v, res, err)
			}
			// Each generation may overshoot half the limit by one entry.
			if _, size := r.parsed.entries(); size > limit+2*parsedSize(len(schema(s, 40, ""))) {
				t.Fatalf("the parse cache holds %d bytes, over its limit of %d", size, limit)
			}
		}
	}
	// f1 as a long breaks every version from 2 on: the check must still
	// compare with all of them, parsing again what the cache dropped.
	bad := strings.Replace(schema(0, 41, ""), `{"name":"f1","type":["null","string"],"default":null}`, `{"name":"f1","type":"long","default":0}`, 1)
	_, err = r.Register(ctx, "s0", RegisterRequest{Schema: bad})
	if err == nil || !strings.Contains(err.Error(), "oldSchemaVersion: 2}") || !strings.Contains(err.Error(), "oldSchemaVersion: 40}") {
		t.Fatalf("an incompatible 41st version: %v", err)
	}
}

// TestParseCacheSkipsFirstVersions: registering one version into each of
// many new subjects leaves the parse cache empty; a subject's second
// version caches both its parse and, through its check, the first one's.
func TestParseCacheSkipsFirstVersions(t *testing.T) {
	ctx := context.Background()
	r, err := Open(ctx, store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	schema := func(s int, extra string) string {
		return fmt.Sprintf(`{"type":"record","name":"E%d","fields":[{"name":"id","type":"string"}%s]}`, s, extra)
	}
	for s := range 100 {
		if _, err := r.Register(ctx, fmt.Sprintf("s%d", s), RegisterRequest{Schema: schema(s, "")}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := r.parsed.entries(); n != 0 {
		t.Fatalf("after 100 first versions the parse cache holds %d parses, want 0", n)
	}
	res, err := r.Register(ctx, "s7", RegisterRequest{Schema: schema(7, `,{"name":"n","type":"long","default":0}`)})
	if err != nil || res.Version != 2 {
		t.Fatalf("a second version: %+v, %v", res, err)
	}
	if n, _ := r.parsed.entries(); n != 2 {
		t.Fatalf("after a second version the parse cache holds %d parses, want 2 (both versions)", n)
	}
	// The check still runs against the first version.
	if _, err := r.Register(ctx, "s8", RegisterRequest{Schema: schema(8, `,{"name":"n","type":"long"}`)}); err == nil || !strings.Contains(err.Error(), "READER_FIELD_MISSING_DEFAULT_VALUE") {
		t.Fatalf("an incompatible second version: %v", err)
	}
}
