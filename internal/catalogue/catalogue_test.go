package catalogue

import (
	"bytes"
	"context"
	"html"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
	"go.yaml.in/yaml/v3"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

func sampleTree(t *testing.T) *schemas.Tree {
	t.Helper()
	tree, err := schemas.LoadFS(context.Background(), examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func sampleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := Generate(sampleTree(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestLinksResolve: every relative href and src of every page names a
// file of the catalogue (and an anchor on it, when it has one), so the
// site works from file:// with nothing missing.
func TestLinksResolve(t *testing.T) {
	files := sampleFiles(t)
	attr := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	ids := map[string]map[string]bool{}
	idAttr := regexp.MustCompile(`\bid="([^"]*)"`)
	for p, data := range files {
		ids[p] = map[string]bool{}
		for _, m := range idAttr.FindAllSubmatch(data, -1) {
			ids[p][html.UnescapeString(string(m[1]))] = true
		}
	}
	checked := 0
	for p, data := range files {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		for _, m := range attr.FindAllSubmatch(data, -1) {
			link := html.UnescapeString(string(m[1]))
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				t.Errorf("%s links outside the catalogue: %s", p, link)
				continue
			}
			target, frag, _ := strings.Cut(link, "#")
			if target == "" {
				target = p
			} else {
				target = path.Join(path.Dir(p), target)
			}
			if _, ok := files[target]; !ok {
				t.Errorf("%s: link %q names %s, which the catalogue lacks", p, link, target)
				continue
			}
			if frag != "" && !ids[target][frag] {
				t.Errorf("%s: link %q names anchor %q, which %s lacks", p, link, frag, target)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Errorf("only %d links checked", checked)
	}
}

// TestGenerateIsDeterministic: two runs give the same bytes, and Stale
// finds nothing in a directory the first run wrote, then names every
// missing, changed and leftover file.
func TestGenerateIsDeterministic(t *testing.T) {
	a, b := sampleFiles(t), sampleFiles(t)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs between two runs", p)
		}
	}
	if len(a) != 3+9 {
		t.Errorf("want asyncapi.yaml, index.html, style.css and 9 event pages, got %d files", len(a))
	}
	dir := t.TempDir()
	if err := Write(dir, a); err != nil {
		t.Fatal(err)
	}
	if st, err := Stale(dir, a); err != nil || len(st) != 0 {
		t.Fatalf("fresh directory: stale %v, %v", st, err)
	}
	os.Remove(filepath.Join(dir, "events", "orders", "order.html"))
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "events", "orders", "gone.html"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	st, err := Stale(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	want := []StaleFile{{"events/orders/gone.html", "not generated"}, {"events/orders/order.html", "missing"}, {"index.html", "differs"}}
	if !slices.Equal(st, want) {
		t.Errorf("stale = %v, want %v", st, want)
	}
	if err := Write(dir, a); err != nil {
		t.Fatal(err)
	}
	if st, _ := Stale(dir, a); len(st) != 0 {
		t.Errorf("after Write: stale %v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("Write removed a file it does not own: %v", err)
	}
}

// TestUntrustedTextIsEscaped: a doc with markup reaches the pages as text.
func TestUntrustedTextIsEscaped(t *testing.T) {
	tree := sampleTree(t)
	e := tree.Event("orders/order-placed")
	v := e.Latest()
	v.Source = bytes.Replace(v.Source, []byte(`"A customer placed an order at checkout."`), []byte(`"<script>alert(1)</script> & more"`), 1)
	parsed, err := avroschema.Parse(string(v.Source))
	if err != nil {
		t.Fatal(err)
	}
	v.Schema = parsed
	files, err := Generate(tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := files["events/orders/order-placed.html"]
	if bytes.Contains(page, []byte("<script>alert(1)")) {
		t.Errorf("the doc's markup reached the page unescaped")
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more")) {
		t.Errorf("the doc is not on the page as text")
	}
	if bytes.Contains(files["index.html"], []byte("<script>alert(1)")) {
		t.Errorf("the doc's markup reached the index's search data unescaped")
	}
}

// TestGenerateRefusesABrokenTree: loading problems are an error naming them.
func TestGenerateRefusesABrokenTree(t *testing.T) {
	tree := sampleTree(t)
	tree.Problems = append(tree.Problems, schemas.Finding{File: "schemas/orders/order/v4.avsc", Line: 3, Rule: "INVALID_SCHEMA", Severity: schemas.Error, Message: "not Avro"})
	_, err := Generate(tree, Options{})
	if err == nil || !strings.Contains(err.Error(), "schemas/orders/order/v4.avsc:3") {
		t.Fatalf("err = %v", err)
	}
}

// TestKeyField: the key's type comes from a top-level field or a dotted
// path into nested records.
func TestKeyField(t *testing.T) {
	s, err := avroschema.Parse(`{"type":"record","name":"A","fields":[{"name":"id","type":"long"},
		{"name":"customer","type":{"type":"record","name":"C","fields":[{"name":"ref","type":{"type":"string","logicalType":"uuid"}}]}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	r := s.(*avro.RecordSchema)
	for key, want := range map[string]string{"id": "long", "customer.ref": "string (uuid)", "customer": "record C", "nope": "", "id.x": ""} {
		got := ""
		if f := keyField(r, key); f != nil {
			got = describe(f.Type())
		}
		if got != want {
			t.Errorf("key %q: type %q, want %q", key, got, want)
		}
	}
}

// TestAsyncAPIKeysStayUnique: services and topics whose names differ only
// in characters a component key cannot hold still get one key each.
func TestAsyncAPIKeysStayUnique(t *testing.T) {
	tree := sampleTree(t)
	a, b := tree.Event("orders/order-placed"), tree.Event("payments/payment-captured")
	a.Topic, b.Topic = "shop orders", "shop/orders"
	a.Producers, b.Producers = []string{"check out"}, []string{"check/out"}
	files, err := Generate(tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Channels   map[string]struct{ Address string } `yaml:"channels"`
		Operations map[string]struct {
			XService string `yaml:"x-edactl-service"`
		} `yaml:"operations"`
	}
	if err := yaml.Unmarshal(files["asyncapi.yaml"], &doc); err != nil {
		t.Fatal(err)
	}
	addrs := map[string]string{}
	for k, c := range doc.Channels {
		addrs[c.Address] = k
	}
	if addrs["shop orders"] == "" || addrs["shop/orders"] == "" || addrs["shop orders"] == addrs["shop/orders"] {
		t.Errorf("channels: %v", addrs)
	}
	services := map[string]bool{}
	for _, o := range doc.Operations {
		services[o.XService] = true
	}
	if !services["check out"] || !services["check/out"] {
		t.Errorf("operations lost a service: %v", services)
	}
}
