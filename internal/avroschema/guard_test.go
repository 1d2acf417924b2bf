package avroschema

import (
	"fmt"
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

// Defaults of the same shapes that cost what their text holds still parse,
// and invalid ones get validation's problems, not the guard's error.
func TestReasonableDefaultsPass(t *testing.T) {
	cases := []struct {
		name, text string
		problems   int
		refs       []string
	}{
		{"nested record defaults", nestedDefaults(3, 3), 0, nil},
		{"fixed default of its size", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":4},"default":"abcd"},{"name":"b","type":"F","default":"wxyz"}]}`, 0, nil},
		{"fixed default of another size", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":16},"default":""}]}`, 1, nil},
		{"fixed from a reference", `{"type":"record","name":"R","fields":[{"name":"a","type":"ref.F","default":"ab"}]}`, 0,
			[]string{`{"type":"fixed","name":"F","namespace":"ref","size":2}`}},
		{"map and record defaults", `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"string"},"default":{"a":"b"}},{"name":"r","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":3},{"name":"y","type":"string","default":"z"}]},"default":{"x":1}}]}`, 0, nil},
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

// A schema the guard parses without its defaults and that fails there is
// refused with that parse's error.
func TestGuardReportsParseErrors(t *testing.T) {
	_, _, _, err := ParseAndValidate(`{"type":"record","name":"R","fields":[{"name":"a","type":"Nope","default":{}}]}`)
	if err == nil || !strings.Contains(err.Error(), "unknown type: Nope") {
		t.Fatalf("error %v", err)
	}
}
