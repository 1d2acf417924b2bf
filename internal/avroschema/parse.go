package avroschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/jsontree"
)

// MaxNesting is the deepest JSON nesting Parse accepts. It keeps hostile
// input from exhausting the stack of the recursive parser; real schemas stay
// far below it (a 200-level nested record is about 800 JSON levels). It is
// the JSON tree's bound, so that a text parses as a tree exactly when it
// passes this check (see ParseAndValidateTree).
const MaxNesting = jsontree.MaxDepth

// ParseError is a schema that could not be parsed. Line and Column are
// 1-based and set when the problem is in the JSON syntax.
type ParseError struct {
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return e.Msg
}

// Parse parses an Avro schema with a fresh named-type cache, so that two
// versions of the same record never shadow each other.
func Parse(text string) (avro.Schema, error) {
	return ParseWithReferences(text)
}

// ParseWithReferences parses an Avro schema whose named types may come from
// other schemas (Confluent schema references). The references are parsed
// first, in order, into the same fresh cache.
func ParseWithReferences(text string, refs ...string) (avro.Schema, error) {
	cache := &avro.SchemaCache{}
	st := newRefState(len(refs))
	for i, r := range refs {
		s, err := parseInto(r, cache, st)
		if err != nil {
			return nil, fmt.Errorf("reference %d: %w", i+1, err)
		}
		st.defined(s)
	}
	return parseInto(text, cache, st)
}

// parseInto parses text into cache, which holds the named types st counts
// (st is nil without references).
func parseInto(text string, cache *avro.SchemaCache, st *refState) (avro.Schema, error) {
	return parseIntoWith(text, cache, false, st)
}

// parseIntoWith is parseInto; fast tries fastParseTree before hamba/avro's
// parser.
func parseIntoWith(text string, cache *avro.SchemaCache, fast bool, st *refState) (s avro.Schema, err error) {
	s, _, err = parseTreeInto(text, cache, fast, st, nil)
	return s, err
}

// parseTreeInto is parseIntoWith that also returns the text's JSON tree,
// parsed once for the syntax check, the fast parser and validation. parsed,
// if not nil, is that tree, made by the caller (see ParseAndValidateTree).
// A text becomes a tree exactly when it passes validateJSON (jsontree
// accepts what json.Valid does, nested at most MaxNesting deep), which is
// run only for its message when the tree is refused. Before hamba/avro's
// parser sees text, guardDefaults refuses defaults whose conversion would
// cost far more than the text holds (st counts the named types in cache,
// which hamba's parser copies: see refState).
func parseTreeInto(text string, cache *avro.SchemaCache, fast bool, st *refState, parsed *jsontree.Value) (s avro.Schema, j *jsontree.Value, err error) {
	if parsed == nil {
		var terr error
		if parsed, terr = jsontree.ParseString(text); terr != nil {
			if err := validateJSON([]byte(text)); err != nil {
				return nil, nil, err
			}
			return nil, nil, &ParseError{Msg: "invalid JSON: " + terr.Error()}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			s, j, err = nil, nil, &ParseError{Msg: fmt.Sprintf("invalid schema: %v", r)}
		}
	}()
	if err := guardDefaults(text, parsed, cache, st); err != nil {
		return nil, nil, err
	}
	// The fast parser reads strings as the tree decoded them: as jsoniter,
	// hamba/avro's decoder, does only for some texts.
	if fast && sameDecoding(text) {
		if s, ok := fastParseTree(parsed, cache); ok {
			return s, parsed, nil
		}
	}
	if err := st.copyCache(); err != nil {
		return nil, nil, err
	}
	s, err = avro.ParseBytesWithCache([]byte(text), "", cache)
	if err != nil {
		return nil, nil, &ParseError{Msg: "invalid schema: " + strings.TrimPrefix(err.Error(), "avro: ")}
	}
	return s, parsed, nil
}

// sameDecoding reports whether jsoniter certainly decodes text (valid
// JSON) to the same strings as encoding/json: valid UTF-8 (encoding/json
// replaces invalid bytes with U+FFFD) and no \u escapes (lone surrogates).
func sameDecoding(text string) bool {
	return utf8.ValidString(text) && !strings.Contains(text, `\u`)
}

// validateJSON checks syntax (with a line and column on error) and nesting
// depth: the message for text the JSON tree refuses (hamba/avro would treat
// text that is not JSON as a bare type name, which gives unhelpful
// messages).
func validateJSON(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &ParseError{Msg: "empty schema"}
	}
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxNesting {
				line, col := lineCol(data, i+1)
				return &ParseError{Line: line, Column: col, Msg: fmt.Sprintf("schema nested deeper than %d levels", MaxNesting)}
			}
		case '}', ']':
			depth--
		}
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, int(se.Offset))
			return &ParseError{Line: line, Column: col, Msg: "invalid JSON: " + se.Error()}
		}
		if err != nil {
			return &ParseError{Msg: "invalid JSON: " + err.Error()}
		}
		return &ParseError{Msg: "invalid JSON"}
	}
	return nil
}

// lineCol converts a byte offset (1-based, as json.SyntaxError reports the
// position after the bad byte) into a 1-based line and column.
func lineCol(data []byte, offset int) (line, col int) {
	if offset > len(data) {
		offset = len(data)
	}
	if offset < 1 {
		offset = 1
	}
	before := data[:offset-1]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = offset - bytes.LastIndexByte(before, '\n') - 1
	return line, col
}

// maxCacheCopies bounds the named-type entries hamba/avro's parser copies
// for one schema and its references: each parse copies the whole cache of
// the types the references before defined (ParseBytesWithCache's AddAll),
// so 100 references after one of 200,000 aliases took 43 s (about 2 µs an
// entry). 1M entries are about 2 s; 1,000 references of 2 named types each
// copy 1M.
const maxCacheCopies = 1 << 20

// refState counts, for a schema parsed with references, the entries of the
// named-type cache (full names and aliases) and what parses have copied of
// them. A nil *refState is a schema without references.
type refState struct {
	entries, copied int
}

func newRefState(refs int) *refState {
	if refs == 0 {
		return nil
	}
	return &refState{}
}

// shared reports whether the cache holds named types already.
func (st *refState) shared() bool { return st != nil && st.entries > 0 }

// copyCache counts a copy of the cache, refusing one past maxCacheCopies.
func (st *refState) copyCache() error {
	if !st.shared() {
		return nil
	}
	if st.copied += st.entries; st.copied > maxCacheCopies {
		return &ParseError{Msg: fmt.Sprintf("invalid schema: its references define %d named types and aliases, which parsing each schema after them copies: more than %d copied in all", st.entries, maxCacheCopies)}
	}
	return nil
}

// defined counts the named types and aliases s defined into the cache
// (those reached without going through a reference to an earlier one).
func (st *refState) defined(s avro.Schema) {
	if st != nil {
		eachDefined(s, map[avro.Schema]bool{}, func(n avro.NamedSchema) {
			st.entries += 1 + len(n.Aliases())
		})
	}
}
