package api

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// medianCost returns, for each fn, the median over interleaved rounds of
// the time one call takes, so that load elsewhere on the machine hits all
// alike.
func medianCost(fns ...func()) []time.Duration {
	const rounds, batch = 21, 20
	samples := make([][]time.Duration, len(fns))
	for range rounds {
		for i, fn := range fns {
			start := time.Now()
			for range batch {
				fn()
			}
			samples[i] = append(samples[i], time.Since(start))
		}
	}
	out := make([]time.Duration, len(fns))
	for i, s := range samples {
		slices.Sort(s)
		out[i] = s[len(s)/2] / batch
	}
	return out
}

// A wrong password costs the same whether the user exists or not, so
// response times do not tell which user names exist. The password is long
// so that hashing it is most of the work: skipping the hash for unknown
// users (as before) made them a thousand times faster.
func TestAuthUnknownUserCostsTheSame(t *testing.T) {
	a, err := ParseAuth([]byte("users:\n  - {name: alice, password: right, role: read}\n"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 64<<10)
	d := medianCost(func() { a.checkUser("alice", long) }, func() { a.checkUser("mallory", long) })
	known, unknown := d[0], d[1]
	if ratio := float64(known) / float64(unknown); ratio > 2 || ratio < 0.5 {
		t.Fatalf("a wrong password takes %v for a known user and %v for an unknown one (ratio %.2f): the difference tells which users exist", known, unknown, ratio)
	}
}

// A bearer token is compared with every configured token: matching the
// first costs as much as matching the last or none.
func TestAuthTokenPositionCostsTheSame(t *testing.T) {
	var b strings.Builder
	b.WriteString("tokens:\n")
	const n = 4000
	for i := range n {
		fmt.Fprintf(&b, "  - {name: t%d, token: tok-%d, role: read}\n", i, i)
	}
	a, err := ParseAuth([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	lastTok := fmt.Sprintf("tok-%d", n-1)
	d := medianCost(func() { a.checkToken("tok-0") }, func() { a.checkToken(lastTok) })
	first, last := d[0], d[1]
	if ratio := float64(first) / float64(last); ratio > 2 || ratio < 0.5 {
		t.Fatalf("matching the first of %d tokens takes %v, the last %v (ratio %.2f): the difference tells where a token is", n, first, last, ratio)
	}
}
