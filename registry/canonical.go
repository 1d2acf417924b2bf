package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Canonical returns Confluent's canonical string of an Avro schema: what
// Apache Avro Java's Schema.toString() prints for the parsed schema. It is
// the text the registry stores and returns, and (with the references and
// metadata) what ids are content-addressed by.
//
// It is not the Parsing Canonical Form: whitespace and attribute order
// collapse, but doc, aliases, defaults, order and custom attributes are kept,
// so schemas that differ in them get different ids, as on Confluent.
//
// refs are the texts of the referenced schemas (Confluent references), whose
// named types the schema may use by name. With normalize, custom attributes
// are sorted by name and aliases sorted, so more spellings of one schema
// share an id.
//
// The schema must already have been validated (parsed) as Avro; Canonical
// only checks what it needs to walk it.
func Canonical(schema string, refs []string, normalize bool) (string, error) {
	return canonical(schema, refs, normalize, true)
}

// ResolvedText returns the schema with the named types it takes from its
// references written out in full at first use: Confluent's format=resolved,
// a self-contained schema.
func ResolvedText(schema string, refs []string) (string, error) {
	return canonical(schema, refs, false, false)
}

func canonical(schema string, refs []string, normalize, predefine bool) (string, error) {
	root, err := parseOrdered([]byte(schema))
	if err != nil {
		return "", err
	}
	c := &canonWriter{
		defined:   map[string]bool{},
		external:  map[string]extDef{},
		normalize: normalize,
	}
	for _, r := range refs {
		n, err := parseOrdered([]byte(r))
		if err != nil {
			return "", fmt.Errorf("reference: %w", err)
		}
		// Avro Java pre-populates the writer's names with the top-level
		// type of each reference: those print as names. Types nested in a
		// reference are only known for resolution, and print in full at
		// first use (as Java does).
		if full := topName(n); full != "" && predefine {
			c.defined[full] = true
		}
		c.collect(n, "")
	}
	if err := c.schema(root, ""); err != nil {
		return "", err
	}
	return c.buf.String(), nil
}

// --- an order-preserving JSON tree -----------------------------------------

type jkind uint8

const (
	jObject jkind = iota
	jArray
	jString
	jLiteral // number, true, false, null: kept as spelled
)

type jnode struct {
	kind  jkind
	str   string // jString: the value; jLiteral: the literal text
	keys  []string
	vals  []*jnode // jObject values, jArray items
	isNum bool
}

// get returns the last value for key (Jackson's "last wins").
func (n *jnode) get(key string) *jnode {
	if n.kind != jObject {
		return nil
	}
	for i := len(n.keys) - 1; i >= 0; i-- {
		if n.keys[i] == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *jnode) getString(key string) (string, bool) {
	v := n.get(key)
	if v == nil || v.kind != jString {
		return "", false
	}
	return v.str, true
}

const maxDepth = 10000

func parseOrdered(data []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, 0)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: trailing data")
	}
	return n, nil
}

