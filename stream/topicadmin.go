package stream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrInternalTopic is returned (wrapped, naming the topic) when asked to
// delete an internal topic (__consumer_offsets, __transaction_state, any
// topic whose name starts with "__" or that the broker marks internal):
// deleting one loses every group's offsets or open transactions.
var ErrInternalTopic = errors.New("refusing to delete an internal topic")

// TopicChange is what a topic administration call did, the same shape for
// every one of them (the -o json of `edactl topics create|delete|config|
// partitions`).
type TopicChange struct {
	Topic  string `json:"topic"`
	Action string `json:"action"` // created, deleted, configured, partitioned
	// ID is the topic id the broker gave a created topic, when it says.
	ID string `json:"id,omitempty"`
	// Partitions is the partition count after the call (create,
	// partitions).
	Partitions int32 `json:"partitions,omitempty"`
	// Replicas is the replication factor of a created topic.
	Replicas int16 `json:"replicas,omitempty"`
	// Set and Deleted are the configuration keys set and deleted.
	Set     map[string]string `json:"set,omitempty"`
	Deleted []string          `json:"deleted,omitempty"`
}

// CreateTopicOptions configure CreateTopic.
type CreateTopicOptions struct {
	// Partitions is the partition count; -1 means the broker's default.
	Partitions int32
	// Replicas is the replication factor; -1 means the broker's default.
	Replicas int16
	// Configs are topic configuration entries (retention.ms, ...).
	Configs map[string]string
}

// CreateTopic creates topic. An existing topic is an error wrapping
// kerr.TopicAlreadyExists.
func (c *Client) CreateTopic(ctx context.Context, topic string, opts CreateTopicOptions) (TopicChange, error) {
	if err := c.needAdmin(); err != nil {
		return TopicChange{}, err
	}
	var configs map[string]*string
	if len(opts.Configs) > 0 {
		configs = map[string]*string{}
		for k, v := range opts.Configs {
			configs[k] = &v
		}
	}
	r, err := c.admin.CreateTopic(ctx, opts.Partitions, opts.Replicas, configs, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("create topic %q: %w", topic, withMessage(err, r.ErrMessage))
	}
	ch := TopicChange{Topic: topic, Action: "created", Partitions: r.NumPartitions, Replicas: r.ReplicationFactor, Set: opts.Configs}
	if r.ID != [16]byte{} {
		ch.ID = r.ID.String()
	}
	return ch, nil
}

// DeleteTopic deletes topic, with every record in it. Internal topics are
// refused (ErrInternalTopic) before anything is sent but a metadata
// request; a topic that does not exist is ErrUnknownTopic.
func (c *Client) DeleteTopic(ctx context.Context, topic string) (TopicChange, error) {
	if err := c.needAdmin(); err != nil {
		return TopicChange{}, err
	}
	if strings.HasPrefix(topic, "__") {
		return TopicChange{}, fmt.Errorf("%w: %q", ErrInternalTopic, topic)
	}
	tds, err := c.admin.ListTopicsWithInternal(ctx, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("delete topic %q: %w", topic, err)
	}
	td, ok := tds[topic]
	switch {
	case !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition):
		return TopicChange{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	case td.Err != nil:
		return TopicChange{}, fmt.Errorf("delete topic %q: %w", topic, td.Err)
	case td.IsInternal:
		return TopicChange{}, fmt.Errorf("%w: %q", ErrInternalTopic, topic)
	}
	r, err := c.admin.DeleteTopic(ctx, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("delete topic %q: %w", topic, withMessage(err, r.ErrMessage))
	}
	return TopicChange{Topic: topic, Action: "deleted"}, nil
}

// TopicConfig returns topic's configuration, sorted by name.
func (c *Client) TopicConfig(ctx context.Context, topic string) ([]ConfigEntry, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	rcs, err := c.admin.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("describe configs of topic %q: %w", topic, err)
	}
	out := []ConfigEntry{}
	for _, rc := range rcs {
		if rc.Err != nil {
			if errors.Is(rc.Err, kerr.UnknownTopicOrPartition) {
				return nil, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
			}
			return nil, fmt.Errorf("describe configs of topic %q: %w", topic, withMessage(rc.Err, rc.ErrMessage))
		}
		for _, cf := range rc.Configs {
			out = append(out, ConfigEntry{Name: cf.Key, Value: cf.MaybeValue(), Source: cf.Source.String(), Sensitive: cf.Sensitive})
		}
	}
	slices.SortFunc(out, func(a, b ConfigEntry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// AlterTopicConfig sets and deletes (back to the default) configuration
// entries of topic, in one incremental request.
func (c *Client) AlterTopicConfig(ctx context.Context, topic string, set map[string]string, del []string) (TopicChange, error) {
	if err := c.needAdmin(); err != nil {
		return TopicChange{}, err
	}
	var alter []kadm.AlterConfig
	for _, k := range slices.Sorted(maps.Keys(set)) {
		v := set[k]
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: &v})
	}
	for _, k := range del {
		alter = append(alter, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
	}
	rs, err := c.admin.AlterTopicConfigs(ctx, alter, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("alter configs of topic %q: %w", topic, err)
	}
	for _, r := range rs {
		if r.Err != nil {
			if errors.Is(r.Err, kerr.UnknownTopicOrPartition) {
				return TopicChange{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
			}
			return TopicChange{}, fmt.Errorf("alter configs of topic %q: %w", topic, withMessage(r.Err, r.ErrMessage))
		}
	}
	return TopicChange{Topic: topic, Action: "configured", Set: set, Deleted: del}, nil
}

// SetPartitions raises topic's partition count to count. Kafka cannot
// remove partitions: a count below the current one is an error naming
// both.
func (c *Client) SetPartitions(ctx context.Context, topic string, count int) (TopicChange, error) {
	if err := c.needAdmin(); err != nil {
		return TopicChange{}, err
	}
	tds, err := c.admin.ListTopics(ctx, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("partitions of topic %q: %w", topic, err)
	}
	td, ok := tds[topic]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return TopicChange{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	}
	if td.Err != nil {
		return TopicChange{}, fmt.Errorf("partitions of topic %q: %w", topic, td.Err)
	}
	if now := len(td.Partitions); count < now {
		return TopicChange{}, fmt.Errorf("topic %q has %d partitions: Kafka cannot remove partitions, so the count must be at least %d", topic, now, now)
	} else if count == now {
		return TopicChange{Topic: topic, Action: "partitioned", Partitions: int32(count)}, nil
	}
	rs, err := c.admin.UpdatePartitions(ctx, count, topic)
	if err != nil {
		return TopicChange{}, fmt.Errorf("partitions of topic %q: %w", topic, err)
	}
	if r := rs[topic]; r.Err != nil {
		return TopicChange{}, fmt.Errorf("partitions of topic %q: %w", topic, withMessage(r.Err, r.ErrMessage))
	}
	return TopicChange{Topic: topic, Action: "partitioned", Partitions: int32(count)}, nil
}

// withMessage adds the broker's error message to err when it has one.
func withMessage(err error, msg string) error {
	if msg == "" || strings.Contains(err.Error(), msg) {
		return err
	}
	return fmt.Errorf("%w (%s)", err, msg)
}
