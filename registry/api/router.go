package api

import (
	"net/url"
	"strings"

	"github.com/edactl/edactl/registry"
)

// endpoint is one method of one route.
type endpoint struct {
	fn   handlerFunc
	role role
}

// route is one path pattern; name is its metrics label.
type route struct {
	name  string
	allow string
	eps   map[string]endpoint
}

func newRoute(name string, eps map[string]endpoint) *route {
	rt := &route{name: name, eps: eps}
	var methods []string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		if _, ok := eps[m]; ok {
			methods = append(methods, m)
			if m == "GET" {
				methods = append(methods, "HEAD") // GET without the body
			}
		}
	}
	rt.allow = strings.Join(append(methods, "OPTIONS"), ", ")
	return rt
}

// The route table.
var (
	routeUnmatched   = newRoute("unmatched", nil)
	routeHealth      = newRoute("/healthz", nil)
	routeMetricsPath = newRoute("/metrics", nil)

	routeRoot            = newRoute("/", map[string]endpoint{"GET": {getRoot, roleRead}, "POST": {getRoot, roleRead}})
	routeSchemas         = newRoute("/schemas", map[string]endpoint{"GET": {listSchemas, roleRead}})
	routeSchemaTypes     = newRoute("/schemas/types", map[string]endpoint{"GET": {schemaTypes, roleRead}})
	routeSchemaByID      = newRoute("/schemas/ids/{id}", map[string]endpoint{"GET": {schemaByID, roleRead}})
	routeSchemaText      = newRoute("/schemas/ids/{id}/schema", map[string]endpoint{"GET": {schemaTextByID, roleRead}})
	routeSubjectsByID    = newRoute("/schemas/ids/{id}/subjects", map[string]endpoint{"GET": {subjectsByID, roleRead}})
	routeVersionsByID    = newRoute("/schemas/ids/{id}/versions", map[string]endpoint{"GET": {versionsByID, roleRead}})
	routeSubjects        = newRoute("/subjects", map[string]endpoint{"GET": {listSubjects, roleRead}})
	routeSubject         = newRoute("/subjects/{subject}", map[string]endpoint{"POST": {lookupSchema, roleRead}, "DELETE": {deleteSubject, roleWrite}})
	routeVersions        = newRoute("/subjects/{subject}/versions", map[string]endpoint{"GET": {listVersions, roleRead}, "POST": {registerSchema, roleWrite}})
	routeVersion         = newRoute("/subjects/{subject}/versions/{version}", map[string]endpoint{"GET": {getVersion, roleRead}, "DELETE": {deleteVersion, roleWrite}})
	routeLatestMetadata  = newRoute("/subjects/{subject}/metadata", map[string]endpoint{"GET": {latestWithMetadata, roleRead}})
	routeVersionSchema   = newRoute("/subjects/{subject}/versions/{version}/schema", map[string]endpoint{"GET": {getVersionSchema, roleRead}})
	routeReferencedBy    = newRoute("/subjects/{subject}/versions/{version}/referencedby", map[string]endpoint{"GET": {referencedBy, roleRead}})
	routeCompatAll       = newRoute("/compatibility/subjects/{subject}/versions", map[string]endpoint{"POST": {compatAll, roleRead}})
	routeCompatVersion   = newRoute("/compatibility/subjects/{subject}/versions/{version}", map[string]endpoint{"POST": {compatVersion, roleRead}})
	routeConfig          = newRoute("/config", map[string]endpoint{"GET": {getConfig, roleRead}, "PUT": {putConfig, roleAdmin}, "DELETE": {deleteConfig, roleAdmin}})
	routeConfigSubject   = newRoute("/config/{subject}", map[string]endpoint{"GET": {getConfig, roleRead}, "PUT": {putConfig, roleAdmin}, "DELETE": {deleteConfig, roleAdmin}})
	routeMode            = newRoute("/mode", map[string]endpoint{"GET": {getMode, roleRead}, "PUT": {putMode, roleAdmin}, "DELETE": {deleteMode, roleAdmin}})
	routeModeSubject     = newRoute("/mode/{subject}", map[string]endpoint{"GET": {getMode, roleRead}, "PUT": {putMode, roleAdmin}, "DELETE": {deleteMode, roleAdmin}})
	routeContexts        = newRoute("/contexts", map[string]endpoint{"GET": {listContexts, roleRead}})
	routeMetadataVersion = newRoute("/v1/metadata/version", map[string]endpoint{"GET": {metadataVersion, roleRead}})

	allRoutes = []*route{routeUnmatched, routeHealth, routeMetricsPath, routeRoot, routeSchemas, routeSchemaTypes,
		routeSchemaByID, routeSchemaText, routeSubjectsByID, routeVersionsByID, routeSubjects, routeSubject,
		routeVersions, routeVersion, routeLatestMetadata, routeVersionSchema, routeReferencedBy, routeCompatAll, routeCompatVersion,
		routeConfig, routeConfigSubject, routeMode, routeModeSubject, routeContexts, routeMetadataVersion}
)

