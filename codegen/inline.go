package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/edactl/edactl/internal/avroschema"
)

// inlineSchema returns the Avro schema text with every named type it takes
// from deps (the texts of its schema references, dependencies first)
// defined where it is first used, as one self-contained schema. It works on
// the JSON, so docs, custom attributes and default values stay exactly as
// written (a schema library writing its parsed form back would re-encode
// bytes and fixed defaults and round large longs). The result is checked:
// parsed on its own it must have the canonical form of text parsed with
// deps.
func inlineSchema(text string, deps []string) (string, error) {
	in := &inliner{defs: map[string]map[string]any{}, defined: map[string]bool{}}
	for i, d := range deps {
		v, err := decodeSchemaJSON(d)
		if err != nil {
			return "", fmt.Errorf("referenced schema %d: %w", i+1, err)
		}
		in.collect(v, "")
	}
	root, err := decodeSchemaJSON(text)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in.walk(root, "")); err != nil {
		return "", err
	}
	out := strings.TrimSuffix(buf.String(), "\n")

	want, err := avroschema.ParseWithReferences(text, deps...)
	if err != nil {
		return "", err
	}
	got, err := avroschema.Parse(out)
	if err != nil {
		return "", fmt.Errorf("the schema with its references inlined does not parse: %w", err)
	}
	if avroschema.Canonical(got) != avroschema.Canonical(want) {
		return "", fmt.Errorf("the schema with its references inlined is not the registered schema:\n  inlined:    %s\n  registered: %s",
			avroschema.Canonical(got), avroschema.Canonical(want))
	}
	return out, nil
}

func decodeSchemaJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return v, nil
}

// inliner rewrites a schema's JSON, replacing the first use of each
// referenced name with its definition.
type inliner struct {
	// defs are the named types of the references by full name; each
	// definition's "name" is its full name, so it means the same wherever
	// it is placed.
	defs map[string]map[string]any
	// defined are the full names the output defines so far.
	defined map[string]bool
}

var avroPrimitives = map[string]bool{"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true}

// fullName is the full name of the named type definition m inside
// namespace ns.
func fullName(m map[string]any, ns string) string {
	name, _ := m["name"].(string)
	if strings.Contains(name, ".") {
		return name
	}
	if own, ok := m["namespace"].(string); ok {
		ns = own
	}
	if ns == "" {
		return name
	}
	return ns + "." + name
}

// namespaceOf is the namespace of a full name.
func namespaceOf(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i]
	}
	return ""
}

// collect records the named type definitions in v.
func (in *inliner) collect(v any, ns string) {
	switch v := v.(type) {
	case []any:
		for _, b := range v {
			in.collect(b, ns)
		}
	case map[string]any:
		switch t := v["type"].(type) {
		case string:
			switch t {
			case "record", "error", "enum", "fixed":
				full := fullName(v, ns)
				v["name"] = full
				if _, dup := in.defs[full]; !dup {
					in.defs[full] = v
				}
				if t == "record" || t == "error" {
					for _, f := range fields(v) {
						in.collect(f["type"], namespaceOf(full))
					}
				}
			case "array":
				in.collect(v["items"], ns)
			case "map":
				in.collect(v["values"], ns)
			}
		default:
			in.collect(t, ns)
		}
	}
}

// walk returns v with referenced names defined at their first use and
// definitions the output already has replaced by their names.
func (in *inliner) walk(v any, ns string) any {
	switch v := v.(type) {
	case string:
		if avroPrimitives[v] {
			return v
		}
		candidates := []string{v}
		if !strings.Contains(v, ".") && ns != "" {
			candidates = []string{ns + "." + v, v}
		}
		for _, full := range candidates {
			if in.defined[full] {
				return v
			}
		}
		for _, full := range candidates {
			if d, ok := in.defs[full]; ok {
				return in.walk(deepCopy(d), ns)
			}
		}
		return v
	case []any:
		out := make([]any, len(v))
		for i, b := range v {
			out[i] = in.walk(b, ns)
		}
		return out
	case map[string]any:
		switch t := v["type"].(type) {
		case string:
			switch t {
			case "record", "error", "enum", "fixed":
				full := fullName(v, ns)
				if in.defined[full] {
					return full
				}
				in.defined[full] = true
				if t == "record" || t == "error" {
					for _, f := range fields(v) {
						f["type"] = in.walk(f["type"], namespaceOf(full))
					}
				}
				return v
			case "array":
				v["items"] = in.walk(v["items"], ns)
				return v
			case "map":
				v["values"] = in.walk(v["values"], ns)
				return v
			}
			if avroPrimitives[t] {
				return v // a primitive with attributes (logicalType, ...)
			}
			// {"type": "some.Name"}: a reference in object form.
			w := in.walk(t, ns)
			if s, ok := w.(string); ok {
				v["type"] = s
				return v
			}
			return w
		case nil:
			return v
		default:
			return in.walk(t, ns)
		}
	}
	return v
}

// fields returns a record definition's field objects.
func fields(rec map[string]any) []map[string]any {
	list, _ := rec["fields"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// deepCopy copies decoded JSON.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
