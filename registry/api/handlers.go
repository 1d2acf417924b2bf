package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/edactl/edactl/registry"
)

// marshal encodes v as compact JSON without HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("api: cannot encode %T: %v", v, err)) // our own types only
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func ok(v any) (int, []byte, error) { return http.StatusOK, marshal(v), nil }

// decodeJSON decodes a request body, naming the field and offset of a
// problem.
func decodeJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return httpErr(400, "Invalid JSON in the request body at offset %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(the body)"
		}
		return httpErr(400, "Invalid request body: %s must be %s, got a JSON %s (offset %d)", field, describeType(te.Type.String()), te.Value, te.Offset)
	}
	return httpErr(400, "Invalid request body: %v", err)
}

func describeType(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"):
		return "an integer"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	}
	return "an object"
}

// paginate applies Confluent's offset/limit (limit -1 or 0 = no limit).
func paginate[T any](rq *request, list []T, defLimit int) ([]T, error) {
	offset, err := rq.intParam("offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := rq.intParam("limit", defLimit)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		offset = 0
	}
	if offset >= len(list) {
		return list[:0], nil
	}
	list = list[offset:]
	if limit > 0 && limit < len(list) {
		list = list[:limit]
	}
	return list, nil
}

// parseVersion parses a {version} path segment: "latest" (any case) and -1
// mean -1; otherwise an integer in [1, 2^31-1].
func parseVersion(s string) (int, error) {
	if strings.EqualFold(s, "latest") {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 || n < -1 || n > math.MaxInt32 {
		return 0, registry.ErrInvalidVersion(s)
	}
	return int(n), nil
}

// parseID parses an {id} path segment; a non-number is a 404 like Jersey's.
func parseID(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, errNotFound
	}
	return int(n), nil
}

// idContext is the schema context of an id lookup: the /contexts prefix,
// else the context of ?subject=, else the default one.
func idContext(rq *request) string {
	if rq.ctx != "" {
		return rq.ctx
	}
	if s := rq.str("subject"); s != "" {
		c, _ := registry.SplitSubject(s)
		return c
	}
	return registry.DefaultContext
}

func getRoot(*Handler, *request) (int, []byte, error) { return http.StatusOK, []byte("{}"), nil }

func schemaTypes(*Handler, *request) (int, []byte, error) {
	return http.StatusOK, []byte(`["AVRO"]`), nil
}

func metadataVersion(h *Handler, _ *request) (int, []byte, error) {
	return ok(map[string]string{"version": h.cfg.version, "commitId": ""})
}

func joinJSON(items [][]byte) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func listSchemas(h *Handler, rq *request) (int, []byte, error) {
	prefix := rq.str("subjectPrefix")
	if rq.ctx != "" && !strings.HasPrefix(prefix, ":") {
		prefix = registry.QualifySubject(rq.ctx, prefix)
		if prefix == "" {
			prefix = ":.:"
		}
	}
	vs := h.reg.Schemas(registry.SchemasFilter{SubjectPrefix: prefix, Deleted: rq.flag("deleted"), LatestOnly: rq.flag("latestOnly")})
	vs, err := paginate(rq, vs, h.cfg.schemaSearch)
	if err != nil {
		return 0, nil, err
	}
	items := make([][]byte, len(vs))
	for i, v := range vs {
		items[i] = v.JSON()
	}
	return http.StatusOK, joinJSON(items), nil
}

// schemaByID is the hot path: precomputed bytes, no allocation beyond the
// id parse when there is no query string.
func schemaByID(h *Handler, rq *request) (int, []byte, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return 0, nil, err
	}
	ctx := registry.DefaultContext
	if rq.ctx != "" || rq.r.URL.RawQuery != "" {
		ctx = idContext(rq)
	}
	body, found := h.reg.SchemaJSON(ctx, id)
	if !found {
		return 0, nil, &registry.Error{Code: registry.CodeSchemaNotFound, Message: fmt.Sprintf("Schema %d not found", id)}
	}
	if rq.r.URL.RawQuery == "" {
		return http.StatusOK, body, nil
	}
	if rq.str("format") == "resolved" {
		c, err := h.reg.SchemaByID(ctx, id)
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
		body = append(append(body[:len(body)-1:len(body)-1], `,"maxId":`...), strconv.Itoa(h.reg.MaxID(ctx))+"}"...)
	}
	return http.StatusOK, body, nil
}

func schemaTextByID(h *Handler, rq *request) (int, []byte, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return 0, nil, err
	}
	c, err := h.reg.SchemaByID(idContext(rq), id)
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

