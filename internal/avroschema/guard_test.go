package avroschema

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// nestedDefaults is a record nested levels deep whose every field is an
// array of the next record with a default of n empty records: hamba/avro's
// conversion of such defaults is exponential in levels.
func nestedDefaults(levels, n int) string {
	elems := strings.TrimSuffix(strings.Repeat("{},", n), ",")
	s := `{"type":"record","name":"L0","fields":[{"name":"x","type":"int","default":1}]}`
	for i := 1; i <= levels; i++ {
		s = fmt.Sprintf(`{"type":"record","name":"L%d","fields":[{"name":"f","type":{"type":"array","items":%s},"default":[%s]}]}`, i, s, elems)
	}
	return s
}

// Defaults whose conversion would cost far more than the text are refused
// before hamba/avro's parser converts them, quickly and without the memory
// it would take.
func TestCostlyDefaultsAreRefused(t *testing.T) {
	big := `{"type":"fixed","name":"F","size":2147483647}`
	cases := []struct {
		name, text, want string
		refs             []string
	}{
		{"fixed default of size 2^31-1", `{"type":"record","name":"R","fields":[{"name":"a","type":` + big + `,"default":""}]}`, "fixed defaults would take", nil},
		{"fixed by name", `{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":` + big + `},{"name":"b","type":"F","default":""}]}`, "fixed defaults would take", nil},
		{"fixed by full name", `{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":` + big + `},{"name":"b","type":"n.F","default":""}]}`, "fixed defaults would take", nil},
		{"fixed in a union's first branch", `{"type":"record","name":"R","fields":[{"name":"a","type":[` + big + `,"null"],"default":"x"}]}`, "fixed defaults would take", nil},
		{"default key in another case", `{"type":"record","name":"R","fields":[{"name":"a","type":` + big + `,"Default":""}]}`, "fixed defaults would take", nil},
		{"fixed from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":"ref.F","default":""}]}`, "fixed defaults would take",
			[]string{`{"type":"fixed","name":"F","namespace":"ref","size":2147483647}`}},
		{"many short fixed defaults", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":{"type":"fixed","name":"F","size":1048576}},"default":[` + strings.TrimSuffix(strings.Repeat(`"",`, 100), ",") + `]}]}`, "fixed defaults would take", nil},
		{"nested record defaults", nestedDefaults(7, 30), "converting its field defaults", nil},
		// A sum of sizes that would overflow an int.
		{"fixed sizes that overflow a sum", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"A","size":1024},"default":"` + strings.Repeat("x", 1024) + `"},` +
			`{"name":"b","type":{"type":"fixed","name":"B","size":9223372036854774784},"default":""}]}`, "fixed defaults would take", nil},
		// The fields of a referenced record, whose defaults hamba
		// converted with the reference, are filled in and walked again.
		{"record defaults filled from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"ref.S"},"default":[` + repeatList("{}", 3000) + `]}]}`, "converting its field defaults",
			[]string{`{"type":"record","name":"S","namespace":"ref","fields":[{"name":"f","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 3000) + `]}]}`}},
		// Each enum value is looked up among the symbols one by one.
		{"enum defaults of many symbols", `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"array","items":{"type":"enum","name":"E","symbols":[` + enumSymbols(5000) + `]}},"default":[` + repeatList(`"S4999"`, 5000) + `]}]}`, "converting its field defaults", nil},
		// Record defaults {} of named records used twice at each level:
		// the filled value doubles with each level.
		{"record defaults {} doubling", doublingDefaults(25), "converting its field defaults", nil},
		// A referenced record's enum defaults, looked up again in every
		// record default that leaves them out.
		{"enum defaults filled from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"ref.S"},"default":[` + repeatList("{}", 500) + `]}]}`, "converting its field defaults",
			[]string{`{"type":"record","name":"S","namespace":"ref","fields":[{"name":"e","type":{"type":"array","items":{"type":"enum","name":"E","symbols":[` + enumSymbols(5000) + `]}},"default":[` + repeatList(`"S4999"`, 200) + `]}]}`}},
		// Map keys distinct to hamba's decoding (jsoniter) that the tree
		// reads as one (a lone surrogate's escape against U+FFFD).
		{"map keys distinct only to jsoniter", surrogateKeys(10, 20000), "converting its field defaults", nil},
		// A reference's field carrying a prop named as the guard's marker
		// once was does not pass for a field of the text.
		{"a reference's prop named as the marker", `{"type":"record","name":"R","fields":[{"name":"z","type":"int","default":0},{"name":"a","type":{"type":"array","items":"ref.S"},"default":[` + repeatList("{}", 1000) + `]}]}`, "converting its field defaults",
			[]string{`{"type":"record","name":"S","namespace":"ref","fields":[{"name":"f","type":{"type":"array","items":{"type":"record","name":"T","fields":[{"name":"g","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 1000) + `]}]}},"default":[` + repeatList("{}", 1000) + `],"edactl.guard.default":"0"}]}`}},
		// hamba/avro joins the namespace to each alias (and keeps them)
		// and to each type name it looks up.
		{"a long namespace over many aliases", `{"type":"record","name":"R","namespace":"` + strings.Repeat("n", 200_000) + `","aliases":[` + repeatList(`"a"`, 10_000) + `],"fields":[]}`, "names joined to their namespaces", nil},
		{"a long namespace over many type references", `{"type":"record","name":"R","namespace":"` + strings.Repeat("n", 300_000) + `","fields":[{"name":"x","type":{"type":"fixed","name":"X","size":1}},` + namedFields(2000, "X") + `]}`, "names joined to their namespaces", nil},
		// Each field filled in is a map entry.
		{"many fields filled in", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":{"type":"record","name":"S","fields":[` + intFields(23) + `]}},"default":[` + repeatList("{}", 30000) + `]}]}`, "converting its field defaults", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, _, _, err := ParseAndValidate(c.text, c.refs...)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if took > 2*time.Second {
				t.Errorf("refusing took %v", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing allocated %d bytes", alloc)
			}
			// The plain parser (the path of stored schemas) refuses too.
			if _, err := ParseWithReferences(c.text, c.refs...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseWithReferences: %v", err)
			}
		})
	}
}

