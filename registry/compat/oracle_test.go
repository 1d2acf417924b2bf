package compat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// findAvroPython returns a Python interpreter that has the Apache Avro
// library (Debian's python3-avro), or "" when there is none.
func findAvroPython() string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(py, "-c", "import avro.compatibility").Run(); err == nil {
			return py
		}
	}
	return ""
}

type oraclePair struct {
	Reader string `json:"reader"`
	Writer string `json:"writer"`
}

type oracleVerdict struct {
	Compatible bool   `json:"compatible"`
	Error      string `json:"error"`
}

func runOracle(t *testing.T, py string, pairs []oraclePair) []oracleVerdict {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, p := range pairs {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(py, "testdata/avro_oracle.py")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var verdicts []oracleVerdict
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var v oracleVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Text(), err)
		}
		verdicts = append(verdicts, v)
	}
	if len(verdicts) != len(pairs) {
		t.Fatalf("oracle answered %d of %d pairs", len(verdicts), len(pairs))
	}
	return verdicts
}

// TestDifferentialAgainstAvro compares our verdict with the Apache Avro
// library's on the whole resolution table and on thousands of random
// reader/writer pairs. It needs Debian's python3-avro (CI installs it) and
// skips, saying so, where that is absent.
func TestDifferentialAgainstAvro(t *testing.T) {
	py := findAvroPython()
	if py == "" {
		t.Skip("no Python with the Apache Avro library (Debian package python3-avro); the differential check is skipped")
	}
	var pairs []oraclePair
	for _, c := range allCases() {
		pairs = append(pairs, oraclePair{fixtures[c.reader], fixtures[c.writer]})
	}
	tableN := len(pairs)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		g := &schemaGen{rng: rng}
		reader := g.record("Root", 3)
		writer := g.mutate(reader, 1+rng.IntN(3))
		if rng.IntN(2) == 0 {
			reader, writer = writer, reader
		}
		pairs = append(pairs, oraclePair{reader.json(), writer.json()})
	}
	verdicts := runOracle(t, py, pairs)
	compared, disagreements, incompatible := 0, 0, 0
	for i, p := range pairs {
		v := verdicts[i]
		if v.Error != "" {
			if i < tableN {
				t.Logf("oracle rejects table pair %d: %s", i, v.Error)
			}
			continue
		}
		r, err1 := avroschema.Parse(p.Reader)
		w, err2 := avroschema.Parse(p.Writer)
		if err1 != nil || err2 != nil {
			t.Errorf("we reject a pair the oracle accepts: %v %v\nreader %s\nwriter %s", err1, err2, p.Reader, p.Writer)
			continue
		}
		compared++
		got := len(CheckPair(r, w)) == 0
		if !v.Compatible {
			incompatible++
		}
		if got != v.Compatible {
			disagreements++
			if disagreements <= 10 {
				t.Errorf("verdict differs from Apache Avro (ours %v, Avro %v)\nreader %s\nwriter %s\nours: %v", got, v.Compatible, p.Reader, p.Writer, CheckPair(r, w))
			}
		}
	}
	t.Logf("compared %d pairs (%d from the table, %d incompatible) with Apache Avro: %d disagreements", compared, tableN, incompatible, disagreements)
	if incompatible < compared/5 || incompatible > compared*4/5 {
		t.Errorf("the random pairs are lopsided (%d of %d incompatible): the generator needs a look", incompatible, compared)
	}
	if compared < len(pairs)*9/10 {
		t.Errorf("only %d of %d pairs could be compared", compared, len(pairs))
	}
}

// node is a schema under construction by schemaGen.
type node struct {
	kind    string // primitive name, "record", "enum", "fixed", "array", "map", "union"
	name    string
	aliases []string
	fields  []field
	symbols []string
	enumDef string
	size    int
	items   *node
	branch  []*node
}

type field struct {
	name    string
	aliases []string
	typ     *node
	def     string // JSON default, "" for none
}

