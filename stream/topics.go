package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TopicSummary is one line of the topic list.
type TopicSummary struct {
	Name       string `json:"name"`
	Internal   bool   `json:"internal,omitempty"`
	Partitions int    `json:"partitions"`
	// Replicas is the replication factor (of partition 0).
	Replicas int `json:"replicas"`
	// EndOffsets are the end offsets (high watermarks) by partition.
	EndOffsets []int64 `json:"end_offsets"`
	// Records is the sum over partitions of end minus start offset: the
	// records currently retained (an upper bound on compacted topics).
	Records int64 `json:"records"`
}

// PartitionInfo describes one partition of a topic.
type PartitionInfo struct {
	Partition int32   `json:"partition"`
	Leader    int32   `json:"leader"`
	Replicas  []int32 `json:"replicas"`
	ISR       []int32 `json:"isr"`
	Start     int64   `json:"start"`
	End       int64   `json:"end"`
	Records   int64   `json:"records"`
	Err       string  `json:"error,omitempty"`
}

// ConfigEntry is one topic configuration value.
type ConfigEntry struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	Source    string `json:"source"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// TopicDetail describes one topic.
type TopicDetail struct {
	Name       string          `json:"name"`
	ID         string          `json:"id,omitempty"`
	Internal   bool            `json:"internal,omitempty"`
	Partitions []PartitionInfo `json:"partitions"`
	Configs    []ConfigEntry   `json:"configs"`
}

// ListTopics lists the topics, sorted by name, with their partitions and
// offsets. Internal topics (like __consumer_offsets) only with internal.
func (c *Client) ListTopics(ctx context.Context, internal bool) ([]TopicSummary, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	var err error
	tds, err := c.admin.ListTopics(ctx)
	if internal {
		tds, err = c.admin.ListTopicsWithInternal(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	if err := tds.Error(); err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	names := tds.Names()
	out := make([]TopicSummary, 0, len(names))
	if len(names) == 0 {
		return out, nil
	}
	to, err := c.listOffsets(ctx, names)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		td := tds[n]
		ts := TopicSummary{Name: n, Internal: td.IsInternal, Partitions: len(td.Partitions)}
		if p0, ok := td.Partitions[0]; ok {
			ts.Replicas = len(p0.Replicas)
		}
		for _, p := range to.partitions[n] {
			s, e := to.bounds(n, p)
			ts.EndOffsets = append(ts.EndOffsets, e)
			ts.Records += e - s
		}
		out = append(out, ts)
	}
	return out, nil
}

// TopicNames lists the names of the non-internal topics, sorted, with one
// metadata request and nothing else (for shell completion).
func (c *Client) TopicNames(ctx context.Context) ([]string, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	tds, err := c.admin.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	if err := tds.Error(); err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return tds.Names(), nil
}

// DescribeTopic returns a topic's partitions with their offsets, and its
// configuration.
func (c *Client) DescribeTopic(ctx context.Context, topic string) (*TopicDetail, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	tds, err := c.admin.ListTopicsWithInternal(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("describe topic %q: %w", topic, err)
	}
	td, ok := tds[topic]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	}
	if td.Err != nil {
		return nil, fmt.Errorf("describe topic %q: %w", topic, td.Err)
	}
	to, err := c.listOffsets(ctx, []string{topic})
	if err != nil {
		return nil, err
	}
	d := &TopicDetail{Name: topic, Internal: td.IsInternal, Partitions: []PartitionInfo{}, Configs: []ConfigEntry{}}
	if td.ID != [16]byte{} {
		d.ID = td.ID.String()
	}
	for _, pd := range td.Partitions.Sorted() {
		s, e := to.bounds(topic, pd.Partition)
		pi := PartitionInfo{Partition: pd.Partition, Leader: pd.Leader, Replicas: slices.Clone(pd.Replicas),
			ISR: slices.Clone(pd.ISR), Start: s, End: e, Records: e - s}
		if pd.Err != nil {
			pi.Err = pd.Err.Error()
		}
		d.Partitions = append(d.Partitions, pi)
	}
	rcs, err := c.admin.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("describe configs of topic %q: %w", topic, err)
	}
	for _, rc := range rcs {
		if rc.Err != nil {
			return nil, fmt.Errorf("describe configs of topic %q: %w", topic, rc.Err)
		}
		for _, cf := range rc.Configs {
			d.Configs = append(d.Configs, ConfigEntry{Name: cf.Key, Value: cf.MaybeValue(), Source: cf.Source.String(), Sensitive: cf.Sensitive})
		}
	}
	sort.Slice(d.Configs, func(i, j int) bool { return d.Configs[i].Name < d.Configs[j].Name })
	return d, nil
}
