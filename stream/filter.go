package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

// HeaderMatch requires a header: with Value set, a header Name whose value
// equals it; without, any header Name.
type HeaderMatch struct {
	Name  string
	Value *string
}

// ParseHeaderMatch parses "name=value" or "name".
func ParseHeaderMatch(s string) (HeaderMatch, error) {
	name, value, ok := strings.Cut(s, "=")
	if name == "" {
		return HeaderMatch{}, fmt.Errorf("header filter %q: want name=value or name", s)
	}
	if !ok {
		return HeaderMatch{Name: name}, nil
	}
	return HeaderMatch{Name: name, Value: &value}, nil
}

// Filter selects records. All given conditions must hold. The zero Filter
// (or a nil *Filter) matches everything.
type Filter struct {
	// Key, when set, must equal the key: its bytes, or the JSON of a
	// decoded key, or the text of a decoded string key.
	Key *string
	// Headers must all be present (and equal, where a value is given).
	Headers []HeaderMatch
	// Expr is the source of the CEL expression (empty: none).
	Expr string

	prg cel.Program
}

// celEnv declares the variables a filter expression sees.
func celEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("topic", cel.StringType),
		cel.Variable("partition", cel.IntType),
		cel.Variable("offset", cel.IntType),
		cel.Variable("timestamp", cel.TimestampType),
		cel.Variable("key", cel.DynType),
		cel.Variable("value", cel.DynType),
		cel.Variable("headers", cel.MapType(cel.StringType, cel.StringType)),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
	)
}

// NewFilter compiles a filter. expr is a CEL expression that must evaluate
// to a bool over topic, partition, offset, timestamp, key, value (decoded:
// maps, lists, strings, numbers; bytes for binary payloads; null) and
// headers (map of string to string). Map entries whose value is null (an
// optional field not set) are left out, so has() means "has a value". A compile error names the position in
// the expression.
func NewFilter(key *string, headers []HeaderMatch, expr string) (*Filter, error) {
	f := &Filter{Key: key, Headers: headers, Expr: expr}
	if strings.TrimSpace(expr) == "" {
		return f, nil
	}
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, iss.Err())
	}
	if t := ast.OutputType(); !t.IsExactType(types.BoolType) && !t.IsExactType(types.DynType) {
		return nil, fmt.Errorf("filter %q: evaluates to %s, want bool", expr, t)
	}
	f.prg, err = env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	return f, nil
}

// Match reports whether r passes the filter. An expression that fails on a
// record (a missing field, a type mismatch) returns false and the error,
// so callers can count such records without stopping.
func (f *Filter) Match(r *Record) (bool, error) {
	if f == nil {
		return true, nil
	}
	if f.Key != nil && !keyEquals(r.Key, *f.Key) {
		return false, nil
	}
	for _, hm := range f.Headers {
		if !r.hasHeader(hm) {
			return false, nil
		}
	}
	if f.prg == nil {
		return true, nil
	}
	out, _, err := f.prg.Eval(map[string]any{
		"topic":     r.Topic,
		"partition": int64(r.Partition),
		"offset":    r.Offset,
		"timestamp": r.Timestamp,
		"key":       celValue(r.Key),
		"value":     celValue(r.Value),
		"headers":   r.headerMap(),
	})
	if err != nil {
		return false, fmt.Errorf("filter on %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("filter on %s/%d@%d: result is %s, want bool", r.Topic, r.Partition, r.Offset, out.Type())
	}
	return b, nil
}

func keyEquals(k Payload, want string) bool {
	if k.Encoding == EncNull {
		return false
	}
	if string(k.Raw) == want {
		return true
	}
	if k.Encoding == EncAvro || k.Encoding == EncJSON {
		if string(k.JSON) == want {
			return true
		}
		var s string
		if json.Unmarshal(k.JSON, &s) == nil && s == want {
			return true
		}
	}
	return false
}

func (r *Record) hasHeader(hm HeaderMatch) bool {
	for _, h := range r.Headers {
		if h.Key == hm.Name && (hm.Value == nil || string(h.Value) == *hm.Value) {
			return true
		}
	}
	return false
}

// celValue converts a payload to what a CEL expression sees.
func celValue(p Payload) any {
	switch p.Encoding {
	case EncNull:
		return types.NullValue
	case EncUTF8:
		return string(p.Raw)
	case EncBase64:
		return p.Raw
	}
	d := json.NewDecoder(bytes.NewReader(p.JSON))
	var v any
	if err := d.Decode(&v); err != nil {
		return p.Raw
	}
	if v == nil {
		return types.NullValue
	}
	return dropNullFields(v)
}

// dropNullFields removes the null-valued entries of every map in v (not
// list elements), so a field that holds null — an optional Avro field, a
// union on its null branch — is absent to CEL: has(value.couponCode) is
// false for a null coupon and true for a set one, as the expression reads.
func dropNullFields(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNullFields(e)
		}
	case []any:
		for i, e := range v {
			v[i] = dropNullFields(e)
		}
	}
	return v
}
