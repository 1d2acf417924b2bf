// Package processortest runs a processor.Spec's join in memory, without
// Kafka or a registry, so that a service's Join can be unit tested: feed
// input values, look at what was emitted.
//
//	tr := processortest.New(spec, processor.EmitAll)
//	tr.Feed(0, &events.OrderPlaced{OrderID: "o-1", ...})
//	out := tr.Feed(1, &events.PaymentCaptured{OrderID: "o-1", ...})
//
// It keeps the latest value of each input per key and applies the emit
// policy as the runtime does; it calls neither Decode nor Encode.
package processortest

import (
	"context"
	"fmt"

	"github.com/edactl/edactl/processor"
)

// Emitted is one output of the join.
type Emitted struct {
	Key   string
	Value any
}

// Tester holds the state of a Spec's join in memory. It is not safe for
// concurrent use.
type Tester struct {
	spec   processor.Spec
	policy processor.EmitPolicy
	state  map[string][]any
	// Outputs is every value emitted, in order.
	Outputs []Emitted
}

// New returns a Tester for spec with the emit policy.
func New(spec processor.Spec, policy processor.EmitPolicy) *Tester {
	return &Tester{spec: spec, policy: policy, state: map[string][]any{}}
}

// Feed records v as the latest value of input i (an index of
// spec.Inputs) for its join key, and returns what the join emitted for it:
// nil when the policy does not allow emitting yet or Join returned nil.
// Join's error is returned as it is.
func (t *Tester) Feed(i int, v any) (*Emitted, error) {
	if i < 0 || i >= len(t.spec.Inputs) {
		return nil, fmt.Errorf("processortest: input %d: the spec has %d inputs", i, len(t.spec.Inputs))
	}
	key := t.spec.Inputs[i].Key(v)
	vals := t.state[key]
	if vals == nil {
		vals = make([]any, len(t.spec.Inputs))
		t.state[key] = vals
	}
	vals[i] = v
	if !t.policy.Ready(vals) {
		return nil, nil
	}
	out, err := t.spec.Join(context.Background(), key, vals)
	if err != nil || out == nil {
		return nil, err
	}
	e := Emitted{Key: key, Value: out}
	t.Outputs = append(t.Outputs, e)
	return &e, nil
}

// Latest returns the last value emitted for key, or nil.
func (t *Tester) Latest(key string) any {
	for i := len(t.Outputs) - 1; i >= 0; i-- {
		if t.Outputs[i].Key == key {
			return t.Outputs[i].Value
		}
	}
	return nil
}