func (n *node) clone() *node {
	c := *n
	c.aliases = append([]string(nil), n.aliases...)
	c.symbols = append([]string(nil), n.symbols...)
	c.fields = nil
	for _, f := range n.fields {
		f.aliases = append([]string(nil), f.aliases...)
		f.typ = f.typ.clone()
		c.fields = append(c.fields, f)
	}
	if n.items != nil {
		c.items = n.items.clone()
	}
	c.branch = nil
	for _, b := range n.branch {
		c.branch = append(c.branch, b.clone())
	}
	return &c
}

func (n *node) json() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

func (n *node) write(b *strings.Builder) {
	switch n.kind {
	case "record":
		fmt.Fprintf(b, `{"type":"record","name":%q`, n.name)
		if len(n.aliases) > 0 {
			fmt.Fprintf(b, `,"aliases":%s`, quoteAll(n.aliases))
		}
		b.WriteString(`,"fields":[`)
		for i, f := range n.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `{"name":%q,"type":`, f.name)
			f.typ.write(b)
			if len(f.aliases) > 0 {
				fmt.Fprintf(b, `,"aliases":%s`, quoteAll(f.aliases))
			}
			if f.def != "" {
				fmt.Fprintf(b, `,"default":%s`, f.def)
			}
			b.WriteByte('}')
		}
		b.WriteString("]}")
	case "enum":
		fmt.Fprintf(b, `{"type":"enum","name":%q`, n.name)
		if len(n.aliases) > 0 {
			fmt.Fprintf(b, `,"aliases":%s`, quoteAll(n.aliases))
		}
		fmt.Fprintf(b, `,"symbols":%s`, quoteAll(n.symbols))
		if n.enumDef != "" {
			fmt.Fprintf(b, `,"default":%q`, n.enumDef)
		}
		b.WriteByte('}')
	case "fixed":
		fmt.Fprintf(b, `{"type":"fixed","name":%q,"size":%d}`, n.name, n.size)
	case "array":
		b.WriteString(`{"type":"array","items":`)
		n.items.write(b)
		b.WriteByte('}')
	case "map":
		b.WriteString(`{"type":"map","values":`)
		n.items.write(b)
		b.WriteByte('}')
	case "union":
		b.WriteByte('[')
		for i, br := range n.branch {
			if i > 0 {
				b.WriteByte(',')
			}
			br.write(b)
		}
		b.WriteByte(']')
	default:
		fmt.Fprintf(b, "%q", n.kind)
	}
}

// schemaGen builds random schemas and random evolutions of them. Names are
// unique per schema (Avro forbids redefining a name) and never namespaced.
type schemaGen struct {
	rng   *rand.Rand
	names int
}

