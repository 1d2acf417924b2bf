// Package api serves edactl's registry over HTTP with the Confluent Schema
// Registry REST API (7.9 behaviour): the same paths, query parameters,
// status codes, error_codes, JSON shapes and content types, so every
// Confluent client and serializer works unchanged. It also serves /healthz,
// Prometheus /metrics, structured access logs, a request body limit, optional
// basic/bearer auth with read/write/admin roles, and graceful shutdown.
//
// Design decisions:
//
//   - Routing is hand-written over the *escaped* path, segment by segment,
//     so a subject containing "%2F" (Protobuf-style reference subjects such
//     as "a/b/c.proto") stays one segment, nothing is redirected or
//     cleaned, and every unmatched route or method gets Confluent's
//     {"error_code":404|405,...} body (clients parse error_code).
//   - The /contexts/{ctx}/... prefix is rewritten the way Confluent's
//     ContextFilter does: the schema context (request.schemaCtx) qualifies
//     subjects, subject prefixes and config/mode scopes.
//   - One file per resource (schemas.go, subjects.go, compatibility.go,
//     config.go, mode.go, info.go); a handler turns query flags into the
//     registry's typed choices (registry.Deleted, registry.Deletion, ...)
//     through the helpers in request.go and calls one Registry method.
//   - Handlers return (status, body) and ServeHTTP writes them, so metrics
//     and access logs need no response-writer wrapper. GET
//     /schemas/ids/{id} answers from bytes precomputed by the registry.
//   - Every error body is {"error_code":N,"message":"…"}, made by mapError
//     alone: registry errors carry their Confluent code, a deadline that ran
//     out is 50002, anything else is logged and becomes 500/500 without its
//     text.
//
// Imports: registry, registry/store (for Open), go.yaml.in/yaml/v3 (the
// auth file) and the standard library.
package api
