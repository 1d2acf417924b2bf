package serde

// Test helpers and fixtures for the external tests (package serde_test),
// which check the resolver through the JSON form of internal/avrojson: that
// package imports serde, so only an external test may import it.
var MustParse = mustParse

const (
	OrderV1 = orderV1
	OrderV2 = orderV2
)
