package api

import (
	"strings"

	"github.com/edactl/edactl/registry"
)

// The /config endpoints.

func getConfig(h *Handler, rq *request) (int, []byte, error) {
	c, err := h.reg.Config(rq.scope(), rq.fallback())
	if err != nil {
		return 0, nil, err
	}
	return ok(c)
}

// configEcho is the PUT /config response: the request, as Confluent echoes
// it (note "compatibility", not "compatibilityLevel").
type configEcho struct {
	Compatibility      string `json:"compatibility,omitempty"`
	Normalize          *bool  `json:"normalize,omitempty"`
	CompatibilityGroup string `json:"compatibilityGroup,omitempty"`
}

func putConfig(h *Handler, rq *request) (int, []byte, error) {
	if err := checkScopeSubject(rq.subject); err != nil {
		return 0, nil, err
	}
	var u registry.ConfigUpdate
	if err := readBody(rq, &u); err != nil {
		return 0, nil, err
	}
	c, err := h.reg.SetConfig(rq.r.Context(), rq.scope(), u)
	if err != nil {
		return 0, nil, err
	}
	echo := configEcho{Normalize: u.Normalize}
	if u.Compatibility != nil {
		echo.Compatibility = string(c.Compatibility)
	}
	if u.CompatibilityGroup != nil {
		echo.CompatibilityGroup = *u.CompatibilityGroup
	}
	return ok(echo)
}

// checkScopeSubject is 42208 for a {subject} path segment that names
// neither a subject nor a schema context: ":.ctx:" (and ":.:", the default
// context) is the context's scope, as GET and DELETE read it, which the
// registry checks itself.
func checkScopeSubject(subject string) error {
	if subject == "" {
		return nil
	}
	if _, name := registry.SplitSubject(subject); name == "" && strings.HasPrefix(subject, ":.") && strings.HasSuffix(subject, ":") {
		return nil
	}
	return registry.CheckSubject(subject)
}

func deleteConfig(h *Handler, rq *request) (int, []byte, error) {
	c, err := h.reg.DeleteConfig(rq.r.Context(), rq.scope())
	if err != nil {
		return 0, nil, err
	}
	return ok(c)
}