func parseValue(dec *json.Decoder, depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &jnode{kind: jArray}
			for dec.More() {
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &jnode{kind: jString, str: t}, nil
	case json.Number:
		return &jnode{kind: jLiteral, str: string(t), isNum: true}, nil
	case bool:
		return &jnode{kind: jLiteral, str: strconv.FormatBool(t)}, nil
	case nil:
		return &jnode{kind: jLiteral, str: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// --- writing like Jackson ---------------------------------------------------

const hexDigits = "0123456789ABCDEF"

// writeJSONString writes s quoted and escaped the way Jackson does: short
// escapes for quote, backslash and \b \f \n \r \t, \u00XX for other control
// characters, everything else (including non-ASCII and '/') as is.
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// writeTree writes a JSON value compactly, as Jackson's writeTree would
// after Avro Java parsed it: integers as spelled, other numbers as Java
// doubles.
func writeTree(b *bytes.Buffer, n *jnode) {
	switch n.kind {
	case jString:
		writeJSONString(b, n.str)
	case jLiteral:
		if n.isNum {
			b.WriteString(javaNumber(n.str))
		} else {
			b.WriteString(n.str)
		}
	case jArray:
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTree(b, v)
		}
		b.WriteByte(']')
	case jObject:
		// Jackson's ObjectNode keeps one entry per key: at the position of
		// its first occurrence, with the last value.
		b.WriteByte('{')
		seen := make(map[string]bool, len(n.keys))
		for _, k := range n.keys {
			if seen[k] {
				continue
			}
			if len(seen) > 0 {
				b.WriteByte(',')
			}
			seen[k] = true
			writeJSONString(b, k)
			b.WriteByte(':')
			writeTree(b, n.get(k))
		}
		b.WriteByte('}')
	}
}

// javaNumber renders a JSON number as Jackson prints the node Avro Java
// parsed it into: integers unchanged, anything with a fraction or exponent
// as Java's Double.toString.
func javaNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		out := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(out, ".") {
			out += ".0"
		}
		return out
	}
	out := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.5E+10, 1E-05
	mant, exp, _ := strings.Cut(out, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// --- the Avro walk ------------------------------------------------------------

var primitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

var (
	schemaReserved = map[string]bool{"doc": true, "fields": true, "items": true, "name": true, "namespace": true,
		"size": true, "symbols": true, "values": true, "type": true, "aliases": true}
	enumReserved  = map[string]bool{"default": true}
	fieldReserved = map[string]bool{"default": true, "doc": true, "name": true, "order": true, "type": true, "aliases": true}
)

type extDef struct {
	node  *jnode
	space string
}

type canonWriter struct {
	buf       bytes.Buffer
	defined   map[string]bool   // full names already written (or pre-populated)
	external  map[string]extDef // named types defined by references
	normalize bool
}

// splitName applies Avro's naming rules: a dotted name carries its
// namespace; otherwise the "namespace" attribute, else the enclosing one.
func splitName(n *jnode, enclosing string) (name, space string) {
	name, _ = n.getString("name")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:], name[:i]
	}
	if ns, ok := n.getString("namespace"); ok {
		return name, ns
	}
	if n.get("namespace") != nil { // null namespace
		return name, ""
	}
	return name, enclosing
}

func fullName(name, space string) string {
	if space == "" {
		return name
	}
	return space + "." + name
}

func namespaceOf(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i]
	}
	return ""
}

func isNamedType(t string) bool { return t == "record" || t == "error" || t == "enum" || t == "fixed" }

// topName returns the full name of a schema's top-level named type, or "".
func topName(n *jnode) string {
	if n.kind != jObject {
		return ""
	}
	if t, _ := n.getString("type"); !isNamedType(t) {
		return ""
	}
	name, space := splitName(n, "")
	return fullName(name, space)
}

// collect records every named type a reference defines.
func (c *canonWriter) collect(n *jnode, space string) {
	switch n.kind {
	case jArray:
		for _, v := range n.vals {
			c.collect(v, space)
		}
	case jObject:
		t, _ := n.getString("type")
		if isNamedType(t) {
			name, ns := splitName(n, space)
			full := fullName(name, ns)
			if _, ok := c.external[full]; !ok {
				c.external[full] = extDef{node: n, space: space}
			}
			space = ns
		}
		if f := n.get("fields"); f != nil && f.kind == jArray {
			for _, fd := range f.vals {
				if ft := fd.get("type"); ft != nil {
					c.collect(ft, space)
				}
			}
		}
		for _, k := range []string{"items", "values", "type"} {
			if v := n.get(k); v != nil && v.kind != jString {
				c.collect(v, space)
			}
		}
	}
}

// resolve turns a type name used in namespace space into a full name, the
// way Avro Java's Names.get does: the namespace-qualified name if it is
// known, else the name as given.
func (c *canonWriter) resolve(name, space string) string {
	if strings.Contains(name, ".") || space == "" {
		return name
	}
	q := space + "." + name
	if c.defined[q] {
		return q
	}
	if _, ok := c.external[q]; ok {
		return q
	}
	if c.defined[name] {
		return name
	}
	if _, ok := c.external[name]; ok {
		return name
	}
	return q
}