const maxSegments = 8

// match finds the route for an escaped path and fills rq's path values. It
// returns errNotFound or errMethodNotAllowed (with the route) on a miss.
func match(method, path string, rq *request) (*route, endpoint, error) {
	switch path {
	case "/healthz":
		return routeHealth, endpoint{}, nil
	case "/metrics":
		return routeMetricsPath, endpoint{}, nil
	}
	if !strings.HasPrefix(path, "/") {
		return routeUnmatched, endpoint{}, errNotFound
	}
	p := path[1:]
	if len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	var buf [maxSegments]string
	segs := buf[:0]
	for p != "" {
		if len(segs) == maxSegments {
			return routeUnmatched, endpoint{}, errNotFound
		}
		i := strings.IndexByte(p, '/')
		if i < 0 {
			segs = append(segs, p)
			break
		}
		segs = append(segs, p[:i])
		p = p[i+1:]
		if p == "" { // an empty last segment ("//")
			segs = append(segs, "")
		}
	}
	for _, s := range segs {
		if s == "" {
			return routeUnmatched, endpoint{}, errNotFound
		}
	}
	if len(segs) >= 3 && segs[0] == "contexts" {
		schemaCtx, err := url.PathUnescape(segs[1])
		if err != nil || schemaCtx == "" {
			return routeUnmatched, endpoint{}, errNotFound
		}
		rq.schemaCtx = registry.NormalizeContext(schemaCtx)
		segs = segs[2:]
	}
	rt := lookupRoute(segs, rq)
	if rt == nil {
		return routeUnmatched, endpoint{}, errNotFound
	}
	if rq.subject != "" {
		s, err := url.PathUnescape(rq.subject)
		if err != nil {
			return routeUnmatched, endpoint{}, errNotFound
		}
		if rq.schemaCtx != "" && !strings.HasPrefix(s, ":.") {
			s = registry.QualifySubject(rq.schemaCtx, s)
		}
		rq.subject = s
	}
	ep, ok := rt.eps[method]
	switch {
	case ok:
	case method == "HEAD" && rt.eps["GET"].fn != nil:
		ep = rt.eps["GET"]
	case method == "OPTIONS":
		ep = endpoint{role: roleRead} // answered by serve from rt.allow
	default:
		return rt, endpoint{role: roleRead}, errMethodNotAllowed
	}
	return rt, ep, nil
}

func lookupRoute(s []string, rq *request) *route {
	switch len(s) {
	case 0:
		return routeRoot
	case 1:
		switch s[0] {
		case "schemas":
			return routeSchemas
		case "subjects":
			return routeSubjects
		case "config":
			return routeConfig
		case "mode":
			return routeMode
		case "contexts":
			return routeContexts
		}
	case 2:
		switch s[0] {
		case "schemas":
			if s[1] == "types" {
				return routeSchemaTypes
			}
		case "subjects":
			rq.subject = s[1]
			return routeSubject
		case "config":
			rq.subject = s[1]
			return routeConfigSubject
		case "mode":
			rq.subject = s[1]
			return routeModeSubject
		}
	case 3:
		switch {
		case s[0] == "schemas" && s[1] == "ids":
			rq.id = s[2]
			return routeSchemaByID
		case s[0] == "subjects" && s[2] == "versions":
			rq.subject = s[1]
			return routeVersions
		case s[0] == "subjects" && s[2] == "metadata":
			rq.subject = s[1]
			return routeLatestMetadata
		case s[0] == "v1" && s[1] == "metadata" && s[2] == "version":
			return routeMetadataVersion
		}
	case 4:
		switch {
		case s[0] == "schemas" && s[1] == "ids":
			rq.id = s[2]
			switch s[3] {
			case "schema":
				return routeSchemaText
			case "subjects":
				return routeSubjectsByID
			case "versions":
				return routeVersionsByID
			}
		case s[0] == "subjects" && s[2] == "versions":
			rq.subject, rq.version = s[1], s[3]
			return routeVersion
		case s[0] == "compatibility" && s[1] == "subjects" && s[3] == "versions":
			rq.subject = s[2]
			return routeCompatAll
		}
	case 5:
		switch {
		case s[0] == "subjects" && s[2] == "versions":
			rq.subject, rq.version = s[1], s[3]
			switch s[4] {
			case "schema":
				return routeVersionSchema
			case "referencedby":
				return routeReferencedBy
			}
		case s[0] == "compatibility" && s[1] == "subjects" && s[3] == "versions":
			rq.subject, rq.version = s[2], s[4]
			return routeCompatVersion
		}
	}
	rq.subject, rq.version, rq.id = "", "", ""
	return nil
}
