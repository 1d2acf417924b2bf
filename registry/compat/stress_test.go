package compat

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/hamba/avro/v2"
)

func wideRecord(n int, typ func(i int) string) string {
	var b strings.Builder
	b.WriteString(`{"type":"record","name":"Wide","fields":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"f%d","type":%s}`, i, typ(i))
	}
	b.WriteString("]}")
	return b.String()
}

func deepRecord(depth int, leaf string) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, `{"type":"record","name":"L%d","fields":[{"name":"next","type":`, i)
	}
	b.WriteString(leaf)
	for i := 0; i < depth; i++ {
		b.WriteString("}]}")
	}
	return b.String()
}

// A 10,000-field record: every broken field is reported, in linear time.
func TestTenThousandFields(t *testing.T) {
	reader, err := avroschema.Parse(wideRecord(10000, func(int) string { return `"long"` }))
	if err != nil {
		t.Fatal(err)
	}
	writer, err := avroschema.Parse(wideRecord(10000, func(i int) string {
		if i%10 == 0 {
			return `"string"`
		}
		return `"int"`
	}))
	if err != nil {
		t.Fatal(err)
	}
	issues := CheckPair(reader, writer)
	if len(issues) != 1000 {
		t.Fatalf("got %d incompatibilities, want 1000", len(issues))
	}
	if issues[999].Path != "Wide.f9990" || issues[999].Rule != TypeMismatch {
		t.Fatalf("last issue %v", issues[999])
	}
	if len(CheckPair(writer, writer)) != 0 {
		t.Fatal("a schema must be compatible with itself")
	}
}

// A record nested 200 levels deep: the path of the leaf problem is complete.
func TestTwoHundredLevels(t *testing.T) {
	reader, err := avroschema.Parse(deepRecord(200, `"int"`))
	if err != nil {
		t.Fatal(err)
	}
	writer, err := avroschema.Parse(deepRecord(200, `"string"`))
	if err != nil {
		t.Fatal(err)
	}
	issues := CheckPair(reader, writer)
	if len(issues) != 1 {
		t.Fatalf("got %v", issues)
	}
	want := "L0" + strings.Repeat(".next", 200)
	if issues[0].Path != want {
		t.Fatalf("path %q, want %q", issues[0].Path, want)
	}
	if got := strings.Count(issues[0].Pointer, "/fields/0/type"); got != 200 {
		t.Fatalf("pointer %q has %d steps", issues[0].Pointer, got)
	}
	if r := Check(FullTransitive, reader, []avroSchema{reader, reader}); !r.Compatible {
		t.Fatal("a deep schema must be compatible with itself")
	}
}

// Self-recursive and mutually recursive records terminate, and problems
// inside the recursion are still found.
func TestRecursiveRecords(t *testing.T) {
	self := `{"type":"record","name":"Node","fields":[{"name":"v","type":%q},{"name":"next","type":["null","Node"]},{"name":"kids","type":{"type":"map","values":"Node"}}]}`
	a, _ := avroschema.Parse(fmt.Sprintf(self, "long"))
	b, _ := avroschema.Parse(fmt.Sprintf(self, "int"))
	if issues := CheckPair(a, b); len(issues) != 0 {
		t.Fatalf("long reads int: %v", issues)
	}
	issues := CheckPair(b, a)
	if len(issues) != 1 || issues[0].Path != "Node.v" {
		t.Fatalf("int reading long: %v", issues)
	}
	mutual := `{"type":"record","name":"A","fields":[{"name":"b","type":["null",{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]},{"name":"x","type":%q}]}]}]}`
	m1, err := avroschema.Parse(fmt.Sprintf(mutual, "int"))
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := avroschema.Parse(fmt.Sprintf(mutual, "string"))
	issues = CheckPair(m1, m2)
	if len(issues) != 1 || issues[0].Path != "A.b.x" {
		t.Fatalf("mutual recursion: %v", issues)
	}
}

