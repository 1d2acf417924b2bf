package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevSecure runs `edactl dev --secure` on free ports with env and
// returns its stdout up to the end of the security block, the variables of
// the secure.env it wrote, and a stop function returning its exit code.
func startDevSecure(t *testing.T, dir string, env map[string]string) (banner string, vars map[string]string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"dev", "--secure", "--kafka-addr", "127.0.0.1:0", "--registry-addr", "127.0.0.1:0", "--data", dir},
			Stdio{In: strings.NewReader(""), Out: pw, Err: &lockedWriter{b: &stderr}}, func(k string) string { return env[k] })
		pw.Close()
		done <- code
	}()
	var b strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "  curl --cacert") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("edactl dev --secure did not stop")
			return -1
		}
	}
	if !strings.Contains(b.String(), "curl --cacert") {
		stop()
		t.Fatalf("no security block in the banner:\n%s\nstderr: %s", b.String(), stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "secure.env"))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	vars = map[string]string{}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			vars[k] = v
		}
	}
	return b.String(), vars, stop
}

// TestDevSecure: `edactl dev --secure` runs a broker that speaks only TLS
// with SASL SCRAM-SHA-512 and a registry that speaks only HTTPS with basic
// auth. It prints the CA's path and the credentials; the variables of its
// secure.env, and the context it writes, configure other commands; kcat
// (a non-Go client) produces and consumes with the printed CA and
// credentials; a restart keeps them.
func TestDevSecure(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	xdg := filepath.Join(dir, "xdg")
	banner, vars, stop := startDevSecure(t, data, map[string]string{"XDG_CONFIG_HOME": xdg})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	caRe := regexp.MustCompile(`CA certificate\s+(\S+)`)
	credRe := regexp.MustCompile(`Kafka\s+TLS \+ SASL SCRAM-SHA-512, user (\S+), password (\S+)`)
	ca, creds := caRe.FindStringSubmatch(banner), credRe.FindStringSubmatch(banner)
	if ca == nil || creds == nil {
		t.Fatalf("the banner lacks the CA or the credentials:\n%s", banner)
	}
	for k, want := range map[string]string{
		"EDACTL_KAFKA_TLS": "true", "EDACTL_KAFKA_CA_FILE": ca[1], "EDACTL_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
		"EDACTL_KAFKA_SASL_USER": creds[1], "EDACTL_KAFKA_SASL_PASSWORD": creds[2], "EDACTL_REGISTRY_CA_FILE": ca[1],
	} {
		if vars[k] != want {
			t.Errorf("secure.env: %s=%q, want %q", k, vars[k], want)
		}
	}
	if !strings.HasPrefix(vars["EDACTL_REGISTRY"], "https://") || vars["EDACTL_REGISTRY_PASSWORD"] == "" {
		t.Errorf("secure.env registry settings: %v", vars)
	}
	if fi, err := os.Stat(filepath.Join(data, "secure.env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secure.env mode: %v %v", fi, err)
	}

	// The variables configure the other commands.
	code, out, errOut := runEnv(t, vars, "registry", "subjects")
	if code != 0 || !strings.Contains(out, "orders.placed-value") {
		t.Errorf("registry subjects with secure.env: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runEnv(t, vars, "topics")
	if code != 0 || !strings.Contains(out, "orders.placed") {
		t.Errorf("topics with secure.env: exit %d\n%s%s", code, out, errOut)
	}
	checkNoSecret(t, "commands with secure.env", out+errOut, []string{vars["EDACTL_KAFKA_SASL_PASSWORD"], vars["EDACTL_REGISTRY_PASSWORD"]})

	// So does the context, with no variable but where the user config is.
	ctxEnv := map[string]string{"XDG_CONFIG_HOME": xdg}
	code, out, errOut = runEnv(t, ctxEnv, "--context", devSecureContext, "consume", "orders.placed", "--raw", "-n", "0")
	if code != 0 {
		t.Errorf("consume --context %s: exit %d\n%s%s", devSecureContext, code, out, errOut)
	}
	code, out, _ = runEnv(t, ctxEnv, "--context", devSecureContext, "config")
	if code != 0 || !regexp.MustCompile(`context\s+`+devSecureContext).MatchString(out) {
		t.Errorf("config --context %s does not show the context:\n%s", devSecureContext, out)
	}
	// It is not made the current context: a later plain edactl dev must
	// stay reachable without TLS and SASL.
	if code, cur, _ := runEnv(t, ctxEnv, "config"); code != 0 || regexp.MustCompile(`context\s+`+devSecureContext).MatchString(cur) {
		t.Errorf("dev --secure made its context the current one:\n%s", cur)
	}
	if strings.Contains(out, vars["EDACTL_KAFKA_SASL_PASSWORD"]) {
		t.Errorf("edactl config shows the password:\n%s", out)
	}

	// Without the security settings nothing gets in.
	if code, _, _ := runEnv(t, map[string]string{"EDACTL_BROKERS": vars["EDACTL_BROKERS"], "EDACTL_KAFKA_TLS": "true", "EDACTL_KAFKA_CA_FILE": ca[1]}, "topics"); code == 0 {
		t.Error("topics without SASL succeeded")
	}
	if code, _, _ := runEnv(t, map[string]string{"EDACTL_REGISTRY": vars["EDACTL_REGISTRY"], "EDACTL_REGISTRY_CA_FILE": ca[1]}, "registry", "subjects"); code == 0 {
		t.Error("registry subjects without credentials succeeded")
	}

	// kcat, with the printed CA and credentials.
	t.Run("kcat", func(t *testing.T) {
		if _, err := exec.LookPath("kcat"); err != nil {
			t.Skip("kcat is not installed (Debian package kcat; .ci/run installs it)")
		}
		kcat := func(stdin string, args ...string) string {
			t.Helper()
			base := []string{"-b", vars["EDACTL_BROKERS"], "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
				"-X", "sasl.username=" + creds[1], "-X", "sasl.password=" + creds[2], "-X", "ssl.ca.location=" + ca[1]}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "kcat", append(base, args...)...)
			cmd.Stdin = strings.NewReader(stdin)
			b, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("kcat %q: %v\n%s", args, err, b)
			}
			return string(b)
		}
		if code, out, errOut := runEnv(t, vars, "topics", "create", "kcat.secure", "--partitions", "1"); code != 0 {
			t.Fatalf("topics create: %d %s %s", code, out, errOut)
		}
		kcat("k1:hello over TLS\nk2:and SCRAM\n", "-P", "-t", "kcat.secure", "-K", ":")
		got := kcat("", "-C", "-t", "kcat.secure", "-o", "beginning", "-e", "-q", "-f", "%k=%s\n")
		if got != "k1=hello over TLS\nk2=and SCRAM\n" {
			t.Errorf("kcat consumed %q", got)
		}
		// edactl reads what kcat wrote, and kcat what edactl writes.
		code, out, errOut := runEnv(t, vars, "consume", "kcat.secure", "-o", "json")
		if code != 0 || !strings.Contains(out, `"key":"k2"`) || !strings.Contains(out, "and SCRAM") {
			t.Errorf("edactl consume of kcat's records: exit %d\n%s%s", code, out, errOut)
		}
		var in strings.Builder
		in.WriteString(`{"key":"k3","value":"from edactl","value_encoding":"utf8"}` + "\n")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var pout, perr strings.Builder
		code = Main(ctx, []string{"produce", "kcat.secure"}, Stdio{In: strings.NewReader(in.String()), Out: &pout, Err: &perr}, func(k string) string { return vars[k] })
		cancel()
		if code != 0 {
			t.Fatalf("produce: exit %d %s %s", code, pout.String(), perr.String())
		}
		if got := kcat("", "-C", "-t", "kcat.secure", "-o", "2", "-e", "-q", "-f", "%k=%s\n"); got != "k3=from edactl\n" {
			t.Errorf("kcat consumed edactl's record as %q", got)
		}
	})

	// A restart keeps the CA and the credentials, so the context stays
	// valid.
	stopped = true
	if code := stop(); code != 0 {
		t.Fatalf("dev --secure: exit %d", code)
	}
	_, vars2, stop2 := startDevSecure(t, data, map[string]string{"XDG_CONFIG_HOME": xdg})
	defer stop2()
	if vars2["EDACTL_KAFKA_SASL_PASSWORD"] != vars["EDACTL_KAFKA_SASL_PASSWORD"] || vars2["EDACTL_KAFKA_CA_FILE"] != vars["EDACTL_KAFKA_CA_FILE"] {
		t.Errorf("after a restart the credentials or the CA changed")
	}
	if code, out, errOut := runEnv(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "--context", devSecureContext, "registry", "subjects"); code != 0 || !strings.Contains(out, "orders.placed-value") {
		t.Errorf("registry subjects with the context after a restart: exit %d\n%s%s", code, out, errOut)
	}
}
