package jsontree

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest: the same bound as
// internal/avroschema.MaxNesting for schema text (see the package doc).
const MaxDepth = 4000

// SyntaxError is a text that is not exactly one JSON value: invalid syntax,
// nesting deeper than MaxDepth, a second value after the first, or no value
// at all.
type SyntaxError struct {
	// Offset is the byte offset of the problem in the text.
	Offset int
	// Msg says what is wrong: "invalid JSON: " and encoding/json's wording
	// for syntax ("invalid character '}' after object key"), or "JSON nests
	// deeper than 4000 levels", "more than one JSON value", "no JSON value".
	Msg string
}

// Error formats the problem as "offset N: message".
func (e *SyntaxError) Error() string {
	return "offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Parse parses data, which must hold exactly one JSON value (white space
// around it allowed), into a tree. The tree does not refer to data: it
// keeps its strings in one copy of the text.
func Parse(data []byte) (*Value, error) { return ParseString(string(data)) }

// ParseString is Parse for a text that is already a string; its strings
// without escapes are substrings of text.
func ParseString(text string) (*Value, error) {
	return parseInto(text, make([]Value, 0, firstSlab(text)))
}

// A Parser parses texts into memory it keeps for its next parse: a caller
// that parses text after text (a server, one request at a time) then
// allocates a tree's slab once, not once per text. The tree a parse
// returns, and every Value in it, is valid only until the Parser's next
// parse. The zero Parser is ready to use; a Parser is not safe for
// concurrent use.
type Parser struct {
	slab  []Value
	dirty int // how many Values of slab the last parse may have written
}

// maxKeptSlab is the most Values a Parser keeps between parses: the slab
// of a larger document is left to the collector.
const maxKeptSlab = 1024

// ParseString is the package's ParseString, into p's memory.
func (p *Parser) ParseString(text string) (*Value, error) {
	n := firstSlab(text)
	clear(p.slab[:p.dirty]) // alloc hands out zeroed Values
	p.dirty = 0
	if cap(p.slab) < n {
		if n > maxKeptSlab {
			return ParseString(text)
		}
		p.slab = make([]Value, n)
	}
	// The slab's capacity is cut to n, what the text needs at most: the
	// values are then always within the part cleared next time.
	p.dirty = n
	return parseInto(text, p.slab[:0:n])
}

// parseInto parses text with slab as the first slab of its values.
func parseInto(text string, slab []Value) (*Value, error) {
	// The stack is scratch, empty once the parse is done: a parse
	// borrows one from stacks instead of growing its own.
	p := parser{s: text, slab: slab}
	st, _ := stacks.Get().(*[]Value)
	if st != nil {
		p.stack = (*st)[:0]
	} else {
		p.stack = make([]Value, 0, 4*stackSize)
	}
	v, err := p.parse()
	if cap(p.stack) <= maxPooledStack {
		clear(p.stack) // what a failed parse left
		p.stack = p.stack[:0]
		if st == nil {
			st = new([]Value)
		}
		*st = p.stack
		stacks.Put(st)
	}
	return v, err
}

// stacks holds parser stacks for reuse, each empty and cleared.
var stacks sync.Pool

// maxPooledStack is the largest stack capacity stacks keeps.
const maxPooledStack = 4096

// parse parses p.s, one JSON value and nothing after it.
func (p *parser) parse() (*Value, error) {
	p.ws()
	if p.i == len(p.s) {
		return nil, &SyntaxError{Offset: p.i, Msg: "no JSON value"}
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(p.s) {
		if startsValue(p.s[p.i]) {
			return nil, &SyntaxError{Offset: p.i, Msg: "more than one JSON value"}
		}
		return nil, p.invalid("after top-level value")
	}
	root := p.alloc(1)
	root[0] = v
	return &root[0], nil
}

// startsValue reports whether c can be the first byte of a JSON value.
func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n':
		return true
	}
	return '0' <= c && c <= '9'
}

