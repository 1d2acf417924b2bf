package api

import (
	"errors"

	"github.com/edactl/edactl/registry"
)

// The /compatibility endpoints.

type compatResponse struct {
	IsCompatible bool     `json:"is_compatible"`
	Messages     []string `json:"messages,omitempty"`
}

// checkCompat checks the body's schema against version (0: as registration
// would). With ?verbose=true the messages are returned, and a schema that
// does not parse is an incompatible answer with the parse error as its
// message instead of a 42201 error, as on Confluent.
func checkCompat(h *Handler, rq *request, version int) (int, []byte, error) {
	req, err := readRegisterBody(h, rq)
	if err != nil {
		return 0, nil, err
	}
	if err := h.checks.enter(rq.r.Context()); err != nil {
		return 0, nil, err
	}
	defer h.checks.leave()
	verbose := rq.flag("verbose")
	res, err := h.reg.CheckCompatibility(rq.r.Context(), rq.subject, version, req)
	var re *registry.Error
	if verbose && errors.As(err, &re) && re.Code == registry.CodeInvalidSchema {
		res, err = registry.CompatibilityResult{Compatible: false, Messages: []string{re.Message}}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	out := compatResponse{IsCompatible: res.Compatible}
	if verbose {
		out.Messages = res.Messages
	}
	return ok(out)
}

func compatAll(h *Handler, rq *request) (int, []byte, error) { return checkCompat(h, rq, 0) }

func compatVersion(h *Handler, rq *request) (int, []byte, error) {
	v, err := parseVersion(rq.version)
	if err != nil {
		return 0, nil, err
	}
	return checkCompat(h, rq, v)
}
