package registry

import (
	"strings"
	"unicode"
)

// DefaultContext is the name of the default schema context.
const DefaultContext = "."

// SplitSubject splits a qualified subject ":.ctx:name" into its schema
// context (".ctx") and name. Unqualified subjects, and ":.:name", are in the
// default context ".".
func SplitSubject(subject string) (schemaCtx, name string) {
	if strings.HasPrefix(subject, ":.") {
		if i := strings.IndexByte(subject[1:], ':'); i >= 0 {
			return subject[1 : i+1], subject[i+2:]
		}
	}
	return DefaultContext, subject
}

// QualifySubject returns the qualified form of name in schema context
// schemaCtx: name itself in the default context, ":.ctx:name" otherwise. A
// context given without its leading dot gets one.
func QualifySubject(schemaCtx, name string) string {
	schemaCtx = NormalizeContext(schemaCtx)
	if schemaCtx == DefaultContext {
		return name
	}
	return ":" + schemaCtx + ":" + name
}

// NormalizeContext adds the leading dot a schema context name may lack
// ("foo" → ".foo"); "" and "." are the default context.
func NormalizeContext(schemaCtx string) string {
	if schemaCtx == "" || schemaCtx == DefaultContext {
		return DefaultContext
	}
	if !strings.HasPrefix(schemaCtx, ".") {
		return "." + schemaCtx
	}
	return schemaCtx
}

// NormalizeSubject rewrites ":.:name" to "name"; other subjects are returned
// unchanged.
func NormalizeSubject(subject string) string {
	schemaCtx, name := SplitSubject(subject)
	return QualifySubject(schemaCtx, name)
}

// CheckSubject returns the 42208 error if subject cannot name a subject:
// empty, a reserved name (__GLOBAL, __EMPTY), control characters, or an
// invalid schema context if qualified.
func CheckSubject(subject string) error {
	if !validSubject(subject) {
		return errInvalidSubject(subject)
	}
	return nil
}

func validSubject(subject string) bool {
	schemaCtx, name := SplitSubject(subject)
	if name == "" || name == "__GLOBAL" || name == "__EMPTY" {
		return false
	}
	return validName(name) && validContext(schemaCtx)
}

func validContext(schemaCtx string) bool {
	if schemaCtx == DefaultContext {
		return true
	}
	return len(schemaCtx) > 1 && schemaCtx[0] == '.' && !strings.Contains(schemaCtx, ":") && validName(schemaCtx)
}

func validName(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// matchPrefix reports whether subject matches a Confluent subjectPrefix:
// "" and ":*:" match everything; ":.ctx:p" matches names starting with p in
// context .ctx; a plain p matches names starting with p in the default
// context.
func matchPrefix(prefix, subject string) bool {
	if prefix == "" || prefix == ":*:" {
		return true
	}
	prefixCtx, prefixName := SplitSubject(prefix)
	if strings.HasPrefix(prefix, ":.") && strings.HasSuffix(prefix, ":") && prefixName == "" {
		prefixCtx = prefix[1 : len(prefix)-1]
	}
	subjectCtx, name := SplitSubject(subject)
	return subjectCtx == prefixCtx && strings.HasPrefix(name, prefixName)
}
