package registry

import (
	"context"
	"strings"
)

// Mode is a registry mode.
type Mode string

// The modes.
const (
	ModeReadWrite        Mode = "READWRITE"
	ModeReadOnly         Mode = "READONLY"
	ModeReadOnlyOverride Mode = "READONLY_OVERRIDE"
	ModeImport           Mode = "IMPORT"
	ModeForward          Mode = "FORWARD"
)

// ParseMode parses a mode name case-insensitively; an unknown one is 42204.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case ModeReadWrite, ModeReadOnly, ModeReadOnlyOverride, ModeImport, ModeForward:
		return m, nil
	}
	return "", newErr(CodeInvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT and FORWARD.")
}

func (m Mode) readOnly() bool { return m == ModeReadOnly || m == ModeReadOnlyOverride }

// ImportCheck says whether SetMode may switch a scope that has live
// subjects to IMPORT.
type ImportCheck int

const (
	// CheckImport refuses IMPORT (42205) while the scope has live subjects.
	// Confluent's default; other modes are always set.
	CheckImport ImportCheck = iota
	// ForceImport sets IMPORT whatever the scope holds (?force=true).
	ForceImport
)

// Recursion says whether DeleteMode also removes the modes of the subjects
// inside a scope.
type Recursion int

const (
	// ScopeOnly removes the scope's own mode. Confluent's default.
	ScopeOnly Recursion = iota
	// Recursive also removes the mode of every subject inside the scope
	// (?recursive=true).
	Recursive
)

// Mode returns the mode of a scope. The global and context scopes always
// answer, with what applies there. A subject answers with its own mode, or
// with DefaultToGlobal with the mode that applies to it; without either it
// is 40409.
func (r *Registry) Mode(scope string, fallback Fallback) (Mode, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return "", err
	}
	st := r.snapshot()
	if _, name := SplitSubject(scope); name == "" || fallback == DefaultToGlobal {
		return st.effectiveMode(scope), nil
	}
	m, ok := st.modes.get(scope)
	if !ok {
		return "", newErr(CodeSubjectModeNotConfigured, "Subject '%s' does not have subject-level mode configured", scope)
	}
	return m, nil
}

// SetMode sets the mode of a scope and returns it. An unknown mode is
// 42204; FORWARD is global only; IMPORT on a scope with live subjects needs
// ForceImport.
func (r *Registry) SetMode(ctx context.Context, scope, mode string, check ImportCheck) (Mode, error) {
	scope = NormalizeSubject(scope)
	m, err := ParseMode(mode)
	if err != nil {
		return "", err
	}
	if m == ModeForward && scope != "" {
		return "", newErr(CodeInvalidMode, "Forward mode only supported on global level")
	}
	if err := checkScope(scope); err != nil {
		return "", err
	}
	return submit[Mode](ctx, r, record{Kind: cmdSetMode, Subject: scope, Mode: m, Force: check == ForceImport}, nil)
}

// DeleteMode removes the mode of a scope (Recursive: also of every subject
// inside it) and returns the old mode ("" when none was set).
func (r *Registry) DeleteMode(ctx context.Context, scope string, recursion Recursion) (Mode, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return "", err
	}
	return submit[Mode](ctx, r, record{Kind: cmdDeleteMode, Subject: scope, Recursive: recursion == Recursive}, nil)
}

// effectiveMode is the subject's mode, else its context's, else the global
// one, else READWRITE.
func (st *state) effectiveMode(subject string) Mode {
	schemaCtx, _ := SplitSubject(subject)
	for _, s := range []string{subject, contextScope(schemaCtx), ""} {
		if m, ok := st.modes.get(s); ok {
			return m
		}
	}
	return ModeReadWrite
}
