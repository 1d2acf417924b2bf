package avroschema

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/jsontree"
)

// dump writes everything hamba/avro exposes about s, recursively (a named
// type once, then by name).
func dump(b *strings.Builder, s avro.Schema, seen map[string]bool) {
	props := func(p interface{ Props() map[string]any }) {
		if m := p.Props(); len(m) > 0 {
			fmt.Fprintf(b, " props%#v", m)
		}
	}
	switch t := s.(type) {
	case *avro.RefSchema:
		fmt.Fprintf(b, "ref(%s)", t.Schema().FullName())
	case *avro.RecordSchema:
		if seen[t.FullName()] {
			fmt.Fprintf(b, "seen(%s)", t.FullName())
			return
		}
		seen[t.FullName()] = true
		fmt.Fprintf(b, "record(%s ns=%q aliases=%q doc=%q error=%v", t.FullName(), t.Namespace(), t.Aliases(), t.Doc(), t.IsError())
		props(t)
		for _, f := range t.Fields() {
			fmt.Fprintf(b, " field(%s aliases=%q doc=%q order=%s hasDefault=%v", f.Name(), f.Aliases(), f.Doc(), f.Order(), f.HasDefault())
			if f.HasDefault() {
				fmt.Fprintf(b, " default=%#v", f.Default())
			}
			props(f)
			b.WriteString(" ")
			dump(b, f.Type(), seen)
			b.WriteString(")")
		}
		b.WriteString(")")
	case *avro.EnumSchema:
		fmt.Fprintf(b, "enum(%s aliases=%q doc=%q symbols=%q default=%q", t.FullName(), t.Aliases(), t.Doc(), t.Symbols(), t.Default())
		props(t)
		b.WriteString(")")
	case *avro.FixedSchema:
		fmt.Fprintf(b, "fixed(%s aliases=%q size=%d", t.FullName(), t.Aliases(), t.Size())
		if l := t.Logical(); l != nil {
			fmt.Fprintf(b, " logical=%s", l.String())
		}
		props(t)
		b.WriteString(")")
	case *avro.ArraySchema:
		b.WriteString("array(")
		props(t)
		dump(b, t.Items(), seen)
		b.WriteString(")")
	case *avro.MapSchema:
		b.WriteString("map(")
		props(t)
		dump(b, t.Values(), seen)
		b.WriteString(")")
	case *avro.UnionSchema:
		b.WriteString("union(")
		for _, u := range t.Types() {
			dump(b, u, seen)
			b.WriteString(",")
		}
		b.WriteString(")")
	case *avro.PrimitiveSchema:
		fmt.Fprintf(b, "%s(", t.Type())
		if l := t.Logical(); l != nil {
			fmt.Fprintf(b, "logical=%s %s", l.Type(), l.String())
		}
		props(t)
		b.WriteString(")")
	case *avro.NullSchema:
		b.WriteString("null(")
		props(t)
		b.WriteString(")")
	default:
		fmt.Fprintf(b, "%T(%s)", s, s.String())
	}
}

func describeParse(s avro.Schema, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	dump(&b, s, map[string]bool{})
	fp, _ := s.Fingerprint(), 0
	fmt.Fprintf(&b, "\nstring %s\nfingerprint %x", s.String(), fp)
	return b.String()
}

// fastParse is the fast path alone on text data: nothing when the text's
// decoding by jsoniter may differ from the tree's (see parseTreeInto).
func fastParse(data []byte, cache *avro.SchemaCache) (avro.Schema, bool) {
	text := string(data)
	if !sameDecoding(text) {
		return nil, false
	}
	v, err := jsontree.ParseString(text)
	if err != nil {
		return nil, false
	}
	return fastParseTree(v, cache)
}

