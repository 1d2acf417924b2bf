package api

// The /mode endpoints.

type modeBody struct {
	Mode string `json:"mode,omitempty"`
}

func getMode(h *Handler, rq *request) (int, []byte, error) {
	m, err := h.reg.Mode(rq.scope(), rq.fallback())
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}

func putMode(h *Handler, rq *request) (int, []byte, error) {
	if err := checkScopeSubject(rq.subject); err != nil {
		return 0, nil, err
	}
	var b modeBody
	if err := readBody(rq, &b); err != nil {
		return 0, nil, err
	}
	m, err := h.reg.SetMode(rq.r.Context(), rq.scope(), b.Mode, rq.importCheck())
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}

func deleteMode(h *Handler, rq *request) (int, []byte, error) {
	m, err := h.reg.DeleteMode(rq.r.Context(), rq.scope(), rq.recursion())
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}