// parser is the state of one parse.
type parser struct {
	s     string
	i     int
	depth int
	// stack holds the finished children of the containers being parsed,
	// innermost last; a container's children move to slab when it closes.
	stack []Value
	// slab is where finished children live, carved in order.
	slab []Value
}

// Slab sizes: the first holds every value of a document of up to maxSlab
// values (see firstSlab), the next ones double, from at least stackSize; a
// new parser stack starts with room for 4*stackSize values.
const (
	maxSlab   = 4096
	stackSize = 16
)

// firstSlab bounds the number of values in text: the root, and for each
// container at most one more than the commas in it. Commas inside strings
// only make the bound loose; it is capped by what the text could hold.
func firstSlab(text string) int {
	n := 1 + strings.Count(text, ",") + strings.Count(text, "[") + strings.Count(text, "{")
	return min(n, len(text)/2+1, maxSlab)
}

// alloc returns n zeroed Values from the slab.
func (p *parser) alloc(n int) []Value {
	if cap(p.slab)-len(p.slab) < n {
		size := min(max(2*cap(p.slab), stackSize), maxSlab)
		p.slab = make([]Value, 0, max(n, size))
	}
	at := len(p.slab)
	p.slab = p.slab[:at+n]
	return p.slab[at : at+n : at+n]
}

// take moves the children pushed since base from the stack to the slab.
func (p *parser) take(base int) []Value {
	kids := p.alloc(len(p.stack) - base)
	copy(kids, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return kids
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// invalid is a syntax error at the current byte, with encoding/json's
// wording: context says what was expected there.
//
//go:noinline
func (p *parser) invalid(context string) error {
	return &SyntaxError{Offset: p.i, Msg: "invalid JSON: invalid character " + quoteChar(p.s[p.i]) + " " + context}
}

//go:noinline
func (p *parser) eof() error {
	return &SyntaxError{Offset: p.i, Msg: "invalid JSON: unexpected end of input"}
}

// quoteChar formats c as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// value parses the value at p.i, where white space has been skipped.
func (p *parser) value() (Value, error) {
	if p.i >= len(p.s) {
		return Value{}, p.eof()
	}
	switch c := p.s[p.i]; c {
	case '{':
		return p.object()
	case '[':
		return p.array()
	case '"':
		off := p.i
		s, err := p.str()
		return Value{kind: String, off: off, text: s}, err
	case 't':
		return p.literal("true", Bool)
	case 'f':
		return p.literal("false", Bool)
	case 'n':
		return p.literal("null", Null)
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return p.number()
		}
		return Value{}, p.invalid("looking for beginning of value")
	}
}

func (p *parser) literal(lit string, kind Kind) (Value, error) {
	off := p.i
	for j := 0; j < len(lit); j++ {
		if p.i >= len(p.s) {
			return Value{}, p.eof()
		}
		if p.s[p.i] != lit[j] {
			return Value{}, p.invalid("in literal " + lit + " (expecting " + quoteChar(lit[j]) + ")")
		}
		p.i++
	}
	return Value{kind: kind, off: off, text: lit}, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number parses -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *parser) number() (Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
		if p.i >= len(p.s) {
			return Value{}, p.eof()
		}
	}
	switch c := p.s[p.i]; {
	case c == '0':
		p.i++
	case '1' <= c && c <= '9':
		for p.i++; p.i < len(p.s) && isDigit(p.s[p.i]); p.i++ {
		}
	default:
		return Value{}, p.invalid("in numeric literal")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.i >= len(p.s) {
			return Value{}, p.eof()
		}
		if !isDigit(p.s[p.i]) {
			return Value{}, p.invalid("after decimal point in numeric literal")
		}
		for p.i++; p.i < len(p.s) && isDigit(p.s[p.i]); p.i++ {
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.s) {
			return Value{}, p.eof()
		}
		if !isDigit(p.s[p.i]) {
			return Value{}, p.invalid("in exponent of numeric literal")
		}
		for p.i++; p.i < len(p.s) && isDigit(p.s[p.i]); p.i++ {
		}
	}
	return Value{kind: Number, off: start, text: p.s[start:p.i]}, nil
}

