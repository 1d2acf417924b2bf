package compat

import (
	"fmt"
	"strings"
)

// Level is a compatibility level, one of the seven Confluent levels.
type Level string

// The seven compatibility levels.
const (
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
	None               Level = "NONE"
)

// Levels lists every level in the order Confluent documents them.
var Levels = []Level{None, Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive}

// ErrInvalidLevel is returned by ParseLevel for an unknown level name.
var ErrInvalidLevel = fmt.Errorf("invalid compatibility level")

// ParseLevel parses a level name case-insensitively (as Confluent's
// CompatibilityLevel.forName does).
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	for _, v := range Levels {
		if v == l {
			return l, nil
		}
	}
	return "", fmt.Errorf("%w %q: valid values are none, backward, forward, full, backward_transitive, forward_transitive and full_transitive", ErrInvalidLevel, s)
}

// Transitive reports whether the level compares with every history entry
// rather than the newest only.
func (l Level) Transitive() bool {
	return l == BackwardTransitive || l == ForwardTransitive || l == FullTransitive
}

// ChecksBackward reports whether the new schema must read old data.
func (l Level) ChecksBackward() bool {
	return l == Backward || l == BackwardTransitive || l == Full || l == FullTransitive
}

// ChecksForward reports whether old schemas must read new data.
func (l Level) ChecksForward() bool {
	return l == Forward || l == ForwardTransitive || l == Full || l == FullTransitive
}

// Description says in one sentence what the level guarantees.
func (l Level) Description() string {
	switch l {
	case Backward:
		return "consumers using the new schema can read data written with the latest registered schema"
	case BackwardTransitive:
		return "consumers using the new schema can read data written with every registered schema"
	case Forward:
		return "consumers using the latest registered schema can read data written with the new schema"
	case ForwardTransitive:
		return "consumers using any registered schema can read data written with the new schema"
	case Full:
		return "the new schema and the latest registered schema can read each other's data"
	case FullTransitive:
		return "the new schema and every registered schema can read each other's data"
	case None:
		return "no compatibility checks"
	}
	return ""
}