// sameParse fails unless the fast path and hamba/avro's parser give the
// same schema (or the same error) for text with references refs, and reports
// whether the fast path built it.
func sameParse(t *testing.T, name, text string, refs ...string) bool {
	t.Helper()
	parse := func(fast bool) (avro.Schema, error) {
		cache := &avro.SchemaCache{}
		st := newRefState(len(refs))
		for _, r := range refs {
			s, err := parseIntoWith(r, cache, fast, st)
			if err != nil {
				return nil, err
			}
			st.defined(s)
		}
		return parseIntoWith(text, cache, fast, st)
	}
	want := describeParse(parse(false))
	got := describeParse(parse(true))
	if got != want {
		t.Errorf("%s: the fast path parses\n%s\ninto\n%s\nhamba/avro into\n%s", name, text, got, want)
	}
	// The fast path from the tree ParseAndValidate decodes once (numbers
	// as json.Number) must build the same.
	cache := &avro.SchemaCache{}
	st := newRefState(len(refs))
	for _, r := range refs {
		s, err := parseIntoWith(r, cache, true, st)
		if err != nil {
			return false
		}
		st.defined(s)
	}
	s, _, err := parseTreeInto(text, cache, true, st, nil)
	if tree := describeParse(s, err); tree != want {
		t.Errorf("%s: the fast path from the decoded tree parses\n%s\ninto\n%s\nhamba/avro into\n%s", name, text, tree, want)
	}
	_, fast := fastParse([]byte(text), &avro.SchemaCache{})
	return fast && len(refs) == 0
}

