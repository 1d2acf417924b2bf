package registry

import "strings"

// A scope is what a config or a mode is set on: "" (global), ":.ctx:" (a
// schema context) or a subject. A subject inherits from its context, which
// inherits from the global scope.

// Fallback says whether Config and Mode answer for a subject that has no
// setting of its own.
type Fallback int

const (
	// NoFallback answers only with the scope's own setting: a subject
	// without one is 40408 (config) or 40409 (mode). Confluent's default.
	NoFallback Fallback = iota
	// DefaultToGlobal answers with the setting that applies: the
	// subject's, else its context's, else the global one
	// (?defaultToGlobal=true).
	DefaultToGlobal
)

// contextScope returns the scope of a schema context: "" for the default
// context (the global scope), ":.ctx:" otherwise.
func contextScope(schemaCtx string) string {
	if schemaCtx == DefaultContext {
		return ""
	}
	return ":" + schemaCtx + ":"
}

// validScope reports whether s names a scope.
func validScope(s string) bool {
	if s == "" {
		return true
	}
	if schemaCtx, name := SplitSubject(s); name == "" && schemaCtx != DefaultContext && strings.HasSuffix(s, ":") {
		return validContext(schemaCtx)
	}
	return validSubject(s)
}

// checkScope returns the 42208 error if scope names no scope.
func checkScope(scope string) error {
	if !validScope(scope) {
		return errInvalidSubject(scope)
	}
	return nil
}

// scopeName is how Confluent's messages name a scope.
func scopeName(scope string) string {
	if scope == "" {
		return "__GLOBAL"
	}
	return scope
}

// inScope reports whether key (a scope) is scope itself or inside it.
func inScope(scope, key string) bool {
	if key == scope || scope == "" {
		return true
	}
	schemaCtx, name := SplitSubject(scope)
	if name != "" {
		return false
	}
	keyCtx, _ := SplitSubject(key)
	return keyCtx == schemaCtx
}
