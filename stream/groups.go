package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrUnknownGroup is returned (wrapped, naming the group) when describing a
// group the cluster does not know.
var ErrUnknownGroup = errors.New("consumer group does not exist")

// GroupSummary is one line of the group list.
type GroupSummary struct {
	Name         string `json:"name"`
	State        string `json:"state"`
	ProtocolType string `json:"protocol_type"`
	Members      int    `json:"members"`
	// Lag is the total lag over the partitions with a commit, or -1 when
	// it could not be computed.
	Lag int64  `json:"lag"`
	Err string `json:"error,omitempty"`
}

// Member is a consumer group member.
type Member struct {
	ID         string           `json:"id"`
	InstanceID string           `json:"instance_id,omitempty"`
	ClientID   string           `json:"client_id"`
	Host       string           `json:"host"`
	Assigned   map[string][]int `json:"assigned,omitempty"`
}

// GroupOffset is a group's position in one partition.
type GroupOffset struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Committed is the committed offset, or -1 when there is none.
	Committed int64 `json:"committed"`
	Start     int64 `json:"start"`
	End       int64 `json:"end"`
	// Lag is End minus Committed (End minus Start without a commit), or
	// -1 when unknown.
	Lag      int64  `json:"lag"`
	MemberID string `json:"member_id,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Err      string `json:"error,omitempty"`
}

// GroupDetail describes one consumer group.
type GroupDetail struct {
	Name         string        `json:"name"`
	State        string        `json:"state"`
	ProtocolType string        `json:"protocol_type"`
	Protocol     string        `json:"protocol"`
	Coordinator  int32         `json:"coordinator"`
	Members      []Member      `json:"members"`
	Offsets      []GroupOffset `json:"offsets"`
	// Lag is the total over Offsets with a known lag.
	Lag int64 `json:"lag"`
}

// ListGroups lists consumer groups, sorted by name, with their state,
// member count and total lag.
func (c *Client) ListGroups(ctx context.Context) ([]GroupSummary, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	lg, err := c.admin.ListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	out := make([]GroupSummary, 0, len(lg))
	if len(lg) == 0 {
		return out, nil
	}
	lags, err := c.admin.Lag(ctx, lg.Groups()...)
	if err != nil {
		return nil, fmt.Errorf("group lag: %w", err)
	}
	for _, g := range lg.Sorted() {
		gs := GroupSummary{Name: g.Group, State: g.State, ProtocolType: g.ProtocolType, Lag: -1}
		if l, ok := lags[g.Group]; ok {
			if l.State != "" {
				gs.State = l.State
			}
			gs.Members = len(l.Members)
			if err := l.Error(); err != nil {
				gs.Err = err.Error()
			} else {
				gs.Lag = l.Lag.Total()
			}
		}
		out = append(out, gs)
	}
	return out, nil
}

// GroupNames lists the names of the consumer groups, sorted, without their
// lag (for shell completion).
func (c *Client) GroupNames(ctx context.Context) ([]string, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	lg, err := c.admin.ListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	names := lg.Groups()
	slices.Sort(names)
	return names, nil
}

// DescribeGroup returns a group's members and, per partition it has
// committed or been assigned, the committed offset and lag.
func (c *Client) DescribeGroup(ctx context.Context, group string) (*GroupDetail, error) {
	if err := c.needAdmin(); err != nil {
		return nil, err
	}
	lags, err := c.admin.Lag(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("describe group %q: %w", group, err)
	}
	l, ok := lags[group]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownGroup, group)
	}
	if errors.Is(l.DescribeErr, kerr.GroupIDNotFound) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownGroup, group)
	}
	if l.DescribeErr != nil {
		return nil, fmt.Errorf("describe group %q: %w", group, l.DescribeErr)
	}
	if l.FetchErr != nil {
		return nil, fmt.Errorf("fetch offsets of group %q: %w", group, l.FetchErr)
	}
	if l.State == "Dead" && len(l.Members) == 0 && len(l.Lag) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownGroup, group)
	}
	d := &GroupDetail{Name: group, State: l.State, ProtocolType: l.ProtocolType, Protocol: l.Protocol,
		Coordinator: l.Coordinator.NodeID, Members: members(l.Members), Offsets: []GroupOffset{}}
	for _, ml := range l.Lag.Sorted() {
		o := GroupOffset{Topic: ml.Topic, Partition: ml.Partition, Committed: ml.Commit.At,
			Start: ml.Start.Offset, End: ml.End.Offset, Lag: ml.Lag}
		if ml.Member != nil {
			o.MemberID, o.ClientID = ml.Member.MemberID, ml.Member.ClientID
		}
		if ml.Err != nil {
			o.Err = ml.Err.Error()
		}
		if o.Lag >= 0 {
			d.Lag += o.Lag
		}
		d.Offsets = append(d.Offsets, o)
	}
	return d, nil
}

func members(ms []kadm.DescribedGroupMember) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		mm := Member{ID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost}
		if m.InstanceID != nil {
			mm.InstanceID = *m.InstanceID
		}
		if ca, ok := m.Assigned.AsConsumer(); ok {
			mm.Assigned = map[string][]int{}
			for _, t := range ca.Topics {
				for _, p := range t.Partitions {
					mm.Assigned[t.Topic] = append(mm.Assigned[t.Topic], int(p))
				}
				sort.Ints(mm.Assigned[t.Topic])
			}
		}
		out = append(out, mm)
	}
	return out
}
