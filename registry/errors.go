package registry

import (
	"fmt"
)

// Confluent error codes. An HTTP status is the code's first three digits
// (40401 → 404), or the code itself for three-digit codes.
const (
	CodeSubjectNotFound               = 40401
	CodeVersionNotFound               = 40402
	CodeSchemaNotFound                = 40403
	CodeSubjectSoftDeleted            = 40404
	CodeSubjectNotSoftDeleted         = 40405
	CodeVersionSoftDeleted            = 40406
	CodeVersionNotSoftDeleted         = 40407
	CodeSubjectCompatibilityNotConfig = 40408
	CodeSubjectModeNotConfigured      = 40409
	CodeIncompatibleSchema            = 409
	CodeInvalidSchema                 = 42201
	CodeInvalidVersion                = 42202
	CodeInvalidCompatibilityLevel     = 42203
	CodeInvalidMode                   = 42204
	CodeOperationNotPermitted         = 42205
	CodeReferenceExists               = 42206
	CodeIDDoesNotMatch                = 42207
	CodeInvalidSubject                = 42208
	CodeSchemaTooLarge                = 42209
	CodeInvalidRuleSet                = 42210
	CodeStoreError                    = 50001
	CodeOperationTimeout              = 50002
	CodeUnprocessable                 = 422
	CodeInternal                      = 500
)

// Error is a registry error with its Confluent error code. Every error the
// registry returns for a client mistake is an *Error; anything else is an
// internal failure (HTTP 500).
type Error struct {
	// Code is the Confluent error_code.
	Code int
	// Message is the text Confluent would send (most are copied verbatim,
	// clients sometimes match on them).
	Message string
	err     error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.err }

// Is matches another *Error by code, so errors.Is(err, ErrSubjectNotFound)
// works for every 40401 whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// HTTPStatus returns the HTTP status code that goes with the error code.
func (e *Error) HTTPStatus() int {
	c := e.Code
	for c >= 1000 {
		c /= 10
	}
	return c
}

// Sentinels for errors.Is; they match any *Error with the same code.
var (
	ErrSubjectNotFound = &Error{Code: CodeSubjectNotFound, Message: "subject not found"}
	ErrVersionNotFound = &Error{Code: CodeVersionNotFound, Message: "version not found"}
	ErrSchemaNotFound  = &Error{Code: CodeSchemaNotFound, Message: "schema not found"}
	ErrIncompatible    = &Error{Code: CodeIncompatibleSchema, Message: "incompatible schema"}
	ErrInvalidSchema   = &Error{Code: CodeInvalidSchema, Message: "invalid schema"}
	ErrNotPermitted    = &Error{Code: CodeOperationNotPermitted, Message: "operation not permitted"}
	ErrReferenceExists = &Error{Code: CodeReferenceExists, Message: "reference exists"}
	ErrStore           = &Error{Code: CodeStoreError, Message: "store error"}
	ErrTimeout         = &Error{Code: CodeOperationTimeout, Message: "operation timed out"}
	ErrClosed          = &Error{Code: CodeStoreError, Message: "registry is closed"}
)

func newErr(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errSubjectNotFound(subject string) *Error {
	return newErr(CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

func errVersionNotFound(v int) *Error {
	return newErr(CodeVersionNotFound, "Version %d not found.", v)
}

func errSchemaIDNotFound(id int) *Error {
	return newErr(CodeSchemaNotFound, "Schema %d not found", id)
}

func errInvalidSubject(subject string) *Error {
	return newErr(CodeInvalidSubject, "The specified subject '%s' is not a valid.", subject)
}

func errInvalidSchema(err error) *Error {
	return &Error{Code: CodeInvalidSchema, Message: "Invalid schema: " + err.Error(), err: err}
}

// errInvalidLevel is the 42203 error for a level compat.ParseLevel refuses
// (err); the message is Confluent's, whatever the cause.
func errInvalidLevel(err error) *Error {
	return &Error{Code: CodeInvalidCompatibilityLevel, Message: "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive", err: err}
}

// errReadOnly is the 42205 error for a write to a subject (or scope) in
// READONLY or READONLY_OVERRIDE mode.
func errReadOnly(subject string) *Error {
	return newErr(CodeOperationNotPermitted, "Subject %s is in read-only mode", subject)
}

func errReferenced(subject string, version int) *Error {
	return newErr(CodeReferenceExists, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%d}.", subject, version)
}

func errStore(err error) *Error {
	return &Error{Code: CodeStoreError, Message: "Error while storing the schema change: " + err.Error(), err: err}
}

// errUnreadableVersion is the 42201 error for a stored version a request
// must read (to compare with it) that does not resolve, e.g. because a
// version it references was removed by an older edactl.
func errUnreadableVersion(v *Version, err error) *Error {
	return &Error{Code: CodeInvalidSchema, err: err, Message: fmt.Sprintf(
		"Invalid schema: version %d of subject %s (schema %d), which this schema must be checked against, cannot be read: %v; "+
			"soft delete that version so that it is no longer compared, or register with compatibility NONE",
		v.Version, v.Subject, v.Content.ID, err)}
}

// errTooComplex is the 42201 error for a compatibility check that ran out of
// its work budget (err wraps compat.ErrTooComplex).
func errTooComplex(err error) *Error {
	return &Error{Code: CodeInvalidSchema, err: err, Message: "Invalid schema: the " + err.Error() +
		"; simplify the schema (fewer union branches, fields or named types), compare it with fewer versions " +
		"(a non-transitive compatibility level, or a compatibility group), or have the registry's compatibility budget raised"}
}

// errIDSpaceFull is the error for a new schema in a schema context whose
// every id up to limit has been used.
func errIDSpaceFull(schemaCtx string, limit int) *Error {
	return newErr(CodeOperationNotPermitted,
		"No schema id is left in context %s: every id from 1 to %d has been used, and the ids of hard-deleted schemas are never reused. "+
			"Register new schemas in another schema context (subjects named :.<context>:<name>), whose ids are allocated separately",
		schemaCtx, limit)
}
