package processor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Input is one event stream a processor joins.
type Input struct {
	// Event is the input's event in the schema tree ("orders/order-placed").
	// Its last segment names the repartition topic of a re-keyed input.
	Event string
	// Topic is the topic the input's records are read from.
	Topic string
	// Rekey is set when the topic is not keyed by the join key: its
	// records are re-keyed through the internal topic
	// NAME-repartition-<event> before they are joined.
	Rekey bool
	// Decode decodes a record value (the Confluent wire format) into the
	// input's Go value. An error that is not transient (Transient) sends
	// the record to the dead-letter topic.
	Decode func(ctx context.Context, value []byte) (any, error)
	// Key returns the join key of a decoded value.
	Key func(v any) string
}

// Spec is what a generated service hands the runtime: its name, its inputs,
// its output and the join.
type Spec struct {
	// Name is the service's name: its default consumer group and the
	// prefix of its internal topics (NAME-changelog,
	// NAME-repartition-<event>, NAME.dlq). A Config.Group other than the
	// name replaces it as the prefix, so two groups never share a
	// changelog.
	Name string
	// Inputs are the joined streams; the join sees their latest values in
	// this order.
	Inputs []Input
	// Output is the topic the joined events are written to.
	Output string
	// Join returns the output value for key given the latest value of
	// each input (nil until seen), or nil to emit nothing. An error sends
	// the input record that triggered it to the dead-letter topic.
	Join func(ctx context.Context, key string, values []any) (any, error)
	// Encode encodes an output value in the Confluent wire format.
	Encode func(ctx context.Context, v any) ([]byte, error)
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Validate reports what is missing or malformed in s.
func (s *Spec) Validate() error {
	var errs []error
	if !nameRE.MatchString(s.Name) || len(s.Name) > 200 {
		errs = append(errs, fmt.Errorf("name %q: want lower-case letters, digits, '.', '_' and '-' (at most 200)", s.Name))
	}
	if len(s.Inputs) == 0 {
		errs = append(errs, errors.New("no inputs"))
	}
	if len(s.Inputs) > 64 {
		errs = append(errs, fmt.Errorf("%d inputs: at most 64", len(s.Inputs)))
	}
	topics := map[string]int{}
	for i, in := range s.Inputs {
		switch {
		case in.Topic == "":
			errs = append(errs, fmt.Errorf("input %d (%s): no topic", i, in.Event))
		case topics[in.Topic] > 0:
			errs = append(errs, fmt.Errorf("input %d (%s): topic %s is already input %d", i, in.Event, in.Topic, topics[in.Topic]-1))
		}
		topics[in.Topic] = i + 1
		if in.Decode == nil || in.Key == nil {
			errs = append(errs, fmt.Errorf("input %d (%s): Decode and Key are required", i, in.Event))
		}
		if in.Rekey && eventBase(in.Event) == "" {
			errs = append(errs, fmt.Errorf("input %d: a re-keyed input needs an event name", i))
		}
	}
	if s.Output == "" {
		errs = append(errs, errors.New("no output topic"))
	} else if topics[s.Output] > 0 {
		errs = append(errs, fmt.Errorf("output topic %s is also an input", s.Output))
	}
	if s.Join == nil || s.Encode == nil {
		errs = append(errs, errors.New("Join and Encode are required"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("processor spec %q: %w", s.Name, errors.Join(errs...))
	}
	return nil
}

func eventBase(event string) string {
	if i := strings.LastIndexByte(event, '/'); i >= 0 {
		return event[i+1:]
	}
	return event
}

// ChangelogTopic is the compacted topic holding the latest value of each
// input per key: NAME-changelog.
func (s *Spec) ChangelogTopic() string { return s.Name + "-changelog" }

// DLQTopic is the dead-letter topic: NAME.dlq.
func (s *Spec) DLQTopic() string { return s.Name + ".dlq" }

// RepartitionTopic is the internal topic input i is re-keyed through:
// NAME-repartition-<event>.
func (s *Spec) RepartitionTopic(i int) string {
	return s.Name + "-repartition-" + eventBase(s.Inputs[i].Event)
}

// joinTopic is the topic input i is joined from: its own or its
// repartition topic.
func (s *Spec) joinTopic(i int) string {
	if s.Inputs[i].Rekey {
		return s.RepartitionTopic(i)
	}
	return s.Inputs[i].Topic
}

// EmitPolicy says when a key's joined value is emitted.
type EmitPolicy string

// Emit policies.
const (
	// EmitAll emits once every input of the key has a value, then on
	// every change.
	EmitAll EmitPolicy = "all"
	// EmitAny emits on every change, with the inputs not seen yet nil.
	EmitAny EmitPolicy = "any"
)

// Ready reports whether values (one per input, nil until seen) satisfy the
// policy.
func (p EmitPolicy) Ready(values []any) bool {
	if p == EmitAny {
		return true
	}
	for _, v := range values {
		if v == nil {
			return false
		}
	}
	return true
}
