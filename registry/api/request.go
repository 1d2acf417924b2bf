package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/edactl/edactl/registry"
)

// request is what a route handler gets.
type request struct {
	r         *http.Request
	schemaCtx string // schema context from a /contexts/{ctx} prefix, "" if none
	subject   string // the {subject} path segment, qualified with schemaCtx
	version   string // the {version} path segment
	id        string // the {id} path segment
	query     url.Values
	// stream, if an endpoint sets it, writes the answer instead of the
	// body it returns, and returns the bytes written.
	stream func(io.Writer) int
}

func (rq *request) q() url.Values {
	if rq.query == nil {
		rq.query = rq.r.URL.Query()
	}
	return rq.query
}

func (rq *request) flag(name string) bool {
	if rq.r.URL.RawQuery == "" {
		return false
	}
	return strings.EqualFold(rq.q().Get(name), "true")
}

func (rq *request) str(name string) string {
	if rq.r.URL.RawQuery == "" {
		return ""
	}
	return rq.q().Get(name)
}

func (rq *request) intParam(name string, def int) (int, error) {
	s := rq.str(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, httpErr(400, "Invalid query parameter %s=%q: not an integer", name, s)
	}
	return n, nil
}

// deleted reads ?deleted=true: soft-deleted versions count too.
func (rq *request) deleted() registry.Deleted {
	if rq.flag("deleted") {
		return registry.IncludeDeleted
	}
	return registry.LiveOnly
}

// listDeleted reads ?deletedOnly=true (only soft-deleted ones), which wins
// over ?deleted=true, for the two lists that take both.
func (rq *request) listDeleted() registry.Deleted {
	if rq.flag("deletedOnly") {
		return registry.DeletedOnly
	}
	return rq.deleted()
}

// deletion reads ?permanent=true.
func (rq *request) deletion() registry.Deletion {
	if rq.flag("permanent") {
		return registry.PermanentDelete
	}
	return registry.SoftDelete
}

// fallback reads ?defaultToGlobal=true.
func (rq *request) fallback() registry.Fallback {
	if rq.flag("defaultToGlobal") {
		return registry.DefaultToGlobal
	}
	return registry.NoFallback
}

// importCheck reads ?force=true.
func (rq *request) importCheck() registry.ImportCheck {
	if rq.flag("force") {
		return registry.ForceImport
	}
	return registry.CheckImport
}

// recursion reads ?recursive=true.
func (rq *request) recursion() registry.Recursion {
	if rq.flag("recursive") {
		return registry.Recursive
	}
	return registry.ScopeOnly
}

// scope is the config/mode scope of a request: the subject, else the
// schema context from a /contexts prefix, else global.
func (rq *request) scope() string {
	if rq.subject != "" {
		return rq.subject
	}
	if rq.schemaCtx != "" && rq.schemaCtx != registry.DefaultContext {
		return ":" + rq.schemaCtx + ":"
	}
	return ""
}

// idContext is the schema context of an id lookup: the /contexts prefix,
// else the context of ?subject=, else the default one.
func (rq *request) idContext() string {
	if rq.schemaCtx != "" {
		return rq.schemaCtx
	}
	if s := rq.str("subject"); s != "" {
		schemaCtx, _ := registry.SplitSubject(s)
		return schemaCtx
	}
	return registry.DefaultContext
}

// parseVersion parses a {version} path segment: "latest" (any case) and -1
// mean -1; otherwise an integer in [1, 2^31-1]. Anything else is 42202.
func parseVersion(s string) (int, error) {
	if strings.EqualFold(s, "latest") {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 || n < -1 || n > math.MaxInt32 {
		return 0, &registry.Error{Code: registry.CodeInvalidVersion, Message: fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", s)}
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
	return window(list, offset, limit), nil
}

// window is list from offset on, at most limit long (limit < 1: no limit).
func window[T any](list []T, offset, limit int) []T {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(list) {
		return list[:0]
	}
	list = list[offset:]
	if limit > 0 && limit < len(list) {
		list = list[:limit]
	}
	return list
}

// pageSize is Confluent's normalizeLimit: a ?limit= in [1, max] is used;
// none, or one out of that range, gives def.
func (rq *request) pageSize(def, maxLimit int) (int, error) {
	limit, err := rq.intParam("limit", def)
	if err != nil {
		return 0, err
	}
	if limit < 1 || limit > maxLimit {
		return def, nil
	}
	return limit, nil
}

// readBody reads and decodes a JSON request body into v. A missing body is
// 422, malformed JSON 400, a body over the limit 413, an unsupported content
// type 415.
func readBody(rq *request, v any) error {
	data, err := readBodyBytes(rq)
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

// readBodyBytes is readBody up to the decoding: the body, checked for its
// content type, size and presence.
func readBodyBytes(rq *request) ([]byte, error) { return readBodyInto(rq, new(bytes.Buffer)) }

// readBodyInto is readBodyBytes reading into buf.
func readBodyInto(rq *request, buf *bytes.Buffer) ([]byte, error) {
	if ct := rq.r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedRequestType(mt) {
			return nil, httpErr(http.StatusUnsupportedMediaType, "HTTP 415 Unsupported Media Type: %q is not a JSON content type", ct)
		}
	}
	if rq.r.Body == nil {
		return nil, httpErr(422, "Request body is required")
	}
	_, err := buf.ReadFrom(rq.r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, httpErr(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes", mbe.Limit)
	}
	if err != nil {
		return nil, httpErr(400, "Could not read the request body: %v", err)
	}
	data := buf.Bytes()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, httpErr(422, "Request body is required")
	}
	return data, nil
}

// bodyBuffers are the buffers register, lookup and compatibility bodies are
// read into. What such a body decodes to never points into its buffer
// (schemaOnly builds its string; json.Unmarshal copies, and the body has no
// json.RawMessage), so the buffer is reused once the body is decoded.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer bodyBuffers keeps.
const maxPooledBody = 64 << 10

// schemaOnly returns the schema of a body that is exactly
// {"schema":"..."} (JSON whitespace around it) whose string holds only
// printable ASCII and the escapes \" \\ \/ \b \f \n \r \t, decoded as
// encoding/json decodes it: the common registration body, read in one
// pass. Any other body reports false, for json.Unmarshal to decode.
func schemaOnly(data []byte) (string, bool) {
	const head = `{"schema":"`
	data = bytes.TrimLeft(data, " \t\r\n")
	data = bytes.TrimRight(data, " \t\r\n")
	if len(data) < len(head)+2 || string(data[:len(head)]) != head || string(data[len(data)-2:]) != `"}` {
		return "", false
	}
	body := data[len(head) : len(data)-2]
	var out strings.Builder
	out.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '"' || c < 0x20 || c > 0x7e:
			return "", false
		case c != '\\':
			out.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			out.WriteByte(body[i])
		case 'b':
			out.WriteByte('\b')
		case 'f':
			out.WriteByte('\f')
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		default:
			return "", false
		}
	}
	return out.String(), true
}

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
