package api

import (
	"mime"
	"strconv"
	"strings"
)

// Content types, as shared header values (never modified).
const (
	ctV1      = "application/vnd.schemaregistry.v1+json"
	ctGeneric = "application/vnd.schemaregistry+json"
	ctJSON    = "application/json"
)

var (
	hdrV1      = []string{ctV1}
	hdrGeneric = []string{ctGeneric}
	hdrJSON    = []string{ctJSON}
	hdrText    = []string{"text/plain; version=0.0.4; charset=utf-8"} // Prometheus exposition format (/metrics)
	hdrPlain   = []string{"text/plain; charset=utf-8"}                // /healthz
)

// negotiate picks the response content type from Accept the way Jersey does
// with Confluent's quality factors (v1 1.0, generic 0.9, json 0.5).
func negotiate(accept string) ([]string, bool) {
	if accept == "" || accept == ctV1 || accept == "*/*" {
		return hdrV1, true
	}
	best, bestQ := []string(nil), 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if qs, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(qs, 64); err == nil {
				q = f
			}
		}
		try := func(h []string, serverQ float64) {
			if s := q * serverQ; s > bestQ {
				best, bestQ = h, s
			}
		}
		switch mt {
		case ctV1, "*/*", "application/*":
			try(hdrV1, 1)
		case ctGeneric:
			try(hdrGeneric, 0.9)
		case ctJSON:
			try(hdrJSON, 0.5)
		}
	}
	if best == nil {
		return hdrV1, false
	}
	return best, true
}

// acceptedRequestType: Confluent's four request types, anything JSON, and
// curl's default form type (whose body is JSON all the same).
func acceptedRequestType(mt string) bool {
	switch mt {
	case ctV1, ctGeneric, ctJSON, "application/octet-stream", "application/x-www-form-urlencoded":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json")
}
