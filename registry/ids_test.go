package registry

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/store"
)

// After an IMPORT of the largest id, new schemas take the lowest id never
// used in the context: ids that are bound are skipped, and so are retired
// ones (a hard-deleted schema's id is never reused); a replay allocates the
// same. It used to be 500 for every new schema, forever.
func TestNewIDsAfterTheLargestID(t *testing.T) {
	ctx := context.Background()
	log := store.NewMemory()
	r := openTest(t, log)
	if _, err := r.SetMode(ctx, "", "IMPORT", ForceImport); err != nil {
		t.Fatal(err)
	}
	for i, id := range []int{1, 2, 3, maxIDOrVersion} {
		name := string(rune('a' + i))
		if _, err := r.Register(ctx, name, RegisterRequest{Schema: recordSchema(strings.ToUpper(name)), ID: id, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.SetMode(ctx, "", "READWRITE", CheckImport); err != nil {
		t.Fatal(err)
	}
	// Retire id 3.
	if _, err := r.DeleteSubject(ctx, "c", SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteSubject(ctx, "c", PermanentDelete); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{4, 5} {
		res, err := r.Register(ctx, "new", RegisterRequest{Schema: recordSchema("N", `{"name":"f`+string(rune('0'+want))+`","type":"int","default":0}`)})
		if err != nil || res.ID != want {
			t.Fatalf("new schema = %+v, %v; want id %d", res, err, want)
		}
	}
	if got := r.MaxID("."); got != maxIDOrVersion {
		t.Fatalf("MaxID = %d", got)
	}
	r.Close()
	r2 := openTest(t, log)
	for _, id := range []int{4, 5} {
		if _, err := r2.SchemaByID(".", id); err != nil {
			t.Fatalf("replayed id %d: %v", id, err)
		}
	}
	if res, err := r2.Register(ctx, "new2", RegisterRequest{Schema: `"string"`}); err != nil || res.ID != 6 {
		t.Fatalf("after replay = %+v, %v", res, err)
	}
}

// When every id of a context has been used, a new schema is a clear 4xx
// naming the remedy; another context still has ids, and schemas the
// context already holds still register. The id limit is injected: the
// production path is the same with 2^31-1.
func TestAFullIDSpaceIs4xx(t *testing.T) {
	ctx := context.Background()
	r := openTest(t, nil, withMaxID(3))
	for i := range 3 {
		if _, err := r.Register(ctx, "s"+string(rune('0'+i)), RegisterRequest{Schema: recordSchema("R" + string(rune('0'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Register(ctx, "full", RegisterRequest{Schema: recordSchema("Full")})
	re := wantCode(t, "a fourth id", err, CodeOperationNotPermitted)
	if re.HTTPStatus() != 422 || !strings.Contains(re.Message, "every id from 1 to 3") || !strings.Contains(re.Message, "another schema context") {
		t.Fatalf("message = %q", re.Message)
	}
	if res, err := r.Register(ctx, ":.other:full", RegisterRequest{Schema: recordSchema("Full")}); err != nil || res.ID != 1 {
		t.Fatalf("in another context = %+v, %v", res, err)
	}
	if res, err := r.Register(ctx, "again", RegisterRequest{Schema: recordSchema("R1")}); err != nil || res.ID != 2 {
		t.Fatalf("a schema the context holds = %+v, %v", res, err)
	}
}

// nextID finds the lowest never-used id through the cursor the fold keeps,
// not by scanning: the state below has 20,000 ids used from 1 and the
// largest one.
func TestNextIDIsTheLowestNeverUsed(t *testing.T) {
	st := newState()
	apply := func(subject string, id int) {
		t.Helper()
		rec := reg(subject, 1, id, `{"type":"fixed","name":"F`+subject+`","size":1}`)
		rec.Format = recordFormat
		if err := st.apply(&rec); err != nil {
			t.Fatal(err)
		}
	}
	apply("top", maxIDOrVersion)
	for i := 1; i <= 20000; i++ {
		if i != 500 {
			apply("s"+strconv.Itoa(i), i)
		}
	}
	if id, ok := st.nextID(".", maxIDOrVersion); !ok || id != 500 {
		t.Fatalf("nextID = %d, %v; want 500", id, ok)
	}
	apply("s500", 500)
	if id, ok := st.nextID(".", maxIDOrVersion); !ok || id != 20001 {
		t.Fatalf("nextID = %d, %v; want 20001", id, ok)
	}
	if cs := st.context("."); cs.freeFrom != 20001 {
		t.Fatalf("cursor at %d", cs.freeFrom)
	}
}
