package schemas

import (
	"strconv"
	"strings"
)

// jdoc is a version file parsed with positions, with its named types.
type jdoc struct {
	root  *node
	lines lineIndex
	named map[string]*node // full name and short name -> definition
}

func newDoc(data []byte) *jdoc {
	root, err := parseJSON(data)
	if err != nil {
		return nil
	}
	d := &jdoc{root: root, lines: newLineIndex(data), named: map[string]*node{}}
	d.collect(root, "")
	return d
}

// isNamedKind reports whether t is the "type" of a named type definition.
func isNamedKind(t string) bool {
	return t == "record" || t == "error" || t == "enum" || t == "fixed"
}

// collect records every named type definition under n, applying Avro's
// namespace rules.
func (d *jdoc) collect(n *node, ns string) {
	switch n.kind {
	case 'a':
		for _, v := range n.vals {
			d.collect(v, ns)
		}
	case 'o':
		if isNamedKind(n.text("type")) {
			name := n.text("name")
			if own := n.get("namespace"); own != nil && own.kind == 's' {
				ns = own.str
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
		for i, k := range n.keys {
			if k == "type" || k == "fields" || k == "items" || k == "values" {
				d.collect(n.vals[i], ns)
			}
		}
	}
}

// lineOf returns the line of n, or 1 for nil.
func (d *jdoc) lineOf(n *node) int {
	if d == nil || n == nil {
		return 1
	}
	return d.lines.line(n.off)
}

// pointer resolves a JSON pointer into the schema (as registry/compat
// reports them), following references to named types defined elsewhere in
// the file. It returns the deepest node it could reach.
func (d *jdoc) pointer(ptr string) *node {
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

func (d *jdoc) step(n *node, seg string) *node {
	switch n.kind {
	case 'o':
		return n.get(seg)
	case 'a':
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(n.vals) {
			return nil
		}
		return n.vals[i]
	}
	return nil
}

// deref returns the definition a type reference names: a string name, or
// an object {"type": "Name"}.
func (d *jdoc) deref(n *node) *node {
	for range 8 {
		switch {
		case n == nil:
			return nil
		case n.kind == 's':
			def, ok := d.named[n.str]
			if !ok {
				return nil
			}
			return def
		case n.kind == 'o' && !isNamedKind(n.text("type")) && n.get("type") != nil && n.get("type").kind == 's':
			n = n.get("type")
		default:
			return n
		}
	}
	return nil
}

// find descends from a type node to the first type satisfying want, through
// wrappers ({"type": {...}}), union branches and named references.
func (d *jdoc) find(n *node, want func(*node) bool) *node {
	return d.findDepth(n, want, 0)
}

func (d *jdoc) findDepth(n *node, want func(*node) bool, depth int) *node {
	if n == nil || depth > 16 {
		return nil
	}
	switch n.kind {
	case 's':
		if def, ok := d.named[n.str]; ok {
			return d.findDepth(def, want, depth+1)
		}
	case 'a':
		for _, b := range n.vals {
			if r := d.findDepth(b, want, depth+1); r != nil {
				return r
			}
		}
	case 'o':
		if want(n) {
			return n
		}
		if t := n.get("type"); t != nil && (t.kind != 's' || !isBuiltinType(t.str)) {
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
func field(rec *node, name string) *node {
	fields := rec.get("fields")
	if fields == nil || fields.kind != 'a' {
		return nil
	}
	for _, f := range fields.vals {
		if f.text("name") == name {
			return f
		}
	}
	for _, f := range fields.vals {
		if al := f.get("aliases"); al != nil && al.kind == 'a' {
			for _, a := range al.vals {
				if a.kind == 's' && a.str == name {
					return f
				}
			}
		}
	}
	return nil
}

// path resolves a human path from registry/compat ("OrderPlaced.items[].price")
// by names, returning the deepest node it could reach.
func (d *jdoc) path(p string) *node {
	cur := d.root
	if p == "" || p == "(root)" {
		return cur
	}
	// Skip the root name.
	i := strings.IndexAny(p, ".[{")
	if i < 0 {
		return cur
	}
	rest := p[i:]
	typ := cur // the type the next segment applies to
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "[]"):
			rest = rest[2:]
			arr := d.find(typ, func(n *node) bool { return n.text("type") == "array" })
			if arr == nil || arr.get("items") == nil {
				return cur
			}
			cur, typ = arr.get("items"), arr.get("items")
		case strings.HasPrefix(rest, "{}"):
			rest = rest[2:]
			m := d.find(typ, func(n *node) bool { return n.text("type") == "map" })
			if m == nil || m.get("values") == nil {
				return cur
			}
			cur, typ = m.get("values"), m.get("values")
		case rest[0] == '.':
			rest = rest[1:]
			j := strings.IndexAny(rest, ".[{")
			if j < 0 {
				j = len(rest)
			}
			name := rest[:j]
			rest = rest[j:]
			rec := d.find(typ, func(n *node) bool {
				t := n.text("type")
				return (t == "record" || t == "error") && field(n, name) != nil
			})
			if rec == nil {
				return cur
			}
			f := field(rec, name)
			cur, typ = f, f.get("type")
		default:
			return cur
		}
	}
	return cur
}