// doublingDefaults is a record levels deep whose every level has two fields
// of the level below, both with the default {}.
func doublingDefaults(levels int) string {
	s := `{"type":"record","name":"L0","fields":[{"name":"x","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 100) + `]}]}`
	for i := 1; i <= levels; i++ {
		s = fmt.Sprintf(`{"type":"record","name":"L%d","fields":[{"name":"a","type":%s,"default":{}},{"name":"b","type":"L%d","default":{}}]}`, i, s, i-1)
	}
	return s
}

// surrogateKeys is a record with a map of records, each of whose g
// defaults to k ints, whose default has 2^segments keys, each segments
// pieces of either a lone surrogate's escape or U+FFFD, then an emoji's
// escape: distinct keys to jsoniter, one key to encoding/json and the tree.
func surrogateKeys(segments, k int) string {
	keys := make([]string, 0, 1<<segments)
	for i := range 1 << segments {
		var b strings.Builder
		for j := range segments {
			if i>>j&1 == 0 {
				b.WriteString(`\ude00`)
			} else {
				b.WriteString("\uFFFD")
			}
			b.WriteString(`\ud83d\ude00x`)
		}
		keys = append(keys, `"`+b.String()+`":{}`)
	}
	return `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":{"type":"record","name":"S","fields":[{"name":"g","type":{"type":"array","items":"int"},"default":[` + repeatList("1", k) + `]}]}},"default":{` + strings.Join(keys, ",") + `}}]}`
}