// writeRef writes a reference to an already written named type, qualified
// relative to the enclosing namespace (Avro Java's Name.getQualified).
func (c *canonWriter) writeRef(full, space string) {
	if ns := namespaceOf(full); !c.normalize && ns != "" && ns == space {
		if short := full[len(ns)+1:]; !primitives[short] {
			writeJSONString(&c.buf, short)
			return
		}
	}
	writeJSONString(&c.buf, full)
}

func (c *canonWriter) namedRef(name, space string) error {
	full := c.resolve(name, space)
	if !c.defined[full] {
		if d, ok := c.external[full]; ok {
			// A type from a reference that is not pre-populated: Java
			// prints it in full here, its namespace relative to this spot.
			if t, _ := d.node.getString("type"); isNamedType(t) {
				return c.named(d.node, t, d.space, space)
			}
			return c.schema(d.node, d.space)
		}
		return fmt.Errorf("undefined name %q", name)
	}
	c.writeRef(full, space)
	return nil
}

func (c *canonWriter) schema(n *jnode, space string) error {
	switch n.kind {
	case jString:
		if primitives[n.str] {
			writeJSONString(&c.buf, n.str)
			return nil
		}
		return c.namedRef(n.str, space)
	case jArray:
		c.buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.schema(v, space); err != nil {
				return err
			}
		}
		c.buf.WriteByte(']')
		return nil
	case jLiteral:
		return fmt.Errorf("%s is not a schema", n.str)
	}
	tn := n.get("type")
	if tn == nil {
		return errors.New("no type")
	}
	if tn.kind != jString {
		return c.schema(tn, space)
	}
	t := tn.str
	switch {
	case primitives[t]:
		if !c.hasProps(n, schemaReserved, nil) {
			writeJSONString(&c.buf, t)
			return nil
		}
		c.buf.WriteString(`{"type":`)
		writeJSONString(&c.buf, t)
		c.props(n, schemaReserved, nil)
		c.buf.WriteByte('}')
		return nil
	case t == "array" || t == "map":
		key := "items"
		if t == "map" {
			key = "values"
		}
		sub := n.get(key)
		if sub == nil {
			return fmt.Errorf("%s without %s", t, key)
		}
		c.buf.WriteString(`{"type":"` + t + `","` + key + `":`)
		if err := c.schema(sub, space); err != nil {
			return err
		}
		c.props(n, schemaReserved, nil)
		c.buf.WriteByte('}')
		return nil
	case isNamedType(t):
		return c.named(n, t, space, space)
	}
	return c.namedRef(t, space)
}

// named writes a named type defined in namespace defSpace at a spot whose
// enclosing namespace is space.
func (c *canonWriter) named(n *jnode, t, defSpace, space string) error {
	name, ns := splitName(n, defSpace)
	full := fullName(name, ns)
	if c.defined[full] {
		c.writeRef(full, space)
		return nil
	}
	c.defined[full] = true
	c.buf.WriteString(`{"type":`)
	writeJSONString(&c.buf, t)
	c.buf.WriteString(`,"name":`)
	writeJSONString(&c.buf, name)
	if ns != "" {
		if ns != space {
			c.buf.WriteString(`,"namespace":`)
			writeJSONString(&c.buf, ns)
		}
	} else if space != "" {
		c.buf.WriteString(`,"namespace":""`)
	}
	if doc, ok := n.getString("doc"); ok {
		c.buf.WriteString(`,"doc":`)
		writeJSONString(&c.buf, doc)
	}
	var extra map[string]bool
	switch t {
	case "record", "error":
		c.buf.WriteString(`,"fields":[`)
		if fs := n.get("fields"); fs != nil && fs.kind == jArray {
			for i, f := range fs.vals {
				if i > 0 {
					c.buf.WriteByte(',')
				}
				if err := c.field(f, ns); err != nil {
					return err
				}
			}
		}
		c.buf.WriteByte(']')
	case "enum":
		extra = enumReserved
		c.buf.WriteString(`,"symbols":[`)
		if syms := n.get("symbols"); syms != nil && syms.kind == jArray {
			for i, s := range syms.vals {
				if i > 0 {
					c.buf.WriteByte(',')
				}
				writeTree(&c.buf, s)
			}
		}
		c.buf.WriteByte(']')
		if d, ok := n.getString("default"); ok {
			c.buf.WriteString(`,"default":`)
			writeJSONString(&c.buf, d)
		}
	case "fixed":
		c.buf.WriteString(`,"size":`)
		if s := n.get("size"); s != nil && s.kind == jLiteral {
			c.buf.WriteString(s.str)
		}
	}
	c.props(n, schemaReserved, extra)
	// Aliases are names relative to this type's namespace.
	if al := n.get("aliases"); al != nil && al.kind == jArray && len(al.vals) > 0 {
		var names []string
		seen := map[string]bool{}
		for _, a := range al.vals {
			if a.kind != jString {
				continue
			}
			afull := a.str
			if !strings.Contains(afull, ".") && ns != "" {
				afull = ns + "." + afull
			}
			if seen[afull] {
				continue
			}
			seen[afull] = true
			aq := afull
			if !c.normalize && ns != "" && namespaceOf(afull) == ns {
				aq = afull[len(ns)+1:]
			}
			names = append(names, aq)
		}
		c.writeStringList("aliases", names)
	}
	c.buf.WriteByte('}')
	return nil
}