// corpus returns every schema text of the repository: the .avsc files, the
// resolution table's readers and writers, and the compatibility golden
// scenarios' schemas.
func corpus(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	texts := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".avsc"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			texts[path] = string(data)
		case strings.HasSuffix(path, ".txtar") && strings.Contains(path, "compat"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, part := range strings.Split(string(data), "\n-- ") {
				if name, body, ok := strings.Cut(part, " --\n"); ok && strings.HasSuffix(name, ".avsc") {
					texts[fmt.Sprintf("%s#%d", path, i)] = body
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "testdata", "compat", "resolution-table.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table []struct{ Name, Reader, Writer string }
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	for _, c := range table {
		texts[c.Name+" reader"] = c.Reader
		texts[c.Name+" writer"] = c.Writer
	}
	return texts
}

// TestFastParseMatchesHamba parses the repository's schemas and a set of
// edge cases (defaults of every type, bad defaults, names hamba refuses,
// keys in other cases, props, logical types, duplicates) with and without
// the fast path, which must build the same schema or give up.
func TestFastParseMatchesHamba(t *testing.T) {
	texts := corpus(t)
	if len(texts) < 300 {
		t.Fatalf("only %d schemas in the corpus", len(texts))
	}
	rec := func(fields string) string {
		return `{"type":"record","name":"R","namespace":"ns","fields":[` + fields + `]}`
	}
	edge := []string{
		// A number hamba's decoding refuses where the parser never reads
		// it (a repeated key's earlier value, a member of a value it
		// ignores): hamba refuses the whole text, and so must the fast
		// path.
		`{"type":"record","name":"R","fields":[],"x":1e400,"x":1}`,
		rec(`{"name":"a","type":"int","default":1e400,"default":1}`),
		`{"name":{"name":1e400},"type":"record","name":"R","fields":[]}`,
		rec(`{"name":"a","type":"int","default":1}`),
		rec(`{"name":"a","type":"int","default":1.5}`),
		rec(`{"name":"a","type":"int","default":"x"}`),
		rec(`{"name":"a","type":"long","default":9007199254740993}`),
		rec(`{"name":"a","type":"float","default":1}`),
		rec(`{"name":"a","type":"double","default":-0.5}`),
		rec(`{"name":"a","type":"boolean","default":true}`),
		rec(`{"name":"a","type":"bytes","default":"\u00ff"}`),
		rec(`{"name":"a","type":"string","default":null}`),
		rec(`{"name":"a","type":["null","string"],"default":null}`),
		rec(`{"name":"a","type":["string","null"],"default":null}`),
		rec(`{"name":"a","type":["string","null"],"default":"x"}`),
		rec(`{"name":"a","type":["null","null"]}`),
		rec(`{"name":"a","type":{"type":"array","items":"int"},"default":[1,2]}`),
		rec(`{"name":"a","type":{"type":"map","values":"long"},"default":{"k":1}}`),
		rec(`{"name":"a","type":{"type":"array","items":"int","x-p":1}}`),
		rec(`{"name":"a","type":{"type":"array","items":"int"},"x-p":[1.25e3,{"q":[-0.0,7]}],"default":[1,2.5,-0]}`),
		rec(`{"name":"a","type":"double","default":1e400}`),
		// Out-of-range numbers in attributes: hamba's decoding refuses
		// the whole schema, and so must the fast path.
		rec(`{"name":"a","type":"int","x":1e400}`),
		rec(`{"name":"a","type":"int","x":[1,{"y":-1e400}]}`),
		`{"type":"record","name":"R","x":-1e400,"fields":[{"name":"a","type":"int"}]}`,
		rec(`{"name":"a","type":{"type":"array","items":"int","x":1e999}}`),
		rec(`{"name":"a","type":"double","default":123456789012345678901234567890.123456789}`),
		rec(`{"name":"a","type":"double","default":0.1234567890123456789}`),
		rec(`{"name":"a","type":"string","default":"caf\u00e9 \ud83d\ude00"}`),
		rec(`{"name":"a","type":"string","default":"é\n\"\/"}`),
		rec(`{"name":"a","type":{"type":"array"}}`),
		rec(`{"name":"a","type":{"type":"long","logicalType":"timestamp-millis"}}`),
		rec(`{"name":"a","type":{"type":"int","logicalType":"timestamp-millis"}}`),
		rec(`{"name":"a","type":{"type":"string","logicalType":"uuid","x":"y"}}`),
		rec(`{"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}}`),
		rec(`{"name":"a","type":{"type":"long","logicalType":7}}`),
		rec(`{"name":"a","type":{"type":"long"}}`),
		rec(`{"name":"a","type":{"type":"null"}}`),
		rec(`{"name":"a","type":"int","order":"descending"}`),
		rec(`{"name":"a","type":"int","order":"sideways"}`),
		rec(`{"name":"a","type":"int","aliases":["b","c"],"doc":"d","x-eda-key":true}`),
		rec(`{"name":"a","type":"int","aliases":["9b"]}`),
		rec(`{"name":"a","type":"int","aliases":[1]}`),
		rec(`{"name":"a","type":"int"},{"name":"a","type":"long"}`),
		rec(`{"name":"9a","type":"int"}`),
		rec(`{"name":"","type":"int"}`),
		rec(`{"name":"a"}`),
		rec(`{"name":"a","type":null}`),
		rec(`{"name":"a","Type":"int"}`),
		rec(`{"Name":"a","type":"int"}`),
		rec(`{"name":"a","type":"int","DOC":"d"}`),
		rec(`{"name":"a","type":"int","props":{"x":1}}`),
		rec(`{"name":"a","type":"Other"}`),
		rec(`{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"b","type":"int"}]}},{"name":"c","type":"In"}`),
		rec(`{"name":"a","type":{"type":"record","name":"R","fields":[]}}`),
		rec(`{"name":"a","type":{"type":"record","name":"x.In","namespace":"y","fields":[{"name":"b","type":"int"}]}}`),
		rec(`{"name":"a","type":{"type":"record","name":"In","aliases":["Old"],"fields":[{"name":"b","type":"int","default":{"c":1}}]}}`),
		rec(`{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"b","type":"int"}]},"default":{"b":1}}`),
		rec(`{"name":"a","type":{"type":"record","name":"In","fields":[{"name":"b","type":"int"}]},"default":{}}`),
		rec(`{"name":"a","type":{"type":"enum","name":"E","symbols":["X"]}}`),
		rec(`{"name":"a","type":{"type":"fixed","name":"F","size":4}}`),
		`{"type":"record","name":"R","fields":[],"doc":5}`,
		`{"type":"record","name":"R","fields":null}`,
		`{"type":"record","name":"R"}`,
		`{"type":"record","name":"R","fields":[],"x-eda-kind":"event","x-eda-owner":{"team":"t"}}`,
		`{"type":"record","name":"R","fields":[],"Namespace":"n"}`,
		`{"type":"record","name":"R","fields":[],"aliases":"a"}`,
		`{"type":"record","name":"a.b.R","fields":[]}`,
		`{"type":"record","name":"R","namespace":"","fields":[]}`,
		`{"type":"record","name":"R","namespace":"9bad","fields":[]}`,
		`{"type":"error","name":"R","fields":[]}`,
		`{"type":"record","name":7,"fields":[]}`,
		`{"type":"record","fields":[]}`,
		`"string"`,
		`["null","int"]`,
		`{"type":"array","items":"int"}`,
	}
	for i, e := range edge {
		texts[fmt.Sprintf("edge %d", i)] = e
	}
	fast := 0
	for name, text := range texts {
		if sameParse(t, name, text) {
			fast++
		}
	}
	t.Logf("%d schemas, %d built by the fast path", len(texts), fast)
	if fast < 100 {
		// Most of the resolution table's schemas are not records, and
		// enums, fixed types and named references are left to hamba.
		t.Errorf("the fast path built only %d of %d schemas", fast, len(texts))
	}
	// References: a record defined in a reference and used by name.
	ref := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	sameParse(t, "reference", `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`, ref)
	sameParse(t, "reference redefined", `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":{"type":"record","name":"Money","fields":[]}}]}`, ref)
}

// TestParseDefinitionsUsesTheFastPath checks that ParseDefinitions finds
// redefinitions across references the fast path built.
func TestParseDefinitionsUsesTheFastPath(t *testing.T) {
	ref := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`
	text := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":{"type":"record","name":"Money","fields":[{"name":"units","type":"int"}]}}]}`
	if _, ok := fastParse([]byte(ref), &avro.SchemaCache{}); !ok {
		t.Fatal("the fast path does not build the reference")
	}
	_, redefs, err := ParseDefinitions(text, ref)
	if err != nil || len(redefs) != 1 || redefs[0].Name != "shop.Money" {
		t.Fatalf("redefinitions %+v, %v: want shop.Money", redefs, err)
	}
}

// BenchmarkParseDefinitions parses a 61-field record (an id and 60
// optional strings) with hamba/avro's parser ("hamba") and through
// ParseDefinitions' fast path ("fast"), in the same run, and checks each
// parse has the 61 fields.
func BenchmarkParseDefinitions(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"type":"record","name":"Event","namespace":"bench","fields":[{"name":"id","type":"string"}`)
	for f := 1; f <= 60; f++ {
		fmt.Fprintf(&sb, `,{"name":"f%d","type":["null","string"],"default":null}`, f)
	}
	sb.WriteString(`]}`)
	text := sb.String()
	for _, bc := range []struct {
		name string
		fast bool
	}{{"hamba", false}, {"fast", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var s avro.Schema
			var err error
			for b.Loop() {
				if s, err = parseIntoWith(text, &avro.SchemaCache{}, bc.fast, nil); err != nil {
					b.Fatal(err)
				}
			}
			if r, ok := s.(*avro.RecordSchema); !ok || len(r.Fields()) != 61 {
				b.Fatalf("parsed %s, want 61 fields", s)
			}
		})
	}
}

// TestParsesSharePrimitives: fast parses on many goroutines share one instance
// of each primitive type named by a string, and using them at once
// (fingerprints, the codec caches hamba keys by them) is safe, which -race
// checks.
func TestParsesSharePrimitives(t *testing.T) {
	const text = `{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","long"],"default":null}]}`
	var wg sync.WaitGroup
	got := make([]avro.Schema, 8)
	for i := range got {
		wg.Go(func() {
			s, _, _, err := ParseAndValidate(text)
			if err != nil {
				t.Error(err)
				return
			}
			a := s.(*avro.RecordSchema).Fields()[0].Type()
			a.Fingerprint()
			if _, err := a.FingerprintUsing(avro.CRC64Avro); err != nil {
				t.Error(err)
			}
			if _, err := avro.Marshal(s, map[string]any{"a": "x", "b": nil}); err != nil {
				t.Error(err)
			}
			got[i] = a
		})
	}
	wg.Wait()
	for i, a := range got {
		if a != sharedPrimitives[primitiveIndex(avro.String)] {
			t.Fatalf("parse %d built its own string type", i)
		}
	}
}