func repeatList(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

func enumSymbols(n int) string {
	syms := make([]string, n)
	for i := range syms {
		syms[i] = fmt.Sprintf(`"S%d"`, i)
	}
	return strings.Join(syms, ",")
}

func namedFields(n int, typ string) string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fmt.Sprintf(`{"name":"f%d","type":%q}`, i, typ)
	}
	return strings.Join(fields, ",")
}

func markedFields(n int) string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fmt.Sprintf(`{"name":"x%d","type":{"type":"array","items":"int"},%q:"0"}`, i, defaultMarker)
	}
	return strings.Join(fields, ",")
}

func intFields(n int) string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fmt.Sprintf(`{"name":"f%d","type":"int","default":1}`, i)
	}
	return strings.Join(fields, ",")
}

// Defaults of the same shapes that cost what their text holds still parse,
// and invalid ones get validation's problems, not the guard's error.
func TestReasonableDefaultsPass(t *testing.T) {
	cases := []struct {
		name, text string
		problems   int
		refs       []string
	}{
		{"nested record defaults", nestedDefaults(3, 3), 0, nil},
		{"record defaults {}", doublingDefaults(3), 0, nil},
		{"fixed default of its size", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":4},"default":"abcd"},{"name":"b","type":"F","default":"wxyz"}]}`, 0, nil},
		{"fixed default of another size", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":16},"default":""}]}`, 1, nil},
		{"fixed from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":"ref.F","default":"ab"}]}`, 0,
			[]string{`{"type":"fixed","name":"F","namespace":"ref","size":2}`}},
		{"map and record defaults", `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"string"},"default":{"a":"b"}},{"name":"r","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":3},{"name":"y","type":"string","default":"z"}]},"default":{"x":1}}]}`, 0, nil},
		{"enum defaults", `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"array","items":{"type":"enum","name":"E","symbols":[` + enumSymbols(100) + `]}},"default":[` + repeatList(`"S99"`, 1000) + `]}]}`, 0, nil},
		{"record defaults filled from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"ref.S"},"default":[` + repeatList("{}", 30) + `]}]}`, 0,
			[]string{`{"type":"record","name":"S","namespace":"ref","fields":[{"name":"f","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 30) + `]}]}`}},
		{"map defaults", `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"int"},"default":{}}]}`, 0, nil},
		// Fields without a default whose prop is named as the guard's
		// marker (of the first default) are not taken for ones with it.
		// The fixed keeps the schema from the fast parser.
		{"a prop named as the marker", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 1000) + `]},` +
			`{"name":"m","type":{"type":"map","values":"int"},"default":{}},{"name":"f","type":{"type":"fixed","name":"F","size":4}},` + markedFields(4000) + `]}`, 0, nil},
		// A referenced field's default costs only where it is filled in.
		{"a large default of a reference", `{"type":"record","name":"R","fields":[{"name":"n","type":"string","default":""},{"name":"s","type":["null","ref.S"],"default":null}]}`, 0,
			[]string{`{"type":"record","name":"S","namespace":"ref","fields":[{"name":"g","type":{"type":"array","items":"int"},"default":[` + repeatList("1", 1_100_000) + `]}]}`}},
		{"a namespace over many names", `{"type":"record","name":"R","namespace":"` + strings.TrimSuffix(strings.Repeat("com.example.", 10), ".") + `","fields":[{"name":"x","type":{"type":"fixed","name":"X","size":1}},` + namedFields(5000, "X") + `]}`, 0, nil},
		{"a large fixed without a default", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2147483647}},{"name":"s","type":"string","default":""}]}`, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, problems, err := ParseAndValidate(c.text, c.refs...)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != c.problems {
				t.Fatalf("problems %v, want %d", problems, c.problems)
			}
		})
	}
}