func (c *canonWriter) field(f *jnode, space string) error {
	if f.kind != jObject {
		return errors.New("field is not an object")
	}
	name, _ := f.getString("name")
	c.buf.WriteString(`{"name":`)
	writeJSONString(&c.buf, name)
	c.buf.WriteString(`,"type":`)
	ft := f.get("type")
	if ft == nil {
		return fmt.Errorf("field %q has no type", name)
	}
	if err := c.schema(ft, space); err != nil {
		return err
	}
	if doc, ok := f.getString("doc"); ok {
		c.buf.WriteString(`,"doc":`)
		writeJSONString(&c.buf, doc)
	}
	if d := f.get("default"); d != nil {
		c.buf.WriteString(`,"default":`)
		writeTree(&c.buf, d)
	}
	if o, ok := f.getString("order"); ok && strings.ToLower(o) != "ascending" {
		c.buf.WriteString(`,"order":`)
		writeJSONString(&c.buf, strings.ToLower(o))
	}
	if al := f.get("aliases"); al != nil && al.kind == jArray && len(al.vals) > 0 {
		var names []string
		seen := map[string]bool{}
		for _, a := range al.vals {
			if a.kind == jString && !seen[a.str] {
				seen[a.str] = true
				names = append(names, a.str)
			}
		}
		c.writeStringList("aliases", names)
	}
	c.props(f, fieldReserved, nil)
	c.buf.WriteByte('}')
	return nil
}

func (c *canonWriter) writeStringList(key string, vals []string) {
	if len(vals) == 0 {
		return
	}
	if c.normalize {
		vals = append([]string(nil), vals...)
		sort.Strings(vals)
	}
	c.buf.WriteString(`,"` + key + `":[`)
	for i, v := range vals {
		if i > 0 {
			c.buf.WriteByte(',')
		}
		writeJSONString(&c.buf, v)
	}
	c.buf.WriteByte(']')
}

func (c *canonWriter) hasProps(n *jnode, reserved, extra map[string]bool) bool {
	for _, k := range n.keys {
		if !reserved[k] && !extra[k] {
			return true
		}
	}
	return false
}

// props writes the custom attributes in their original order (Avro Java
// keeps them in a LinkedHashMap), or sorted when normalizing. A repeated key
// is written once, with its last value.
func (c *canonWriter) props(n *jnode, reserved, extra map[string]bool) {
	var keys []string
	seen := map[string]bool{}
	for _, k := range n.keys {
		if reserved[k] || extra[k] || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
	}
	if c.normalize {
		sort.Strings(keys)
	}
	for _, k := range keys {
		c.buf.WriteByte(',')
		writeJSONString(&c.buf, k)
		c.buf.WriteByte(':')
		writeTree(&c.buf, n.get(k))
	}
}
