package compat

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/hamba/avro/v2"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/edactl/edactl/internal/avroschema"
)

// samePrepared fails unless CheckPrepared and CheckBounded agree on
// candidate against history under every level: the same report with an
// ample budget, and the same verdict (report, or ErrTooComplex) at every
// budget from 1 step to the one the check needs.
func samePrepared(t *testing.T, name string, candidate avro.Schema, history []avro.Schema) {
	t.Helper()
	pc := Prepare(candidate)
	ph := make([]*Prepared, len(history))
	for i, h := range history {
		ph[i] = Prepare(h)
	}
	for _, l := range Levels {
		want, err := CheckBounded(l, candidate, history, DefaultBudget)
		if err != nil {
			t.Fatalf("%s %s: %v", name, l, err)
		}
		got, err := CheckPrepared(l, pc, ph, DefaultBudget)
		if err != nil {
			t.Fatalf("%s %s prepared: %v", name, l, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %s: prepared report differs\n got %+v\nwant %+v", name, l, got, want)
		}
		for budget := 1; budget <= 100_000; budget++ {
			want, werr := CheckBounded(l, candidate, history, budget)
			got, gerr := CheckPrepared(l, pc, ph, budget)
			if errors.Is(werr, ErrTooComplex) != errors.Is(gerr, ErrTooComplex) {
				t.Fatalf("%s %s budget %d: CheckBounded %v, CheckPrepared %v", name, l, budget, werr, gerr)
			}
			if werr == nil {
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s budget %d: prepared report differs", name, l, budget)
				}
				break
			}
		}
	}
}

func mustParse(t *testing.T, text string) avro.Schema {
	t.Helper()
	s, err := avroschema.Parse(text)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	return s
}

// TestPreparedMatchesCheckOnTheTable runs every resolution-table pair both
// ways through CheckPrepared and CheckBounded.
func TestPreparedMatchesCheckOnTheTable(t *testing.T) {
	for _, tc := range allCases() {
		r, w := mustParse(t, mustFixture(t, tc.reader)), mustParse(t, mustFixture(t, tc.writer))
		samePrepared(t, tc.reader+"<-"+tc.writer, r, []avro.Schema{w, r})
		samePrepared(t, tc.writer+"<-"+tc.reader, w, []avro.Schema{r})
	}
}

// TestPreparedMatchesCheckOnTheGoldenScenarios runs the golden scenarios'
// histories through both.
func TestPreparedMatchesCheckOnTheGoldenScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scenarios: %v", err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var candidate avro.Schema
		var history []avro.Schema
		for _, f := range ar.Files {
			switch {
			case f.Name == "new.avsc":
				candidate = mustParse(t, string(f.Data))
			case strings.HasPrefix(f.Name, "old"):
				history = append(history, mustParse(t, string(f.Data)))
			}
		}
		samePrepared(t, filepath.Base(file), candidate, history)
	}
}

// TestPreparedMatchesCheckOnRandomSchemas runs random records and their
// mutations (the differential test's generator) through both.
func TestPreparedMatchesCheckOnRandomSchemas(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := range n {
		g := &schemaGen{rng: rng}
		a := g.record("Root", 3)
		b := g.mutate(a, 1+rng.IntN(3))
		c := g.mutate(b, 1+rng.IntN(3))
		sa, err1 := avroschema.Parse(a.json())
		sb, err2 := avroschema.Parse(b.json())
		sc, err3 := avroschema.Parse(c.json())
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		samePrepared(t, fmt.Sprintf("random %d", i), sc, []avro.Schema{sb, sa})
		samePrepared(t, fmt.Sprintf("random %d reversed", i), sa, []avro.Schema{sb, sc})
	}
}

// TestPreparedLongHistory checks a long history of optional fields, and the
// same history with one version that makes the candidate incompatible,
// through both, and that the shortcut applies to the optional fields.
func TestPreparedLongHistory(t *testing.T) {
	version := func(v int, last string) string {
		var sb strings.Builder
		sb.WriteString(`{"type":"record","name":"Event","fields":[{"name":"id","type":"string"}`)
		for f := 1; f < v; f++ {
			fmt.Fprintf(&sb, `,{"name":"f%d","type":["null","string"],"default":null}`, f)
		}
		sb.WriteString(last + `]}`)
		return sb.String()
	}
	var history []avro.Schema
	for v := 30; v >= 1; v-- {
		history = append(history, mustParse(t, version(v, "")))
	}
	candidate := mustParse(t, version(31, ""))
	samePrepared(t, "optional fields", candidate, history)
	r, err := CheckPrepared(BackwardTransitive, Prepare(candidate), prepareAll(history), DefaultBudget)
	if err != nil || !r.Compatible || len(r.Comparisons) != 30 {
		t.Fatalf("optional fields: %v, %+v", err, r)
	}
	ix := Prepare(candidate).records[candidate.(*avro.RecordSchema)]
	if ix.shapes[1].key != `u(null,string)` || ix.shapes[1].steps == 0 {
		t.Fatalf("field f1 has shape %+v, want the union's key and its steps", ix.shapes[1])
	}
	// An old version that wrote f7 as a long: the candidate's string
	// union cannot read it.
	history[10] = mustParse(t, strings.Replace(version(20, ""), `{"name":"f7","type":["null","string"],"default":null}`, `{"name":"f7","type":["null","long"],"default":null}`, 1))
	samePrepared(t, "one bad version", candidate, history)
	r, err = CheckPrepared(BackwardTransitive, Prepare(candidate), prepareAll(history), DefaultBudget)
	if err != nil || r.Compatible || len(r.Incompatibilities()) != 1 || r.Incompatibilities()[0].Path != "Event.f7" {
		t.Fatalf("one bad version: %v, %+v", err, r.Incompatibilities())
	}
}

