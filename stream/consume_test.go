package stream

import (
	"testing"
	"time"
)

func TestConsumeRanges(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 2})
	tc.producer = tc.newClient(manual())
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		tc.produce(rec("orders", 0, "k", "v", base.Add(time.Duration(i)*time.Minute)))
	}
	for i := range 4 {
		tc.produce(rec("orders", 1, "k", "v", base.Add(time.Duration(i)*time.Minute)))
	}
	c := tc.client()
	tests := []struct {
		from, until string
		limit       int
		want        string
	}{
		{"", "", 0, "0@0 0@1 0@2 0@3 0@4 0@5 0@6 0@7 0@8 0@9 1@0 1@1 1@2 1@3 "},
		{"-2", "", 0, "0@8 0@9 1@2 1@3 "},
		{"8", "", 0, "0@8 0@9 "},
		{"0:5,1:latest", "0:7", 0, "0@5 0@6 "},
		{"@2024-05-01T10:03:00Z", "@2024-05-01T10:05:00Z", 0, "0@3 0@4 1@3 "},
		{"@2020-01-01T00:00:00Z", "2", 0, "0@0 0@1 1@0 1@1 "},
		{"@2030-01-01T00:00:00Z", "", 0, ""},
		{"earliest", "", 3, "3"},
	}
	for _, tt := range tests {
		var got []*Record
		st, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"},
			From: mustBound(t, tt.from), Until: mustBound(t, tt.until)}, Limit: tt.limit}, func(r *Record) error {
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatalf("from %q until %q: %v", tt.from, tt.until, err)
		}
		if tt.limit > 0 {
			if len(got) != tt.limit || st.Delivered != int64(tt.limit) {
				t.Errorf("limit %d: got %d records", tt.limit, len(got))
			}
			continue
		}
		// Order across partitions is not defined; sort for comparison.
		sortRecs(got)
		if s := offsetsOf(got); s != tt.want {
			t.Errorf("from %q until %q: got %q, want %q", tt.from, tt.until, s, tt.want)
		}
	}
}
