// Package api serves edactl's registry over HTTP with the Confluent Schema
// Registry REST API (7.9 behaviour): the same paths, query parameters,
// status codes, error_codes, JSON shapes and content types, so every
// Confluent client and serializer works unchanged. It also serves /healthz,
// Prometheus /metrics, access logs, limits on every part of a request,
// optional basic/bearer auth with read/write/admin roles, and graceful
// shutdown.
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
//     text. A 5xx registry error that wraps a cause (a store error) is sent
//     without the cause's text, which can name the data directory.
//   - HEAD runs the GET endpoint and sends its headers only; OPTIONS answers
//     the route's methods in Allow, from the same list a 405 sends.
//   - Limits (options.go, limits.go; defaults in docs/registry.md): the body
//     (413), what a schema carries besides its text (metadata size, number
//     and length of references: 42209), the subject of a write or check
//     (42208), the GET /schemas page (Confluent's normalizeLimit; the page is
//     streamed item by item from each version's stored JSON). Register,
//     lookup and compatibility requests read their body, then take one of a
//     fixed number of slots (checkGate) for the parse, check and commit;
//     a bounded number wait, for a bounded time; the rest get 503 with
//     Retry-After at once, so a burst queues with a bound instead of piling
//     up parse trees.
//   - Server.Serve serves through a listener of its own (listener.go): it
//     counts connections and answers those over the limit with a 503 from
//     a bounded number of goroutines, and it turns the plain-text answers
//     net/http writes for requests it cannot parse (recognisable: written
//     in one Write with headers net/http never writes for a handler) into
//     Confluent error bodies.
//   - The access log, when given an output (WithAccessLogOutput, as the CLI
//     does), is formatted without allocation into a buffer under a short
//     lock and written by a goroutine of its own, AccessLogFlushInterval
//     after the buffer's first line or when AccessLogBufferBytes wait, and
//     on Close, in one write of whole lines per buffer (requests wait only
//     if 4 MiB wait, when the output is slower than they); the lines are byte
//     for byte those slog's text or JSON handler writes. A request thus
//     costs no log record and no system call (the write per buffer, not per
//     line, is most of the saving); without an output the access log is one
//     slog record per request.
//   - Auth does the same work for unknown users as for real ones (a random
//     dummy hash) and compares a token with every token, in constant time.
//
// Imports: registry, registry/store (for Open), go.yaml.in/yaml/v3 (the
// auth file) and the standard library.
package api