func prepareAll(ss []avro.Schema) []*Prepared {
	out := make([]*Prepared, len(ss))
	for i, s := range ss {
		out[i] = Prepare(s)
	}
	return out
}

// TestPreparedStressSchemas runs the stress tests' wide records, deep
// nesting and wide unions through both (with an ample budget only: their
// checks take many steps).
func TestPreparedStressSchemas(t *testing.T) {
	cases := map[string][2]string{
		"wide":      {wideRecord(500, func(i int) string { return `["null","long"]` }), wideRecord(400, func(i int) string { return `["null","int"]` })},
		"deep":      {deepRecord(50, `"long"`), deepRecord(50, `"int"`)},
		"recursive": {`{"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]}]}`, `{"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]}`},
	}
	for name, c := range cases {
		r, w := mustParse(t, c[0]), mustParse(t, c[1])
		for _, l := range Levels {
			want, err1 := CheckBounded(l, r, []avro.Schema{w, r}, DefaultBudget)
			got, err2 := CheckPrepared(l, Prepare(r), []*Prepared{Prepare(w), Prepare(r)}, DefaultBudget)
			if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s: reports differ (%v, %v)", name, l, err1, err2)
			}
		}
	}
	reader, same, changed, renamed := wideUnionPairs(t, 300)
	for _, w := range []avro.Schema{same, changed, renamed} {
		want, err1 := CheckBounded(Full, reader, []avro.Schema{w}, DefaultBudget)
		got, err2 := CheckPrepared(Full, Prepare(reader), []*Prepared{Prepare(w)}, DefaultBudget)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("wide unions: reports differ (%v, %v)", err1, err2)
		}
	}
}

// TestNameBloomAndShapeIDs checks the prepared lookups' shortcuts: a name
// added to a bloom is always found in it, and shapes compare by interned id
// exactly as by key, also when one of them has no id (the table was full).
func TestNameBloomAndShapeIDs(t *testing.T) {
	var b nameBloom
	for i := range 2000 {
		name := fmt.Sprintf("field_%d", i)
		if i%2 == 0 {
			b.add(nameHash(name))
		}
	}
	for i := range 2000 {
		name := fmt.Sprintf("field_%d", i)
		if i%2 == 0 && !b.mayHave(nameHash(name)) {
			t.Fatalf("%s was added but the bloom says absent", name)
		}
	}
	var few nameBloom
	for i := range 75 {
		few.add(nameHash(fmt.Sprintf("f%d", i)))
	}
	miss := 0
	for i := 75; i < 1075; i++ {
		if !few.mayHave(nameHash(fmt.Sprintf("f%d", i))) {
			miss++
		}
	}
	if miss < 800 {
		t.Errorf("a bloom of 75 names excludes only %d of 1000 other names", miss)
	}
	// Keys no type has, so that the table keeps no made-up steps for a
	// real shape.
	keys := []string{"test:u(null,string)", "test:u(null,long)", "test:a(int)", ""}
	for _, k1 := range keys {
		for _, k2 := range keys {
			want := k1 != "" && k1 == k2
			s1, s2 := fieldShape{key: k1}, fieldShape{key: k2}
			if k1 != "" {
				s1.id = internShape(k1, 1).id
			}
			if k2 != "" {
				s2.id = internShape(k2, 1).id
			}
			for _, c := range [][2]fieldShape{{s1, s2}, {{key: k1}, s2}, {s1, {key: k2}}} {
				if got := c[0].same(c[1]); got != want {
					t.Errorf("shape %q (id %d) same as %q (id %d): %v, want %v", c[0].key, c[0].id, c[1].key, c[1].id, got, want)
				}
			}
		}
	}
}

// internName keeps a copy of a name, never the string it was given (which
// may be a slice of a whole request's text), and gives equal names the same
// copy.
func TestInternNameCopies(t *testing.T) {
	text := `{"name":"internNameCopiesField","type":"int"}`
	name := text[9:30]
	got := internName(name)
	if got != name {
		t.Fatalf("internName(%q) = %q", name, got)
	}
	if unsafe.StringData(got) == unsafe.StringData(name) {
		t.Fatal("internName kept the text's own bytes")
	}
	if again := internName(strings.Clone(name)); unsafe.StringData(again) != unsafe.StringData(got) {
		t.Fatal("an equal name got another copy")
	}
}