// Checking a large default builds no path per value: a long field name
// over a default of many values takes memory for the text, not for their
// product.
func TestValidateLargeDefaultWithLongName(t *testing.T) {
	name := strings.Repeat("n", 100_000)
	text := `{"type":"record","name":"R","fields":[{"name":"o","type":{"type":"record","name":"S","fields":[{"name":"` + name + `","type":{"type":"array","items":"int"}}]},"default":{"` + name + `":[` + repeatList("1.5", 10_000) + `]}}]}`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, problems, err := ParseAndValidate(text)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != MaxProblems || !strings.Contains(problems[0].Message, name+"[0] 1.5 is not an int") {
		t.Fatalf("%d problems, first %.200s", len(problems), problems[0].Message)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("validating allocated %d bytes", alloc)
	}
}

// A schema the guard parses without its defaults and that fails there is
// refused with that parse's error.
func TestGuardReportsParseErrors(t *testing.T) {
	_, _, _, err := ParseAndValidate(`{"type":"record","name":"R","fields":[{"name":"a","type":"Nope","default":{}}]}`)
	if err == nil || !strings.Contains(err.Error(), "unknown type: Nope") {
		t.Fatalf("error %v", err)
	}
}

// shape writes what hamba/avro's String writes, for every schema of the
// repository.
func TestShapeIsHambasString(t *testing.T) {
	n := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".avsc") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s, err := Parse(string(b))
		if err != nil {
			return nil // the corpora hold invalid schemas too
		}
		if got, want := shape(s), s.String(); got != want {
			t.Errorf("%s: shape\n%s\nString\n%s", path, got, want)
		}
		n++
		return nil
	})
	if err != nil || n < 30 {
		t.Fatalf("walked %d schemas: %v", n, err)
	}
}

// A reference and a schema defining one wide record differently are told
// apart in time linear in its fields.
func TestRedefinitionOfAWideRecord(t *testing.T) {
	fields := func(n int) string {
		f := make([]string, n)
		for i := range f {
			f[i] = fmt.Sprintf(`{"name":"f%d","type":"int"}`, i)
		}
		return `{"type":"record","name":"R","fields":[` + strings.Join(f, ",") + `]}`
	}
	start := time.Now()
	_, redefs, _, err := ParseAndValidate(fields(40_000-1), fields(40_000))
	if err != nil || len(redefs) != 1 {
		t.Fatalf("redefinitions %v, %v", redefs, err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v", took)
	}
}

// Props nested deep cost one pass each, not one per level.
func TestDeepPropsParseInLinearTime(t *testing.T) {
	prop := strings.Repeat(`{"a":`, 3900) + "1" + strings.Repeat("}", 3900)
	f := make([]string, 40)
	for i := range f {
		f[i] = fmt.Sprintf(`{"name":"f%d","type":"int","p":%s}`, i, prop)
	}
	start := time.Now()
	if _, _, _, err := ParseAndValidate(`{"type":"record","name":"R","fields":[` + strings.Join(f, ",") + `]}`); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}

// Each schema parsed after references copies the named types they defined
// (hamba/avro's cache): a reference of many aliases followed by many small
// ones is refused once the copies pass maxCacheCopies, before the parser
// copies more.
func TestReferencesCopyingTheCacheAreBounded(t *testing.T) {
	aliases := make([]string, 20_000)
	for i := range aliases {
		aliases[i] = fmt.Sprintf(`"a%d"`, i)
	}
	refs := []string{`{"type":"record","name":"R","aliases":[` + strings.Join(aliases, ",") + `],"fields":[]}`}
	for i := range 60 {
		refs = append(refs, fmt.Sprintf(`{"type":"fixed","name":"F%d","size":1}`, i))
	}
	start := time.Now()
	_, _, _, err := ParseAndValidate(`"R"`, refs...)
	if err == nil || !strings.Contains(err.Error(), "copies") {
		t.Fatalf("error %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("refusing took %v", took)
	}
	// Few references copy little.
	if _, _, _, err := ParseAndValidate(`"R"`, refs[:10]...); err != nil {
		t.Fatal(err)
	}
}
