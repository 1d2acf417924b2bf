package registry

import (
	"strings"
	"unicode"
)

// DefaultContext is the name of the default schema context.
const DefaultContext = "."

// SplitSubject splits a qualified subject ":.ctx:name" into its context
// (".ctx") and name. Unqualified subjects, and ":.:name", are in the default
// context ".".
func SplitSubject(subject string) (ctx, name string) {
	if strings.HasPrefix(subject, ":.") {
		if i := strings.IndexByte(subject[1:], ':'); i >= 0 {
			return subject[1 : i+1], subject[i+2:]
		}
	}
	return DefaultContext, subject
}

// QualifySubject returns the qualified form of name in context ctx: name
// itself in the default context, ":ctx:name" otherwise. A context given
// without its leading dot gets one.
func QualifySubject(ctx, name string) string {
	ctx = NormalizeContext(ctx)
	if ctx == DefaultContext {
		return name
	}
	return ":" + ctx + ":" + name
}

// NormalizeContext adds the leading dot a context name may lack ("foo" →
// ".foo"); "" and "." are the default context.
func NormalizeContext(ctx string) string {
	if ctx == "" || ctx == DefaultContext {
		return DefaultContext
	}
	if !strings.HasPrefix(ctx, ".") {
		return "." + ctx
	}
	return ctx
}

// NormalizeSubject rewrites ":.:name" to "name"; other subjects are returned
// unchanged.
func NormalizeSubject(subject string) string {
	ctx, name := SplitSubject(subject)
	return QualifySubject(ctx, name)
}

// ValidSubject reports whether subject may name a subject: not empty, not a
// reserved name (__GLOBAL, __EMPTY), no control characters, and a valid
// context if qualified.
func ValidSubject(subject string) bool {
	ctx, name := SplitSubject(subject)
	if name == "" || name == "__GLOBAL" || name == "__EMPTY" {
		return false
	}
	return validName(name) && validContext(ctx)
}

func validContext(ctx string) bool {
	if ctx == DefaultContext {
		return true
	}
	return len(ctx) > 1 && ctx[0] == '.' && !strings.Contains(ctx, ":") && validName(ctx)
}

func validName(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// contextScope returns the config/mode key of a context: "" for the default
// context (the global scope), ":.ctx:" otherwise.
func contextScope(ctx string) string {
	if ctx == DefaultContext {
		return ""
	}
	return ":" + ctx + ":"
}
