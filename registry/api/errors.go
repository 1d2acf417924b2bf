package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"syscall"

	"github.com/edactl/edactl/registry"
)

// apiError is an HTTP-level error (routing, body, auth) in Confluent's shape.
type apiError struct {
	status     int
	code       int
	msg        string
	retryAfter bool // answer with Retry-After: 1 (an overload, not a mistake)
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
		return re.HTTPStatus(), errorBody(re.Code, publicMessage(re)), re.HTTPStatus() >= 500
	}
	return http.StatusInternalServerError, errorBody(500, "Internal Server Error"), true
}

// publicMessage is the message a client gets for re. A server error (5xx)
// that wraps a cause, such as a store error (50001) wrapping bbolt's or the
// file system's, is sent without the cause's text, which can name the data
// directory: the registry's own words, the system error's name if there is
// one ("no space left on device"), and a pointer to the log, which has all
// of it.
func publicMessage(re *registry.Error) string {
	cause := errors.Unwrap(re)
	if re.HTTPStatus() < 500 || cause == nil {
		return re.Message
	}
	msg := strings.TrimRight(strings.TrimSuffix(re.Message, cause.Error()), ": ")
	if msg == "" {
		msg = "Internal Server Error"
	}
	var errno syscall.Errno
	if errors.As(cause, &errno) {
		msg += ": " + errno.Error()
	}
	return msg + " (the registry's log has the details)"
}
