// Package gentest tests the code edactl generates, by importing the golden
// packages under codegen/testdata/gen: round trips between generated types
// and hamba/avro's generic codec, schema resolution of older versions into
// the latest type, an end-to-end run through a registry and a Kafka broker,
// and benchmarks. It is separate from package codegen so that
// `go test ./codegen -update` can rewrite the goldens even when they do not
// compile.
package gentest
