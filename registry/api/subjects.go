package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/edactl/edactl/registry"
)

// The /subjects endpoints: listing, registration, versions, lookup and
// deletes.

func listSubjects(h *Handler, rq *request) (int, []byte, error) {
	prefix := rq.str("subjectPrefix")
	switch {
	case rq.schemaCtx != "" && !strings.HasPrefix(prefix, ":"):
		prefix = ":" + rq.schemaCtx + ":" + prefix
	case prefix == "":
		prefix = ":*:"
	}
	subjects := h.reg.Subjects(prefix, rq.listDeleted())
	subjects, err := paginate(rq, subjects, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(subjects)
}

func listVersions(h *Handler, rq *request) (int, []byte, error) {
	vs, err := h.reg.Versions(rq.subject, rq.listDeleted())
	if err != nil {
		return 0, nil, err
	}
	vs, err = paginate(rq, vs, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(vs)
}

// registerBody is the JSON body of register, lookup and compatibility
// requests. Unknown fields are ignored, as on Confluent.
type registerBody struct {
	Schema     string               `json:"schema"`
	SchemaType string               `json:"schemaType"`
	References []registry.Reference `json:"references"`
	Metadata   *registry.Metadata   `json:"metadata"`
	RuleSet    *registry.RuleSet    `json:"ruleSet"`
	ID         int                  `json:"id"`
	Version    int                  `json:"version"`
}

// readRegisterBody reads a register, lookup or compatibility body and
// checks its references and metadata against the handler's limits.
func readRegisterBody(h *Handler, rq *request) (registry.RegisterRequest, error) {
	var b registerBody
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBody {
			bodyBuffers.Put(buf)
		}
	}()
	data, err := readBodyInto(rq, buf)
	if err != nil {
		return registry.RegisterRequest{}, err
	}
	if schema, ok := schemaOnly(data); ok {
		b.Schema = schema
	} else if err := decodeJSON(data, &b); err != nil {
		return registry.RegisterRequest{}, err
	}
	req := registry.RegisterRequest{
		Schema: b.Schema, SchemaType: b.SchemaType, References: b.References,
		Metadata: b.Metadata, RuleSet: b.RuleSet, ID: b.ID, Version: b.Version,
		Normalize: rq.flag("normalize"),
	}
	if err := h.checkRegisterLimits(&req); err != nil {
		return registry.RegisterRequest{}, err
	}
	return req, nil
}

func registerSchema(h *Handler, rq *request) (int, []byte, error) {
	if err := registry.CheckSubject(rq.subject); err != nil {
		return 0, nil, err
	}
	req, err := readRegisterBody(h, rq)
	if err != nil {
		return 0, nil, err
	}
	if err := h.checks.enter(rq.r.Context()); err != nil {
		return 0, nil, err
	}
	defer h.checks.leave()
	res, err := h.reg.Register(rq.r.Context(), rq.subject, req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, []byte(`{"id":` + strconv.Itoa(res.ID) + `}`), nil
}

func (h *Handler) versionFor(rq *request) (*registry.Version, error) {
	v, err := parseVersion(rq.version)
	if err != nil {
		return nil, err
	}
	return h.reg.Version(rq.subject, v, rq.deleted())
}

func getVersion(h *Handler, rq *request) (int, []byte, error) {
	v, err := h.versionFor(rq)
	if err != nil {
		return 0, nil, err
	}
	return versionEntity(h, rq, v)
}

// latestWithMetadata serves GET /subjects/{subject}/metadata: the newest
// version whose metadata properties contain every ?key=…&value=… pair
// (paired in order; an unpaired key or value is ignored, as on Confluent).
func latestWithMetadata(h *Handler, rq *request) (int, []byte, error) {
	var props map[string]string
	if rq.r.URL.RawQuery != "" {
		keys, values := rq.q()["key"], rq.q()["value"]
		n := min(len(keys), len(values))
		props = make(map[string]string, n)
		for i := range n {
			props[keys[i]] = values[i]
		}
	}
	v, err := h.reg.LatestWithMetadata(rq.subject, props, rq.deleted())
	if err != nil {
		return 0, nil, err
	}
	return versionEntity(h, rq, v)
}

// versionEntity answers with v's Schema entity, its referenced types
// inlined with ?format=resolved.
func versionEntity(h *Handler, rq *request, v *registry.Version) (int, []byte, error) {
	if rq.str("format") == "resolved" && len(v.Content.References) > 0 {
		text, err := h.reg.Resolved(v.Content)
		if err != nil {
			return 0, nil, err
		}
		return ok(struct {
			Subject string `json:"subject"`
			Version int    `json:"version"`
			ID      int    `json:"id"`
			Schema  string `json:"schema"`
		}{v.Subject, v.Version, v.ID(), text})
	}
	return http.StatusOK, v.JSON(), nil
}

func getVersionSchema(h *Handler, rq *request) (int, []byte, error) {
	v, err := h.versionFor(rq)
	if err != nil {
		return 0, nil, err
	}
	if rq.str("format") == "resolved" {
		text, err := h.reg.Resolved(v.Content)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, []byte(text), nil
	}
	return http.StatusOK, []byte(v.Content.Schema), nil
}

func referencedBy(h *Handler, rq *request) (int, []byte, error) {
	v, err := parseVersion(rq.version)
	if err != nil {
		return 0, nil, err
	}
	ids, err := h.reg.ReferencedBy(rq.subject, v, rq.deleted())
	if err != nil {
		return 0, nil, err
	}
	ids, err = paginate(rq, ids, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(ids)
}

func lookupSchema(h *Handler, rq *request) (int, []byte, error) {
	req, err := readRegisterBody(h, rq)
	if err != nil {
		return 0, nil, err
	}
	if err := h.checks.enter(rq.r.Context()); err != nil {
		return 0, nil, err
	}
	defer h.checks.leave()
	v, err := h.reg.Lookup(rq.r.Context(), rq.subject, req, rq.deleted())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v.JSON(), nil
}

func deleteSubject(h *Handler, rq *request) (int, []byte, error) {
	vs, err := h.reg.DeleteSubject(rq.r.Context(), rq.subject, rq.deletion())
	if err != nil {
		return 0, nil, err
	}
	return ok(vs)
}

func deleteVersion(h *Handler, rq *request) (int, []byte, error) {
	v, err := parseVersion(rq.version)
	if err != nil {
		return 0, nil, err
	}
	n, err := h.reg.DeleteVersion(rq.r.Context(), rq.subject, v, rq.deletion())
	if err != nil {
		return 0, nil, err
	}
	return ok(n)
}
