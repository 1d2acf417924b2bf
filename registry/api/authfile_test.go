package api

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSetUser(t *testing.T) {
	hash := func(p string) string { s := sha256.Sum256([]byte(p)); return hex.EncodeToString(s[:]) }

	out, err := UserEntry("alice", "correct horse", "Admin")
	if err != nil {
		t.Fatal(err)
	}
	if want := "users:\n  - {name: alice, password_sha256: " + hash("correct horse") + ", role: admin}\n"; string(out) != want {
		t.Errorf("UserEntry:\n%s\nwant:\n%s", out, want)
	}
	if strings.Contains(string(out), "correct horse") {
		t.Error("the entry holds the password")
	}
	a, err := ParseAuth(out)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := a.users["alice"]; !ok || p.role != roleAdmin || p.hash != sha256.Sum256([]byte("correct horse")) {
		t.Errorf("parsed back: %+v", a.users)
	}

	// Added to a file with other entries and comments, which stay; then
	// replaced.
	file := `# who may use the registry
users:
  - {name: bob, password: bobs-pw, role: read}  # the reader
tokens:
  - {name: ci, token: s3cr3t, role: write}
`
	out, replaced, err := SetUser([]byte(file), "alice", "pw-1", "write")
	if replaced {
		t.Error("alice was not in the file, but replaced says so")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# who may use the registry", "name: bob", "# the reader", "name: ci", "{name: alice, password_sha256: " + hash("pw-1") + ", role: write}"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("after adding, %q is missing:\n%s", want, out)
		}
	}
	out, replaced, err = SetUser(out, "bob", "pw-2", "admin")
	if !replaced {
		t.Error("bob was replaced, but replaced says not")
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "bobs-pw") || strings.Count(string(out), "name: bob") != 1 || !strings.Contains(string(out), "{name: bob, password_sha256: "+hash("pw-2")+", role: admin} # the reader") {
		t.Errorf("after replacing bob:\n%s", out)
	}
	a, err = ParseAuth(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.users) != 2 || a.users["bob"].role != roleAdmin || len(a.tokens) != 1 {
		t.Errorf("parsed back: %+v %+v", a.users, a.tokens)
	}

	// An empty users key, and bad input.
	if out, _, err := SetUser([]byte("users:\n"), "x", "pw", "read"); err != nil || !strings.Contains(string(out), "{name: x,") {
		t.Errorf("users: null: %v\n%s", err, out)
	}
	for _, tt := range []struct{ data, name, pw, role, want string }{
		{"", "", "pw", "read", "needs a name"},
		{"", "x", "", "read", "password is empty"},
		{"", "x", "pw", "root", `unknown role "root"`},
		{"- a\n", "x", "pw", "read", "line 1: want a mapping"},
		{"users: 3\n", "x", "pw", "read", "users must be a list"},
		{"users: [\n", "x", "pw", "read", "auth file: yaml"},
		{"users: []\nextra: 1\n", "x", "pw", "read", "would not load"},
	} {
		if _, _, err := SetUser([]byte(tt.data), tt.name, tt.pw, tt.role); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q %q %q: got %v, want %q", tt.data, tt.name, tt.role, err, tt.want)
		}
	}
}