// enter counts one more level of nesting at the container that starts at
// p.i.
func (p *parser) enter() error {
	if p.depth++; p.depth > MaxDepth {
		return &SyntaxError{Offset: p.i, Msg: "JSON nests deeper than " + strconv.Itoa(MaxDepth) + " levels"}
	}
	return nil
}

func (p *parser) array() (Value, error) {
	v := Value{kind: Array, off: p.i}
	if err := p.enter(); err != nil {
		return v, err
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return v, nil
	}
	base := len(p.stack)
	for {
		item, err := p.value()
		if err != nil {
			return v, err
		}
		p.stack = append(p.stack, item)
		p.ws()
		if p.i >= len(p.s) {
			return v, p.eof()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.ws()
		case ']':
			p.i++
			p.depth--
			v.kids = p.take(base)
			return v, nil
		default:
			return v, p.invalid("after array element")
		}
	}
}

func (p *parser) object() (Value, error) {
	v := Value{kind: Object, off: p.i}
	if err := p.enter(); err != nil {
		return v, err
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return v, nil
	}
	base := len(p.stack)
	for {
		if p.i >= len(p.s) {
			return v, p.eof()
		}
		if p.s[p.i] != '"' {
			return v, p.invalid("looking for beginning of object key string")
		}
		key, err := p.str()
		if err != nil {
			return v, err
		}
		p.ws()
		if p.i >= len(p.s) {
			return v, p.eof()
		}
		if p.s[p.i] != ':' {
			return v, p.invalid("after object key")
		}
		p.i++
		p.ws()
		m, err := p.value()
		if err != nil {
			return v, err
		}
		m.key = key
		p.stack = append(p.stack, m)
		p.ws()
		if p.i >= len(p.s) {
			return v, p.eof()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.ws()
		case '}':
			p.i++
			p.depth--
			v.kids = p.take(base)
			return v, nil
		default:
			return v, p.invalid("after object key:value pair")
		}
	}
}

// str parses the string at p.i (a '"') and returns its decoded value.
func (p *parser) str() (string, error) {
	p.i++
	start := p.i
	// Plain ASCII and valid UTF-8 without escapes: a substring.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			p.i++
			return p.s[start : p.i-1], nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			p.i++
			continue
		}
		r, size := utf8.DecodeRuneInString(p.s[p.i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		p.i += size
	}
	return p.slowStr(start)
}

// slowStr decodes a string with escapes, control characters (an error) or
// invalid UTF-8 from p.i on, its first start bytes already scanned. It
// decodes as encoding/json does: invalid UTF-8 and an unpaired surrogate
// escape become U+FFFD.
func (p *parser) slowStr(start int) (string, error) {
	b := make([]byte, 0, p.i-start+16)
	b = append(b, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.invalid("in string literal")
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				return "", p.eof()
			}
			switch e := p.s[p.i]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				p.i++
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					// A pair when a low surrogate escape follows; else
					// U+FFFD, and what follows is read on its own.
					if r2, ok := p.peekHex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							p.i += 6
							b = utf8.AppendRune(b, d)
							continue
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", p.invalid("in string escape code")
			}
			p.i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b = utf8.AppendRune(b, r) // U+FFFD for an invalid byte
			p.i += size
		}
	}
	return "", p.eof()
}

// hex4 reads the four hex digits of a \u escape at p.i.
func (p *parser) hex4() (rune, error) {
	var r rune
	for range 4 {
		if p.i >= len(p.s) {
			return 0, p.eof()
		}
		d, ok := unhex(p.s[p.i])
		if !ok {
			return 0, p.invalid("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(d)
		p.i++
	}
	return r, nil
}

// peekHex4 reads a \uXXXX escape at p.i without moving, if there is one.
func (p *parser) peekHex4() (rune, bool) {
	if len(p.s)-p.i < 6 || p.s[p.i] != '\\' || p.s[p.i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i+2 : p.i+6]) {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Parse is the package's Parse, into p's memory.
func (p *Parser) Parse(data []byte) (*Value, error) { return p.ParseString(string(data)) }
