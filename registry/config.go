package registry

import (
	"context"

	"github.com/edactl/edactl/registry/compat"
)

// Config is the compatibility configuration of a scope.
type Config struct {
	// Compatibility is the level; empty means "not set here".
	Compatibility compat.Level `json:"compatibilityLevel,omitempty"`
	// Normalize makes registration and lookup normalize schemas.
	Normalize *bool `json:"normalize,omitempty"`
	// CompatibilityGroup names a metadata property: only versions with the
	// same value of that property are checked against each other.
	CompatibilityGroup string `json:"compatibilityGroup,omitempty"`
}

// ConfigUpdate is a PUT /config body; nil fields keep their current value.
type ConfigUpdate struct {
	Compatibility      *string `json:"compatibility"`
	Normalize          *bool   `json:"normalize"`
	CompatibilityGroup *string `json:"compatibilityGroup"`
}

// Config returns the config of a scope. The global and context scopes
// always answer, with what applies there (the global one with the server
// default level). A subject answers with its own config, or with
// DefaultToGlobal with the config that applies to it; without either it is
// 40408.
func (r *Registry) Config(scope string, fallback Fallback) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	st := r.snapshot()
	if _, name := SplitSubject(scope); name == "" || fallback == DefaultToGlobal {
		return st.effectiveConfig(scope, r.cfg.defaultLevel), nil
	}
	c, ok := st.configs.get(scope)
	if !ok {
		return Config{}, newErr(CodeSubjectCompatibilityNotConfig, "Subject '%s' does not have subject-level compatibility configured", scope)
	}
	return c, nil
}

// SetConfig updates the config of a scope ("" global, ":.ctx:" context, or a
// subject, which need not exist) and returns the stored config. An unknown
// level is 42203.
func (r *Registry) SetConfig(ctx context.Context, scope string, u ConfigUpdate) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	var level compat.Level
	if u.Compatibility != nil {
		l, err := compat.ParseLevel(*u.Compatibility)
		if err != nil {
			return Config{}, errInvalidLevel(err)
		}
		level = l
	}
	if level != "" {
		l := string(level)
		u.Compatibility = &l
	}
	return submit[Config](ctx, r, record{Kind: cmdSetConfig, Subject: scope, Update: &u}, nil)
}

// DeleteConfig removes the config of a scope and returns the old one. For the
// global scope the old config includes the server default level, and there
// is nothing to remove if it was never set.
func (r *Registry) DeleteConfig(ctx context.Context, scope string) (Config, error) {
	scope = NormalizeSubject(scope)
	if err := checkScope(scope); err != nil {
		return Config{}, err
	}
	return submit[Config](ctx, r, record{Kind: cmdDeleteConfig, Subject: scope}, nil)
}

// effectiveConfig merges the subject's config over its context's and the
// global one, with def as the last resort for the level.
func (st *state) effectiveConfig(subject string, def compat.Level) Config {
	schemaCtx, _ := SplitSubject(subject)
	var out Config
	for _, s := range []string{subject, contextScope(schemaCtx), ""} {
		c, ok := st.configs.get(s)
		if !ok {
			continue
		}
		if out.Compatibility == "" {
			out.Compatibility = c.Compatibility
		}
		if out.Normalize == nil {
			out.Normalize = c.Normalize
		}
		if out.CompatibilityGroup == "" {
			out.CompatibilityGroup = c.CompatibilityGroup
		}
	}
	if out.Compatibility == "" {
		out.Compatibility = def
	}
	return out
}
