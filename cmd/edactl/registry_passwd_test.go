package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegistryPasswd writes auth-file entries with registry passwd (the
// password from stdin) and checks that registry serve --auth-file accepts
// them over real HTTP: the users get in with their passwords and roles, a
// wrong password does not, and the password is never printed.
func TestRegistryPasswd(t *testing.T) {
	dir := t.TempDir()
	const alicePW, ciPW, ciPW2 = "alice-Long-pw-31", "ci-Secret-pw-77", "ci-Rotated-pw-78"
	passwd := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := Main(context.Background(), append([]string{"registry", "passwd"}, args...), Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}, func(string) string { return "" })
		if s := out.String() + errb.String(); strings.Contains(s, alicePW) || strings.Contains(s, ciPW) || strings.Contains(s, ciPW2) {
			t.Errorf("registry passwd %q printed the password:\n%s", args, s)
		}
		return code, out.String(), errb.String()
	}

	// Printed: a one-user auth file.
	code, entry, errOut := passwd(alicePW+"\n", "alice", "--role", "admin")
	if code != 0 || !strings.HasPrefix(entry, "users:\n  - {name: alice, password_sha256: ") || !strings.HasSuffix(entry, ", role: admin}\n") {
		t.Fatalf("print: exit %d:\n%s%s", code, entry, errOut)
	}
	// Into a file: created (owner only), then a second user added, then
	// one replaced.
	auth := filepath.Join(dir, "auth.yaml")
	if code, out, errOut := passwd(ciPW+"\n", "ci", "--role", "write", "--auth-file", auth); code != 0 || out != "added user ci (role write) in "+auth+"\n" {
		t.Fatalf("--auth-file new: exit %d: %s%s", code, out, errOut)
	}
	if st, err := os.Stat(auth); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new auth file: %v %v, want mode 0600", st.Mode(), err)
	}
	lines := strings.Split(strings.TrimSpace(entry), "\n")
	existing := "# registry users\n" + lines[0] + "\n" + lines[1] + "  # added from the printed entry\n"
	if err := os.WriteFile(auth, []byte(existing), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(auth, 0o640); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := passwd(ciPW+"\r\n", "ci", "--role", "write", "--auth-file", auth); code != 0 || !strings.HasPrefix(out, "added user ci") {
		t.Fatalf("--auth-file add: exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := passwd(ciPW2, "ci", "--role", "read", "--auth-file", auth); code != 0 || !strings.HasPrefix(out, "replaced user ci (role read)") {
		t.Fatalf("--auth-file replace: exit %d: %s%s", code, out, errOut)
	}
	data, _ := os.ReadFile(auth)
	if s := string(data); !strings.Contains(s, "# registry users") || !strings.Contains(s, "# added from the printed entry") || strings.Count(s, "name: ci") != 1 {
		t.Errorf("auth file after add and replace:\n%s", s)
	}
	if st, _ := os.Stat(auth); st.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode changed to %v", st.Mode())
	}

	// registry serve reads it: alice (admin) may change the config, ci
	// (read, with the rotated password) may read but not register.
	addr := freeAddr(t)
	url := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"registry", "serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--auth-file", auth, "--access-log=false"},
			Stdio{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &stderr}, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("registry serve: exit %d\n%s", code, stderr.String())
		}
	})
	do := func(method, path, body, user, pass string) int {
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(10 * time.Second)
	for do("GET", "/healthz", "", "", "") != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("registry serve does not answer:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range []struct {
		method, path, body, user, pass string
		want                           int
	}{
		{"GET", "/subjects", "", "", "", 401},
		{"GET", "/subjects", "", "alice", alicePW, 200},
		{"GET", "/subjects", "", "alice", alicePW + "x", 401},
		{"PUT", "/config", `{"compatibility":"FULL"}`, "alice", alicePW, 200},
		{"GET", "/subjects", "", "ci", ciPW2, 200},
		{"GET", "/subjects", "", "ci", ciPW, 401},
		{"POST", "/subjects/x-value/versions", `{"schema":"\"string\""}`, "ci", ciPW2, 403},
	} {
		if got := do(c.method, c.path, c.body, c.user, c.pass); got != c.want {
			t.Errorf("%s %s as %q: %d, want %d", c.method, c.path, c.user, got, c.want)
		}
	}

	// Bad input: exit 2 for usage, 1 for no password; nothing written.
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"pw\n", []string{"bob"}, exitUsage, "--role is required"},
		{"pw\n", []string{"bob", "--role", "root"}, exitUsage, `--role "root": want read, write or admin`},
		{"pw\n", []string{"", "--role", "read"}, exitUsage, "needs a name"},
		{"pw\n", []string{"--role", "read"}, exitUsage, "accepts 1 arg"},
		{"", []string{"bob", "--role", "read"}, exitFailed, "no password"},
		{"\n", []string{"bob", "--role", "read", "--auth-file", auth}, exitFailed, "no password"},
		{strings.Repeat("x", 5000), []string{"bob", "--role", "read"}, exitFailed, "longer than 4096 bytes"},
	} {
		code, out, errOut := passwd(c.stdin, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	if after, _ := os.ReadFile(auth); string(after) != string(data) {
		t.Errorf("a failed passwd changed the file:\n%s", after)
	}
}
