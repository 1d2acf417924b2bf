package codegen

// Input is what the Go generator reads: plain schema texts with the facts
// the schema tree (or the registry) adds to them. It does not depend on how
// the schemas were found.
type Input struct {
	// Package is the Go package name of the generated code.
	Package string
	// Events are the messages to generate, in any order.
	Events []Event
}

// Event is one message type with its version history.
type Event struct {
	// ID names the event in messages and generated comments, e.g.
	// "orders/order-placed" or a registry subject.
	ID string
	// Subject is the registry subject the event's values are registered
	// under.
	Subject string
	// Kind is the x-eda-kind used when a version's schema does not carry
	// one (default "event").
	Kind string
	// Key is the x-eda-key field used when a version's schema does not
	// carry one ("" for none).
	Key string
	// Versions holds every version, in any order; the highest number is
	// the latest.
	Versions []Version
}

// Version is one version of an event's schema.
type Version struct {
	// Number is the version number (N in vN.avsc, or the registry's).
	Number int
	// Schema is the Avro schema JSON.
	Schema string
	// Source names where the schema came from, for messages (a file path
	// or "subject version N"); optional.
	Source string
}
