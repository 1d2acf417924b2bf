package compat

import "strings"

// PathStep is one step of an incompatibility's field path after its root
// name: into a record field (Field), an array's items ("[]") or a map's
// values ("{}").
type PathStep struct {
	Field  string // the field name; "" for Items and Values
	Items  bool   // "[]"
	Values bool   // "{}"
}

// SplitPath splits a field path as Incompatibility.Path writes it
// ("OrderPlaced.lines[].price") into its root name and its steps. ok is
// false when the path leaves that grammar; steps then holds the steps
// before the first one that does not parse.
func SplitPath(path string) (root string, steps []PathStep, ok bool) {
	i := strings.IndexAny(path, ".[{")
	if i < 0 {
		return path, nil, true
	}
	root, rest := path[:i], path[i:]
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "[]"):
			steps, rest = append(steps, PathStep{Items: true}), rest[2:]
		case strings.HasPrefix(rest, "{}"):
			steps, rest = append(steps, PathStep{Values: true}), rest[2:]
		case rest[0] == '.':
			rest = rest[1:]
			j := strings.IndexAny(rest, ".[{")
			if j < 0 {
				j = len(rest)
			}
			steps, rest = append(steps, PathStep{Field: rest[:j]}), rest[j:]
		default:
			return root, steps, false
		}
	}
	return root, steps, true
}
