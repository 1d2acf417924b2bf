package schemas

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON parser that remembers where every value
// starts, so that findings about a schema (a JSON pointer from
// registry/compat, a field found by lint) can name a line. encoding/json
// forgets positions; the schemas are small, so a plain recursive descent
// parser is enough. It is only run on files that are already known to be
// valid JSON (or to report where they are not).

// node is a parsed JSON value with its byte offset.
type node struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'l' literal
	off  int
	keys []string // object keys, in order
	vals []*node  // object values (parallel to keys) or array elements
	str  string   // decoded string value or raw number/literal
}

// get returns the value of key in an object, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != 'o' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// has reports whether an object has key.
func (n *node) has(key string) bool { return n.get(key) != nil }

// text returns the string value of key in an object, or "".
func (n *node) text(key string) string {
	v := n.get(key)
	if v == nil || v.kind != 's' {
		return ""
	}
	return v.str
}

const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

type jparser struct {
	data  []byte
	i     int
	depth int
}

// parseJSON parses data, returning the root node.
func parseJSON(data []byte) (*node, error) {
	p := &jparser{data: data}
	p.ws()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.data) {
		return nil, errSyntax
	}
	return n, nil
}

func (p *jparser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value() (*node, error) {
	if p.i >= len(p.data) {
		return nil, errSyntax
	}
	start := p.i
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &node{kind: 's', off: start, str: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		for p.i < len(p.data) && strings.IndexByte("+-0123456789.eE", p.data[p.i]) >= 0 {
			p.i++
		}
		return &node{kind: 'n', off: start, str: string(p.data[start:p.i])}, nil
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(p.data[p.i:min(len(p.data), p.i+5)]), lit) {
				p.i += len(lit)
				return &node{kind: 'l', off: start, str: lit}, nil
			}
		}
		return nil, errSyntax
	}
}

func (p *jparser) object() (*node, error) {
	n := &node{kind: 'o', off: p.i}
	if p.depth++; p.depth > maxDepth {
		return nil, errSyntax
	}
	defer func() { p.depth-- }()
	p.i++
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, errSyntax
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, errSyntax
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return n, nil
		default:
			return nil, errSyntax
		}
	}
}

func (p *jparser) array() (*node, error) {
	n := &node{kind: 'a', off: p.i}
	if p.depth++; p.depth > maxDepth {
		return nil, errSyntax
	}
	defer func() { p.depth-- }()
	p.i++
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return n, nil
		default:
			return nil, errSyntax
		}
	}
}

// string parses a JSON string at p.i (which is '"') and decodes escapes.
func (p *jparser) string() (string, error) {
	p.i++
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			s := string(p.data[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		p.i++
	}
	var b strings.Builder
	b.Write(p.data[start:p.i])
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", errSyntax
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", errSyntax
				}
				if utf16.IsSurrogate(r) && p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
					p.i += 2
					r2, ok := p.hex4()
					if !ok {
						return "", errSyntax
					}
					r = utf16.DecodeRune(r, r2)
				}
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				return "", errSyntax
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", errSyntax
}

func (p *jparser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// lineIndex converts byte offsets to 1-based lines.
type lineIndex []int // offsets of '\n'

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// line returns the 1-based line of byte offset off.
func (l lineIndex) line(off int) int {
	return sort.SearchInts(l, off) + 1
}

// column returns the 1-based column (in bytes) of byte offset off.
func (l lineIndex) column(off int) int {
	n := sort.SearchInts(l, off)
	if n == 0 {
		return off + 1
	}
	return off - l[n-1]
}
