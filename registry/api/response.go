package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
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

// ok answers 200 with v as JSON.
func ok(v any) (int, []byte, error) { return http.StatusOK, marshal(v), nil }
