package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/edactl/edactl/registry"
)

// The /schemas endpoints: listing, schema types, and lookups by id.

func schemaTypes(*Handler, *request) (int, []byte, error) {
	return http.StatusOK, []byte(`["AVRO"]`), nil
}

func listSchemas(h *Handler, rq *request) (int, []byte, error) {
	prefix := rq.str("subjectPrefix")
	if rq.schemaCtx != "" && !strings.HasPrefix(prefix, ":") {
		prefix = registry.QualifySubject(rq.schemaCtx, prefix)
		if prefix == "" {
			prefix = ":.:"
		}
	}
	offset, err := rq.intParam("offset", 0)
	if err != nil {
		return 0, nil, err
	}
	limit, err := rq.pageSize(h.cfg.schemaSearchDef, h.cfg.schemaSearchMax)
	if err != nil {
		return 0, nil, err
	}
	vs := h.reg.Schemas(registry.SchemasFilter{SubjectPrefix: prefix, Deleted: rq.deleted(), LatestOnly: rq.flag("latestOnly")})
	vs = window(vs, offset, limit)
	items := make([][]byte, len(vs))
	for i, v := range vs {
		items[i] = v.JSON()
	}
	// Each item is a version's stored JSON; streaming them keeps a page of
	// large schemas from being copied into one response buffer.
	rq.stream = streamJSONArray(items)
	return http.StatusOK, nil, nil
}

// schemaByID is the hot path: precomputed bytes, no allocation beyond the
// id parse when there is no query string.
func schemaByID(h *Handler, rq *request) (int, []byte, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return 0, nil, err
	}
	schemaCtx := registry.DefaultContext
	if rq.schemaCtx != "" || rq.r.URL.RawQuery != "" {
		schemaCtx = rq.idContext()
	}
	body, err := h.reg.SchemaJSON(schemaCtx, id)
	if err != nil {
		return 0, nil, err
	}
	if rq.r.URL.RawQuery == "" {
		return http.StatusOK, body, nil
	}
	if rq.str("format") == "resolved" {
		c, err := h.reg.SchemaByID(schemaCtx, id)
		if err != nil {
			return 0, nil, err
		}
		text, err := h.reg.Resolved(c)
		if err != nil {
			return 0, nil, err
		}
		body = marshal(struct {
			Schema string `json:"schema"`
		}{text})
	}
	if rq.flag("fetchMaxId") {
		body = append(append(body[:len(body)-1:len(body)-1], `,"maxId":`...), strconv.Itoa(h.reg.MaxID(schemaCtx))+"}"...)
	}
	return http.StatusOK, body, nil
}

func schemaTextByID(h *Handler, rq *request) (int, []byte, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return 0, nil, err
	}
	c, err := h.reg.SchemaByID(rq.idContext(), id)
	if err != nil {
		return 0, nil, err
	}
	if rq.str("format") == "resolved" {
		text, err := h.reg.Resolved(c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, []byte(text), nil
	}
	return http.StatusOK, []byte(c.Schema), nil
}

// versionsUsingID lists the subject-versions that use the {id}, in the
// context of the /contexts prefix or of ?subject= (which also filters).
func versionsUsingID(h *Handler, rq *request) ([]registry.SubjectVersion, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return nil, err
	}
	schemaCtx := registry.DefaultContext
	if rq.schemaCtx != "" {
		schemaCtx = rq.schemaCtx
	}
	filter := rq.str("subject")
	if filter != "" {
		schemaCtx, _ = registry.SplitSubject(filter)
		filter = registry.NormalizeSubject(filter)
	}
	svs, err := h.reg.VersionsByID(schemaCtx, id, rq.deleted())
	if err != nil {
		return nil, err
	}
	if filter != "" {
		out := svs[:0]
		for _, sv := range svs {
			if sv.Subject == filter {
				out = append(out, sv)
			}
		}
		svs = out
	}
	return svs, nil
}

func subjectsByID(h *Handler, rq *request) (int, []byte, error) {
	svs, err := versionsUsingID(h, rq)
	if err != nil {
		return 0, nil, err
	}
	subjects := []string{}
	for _, sv := range svs {
		if len(subjects) == 0 || subjects[len(subjects)-1] != sv.Subject {
			subjects = append(subjects, sv.Subject)
		}
	}
	subjects, err = paginate(rq, subjects, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(subjects)
}

func versionsByID(h *Handler, rq *request) (int, []byte, error) {
	svs, err := versionsUsingID(h, rq)
	if err != nil {
		return 0, nil, err
	}
	svs, err = paginate(rq, svs, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(svs)
}
