package schemas

import (
	"strconv"
	"strings"

	"github.com/edactl/edactl/internal/jsontree"
	"github.com/edactl/edactl/registry/compat"
)

// The locator reads version files as trees with byte offsets
// (internal/jsontree), so that findings about a schema (a JSON pointer from
// registry/compat, a field found by lint) can name a line. A repeated key
// is read as its first occurrence.

// text returns the string value of key in an object (the first one when
// the key repeats), or "".
func text(n *jsontree.Value, key string) string {
	v := n.First(key)
	if v == nil || v.Kind() != jsontree.String {
		return ""
	}
	return v.Text()
}

// jdoc is a version file parsed with positions, with its named types.
type jdoc struct {
	root  *jsontree.Value
	lines jsontree.Lines
	named map[string]*jsontree.Value // full name and short name -> definition
}

func newDoc(data []byte) *jdoc {
	root, err := jsontree.Parse(data)
	if err != nil {
		return nil
	}
	d := &jdoc{root: root, lines: jsontree.NewLines(data), named: map[string]*jsontree.Value{}}
	d.collect(root, "")
	return d
}

// isNamedKind reports whether t is the "type" of a named type definition.
func isNamedKind(t string) bool {
	return t == "record" || t == "error" || t == "enum" || t == "fixed"
}

// collect records every named type definition under n, applying Avro's
// namespace rules.
func (d *jdoc) collect(n *jsontree.Value, ns string) {
	switch n.Kind() {
	case jsontree.Array:
		for v := range n.Values() {
			d.collect(v, ns)
		}
	case jsontree.Object:
		if isNamedKind(text(n, "type")) {
			name := text(n, "name")
			if own := n.First("namespace"); own != nil && own.Kind() == jsontree.String {
				ns = own.Text()
			}
			full := name
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				ns = name[:i]
			} else if ns != "" {
				full = ns + "." + name
			}
			if name != "" {
				if _, ok := d.named[full]; !ok {
					d.named[full] = n
				}
				short := full[strings.LastIndexByte(full, '.')+1:]
				if _, ok := d.named[short]; !ok {
					d.named[short] = n
				}
			}
		}
		for k, v := range n.Members() {
			if k == "type" || k == "fields" || k == "items" || k == "values" {
				d.collect(v, ns)
			}
		}
	}
}

// lineOf returns the line of n, or 1 for nil.
func (d *jdoc) lineOf(n *jsontree.Value) int {
	if d == nil || n == nil {
		return 1
	}
	return d.lines.Line(n.Offset())
}

// pointer resolves a JSON pointer into the schema (as registry/compat
// reports them), following references to named types defined elsewhere in
// the file. It returns the deepest node it could reach.
func (d *jdoc) pointer(ptr string) *jsontree.Value {
	cur := d.root
	if ptr == "" || ptr == "/" {
		return cur
	}
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		next := d.step(cur, seg)
		if next == nil {
			// A named type used by reference: continue in its definition.
			if def := d.deref(cur); def != nil && def != cur {
				next = d.step(def, seg)
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}

func (d *jdoc) step(n *jsontree.Value, seg string) *jsontree.Value {
	switch n.Kind() {
	case jsontree.Object:
		return n.First(seg)
	case jsontree.Array:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= n.Len() {
			return nil
		}
		return n.Item(i)
	}
	return nil
}

// deref returns the definition a type reference names: a string name, or
// an object {"type": "Name"}.
func (d *jdoc) deref(n *jsontree.Value) *jsontree.Value {
	for range 8 {
		switch {
		case n == nil:
			return nil
		case n.Kind() == jsontree.String:
			def, ok := d.named[n.Text()]
			if !ok {
				return nil
			}
			return def
		case n.Kind() == jsontree.Object && !isNamedKind(text(n, "type")) && n.First("type") != nil && n.First("type").Kind() == jsontree.String:
			n = n.First("type")
		default:
			return n
		}
	}
	return nil
}

// find descends from a type node to the first type satisfying want, through
// wrappers ({"type": {...}}), union branches and named references.
func (d *jdoc) find(n *jsontree.Value, want func(*jsontree.Value) bool) *jsontree.Value {
	return d.findDepth(n, want, 0)
}

func (d *jdoc) findDepth(n *jsontree.Value, want func(*jsontree.Value) bool, depth int) *jsontree.Value {
	if n == nil || depth > 16 {
		return nil
	}
	switch n.Kind() {
	case jsontree.String:
		if def, ok := d.named[n.Text()]; ok {
			return d.findDepth(def, want, depth+1)
		}
	case jsontree.Array:
		for b := range n.Values() {
			if r := d.findDepth(b, want, depth+1); r != nil {
				return r
			}
		}
	case jsontree.Object:
		if want(n) {
			return n
		}
		if t := n.First("type"); t != nil && (t.Kind() != jsontree.String || !isBuiltinType(t.Text())) {
			return d.findDepth(t, want, depth+1)
		}
	}
	return nil
}

func isBuiltinType(t string) bool {
	switch t {
	case "null", "boolean", "int", "long", "float", "double", "bytes", "string",
		"record", "error", "enum", "fixed", "array", "map":
		return true
	}
	return false
}

// field returns the field of record rec named name, or the field that
// lists name among its aliases.
func field(rec *jsontree.Value, name string) *jsontree.Value {
	fields := rec.First("fields")
	if fields == nil || fields.Kind() != jsontree.Array {
		return nil
	}
	for f := range fields.Values() {
		if text(f, "name") == name {
			return f
		}
	}
	for f := range fields.Values() {
		if al := f.First("aliases"); al != nil && al.Kind() == jsontree.Array {
			for a := range al.Values() {
				if a.Kind() == jsontree.String && a.Text() == name {
					return f
				}
			}
		}
	}
	return nil
}

// path resolves a human path from registry/compat ("OrderPlaced.items[].price")
// by names, returning the deepest node it could reach.
func (d *jdoc) path(p string) *jsontree.Value {
	n, _ := d.resolve(p)
	return n
}

// resolve is path, and reports whether the whole path was followed.
func (d *jdoc) resolve(p string) (*jsontree.Value, bool) {
	cur := d.root
	if p == "" || p == "(root)" {
		return cur, true
	}
	_, steps, ok := compat.SplitPath(p) // the root name is the document's
	typ := cur                          // the type the next step applies to
	for _, st := range steps {
		switch {
		case st.Items:
			arr := d.find(typ, func(n *jsontree.Value) bool { return text(n, "type") == "array" })
			if arr == nil || arr.First("items") == nil {
				return cur, false
			}
			cur, typ = arr.First("items"), arr.First("items")
		case st.Values:
			m := d.find(typ, func(n *jsontree.Value) bool { return text(n, "type") == "map" })
			if m == nil || m.First("values") == nil {
				return cur, false
			}
			cur, typ = m.First("values"), m.First("values")
		default:
			name := st.Field
			rec := d.find(typ, func(n *jsontree.Value) bool {
				t := text(n, "type")
				return (t == "record" || t == "error") && field(n, name) != nil
			})
			if rec == nil {
				return cur, false
			}
			f := field(rec, name)
			cur, typ = f, f.First("type")
		}
	}
	return cur, ok
}
