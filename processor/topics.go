package processor

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrPartitions means the topics of a processor cannot be co-partitioned:
// the inputs keyed by the join key, the output or an internal topic have
// different partition counts. The error names every count.
var ErrPartitions = errors.New("partition counts do not match")

// topicPlan is what setupTopics found and made: the partition count of the
// joined topics and of every topic the processor touches.
type topicPlan struct {
	n      int32
	counts map[string]int32
}

// setupTopics checks the partition counts of the inputs and creates the
// output and internal topics that are missing. An input keyed by the join
// key with another count than the others, or an output or internal topic
// that exists with another count, stops the processor: re-keying repairs
// only inputs keyed by another field.
func setupTopics(ctx context.Context, adm *kadm.Client, s *Spec, partitions int) (topicPlan, error) {
	var all []string
	for _, in := range s.Inputs {
		all = append(all, in.Topic)
	}
	internal := []string{s.Output, s.ChangelogTopic(), s.DLQTopic()}
	for i, in := range s.Inputs {
		if in.Rekey {
			internal = append(internal, s.RepartitionTopic(i))
		}
	}
	all = append(all, internal...)
	details, err := adm.ListTopics(ctx, all...)
	if err != nil {
		return topicPlan{}, fmt.Errorf("describe topics %s: %w", strings.Join(all, ", "), err)
	}
	plan := topicPlan{counts: map[string]int32{}}
	exists := func(t string) bool {
		d, ok := details[t]
		return ok && d.Err == nil
	}
	for t, d := range details {
		if d.Err == nil {
			plan.counts[t] = int32(len(d.Partitions))
		} else if !errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
			return topicPlan{}, fmt.Errorf("describe topic %s: %w", t, d.Err)
		}
	}
	var missing []string
	var keyed []string
	for _, in := range s.Inputs {
		if !exists(in.Topic) {
			missing = append(missing, fmt.Sprintf("%s (%s)", in.Topic, in.Event))
			continue
		}
		if !in.Rekey {
			keyed = append(keyed, in.Topic)
		}
	}
	if len(missing) > 0 {
		return topicPlan{}, fmt.Errorf("input topic(s) %s do not exist", strings.Join(missing, ", "))
	}
	describe := func(topics []string) string {
		var parts []string
		for _, t := range topics {
			parts = append(parts, fmt.Sprintf("%s has %d", t, plan.counts[t]))
		}
		return strings.Join(parts, ", ")
	}
	for _, t := range keyed {
		if plan.n == 0 {
			plan.n = plan.counts[t]
		} else if plan.counts[t] != plan.n {
			return topicPlan{}, fmt.Errorf("%w: the inputs keyed by the join key must have the same partition count, and %s", ErrPartitions, describe(keyed))
		}
	}
	if plan.n == 0 {
		switch {
		case partitions > 0:
			plan.n = int32(partitions)
		case exists(s.Output):
			plan.n = plan.counts[s.Output]
		default:
			return topicPlan{}, fmt.Errorf("every input is re-keyed and the output topic %s does not exist: set --partitions", s.Output)
		}
	}
	if partitions > 0 && int32(partitions) != plan.n {
		return topicPlan{}, fmt.Errorf("%w: --partitions is %d but %s", ErrPartitions, partitions, describe(keyed))
	}
	var wrong []string
	for _, t := range internal {
		if t == s.DLQTopic() {
			continue // any count: records are spread by key
		}
		if exists(t) && plan.counts[t] != plan.n {
			wrong = append(wrong, fmt.Sprintf("%s has %d", t, plan.counts[t]))
		}
	}
	if len(wrong) > 0 {
		sort.Strings(wrong)
		src := "--partitions"
		if len(keyed) > 0 {
			src = describe(keyed)
		}
		return topicPlan{}, fmt.Errorf("%w: the joined inputs have %d partitions (%s) but %s; recreate those topics with %d partitions",
			ErrPartitions, plan.n, src, strings.Join(wrong, ", "), plan.n)
	}
	for _, t := range internal {
		if exists(t) {
			continue
		}
		var configs map[string]*string
		if t == s.ChangelogTopic() {
			compact := "compact"
			configs = map[string]*string{"cleanup.policy": &compact}
		}
		resp, err := adm.CreateTopic(ctx, plan.n, -1, configs, t)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return topicPlan{}, fmt.Errorf("create topic %s: %w", t, err)
		}
		plan.counts[t] = plan.n
	}
	return plan, nil
}
