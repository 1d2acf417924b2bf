package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
	"testing"
)

// work counts what a check does: the bytes it hashes and the constant-time
// comparisons it makes.
type work struct{ hashed, compares int }

func counting(a *Auth) *work {
	w := &work{}
	a.sum = func(b []byte) [32]byte { w.hashed += len(b); return sha256.Sum256(b) }
	a.compare = func(x, y []byte) int { w.compares++; return subtle.ConstantTimeCompare(x, y) }
	return w
}

// A wrong password costs the same whether the user exists or not, so
// response times do not tell which user names exist: an unknown user's
// password is hashed and compared too (before, it was not hashed at all,
// which made unknown users a thousand times faster with a long password).
func TestAuthUnknownUserCostsTheSame(t *testing.T) {
	a, err := ParseAuth([]byte("users:\n  - {name: alice, password: right, role: read}\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := counting(a)
	long := strings.Repeat("x", 64<<10)
	cost := func(user, pass string) work {
		*w = work{}
		if p := a.checkUser(user, pass); p != nil && pass != "right" {
			t.Fatalf("%s/%s accepted", user, pass)
		}
		return *w
	}
	known, unknown := cost("alice", long), cost("mallory", long)
	if known != unknown || known.hashed != len(long) || known.compares != 1 {
		t.Fatalf("a wrong password costs %+v for a known user and %+v for an unknown one: the difference tells which users exist", known, unknown)
	}
	if right := cost("alice", "right"); right.compares != 1 || right.hashed != len("right") {
		t.Fatalf("the right password costs %+v", right)
	}
	if a.checkUser("alice", "right") == nil {
		t.Fatal("the right password is refused")
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
	w := counting(a)
	for _, tok := range []string{"tok-0", fmt.Sprintf("tok-%d", n-1), "nope-0"} {
		*w = work{}
		p := a.checkToken(tok)
		if (p == nil) != strings.HasPrefix(tok, "nope") {
			t.Fatalf("token %s: principal %v", tok, p)
		}
		if w.compares != n || w.hashed != len(tok) {
			t.Fatalf("token %s cost %+v, want %d comparisons: the difference tells where a token is", tok, *w, n)
		}
	}
}