// wideUnion is a record with one field whose type is a union of n records,
// R0 ... R(n-1) in namespace ns, each with one field of type leaf(i).
func wideUnion(n int, ns string, leaf func(i int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"record","name":"Holder","namespace":%q,"fields":[{"name":"u","type":[`, ns)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"record","name":"R%d","fields":[{"name":"v","type":%s}]}`, i, leaf(i))
	}
	b.WriteString("]}]}")
	return b.String()
}

// wideUnionPairs parses a reader with a union of n records and three
// writers: the same schema; one whose branches are renamed into another
// namespace (names match by unqualified name) and whose last branch writes
// a string the reader's long cannot read; one whose branches all have names
// the reader lacks.
func wideUnionPairs(tb testing.TB, n int) (reader, same, changed, renamed avro.Schema) {
	tb.Helper()
	long := func(int) string { return `"long"` }
	parse := func(text string) avro.Schema {
		s, err := avroschema.Parse(text)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	reader = parse(wideUnion(n, "a", long))
	same = parse(wideUnion(n, "a", long))
	changed = parse(wideUnion(n, "b", func(i int) string {
		if i == n-1 {
			return `"string"`
		}
		return `"int"`
	}))
	renamed = parse(strings.ReplaceAll(wideUnion(n, "a", long), `"name":"R`, `"name":"S`))
	return reader, same, changed, renamed
}

// Unions of many named types are matched by name, not by trying every
// reader branch for every writer branch: checking two unions of n records
// takes a few steps per branch (50,000 branches took minutes and gigabytes, about n²/2
// comparisons, when it was quadratic). BenchmarkWideUnionCheck times it.
func TestWideUnionsCheckInNearLinearWork(t *testing.T) {
	if testing.Short() {
		t.Skip("parses four 10,000-branch schemas")
	}
	const n = 10000
	reader, same, changed, renamed := wideUnionPairs(t, n)
	budget := 10 * n // a quadratic match needs n²/2 = 5e7 steps
	check := func(writer avro.Schema) []Incompatibility {
		t.Helper()
		rep, err := CheckBounded(Backward, reader, []avro.Schema{writer}, budget)
		if err != nil {
			t.Fatalf("a %d-branch union pair needs more than %d steps: %v", n, budget, err)
		}
		return rep.Incompatibilities()
	}
	if issues := check(same); len(issues) != 0 {
		t.Fatalf("identical unions: %v", issues[:1])
	}
	issues := check(changed)
	if len(issues) != 1 || issues[0].Rule != TypeMismatch || issues[0].Path != "Holder.u.v" {
		t.Fatalf("changed unions: want one TYPE_MISMATCH at Holder.u.v, got %d: %v", len(issues), issues[:min(len(issues), 2)])
	}
	issues = check(renamed)
	if len(issues) != MaxIncompatibilities || issues[0].Rule != MissingUnionBranch {
		t.Fatalf("renamed unions: want %d MISSING_UNION_BRANCH (the cap), got %d: %v", MaxIncompatibilities, len(issues), issues[:min(len(issues), 2)])
	}
	if len(issues[0].Message) > 1000 {
		t.Errorf("a missing branch's message names the whole union (%d bytes); it should stay short", len(issues[0].Message))
	}
}

// BenchmarkWideUnionCheck checks two 50,000-branch unions of records whose
// names match (the registry's BACKWARD check of such a schema against its
// previous version).
func BenchmarkWideUnionCheck(b *testing.B) {
	const n = 50000
	reader, _, changed, _ := wideUnionPairs(b, n)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := CheckBounded(Backward, reader, []avro.Schema{changed}, DefaultBudget)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Incompatibilities()) != 1 {
			b.Fatalf("want 1 incompatibility, got %d", len(rep.Incompatibilities()))
		}
	}
}

// A check that needs more work than its budget stops with ErrTooComplex
// instead of running on.
func TestCheckBudget(t *testing.T) {
	reader, err := avroschema.Parse(wideRecord(1000, func(int) string { return `"long"` }))
	if err != nil {
		t.Fatal(err)
	}
	writer, err := avroschema.Parse(wideRecord(1000, func(int) string { return `"int"` }))
	if err != nil {
		t.Fatal(err)
	}
	history := []avro.Schema{writer, writer, writer}
	if _, err := CheckBounded(FullTransitive, reader, history, 500); !errors.Is(err, ErrTooComplex) {
		t.Fatalf("a budget of 500 steps for 6 comparisons of 1,000 fields: got %v, want ErrTooComplex", err)
	}
	rep, err := CheckBounded(FullTransitive, reader, history, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	if want := Check(FullTransitive, reader, history); len(rep.Incompatibilities()) != len(want.Incompatibilities()) || rep.Compatible != want.Compatible {
		t.Fatalf("CheckBounded and Check disagree: %d vs %d incompatibilities", len(rep.Incompatibilities()), len(want.Incompatibilities()))
	}
	if _, err := CheckBounded(Backward, reader, history, 0); err == nil || errors.Is(err, ErrTooComplex) {
		t.Fatalf("a zero budget is a programming error, got %v", err)
	}
}

// Matching reader union branches through the index gives exactly what
// trying every branch gives: names, aliases, unnamed branches, promotions,
// the closest branch's problems and missing branches.
func TestUnionIndexMatchesTryingEveryBranch(t *testing.T) {
	reader := `{"type":"record","name":"Holder","namespace":"a","fields":[{"name":"u","type":[
	  "null","long",{"type":"array","items":"long"},{"type":"map","values":"string"},
	  {"type":"record","name":"R0","fields":[{"name":"v","type":"long"}]},
	  {"type":"record","name":"R1","fields":[{"name":"v","type":"string"}]},
	  {"type":"record","name":"Renamed","aliases":["b.Old"],"fields":[{"name":"v","type":"long"}]},
	  {"type":"enum","name":"E","aliases":["b.OldEnum"],"symbols":["X","Y"]},
	  {"type":"enum","name":"R2","symbols":["X"]},
	  {"type":"fixed","name":"F","size":4}]}]}`
	writers := map[string]string{
		"same name, other namespace":    `{"type":"record","name":"R0","namespace":"b","fields":[{"name":"v","type":"int"}]}`,
		"same name, incompatible field": `{"type":"record","name":"R1","namespace":"b","fields":[{"name":"v","type":"long"}]}`,
		"renamed through an alias":      `{"type":"record","name":"Old","namespace":"b","fields":[{"name":"v","type":"int"}]}`,
		"enum through an alias":         `{"type":"enum","name":"OldEnum","namespace":"b","symbols":["X","Z"]}`,
		"record named like an enum":     `{"type":"record","name":"R2","namespace":"a","fields":[]}`,
		"unknown record":                `{"type":"record","name":"Nope","namespace":"a","fields":[]}`,
		"fixed of another size":         `{"type":"fixed","name":"F","namespace":"a","size":8}`,
		"promoted primitive":            `"int"`,
		"primitive with no branch":      `"string"`,
		"array promoted":                `{"type":"array","items":"int"}`,
		"map that cannot be read":       `{"type":"map","values":"long"}`,
		"writer union":                  `["null","int",{"type":"record","name":"Nope","fields":[]},{"type":"record","name":"R0","fields":[{"name":"v","type":"long"}]}]`,
	}
	r, err := avroschema.Parse(reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range writers {
		t.Run(name, func(t *testing.T) {
			ws, err := avroschema.Parse(`{"type":"record","name":"Holder","namespace":"a","fields":[{"name":"u","type":` + w + `}]}`)
			if err != nil {
				t.Fatal(err)
			}
			every := newChecker().pair(r, ws)
			indexed := newChecker()
			indexed.alwaysIndex = true
			got := indexed.pair(r, ws)
			if fmt.Sprint(got) != fmt.Sprint(every) {
				t.Errorf("through the index:\n%v\ntrying every branch:\n%v", got, every)
			}
		})
	}
}