func versionsUsingID(h *Handler, rq *request) ([]registry.SubjectVersion, error) {
	id, err := parseID(rq.id)
	if err != nil {
		return nil, err
	}
	ctx := registry.DefaultContext
	if rq.ctx != "" {
		ctx = rq.ctx
	}
	filter := rq.str("subject")
	if filter != "" {
		ctx, _ = registry.SplitSubject(filter)
		filter = registry.NormalizeSubject(filter)
	}
	svs, err := h.reg.VersionsByID(ctx, id, rq.flag("deleted"))
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

func listSubjects(h *Handler, rq *request) (int, []byte, error) {
	prefix := rq.str("subjectPrefix")
	switch {
	case rq.ctx != "" && !strings.HasPrefix(prefix, ":"):
		prefix = ":" + rq.ctx + ":" + prefix
	case prefix == "":
		prefix = ":*:"
	}
	subjects := h.reg.Subjects(prefix, rq.flag("deleted"), rq.flag("deletedOnly"))
	subjects, err := paginate(rq, subjects, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(subjects)
}

func listVersions(h *Handler, rq *request) (int, []byte, error) {
	vs, err := h.reg.Versions(rq.subject, rq.flag("deleted"), rq.flag("deletedOnly"))
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

func readRegisterBody(rq *request) (registry.RegisterRequest, error) {
	var b registerBody
	if err := readBody(rq, &b, decodeJSON); err != nil {
		return registry.RegisterRequest{}, err
	}
	return registry.RegisterRequest{
		Schema: b.Schema, SchemaType: b.SchemaType, References: b.References,
		Metadata: b.Metadata, RuleSet: b.RuleSet, ID: b.ID, Version: b.Version,
		Normalize: rq.flag("normalize"),
	}, nil
}

func checkSubject(s string) error {
	if !registry.ValidSubject(s) {
		return &registry.Error{Code: registry.CodeInvalidSubject, Message: fmt.Sprintf("The specified subject '%s' is not a valid.", s)}
	}
	return nil
}

func registerSchema(h *Handler, rq *request) (int, []byte, error) {
	if err := checkSubject(rq.subject); err != nil {
		return 0, nil, err
	}
	req, err := readRegisterBody(rq)
	if err != nil {
		return 0, nil, err
	}
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
	return h.reg.Version(rq.subject, v, rq.flag("deleted"))
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
	v, err := h.reg.LatestWithMetadata(rq.subject, props, rq.flag("deleted"))
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
	ids, err := h.reg.ReferencedBy(rq.subject, v, rq.flag("deleted"))
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
	req, err := readRegisterBody(rq)
	if err != nil {
		return 0, nil, err
	}
	v, err := h.reg.Lookup(rq.r.Context(), rq.subject, req, rq.flag("deleted"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v.JSON(), nil
}

func deleteSubject(h *Handler, rq *request) (int, []byte, error) {
	vs, err := h.reg.DeleteSubject(rq.r.Context(), rq.subject, rq.flag("permanent"))
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
	n, err := h.reg.DeleteVersion(rq.r.Context(), rq.subject, v, rq.flag("permanent"))
	if err != nil {
		return 0, nil, err
	}
	return ok(n)
}

type compatResponse struct {
	IsCompatible bool     `json:"is_compatible"`
	Messages     []string `json:"messages,omitempty"`
}

func checkCompat(h *Handler, rq *request, version int) (int, []byte, error) {
	req, err := readRegisterBody(rq)
	if err != nil {
		return 0, nil, err
	}
	verbose := rq.flag("verbose")
	res, err := h.reg.CheckCompatibility(rq.r.Context(), rq.subject, version, req, verbose)
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

// scope is the config/mode scope of a request: the subject, else the
// context from a /contexts prefix, else global.
func scope(rq *request) string {
	if rq.subject != "" {
		return rq.subject
	}
	if rq.ctx != "" && rq.ctx != registry.DefaultContext {
		return ":" + rq.ctx + ":"
	}
	return ""
}

func getConfig(h *Handler, rq *request) (int, []byte, error) {
	c, err := h.reg.Config(scope(rq), rq.flag("defaultToGlobal"))
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
	if rq.subject != "" {
		if err := checkSubject(rq.subject); err != nil {
			return 0, nil, err
		}
	}
	var u registry.ConfigUpdate
	if err := readBody(rq, &u, decodeJSON); err != nil {
		return 0, nil, err
	}
	c, err := h.reg.SetConfig(rq.r.Context(), scope(rq), u)
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

func deleteConfig(h *Handler, rq *request) (int, []byte, error) {
	c, err := h.reg.DeleteConfig(rq.r.Context(), scope(rq))
	if err != nil {
		return 0, nil, err
	}
	return ok(c)
}

type modeBody struct {
	Mode string `json:"mode,omitempty"`
}

func getMode(h *Handler, rq *request) (int, []byte, error) {
	m, err := h.reg.Mode(scope(rq), rq.flag("defaultToGlobal"))
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}

func putMode(h *Handler, rq *request) (int, []byte, error) {
	if rq.subject != "" {
		if err := checkSubject(rq.subject); err != nil {
			return 0, nil, err
		}
	}
	var b modeBody
	if err := readBody(rq, &b, decodeJSON); err != nil {
		return 0, nil, err
	}
	m, err := h.reg.SetMode(rq.r.Context(), scope(rq), b.Mode, rq.flag("force"))
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}

func deleteMode(h *Handler, rq *request) (int, []byte, error) {
	m, err := h.reg.DeleteMode(rq.r.Context(), scope(rq), rq.flag("recursive"))
	if err != nil {
		return 0, nil, err
	}
	return ok(modeBody{string(m)})
}

func listContexts(h *Handler, rq *request) (int, []byte, error) {
	ctxs := h.reg.Contexts()
	if p := rq.str("contextPrefix"); p != "" {
		out := ctxs[:0]
		for _, c := range ctxs {
			if strings.HasPrefix(c, p) {
				out = append(out, c)
			}
		}
		ctxs = out
	}
	ctxs, err := paginate(rq, ctxs, -1)
	if err != nil {
		return 0, nil, err
	}
	return ok(ctxs)
}