var genPrims = []string{"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

func (g *schemaGen) newName(prefix string) string {
	g.names++
	return fmt.Sprintf("%s%d", prefix, g.names)
}

func (g *schemaGen) typ(depth int) *node {
	switch k := g.rng.IntN(12); {
	case k < 6 || depth <= 0:
		return &node{kind: genPrims[g.rng.IntN(len(genPrims))]}
	case k == 6:
		syms := []string{"A", "B", "C", "D"}[:1+g.rng.IntN(4)]
		n := &node{kind: "enum", name: g.newName("E"), symbols: syms}
		if g.rng.IntN(3) == 0 {
			n.enumDef = syms[0]
		}
		return n
	case k == 7:
		return &node{kind: "fixed", name: g.newName("F"), size: 1 + g.rng.IntN(3)*4}
	case k == 8:
		return &node{kind: "array", items: g.typ(depth - 1)}
	case k == 9:
		return &node{kind: "map", items: g.typ(depth - 1)}
	case k == 10:
		return g.union()
	default:
		return g.record(g.newName("R"), depth-1)
	}
}

func (g *schemaGen) union() *node {
	u := &node{kind: "union"}
	seen := map[string]bool{}
	for i := 0; i < 1+g.rng.IntN(3); i++ {
		p := genPrims[g.rng.IntN(len(genPrims))]
		if !seen[p] {
			seen[p] = true
			u.branch = append(u.branch, &node{kind: p})
		}
	}
	return u
}

func (g *schemaGen) record(name string, depth int) *node {
	r := &node{kind: "record", name: name}
	for i := 0; i < 1+g.rng.IntN(4); i++ {
		r.fields = append(r.fields, field{name: fmt.Sprintf("f%d", i), typ: g.typ(depth)})
	}
	return r
}

// defaultFor returns a valid JSON default for a type, or "".
func defaultFor(n *node) string {
	switch n.kind {
	case "null":
		return "null"
	case "boolean":
		return "false"
	case "int", "long", "float", "double":
		return "0"
	case "string", "bytes":
		return `""`
	case "enum":
		return fmt.Sprintf("%q", n.symbols[0])
	case "array":
		return "[]"
	case "map":
		return "{}"
	case "union":
		return defaultFor(n.branch[0])
	}
	return ""
}

// records lists every record node of the tree.
func records(n *node, out *[]*node) {
	if n.kind == "record" {
		*out = append(*out, n)
		for _, f := range n.fields {
			records(f.typ, out)
		}
	}
	if n.items != nil {
		records(n.items, out)
	}
	for _, b := range n.branch {
		records(b, out)
	}
}

// mutate returns a copy of root changed in k random ways that schema
// evolution commonly makes (some compatible, some not).
func (g *schemaGen) mutate(root *node, k int) *node {
	c := root.clone()
	g.names += 100 // fresh names for new types
	for ; k > 0; k-- {
		var recs []*node
		records(c, &recs)
		r := recs[g.rng.IntN(len(recs))]
		i := g.rng.IntN(len(r.fields))
		f := &r.fields[i]
		switch g.rng.IntN(10) {
		case 0: // change a field's type
			f.typ = g.typ(1)
			f.def = ""
		case 1: // remove a field
			r.fields = append(r.fields[:i], r.fields[i+1:]...)
			if len(r.fields) == 0 {
				r.fields = append(r.fields, field{name: "keep", typ: &node{kind: "int"}})
			}
		case 2: // add a field, with a default or not
			nf := field{name: g.newName("n"), typ: g.typ(1)}
			if g.rng.IntN(2) == 0 {
				nf.def = defaultFor(nf.typ)
			}
			r.fields = append(r.fields, nf)
		case 3: // rename a field, keeping the old name as an alias or not
			old := f.name
			f.name = g.newName("r")
			if g.rng.IntN(3) > 0 {
				f.aliases = []string{old}
			}
		case 4: // promote or demote a primitive
			switch f.typ.kind {
			case "int":
				f.typ.kind = []string{"long", "float", "double"}[g.rng.IntN(3)]
			case "long":
				f.typ.kind = []string{"int", "float", "double"}[g.rng.IntN(3)]
			case "float":
				f.typ.kind = []string{"double", "long"}[g.rng.IntN(2)]
			case "string":
				f.typ.kind = "bytes"
			case "bytes":
				f.typ.kind = "string"
			}
			f.def = ""
		case 5: // make nullable or drop the null branch
			if f.typ.kind == "union" && len(f.typ.branch) > 1 {
				f.typ.branch = f.typ.branch[1:]
			} else if f.typ.kind != "union" && f.typ.kind != "null" {
				f.typ = &node{kind: "union", branch: []*node{{kind: "null"}, f.typ}}
			}
			f.def = ""
		case 6: // give a field a default, or take it away
			if f.def == "" {
				f.def = defaultFor(f.typ)
			} else {
				f.def = ""
			}
		case 7: // enum symbols and defaults
			if f.typ.kind == "enum" {
				e := f.typ
				switch g.rng.IntN(3) {
				case 0:
					e.symbols = append(e.symbols, g.newName("S"))
				case 1:
					if len(e.symbols) > 1 {
						e.symbols = e.symbols[1:]
						e.enumDef = ""
						f.def = ""
					}
				case 2:
					e.enumDef = e.symbols[len(e.symbols)-1]
				}
			}
		case 8: // rename a record, keeping the old name as an alias or not
			old := r.name
			r.name = g.newName("Q")
			if g.rng.IntN(2) == 0 {
				r.aliases = []string{old}
			}
		case 9: // fixed size, union branches
			switch f.typ.kind {
			case "fixed":
				f.typ.size += 4
			case "union":
				f.typ.branch = append(f.typ.branch, &node{kind: "string"})
				if f.typ.branch[0].kind == "string" {
					f.typ.branch = f.typ.branch[:len(f.typ.branch)-1]
				}
			}
		}
	}
	return c
}
