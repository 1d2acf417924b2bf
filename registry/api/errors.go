package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/edactl/edactl/registry"
)

// apiError is an HTTP-level error (routing, body, auth) in Confluent's shape.
type apiError struct {
	status int
	code   int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func httpErr(status int, format string, args ...any) *apiError {
	return &apiError{status: status, code: status, msg: fmt.Sprintf(format, args...)}
}

var (
	errNotFound         = &apiError{status: 404, code: 404, msg: "HTTP 404 Not Found"}
	errMethodNotAllowed = &apiError{status: 405, code: 405, msg: "HTTP 405 Method Not Allowed"}
	errNotAcceptable    = &apiError{status: 406, code: 406, msg: "HTTP 406 Not Acceptable"}
)

// errorBody encodes {"error_code":code,"message":msg}.
func errorBody(code int, msg string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}{code, msg})
	return bytes.TrimRight(b.Bytes(), "\n")
}

// mapError turns any error into a status and a Confluent error body: the
// one place errors become HTTP. A deadline that ran out while a request was
// served is 50002; unknown errors are 500/500 with a generic message (the
// caller logs the detail).
func mapError(err error) (status int, body []byte, internal bool) {
	if errors.Is(err, context.DeadlineExceeded) {
		err = &registry.Error{Code: registry.CodeOperationTimeout, Message: "Operation timed out"}
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, errorBody(ae.code, ae.msg), false
	}
	var re *registry.Error
	if errors.As(err, &re) {
		return re.HTTPStatus(), errorBody(re.Code, re.Message), re.HTTPStatus() >= 500
	}
	return http.StatusInternalServerError, errorBody(500, "Internal Server Error"), true
}
