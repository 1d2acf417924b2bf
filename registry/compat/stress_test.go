package compat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
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
