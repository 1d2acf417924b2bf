package api

import (
	"net/http"
	"strings"
)

// The root, /contexts and /v1/metadata/version.

func getRoot(*Handler, *request) (int, []byte, error) { return http.StatusOK, []byte("{}"), nil }

func metadataVersion(h *Handler, _ *request) (int, []byte, error) {
	return ok(map[string]string{"version": h.cfg.version, "commitId": ""})
}

func listContexts(h *Handler, rq *request) (int, []byte, error) {
	schemaCtxs := h.reg.Contexts()
	if p := rq.str("contextPrefix"); p != "" {
		out := schemaCtxs[:0]
		for _, c := range schemaCtxs {
			if strings.HasPrefix(c, p) {
				out = append(out, c)
			}
		}
		schemaCtxs = out
	}
	schemaCtxs, err := paginate(rq, schemaCtxs, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(schemaCtxs)
}
