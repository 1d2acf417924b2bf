package registry

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/edactl/edactl/internal/jsontree"
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
	root, err := jsontree.ParseString(schema)
	if err != nil {
		return "", err
	}
	return canonicalTree(root, len(schema), refs, normalize, predefine)
}

// canonicalTree is canonical of the schema parsed into root, size bytes
// long.
func canonicalTree(root *jsontree.Value, size int, refs []string, normalize, predefine bool) (string, error) {
	c := &canonWriter{
		defined:   map[string]bool{},
		external:  map[string]extDef{},
		normalize: normalize,
	}
	// The canonical text is mostly the schema less its whitespace.
	c.buf.Grow(size + 64)
	for _, r := range refs {
		n, err := jsontree.ParseString(r)
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

// --- reading the schema as Avro Java does ---------------------------------

// Avro Java reads schemas with Jackson, whose ObjectNode keeps the last
// value of a repeated key: every lookup here is Last.

// getString returns the string value of key, the last one if repeated.
func getString(n *jsontree.Value, key string) (string, bool) {
	v := n.Last(key)
	if v == nil || v.Kind() != jsontree.String {
		return "", false
	}
	return v.Text(), true
}

// --- writing like Jackson ---------------------------------------------------

const hexDigits = "0123456789ABCDEF"

// jsonStringLen returns the length of what writeJSONString writes for s.
func jsonStringLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
			n++
		case c < 0x20:
			n += 5
		}
	}
	return n
}

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
func writeTree(b *bytes.Buffer, n *jsontree.Value) {
	switch n.Kind() {
	case jsontree.String:
		writeJSONString(b, n.Text())
	case jsontree.Number, jsontree.Bool, jsontree.Null:
		if n.Kind() == jsontree.Number {
			b.WriteString(javaNumber(n.Text()))
		} else {
			b.WriteString(n.Text())
		}
	case jsontree.Array:
		b.WriteByte('[')
		for i := range n.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTree(b, n.Item(i))
		}
		b.WriteByte(']')
	case jsontree.Object:
		// Jackson's ObjectNode keeps one entry per key: at the position of
		// its first occurrence, with the last value.
		b.WriteByte('{')
		seen := make(map[string]bool, n.Len())
		for i := range n.Len() {
			k := n.Key(i)
			if seen[k] {
				continue
			}
			if len(seen) > 0 {
				b.WriteByte(',')
			}
			seen[k] = true
			writeJSONString(b, k)
			b.WriteByte(':')
			writeTree(b, n.Last(k))
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
	node  *jsontree.Value
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
func splitName(n *jsontree.Value, enclosing string) (name, space string) {
	name, _ = getString(n, "name")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:], name[:i]
	}
	if ns, ok := getString(n, "namespace"); ok {
		return name, ns
	}
	if n.Last("namespace") != nil { // null namespace
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
func topName(n *jsontree.Value) string {
	if n.Kind() != jsontree.Object {
		return ""
	}
	if t, _ := getString(n, "type"); !isNamedType(t) {
		return ""
	}
	name, space := splitName(n, "")
	return fullName(name, space)
}

// collect records every named type a reference defines.
func (c *canonWriter) collect(n *jsontree.Value, space string) {
	switch n.Kind() {
	case jsontree.Array:
		for i := range n.Len() {
			c.collect(n.Item(i), space)
		}
	case jsontree.Object:
		t, _ := getString(n, "type")
		if isNamedType(t) {
			name, ns := splitName(n, space)
			full := fullName(name, ns)
			if _, ok := c.external[full]; !ok {
				c.external[full] = extDef{node: n, space: space}
			}
			space = ns
		}
		if f := n.Last("fields"); f != nil && f.Kind() == jsontree.Array {
			for i := range f.Len() {
				if ft := f.Item(i).Last("type"); ft != nil {
					c.collect(ft, space)
				}
			}
		}
		for _, k := range []string{"items", "values", "type"} {
			if v := n.Last(k); v != nil && v.Kind() != jsontree.String {
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
			if t, _ := getString(d.node, "type"); isNamedType(t) {
				return c.named(d.node, t, d.space, space)
			}
			return c.schema(d.node, d.space)
		}
		return fmt.Errorf("undefined name %q", name)
	}
	c.writeRef(full, space)
	return nil
}

func (c *canonWriter) schema(n *jsontree.Value, space string) error {
	switch n.Kind() {
	case jsontree.String:
		if primitives[n.Text()] {
			writeJSONString(&c.buf, n.Text())
			return nil
		}
		return c.namedRef(n.Text(), space)
	case jsontree.Array:
		c.buf.WriteByte('[')
		for i := range n.Len() {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.schema(n.Item(i), space); err != nil {
				return err
			}
		}
		c.buf.WriteByte(']')
		return nil
	case jsontree.Number, jsontree.Bool, jsontree.Null:
		return fmt.Errorf("%s is not a schema", n.Text())
	}
	tn := n.Last("type")
	if tn == nil {
		return errors.New("no type")
	}
	if tn.Kind() != jsontree.String {
		return c.schema(tn, space)
	}
	t := tn.Text()
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
		sub := n.Last(key)
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
func (c *canonWriter) named(n *jsontree.Value, t, defSpace, space string) error {
	name, ns := splitName(n, defSpace)
	if name == "" {
		return fmt.Errorf("%s without a name", t)
	}
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
	if doc, ok := getString(n, "doc"); ok {
		c.buf.WriteString(`,"doc":`)
		writeJSONString(&c.buf, doc)
	}
	var extra map[string]bool
	switch t {
	case "record", "error":
		fs := n.Last("fields")
		if fs == nil || fs.Kind() != jsontree.Array {
			return fmt.Errorf("record %s has no fields array", full)
		}
		c.buf.WriteString(`,"fields":[`)
		{
			for i := range fs.Len() {
				if i > 0 {
					c.buf.WriteByte(',')
				}
				if err := c.field(fs.Item(i), ns); err != nil {
					return err
				}
			}
		}
		c.buf.WriteByte(']')
	case "enum":
		extra = enumReserved
		syms := n.Last("symbols")
		if syms == nil || syms.Kind() != jsontree.Array {
			return fmt.Errorf("enum %s has no symbols array", full)
		}
		c.buf.WriteString(`,"symbols":[`)
		{
			for i := range syms.Len() {
				if i > 0 {
					c.buf.WriteByte(',')
				}
				writeTree(&c.buf, syms.Item(i))
			}
		}
		c.buf.WriteByte(']')
		if d, ok := getString(n, "default"); ok {
			c.buf.WriteString(`,"default":`)
			writeJSONString(&c.buf, d)
		}
	case "fixed":
		size := n.Last("size")
		if size == nil || size.Kind() != jsontree.Number {
			return fmt.Errorf("fixed %s has no size", full)
		}
		c.buf.WriteString(`,"size":`)
		c.buf.WriteString(size.Text())
	}
	c.props(n, schemaReserved, extra)
	// Aliases are names relative to this type's namespace.
	if al := n.Last("aliases"); al != nil && al.Kind() == jsontree.Array && al.Len() > 0 {
		var names []string
		seen := map[string]bool{}
		for i := range al.Len() {
			a := al.Item(i)
			if a.Kind() != jsontree.String {
				continue
			}
			afull := a.Text()
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

func (c *canonWriter) field(f *jsontree.Value, space string) error {
	if f.Kind() != jsontree.Object {
		return errors.New("field is not an object")
	}
	name, _ := getString(f, "name")
	if name == "" {
		return errors.New("field without a name")
	}
	c.buf.WriteString(`{"name":`)
	writeJSONString(&c.buf, name)
	c.buf.WriteString(`,"type":`)
	ft := f.Last("type")
	if ft == nil {
		return fmt.Errorf("field %q has no type", name)
	}
	if err := c.schema(ft, space); err != nil {
		return err
	}
	if doc, ok := getString(f, "doc"); ok {
		c.buf.WriteString(`,"doc":`)
		writeJSONString(&c.buf, doc)
	}
	if d := f.Last("default"); d != nil {
		c.buf.WriteString(`,"default":`)
		writeTree(&c.buf, d)
	}
	if o, ok := getString(f, "order"); ok && strings.ToLower(o) != "ascending" {
		c.buf.WriteString(`,"order":`)
		writeJSONString(&c.buf, strings.ToLower(o))
	}
	if al := f.Last("aliases"); al != nil && al.Kind() == jsontree.Array && al.Len() > 0 {
		var names []string
		seen := map[string]bool{}
		for i := range al.Len() {
			if a := al.Item(i); a.Kind() == jsontree.String && !seen[a.Text()] {
				seen[a.Text()] = true
				names = append(names, a.Text())
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

func (c *canonWriter) hasProps(n *jsontree.Value, reserved, extra map[string]bool) bool {
	for i := range n.Len() {
		k := n.Key(i)
		if !reserved[k] && !extra[k] {
			return true
		}
	}
	return false
}

// props writes the custom attributes in their original order (Avro Java
// keeps them in a LinkedHashMap), or sorted when normalizing. A repeated key
// is written once, with its last value.
func (c *canonWriter) props(n *jsontree.Value, reserved, extra map[string]bool) {
	var keys []string
	seen := map[string]bool{}
	for i := range n.Len() {
		k := n.Key(i)
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
		writeTree(&c.buf, n.Last(k))
	}
}
