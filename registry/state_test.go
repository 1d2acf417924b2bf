package registry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/edactl/edactl/registry/store"
)

func TestDecodeRecord(t *testing.T) {
	good := []string{
		`{"v":1,"kind":"SchemaRegistered","subject":"s","version":1,"id":1,"schema":"\"string\""}`,
		`{"v":1,"kind":"VersionDeleted","subject":":.ctx:s","version":2,"permanent":true}`,
		`{"v":1,"kind":"SubjectDeleted","subject":"s"}`,
		`{"v":1,"kind":"ConfigSet","config":{"compatibilityLevel":"FULL"}}`,
		`{"v":1,"kind":"ConfigSet","subject":":.ctx:","config":{}}`,
		`{"v":1,"kind":"ModeSet","subject":"s","mode":"READONLY"}`,
		`{"v":1,"kind":"ModeDeleted","recursive":true}`,
		`{"v":1,"kind":"ConfigDeleted","subject":"s","future":"ignored"}`,
	}
	for _, g := range good {
		if _, err := decodeRecord([]byte(g)); err != nil {
			t.Errorf("decodeRecord(%s): %v", g, err)
		}
	}
	bad := map[string]string{
		`{"v":4,"kind":"ModeSet","mode":"READONLY"}`:                                               "newer than",
		`{"kind":"ModeSet","mode":"READONLY"}`:                                                     "format version",
		`{"v":1,"kind":"Exploded"}`:                                                                "unknown kind",
		`{"v":1,"kind":"SchemaRegistered","subject":"s","version":0,"id":1,"schema":"x"}`:          "must be in [1, 2147483647]",
		`{"v":1,"kind":"SchemaRegistered","subject":"s","version":1,"id":2147483648,"schema":"x"}`: "must be in [1, 2147483647]",
		`{"v":1,"kind":"SchemaRegistered","subject":"__GLOBAL","version":1,"id":1,"schema":"x"}`:   "invalid subject",
		`{"v":1,"kind":"ModeSet","mode":"readonly"}`:                                               "invalid mode",
		`{"v":1,"kind":"ConfigSet","config":{"compatibilityLevel":"SIDEWAYS"}}`:                    "invalid compatibility",
		`{"v":1,"kind":"ConfigSet"}`:                                                               "missing config",
		`{"v":1,"kind":"ModeSet","mode":"READONLY"} {}`:                                            "trailing",
		`[1,2]`: "decode record",
		``:      "decode record",
	}
	for in, want := range bad {
		_, err := decodeRecord([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decodeRecord(%s) = %v, want an error containing %q", in, err, want)
		}
	}
}

func reg(subject string, version, id int, schema string) record {
	return record{Format: 1, Kind: schemaRegistered, Subject: subject, Version: version, ID: id, Schema: schema}
}

func TestFoldRejectsRecordsThatBreakRules(t *testing.T) {
	st := newState()
	steps := []struct {
		rec record
		ok  bool
	}{
		{reg("a", 1, 1, `"string"`), true},
		{reg("a", 1, 2, `"int"`), false},   // version taken
		{reg("b", 1, 1, `"int"`), false},   // id names other content
		{reg("b", 1, 1, `"string"`), true}, // same content, same id
		{record{Format: 1, Kind: versionDeleted, Subject: "a", Version: 1, Permanent: true}, false}, // not soft deleted
		{record{Format: 1, Kind: subjectDeleted, Subject: "a"}, true},
		{record{Format: 1, Kind: subjectDeleted, Subject: "a"}, false}, // already soft deleted
		{record{Format: 1, Kind: subjectDeleted, Subject: "a", Permanent: true}, true},
		{record{Format: 1, Kind: subjectDeleted, Subject: "b"}, true},
		{record{Format: 1, Kind: subjectDeleted, Subject: "b", Permanent: true}, true},
		{reg("c", 1, 1, `"string"`), false}, // id 1 is retired
		{record{Format: 1, Kind: configDeleted, Subject: "zz"}, false},
	}
	for i, s := range steps {
		err := st.apply(&s.rec)
		if (err == nil) != s.ok {
			t.Fatalf("step %d (%s %s): err = %v, want ok=%v", i, s.rec.Kind, s.rec.Subject, err, s.ok)
		}
	}
	if st.subjects.len() != 0 || st.context(".").maxID != 1 {
		t.Fatalf("state after steps: %d subjects, maxID %d", st.subjects.len(), st.context(".").maxID)
	}
}

// TestReplayIsDeterministic registers concurrently (so the sequencer groups
// commits), then replays the log into a second registry and compares every
// answer.
func TestReplayIsDeterministic(t *testing.T) {
	ctx := context.Background()
	log := store.NewMemory()
	r, err := Open(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				schema := fmt.Sprintf(`{"type":"record","name":"R","fields":[{"name":"f%d","type":"int","default":0}]}`, i%5)
				if _, err := r.Register(ctx, fmt.Sprintf("s%d", w%3), RegisterRequest{Schema: schema}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if _, err := r.DeleteVersion(ctx, "s1", 1, SoftDelete); err != nil {
		t.Fatal(err)
	}
	if st := r.Stats(); st.Commits >= st.Records {
		t.Logf("no batching observed: %d commits for %d records", st.Commits, st.Records)
	}
	r.Close()
	r2, err := Open(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	dump := func(r *Registry) string {
		var b strings.Builder
		for _, v := range r.Schemas(SchemasFilter{Deleted: IncludeDeleted}) {
			fmt.Fprintf(&b, "%s\n", v.JSON())
		}
		fmt.Fprint(&b, r.MaxID("."))
		return b.String()
	}
	if a, b := dump(r), dump(r2); a != b {
		t.Fatalf("replayed state differs:\n%s\n---\n%s", a, b)
	}
}

// TestContentKeysAreTheFoldsOwn: the content key a registration's fact
// carries from its preparation is the one the fold computes from the fact
// itself (schema, references, metadata), so a replay, which has no
// preparation, keys every content alike.
func TestContentKeysAreTheFoldsOwn(t *testing.T) {
	r, err := Open(context.Background(), store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fillForSnapshot(t, r)
	n := 0
	for _, cs := range r.snapshot().contexts.all {
		for id, c := range cs.byID.all {
			n++
			md := c.Metadata
			if md.empty() {
				md = nil
			}
			if want := contentKey(c.SchemaType, c.Schema, c.References, md); c.key != want {
				t.Errorf("id %d (%s): key %x, the fold computes %x", id, c.Schema, c.key, want)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d contents", n)
	}
}

// TestFoldCountersMatchACount applies random registrations (explicit ids,
// reused, retired, above the largest), soft and permanent deletes to a
// state, through one edit per batch of records as the sequencer does, and
// after every record checks what the fold keeps incrementally against a
// count from scratch: the lowest id never used, the largest id, and how
// many versions use each id. A second state folds the same records
// without edits and must end the same.
func TestFoldCountersMatchACount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	st, plain := newState(), newState()
	check := func(st *state, step int) {
		t.Helper()
		cs := st.context(".")
		if cs == nil {
			return
		}
		free := 1
		for cs.byID.has(free) || cs.retired.has(free) {
			free++
		}
		uses := map[int]int{}
		for _, sub := range st.subjects.all {
			for _, v := range sub.versions {
				uses[v.Content.ID]++
			}
		}
		maxID := 0
		for id := range cs.byID.all {
			maxID = max(maxID, id)
		}
		for id := range cs.retired.all {
			maxID = max(maxID, id)
		}
		if cs.freeFrom != free || cs.maxID != maxID {
			t.Fatalf("step %d: freeFrom %d, maxID %d; a count gives %d and %d", step, cs.freeFrom, cs.maxID, free, maxID)
		}
		if cs.uses.len() != len(uses) || cs.byID.len() != len(uses) {
			t.Fatalf("step %d: %d ids counted, %d in use by versions, %d bound", step, cs.uses.len(), len(uses), cs.byID.len())
		}
		for id, n := range uses {
			if cs.uses.at(id) != n {
				t.Fatalf("step %d: id %d counted %d uses, %d versions use it", step, id, cs.uses.at(id), n)
			}
		}
	}
	var ed *edit
	for step := range 4000 {
		if step%(1+step%17) == 0 {
			ed.close()
			ed = newEdit()
			st.edit = ed
		}
		s := "s" + strconv.Itoa(rng.IntN(12))
		var rec record
		sub := st.subject(s)
		switch op := rng.IntN(10); {
		case op < 6 || sub == nil:
			next := 1
			if sub != nil {
				next = sub.maxVersion() + 1
			}
			id := 1 + rng.IntN(90) // as IMPORT may
			switch k := rng.IntN(10); {
			case step < 300 || k < 7:
				id, _ = st.nextID(".", 120) // as a registration allocates
			case k == 7 && st.context(".") != nil:
				id = st.context(".").maxID // the newest schema, under another subject
			}
			rec = reg(s, next, id, `{"type":"fixed","name":"F`+strconv.Itoa(id%100)+`","size":1}`)
		default:
			v := sub.versions[rng.IntN(len(sub.versions))]
			rec = record{Format: recordFormat, Kind: versionDeleted, Subject: s, Version: v.Version, Permanent: v.Deleted}
		}
		rec.Format = recordFormat
		before := ed.changes
		err := st.apply(&rec)
		if err != nil && ed.changes != before {
			t.Fatalf("step %d: a refused record (%v) changed nodes in place", step, err)
		}
		plainRec := rec
		if perr := plain.apply(&plainRec); (perr == nil) != (err == nil) {
			t.Fatalf("step %d: with an edit %v, without %v", step, err, perr)
		}
		check(st, step)
	}
	ed.close()
	check(plain, -1)
	a, b := st.context("."), plain.context(".")
	if a.freeFrom != b.freeFrom || a.maxID != b.maxID || st.subjects.len() != plain.subjects.len() {
		t.Fatalf("with edits: freeFrom %d, maxID %d, %d subjects; without: %d, %d, %d", a.freeFrom, a.maxID, st.subjects.len(), b.freeFrom, b.maxID, plain.subjects.len())
	}
	for name, sub := range plain.subjects.all {
		got := st.subject(name)
		if got == nil || len(got.versions) != len(sub.versions) {
			t.Fatalf("subject %s differs", name)
		}
		for i, v := range sub.versions {
			if w := got.versions[i]; w.Version != v.Version || w.Deleted != v.Deleted || w.Content.ID != v.Content.ID {
				t.Fatalf("subject %s version %d differs", name, v.Version)
			}
		}
	}
}
