package stream

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
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

func TestConsumeFollow(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	tc.produce(rec("orders", 0, "a", "old", time.Now()))
	c := tc.client()
	got := make(chan *Record, 10)
	done := make(chan error, 1)
	go func() {
		_, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}, Follow: true}, Limit: 3},
			func(r *Record) error { got <- r; return nil })
		done <- err
	}()
	if r := <-got; string(r.Value.Raw) != "old" {
		t.Fatalf("first record %s", r.Value.Raw)
	}
	tc.produce(rec("orders", 0, "a", "new1", time.Now()), rec("orders", 0, "a", "new2", time.Now()))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := <-got; string(r.Value.Raw) != "new1" {
		t.Errorf("followed record %s", r.Value.Raw)
	}
}

func TestConsumeFollowUntilFutureTime(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tc.produce(rec("orders", 0, "a", "before", now.Add(-time.Minute)))
	c := tc.client(WithClock(func() time.Time { return now }))
	var got []string
	done := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		_, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}, Follow: true,
			Until: mustBound(t, "@2024-05-01T10:05:00Z")}, OnStart: func([]PartitionRange) { close(started) }},
			func(r *Record) error { got = append(got, string(r.Value.Raw)); return nil })
		done <- err
	}()
	<-started
	tc.produce(rec("orders", 0, "a", "during", now.Add(time.Minute)), rec("orders", 0, "a", "after", now.Add(6*time.Minute)),
		rec("orders", 0, "a", "later", now.Add(7*time.Minute)))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, ","); s != "before,during" {
		t.Errorf("got %s, want before,during (stop at the first record at or after --until)", s)
	}
}

func TestConsumeWithGroupCommits(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 2})
	tc.producer = tc.newClient(manual())
	for i := range 6 {
		tc.produce(rec("orders", int32(i%2), "k", fmt.Sprint(i), time.Now()))
	}
	read := func(limit int) []*Record {
		member := tc.newClient(GroupOpts("viewer", []string{"orders"}, Position{Kind: Earliest}, time.Now())...)
		c, err := New(WithAdmin(tc.admin), WithConsumer(member))
		if err != nil {
			t.Fatal(err)
		}
		var got []*Record
		if _, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}, Limit: limit},
			func(r *Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		member.Close()
		return got
	}
	first := read(0)
	if len(first) != 6 {
		t.Fatalf("first read %d records", len(first))
	}
	if got := tc.committed("viewer"); got[tp{"orders", 0}] != 3 || got[tp{"orders", 1}] != 3 {
		t.Errorf("committed %v, want 3 and 3", got)
	}
	tc.produce(rec("orders", 0, "k", "6", time.Now()))
	second := read(0)
	if len(second) != 1 || string(second[0].Value.Raw) != "6" {
		t.Errorf("second read %s, want only the new record", offsetsOf(second))
	}
}

func TestConsumeTransactionalEnd(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 1})
	txn := tc.newClient(kgo.TransactionalID("tx-1"), manual())
	ctx := ctxT(t)
	for i, commit := range []bool{true, false, true} {
		if err := txn.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := txn.ProduceSync(ctx, rec("orders", 0, "k", fmt.Sprintf("t%d", i), time.Now())).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := txn.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	c := tc.client()
	var got []string
	if _, err := c.Consume(ctx, ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"orders"}}}, func(r *Record) error {
		got = append(got, string(r.Value.Raw))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The log ends with a commit marker; the read still ends, and the
	// aborted record is not shown.
	if s := strings.Join(got, ","); s != "t0,t2" {
		t.Errorf("got %s, want t0,t2", s)
	}
}

func TestResolveRangesErrors(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"orders": 2})
	c := tc.client()
	for spec, want := range map[string]ReadSpec{
		`topic does not exist: "nope"`: {Topics: []string{"nope"}},
		`partition 7 does not exist`:   {Topics: []string{"orders"}, From: mustBound(t, "7:0")},
		`has no partition 3`:           {Topics: []string{"orders"}, Partitions: map[string][]int32{"orders": {3}}},
		`no topic given`:               {},
	} {
		if _, err := c.ResolveRanges(ctxT(t), want); err == nil || !strings.Contains(err.Error(), spec) {
			t.Errorf("got %v, want %q", err, spec)
		}
	}
}

func TestParseBound(t *testing.T) {
	for in, want := range map[string]string{
		"earliest":                     "earliest",
		"END":                          "latest",
		"42":                           "42",
		"-10":                          "-10",
		"@2024-05-01T10:00:00Z":        "@2024-05-01T10:00:00Z",
		"@2024-05-01T12:00:00+02:00":   "@2024-05-01T10:00:00Z",
		"@-1h30m":                      "@-1h30m0s",
		"0:5, 1:latest":                "0:5,1:latest",
		"-3,2:@2024-05-01T10:00:00.5Z": "-3,2:@2024-05-01T10:00:00.5Z",
		"":                             "",
	} {
		b, err := ParseBound(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if b.String() != want {
			t.Errorf("%q: got %q, want %q", in, b.String(), want)
		}
	}
	for in, want := range map[string]string{
		"soon":       "invalid position",
		"@yesterday": "want an RFC 3339 time",
		"@-1x":       "not a positive duration",
		"-x":         "-N wants a record count",
		"1,2":        "two positions for all partitions",
		"0:1,0:2":    "partition 0 is given twice",
		"0:bad":      "partition 0: invalid position",
		"":           "",
	} {
		if in == "" {
			continue
		}
		if _, err := ParseBound(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
