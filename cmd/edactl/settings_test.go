package main

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/tlsgen"
)

// testPKI is a CA with a server certificate (127.0.0.1, localhost) and a
// client certificate (CN=edactl-ci), as PEM files in a temporary directory.
type testPKI struct {
	CA                     *tlsgen.CA
	CAFile                 string
	ServerCert, ServerKey  string
	ClientCert, ClientKey  string
	ServerPair, ClientPair tlsgen.Pair
	dir                    string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	ca, err := tlsgen.NewCA("edactl test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &testPKI{CA: ca, dir: dir, CAFile: filepath.Join(dir, "ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"), ClientKey: filepath.Join(dir, "client-key.pem")}
	if err := os.WriteFile(p.CAFile, ca.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if p.ServerPair, err = ca.Server("server", time.Hour); err != nil {
		t.Fatal(err)
	}
	if p.ClientPair, err = ca.Client(pkix.Name{CommonName: "edactl-ci"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := p.ServerPair.WriteFiles(p.ServerCert, p.ServerKey); err != nil {
		t.Fatal(err)
	}
	if err := p.ClientPair.WriteFiles(p.ClientCert, p.ClientKey); err != nil {
		t.Fatal(err)
	}
	return p
}

// serverTLS is the TLS config of a server with the PKI's certificate.
func (p *testPKI) serverTLS(t *testing.T) *tls.Config {
	t.Helper()
	c, err := p.ServerPair.TLS()
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
}

// writeFile writes content to name under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// resolved runs `edactl config -o json` with env and args and returns the
// settings it reports, by name, as "value|source".
func resolved(t *testing.T, env map[string]string, args ...string) map[string]string {
	t.Helper()
	code, out, errOut := run(t, env, append([]string{"config", "-o", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("config %q: exit %d: %s", args, code, errOut)
	}
	var rows []settingJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rows {
		m[r.Name] = r.Value + "|" + r.Source
	}
	return m
}

// TestSettingsPrecedence: every connection setting is resolved
// edactl.yaml < context < environment < flags, and `edactl config` names
// the source; secrets show only as set.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "edactl.yaml", "brokers: file:9092\nconnection:\n  kafka_sasl_mechanism: PLAIN\n  kafka_sasl_user: file-user\n  kafka_ca_file: /file/ca.pem\n  kafka_tls: true\n")
	userConfig := writeFile(t, dir, "xdg/edactl/config.yaml", "current_context: stage\ncontexts:\n  stage:\n    brokers: stage:9092\n    kafka_sasl_user: stage-user\n    kafka_sasl_password: stage-secret-pw\n    registry: https://stage-registry\n  prod:\n    brokers: prod:9092\n")
	_ = userConfig
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "xdg"), "EDACTL_KAFKA_SASL_USER": "env-user"}

	m := resolved(t, env, "--config", config)
	for name, want := range map[string]string{
		"context":              "stage|current_context in " + filepath.Join(dir, "xdg/edactl/config.yaml"),
		"brokers":              "stage:9092|context stage",
		"registry":             "https://stage-registry|context stage",
		"kafka_sasl_mechanism": "PLAIN|" + config,
		"kafka_sasl_user":      "env-user|env EDACTL_KAFKA_SASL_USER",
		"kafka_sasl_password":  "(set, hidden)|context stage",
		"kafka_tls":            "true|" + config,
		"kafka_ca_file":        "/file/ca.pem|" + config,
		"kafka_server_name":    "|default",
		"registry_user":        "|default",
	} {
		if m[name] != want {
			t.Errorf("%s = %q, want %q", name, m[name], want)
		}
	}
	m = resolved(t, env, "--config", config, "--context", "prod", "--kafka-sasl-user", "flag-user", "--kafka-tls=false")
	for name, want := range map[string]string{
		"context":         "prod|flag --context",
		"brokers":         "prod:9092|context prod",
		"registry":        "http://127.0.0.1:8081|default",
		"kafka_sasl_user": "flag-user|flag --kafka-sasl-user",
		"kafka_tls":       "false|flag --kafka-tls",
	} {
		if m[name] != want {
			t.Errorf("--context prod: %s = %q, want %q", name, m[name], want)
		}
	}
	env["EDACTL_CONTEXT"] = "prod"
	if m := resolved(t, env); m["context"] != "prod|env EDACTL_CONTEXT" {
		t.Errorf("EDACTL_CONTEXT: context = %q", m["context"])
	}
	code, out, errOut := run(t, env, "config", "--config", config)
	if code != 0 || strings.Contains(out+errOut, "stage-secret-pw") {
		t.Errorf("config: exit %d, or the password is shown:\n%s%s", code, out, errOut)
	}

	// Configuration mistakes are exit 2 and say where they are.
	bad := writeFile(t, dir, "bad/edactl.yaml", "connection:\n  kafka_tsl: true\n")
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"config", "--config", bad}, bad + `:2: unknown key "kafka_tsl" in connection`},
		{env, []string{"config", "--context", "nope"}, `context "nope" (flag --context) is not in`},
		{nil, []string{"config", "--kafka-tls=maybe"}, "invalid argument"},
		{map[string]string{"EDACTL_KAFKA_TLS": "maybe"}, []string{"config"}, `kafka_tls (env EDACTL_KAFKA_TLS): "maybe" is not true or false`},
		{map[string]string{"EDACTL_USER_CONFIG": writeFile(t, dir, "u.yaml", "contexts:\n  x:\n    brokerz: b\n")}, []string{"config"}, `context "x": unknown key "brokerz"`},
	} {
		code, _, errOut := run(t, c.env, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestKafkaOptionErrors: each mistake in the Kafka security settings is a
// usage error naming the flag to fix, before any connection, and never
// repeats a secret.
func TestKafkaOptionErrors(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	const secret = "pw-do-not-print"
	pwFile := writeFile(t, dir, "pw", secret+"\n")
	empty := writeFile(t, dir, "empty", "\n")
	notPEM := writeFile(t, dir, "not.pem", "hello")
	b := []string{"127.0.0.1:1"}
	for _, c := range []struct {
		name string
		o    kafkaOptions
		want string
	}{
		{"unknown mechanism", kafkaOptions{SASL: saslOptions{Mechanism: "GSSAPI", User: "u", Password: secret}}, `--kafka-sasl-mechanism "GSSAPI": want one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM`},
		{"no user", kafkaOptions{SASL: saslOptions{Mechanism: "SCRAM-SHA-512", Password: secret}}, "--kafka-sasl-mechanism SCRAM-SHA-512 needs a user: set --kafka-sasl-user or EDACTL_KAFKA_SASL_USER"},
		{"no password", kafkaOptions{SASL: saslOptions{Mechanism: "plain", User: "u"}}, "needs a password: set --kafka-sasl-password"},
		{"both passwords", kafkaOptions{SASL: saslOptions{Mechanism: "PLAIN", User: "u", Password: secret, PasswordFile: pwFile}}, "both --kafka-sasl-password and --kafka-sasl-password-file are set"},
		{"missing password file", kafkaOptions{SASL: saslOptions{Mechanism: "PLAIN", User: "u", PasswordFile: filepath.Join(dir, "nope")}}, "--kafka-sasl-password-file: open " + filepath.Join(dir, "nope")},
		{"empty password file", kafkaOptions{SASL: saslOptions{Mechanism: "PLAIN", User: "u", PasswordFile: empty}}, "--kafka-sasl-password-file: " + empty + " is empty"},
		{"credentials without mechanism", kafkaOptions{SASL: saslOptions{User: "u", Password: secret}}, "SASL credentials are set but no mechanism: set --kafka-sasl-mechanism"},
		{"no token", kafkaOptions{SASL: saslOptions{Mechanism: "OAUTHBEARER"}}, "needs a token: set --kafka-sasl-token"},
		{"missing token file", kafkaOptions{SASL: saslOptions{Mechanism: "OAUTHBEARER", TokenFile: filepath.Join(dir, "tok")}}, "--kafka-sasl-token-file: open"},
		{"aws without key", kafkaOptions{SASL: saslOptions{Mechanism: "AWS_MSK_IAM", Password: secret}}, "needs an access key id"},
		{"missing CA", kafkaOptions{TLS: tlsOptions{Enabled: true, CAFile: filepath.Join(dir, "ca.pem")}}, "--kafka-ca-file: open " + filepath.Join(dir, "ca.pem")},
		{"CA not PEM", kafkaOptions{TLS: tlsOptions{Enabled: true, CAFile: notPEM}}, "--kafka-ca-file " + notPEM + ": no PEM certificate in it"},
		{"cert without key", kafkaOptions{TLS: tlsOptions{Enabled: true, CertFile: pki.ClientCert}}, "--kafka-cert-file is set without --kafka-key-file"},
		{"key without cert", kafkaOptions{TLS: tlsOptions{KeyFile: pki.ClientKey}}, "--kafka-key-file is set without --kafka-cert-file"},
		{"mismatched pair", kafkaOptions{TLS: tlsOptions{Enabled: true, CertFile: pki.ClientCert, KeyFile: pki.ServerKey}}, "--kafka-cert-file " + pki.ClientCert + " with --kafka-key-file " + pki.ServerKey + ": tls: private key does not match public key"},
	} {
		c.o.Brokers = b
		_, err := newKafkaClient(c.o)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a usage error with %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret: %v", c.name, err)
		}
	}
}

// TestSASLMechanisms: each mechanism name gives franz-go's mechanism with
// the credentials; an OAUTHBEARER token file is read again at every
// authentication, so a refreshed token is used by the next connection;
// AWS_MSK_IAM signs with the key without sending the secret.
func TestSASLMechanisms(t *testing.T) {
	dir := t.TempDir()
	for _, mech := range []string{"PLAIN", "scram-sha-256", "SCRAM-SHA-512", "OAUTHBEARER", "AWS_MSK_IAM"} {
		m, err := saslOptions{Mechanism: mech, User: "u", Password: "p", Token: "t"}.NewMechanism("edactl/" + currentBuild().Version)
		if err != nil {
			t.Fatalf("%s: %v", mech, err)
		}
		if m.Name() != strings.ToUpper(mech) {
			t.Errorf("%s: mechanism %s", mech, m.Name())
		}
	}
	tokFile := writeFile(t, dir, "token", "token-one\n")
	m, err := saslOptions{Mechanism: "OAUTHBEARER", TokenFile: tokFile}.NewMechanism("edactl/" + currentBuild().Version)
	if err != nil {
		t.Fatal(err)
	}
	first := func() string {
		_, msg, err := m.Authenticate(context.Background(), "broker:9092")
		if err != nil {
			t.Fatal(err)
		}
		return string(msg)
	}
	if msg := first(); !strings.Contains(msg, "auth=Bearer token-one") {
		t.Errorf("first message %q", msg)
	}
	writeFile(t, dir, "token", "token-two")
	if msg := first(); !strings.Contains(msg, "auth=Bearer token-two") {
		t.Errorf("after the token file changed: %q", msg)
	}

	m, err = saslOptions{Mechanism: "AWS_MSK_IAM", User: "AKIDEXAMPLE", Password: "aws-secret-key", Token: "session-tok"}.NewMechanism("edactl/" + currentBuild().Version)
	if err != nil {
		t.Fatal(err)
	}
	_, msg, err := m.Authenticate(context.Background(), "b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9098")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"x-amz-credential":"AKIDEXAMPLE/`, "/eu-west-1/kafka-cluster/aws4_request", `"x-amz-security-token":"session-tok"`, `"user-agent":"edactl/`} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("AWS_MSK_IAM message lacks %s: %s", want, msg)
		}
	}
	if strings.Contains(string(msg), "aws-secret-key") {
		t.Errorf("AWS_MSK_IAM message carries the secret key: %s", msg)
	}

	// The AWS mechanism takes the standard AWS variables when the
	// settings do not give the key.
	g := &globals{getenv: func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "st"}[k]
	}, io: Stdio{Err: &strings.Builder{}}, values: map[string]string{"kafka_sasl_mechanism": "AWS_MSK_IAM"}}
	if s := g.clientOptions().Kafka.SASL; s.User != "AKIDENV" || s.Password != "s" || s.Token != "st" {
		t.Errorf("AWS from the environment: %+v", s)
	}
}

// TestInsecureSkipVerifyWarns: --kafka-insecure-skip-verify and
// --registry-insecure-skip-verify print a warning once; TLS is implied by
// the TLS settings.
func TestInsecureSkipVerifyWarns(t *testing.T) {
	var errOut strings.Builder
	g := &globals{getenv: func(string) string { return "" }, io: Stdio{Err: &errOut},
		values: map[string]string{"kafka_insecure_skip_verify": "true", "registry_insecure_skip_verify": "true"}}
	o := g.clientOptions()
	g.clientOptions()
	if !o.Kafka.TLS.Enabled || !o.Kafka.TLS.InsecureSkipVerify {
		t.Errorf("kafka TLS %+v", o.Kafka.TLS)
	}
	if n := strings.Count(errOut.String(), "warning: --kafka-insecure-skip-verify"); n != 1 {
		t.Errorf("%d kafka warnings: %s", n, errOut.String())
	}
	if n := strings.Count(errOut.String(), "warning: --registry-insecure-skip-verify"); n != 1 {
		t.Errorf("%d registry warnings: %s", n, errOut.String())
	}
	g = &globals{getenv: func(string) string { return "" }, io: Stdio{Err: &errOut}, values: map[string]string{"kafka_ca_file": "x"}}
	if !g.clientOptions().Kafka.TLS.Enabled {
		t.Error("--kafka-ca-file does not turn TLS on")
	}
}

// TestRegistryClientTLS: over HTTPS with a private CA and a client
// certificate (mTLS), the registry client verifies the server with
// --registry-ca-file and presents --registry-cert-file; a token file is
// read at every request.
func TestRegistryClientTLS(t *testing.T) {
	pki := newTestPKI(t)
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		cn := ""
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		seen = append(seen, cn+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`["s"]`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = pki.serverTLS(t)
	srv.TLS.ClientCAs = pki.CA.Pool()
	srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	srv.StartTLS()
	t.Cleanup(srv.Close)

	tokFile := writeFile(t, t.TempDir(), "tok", "tok-1\n")
	o := registryOptions{URLs: []string{srv.URL}, TokenFile: tokFile,
		TLS: tlsOptions{CAFile: pki.CAFile, CertFile: pki.ClientCert, KeyFile: pki.ClientKey}}
	cl, err := newRegistryClient(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cl.Subjects(ctx); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(tokFile), "tok", "tok-2")
	if _, err := cl.Subjects(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if strings.Join(seen, ",") != "edactl-ci Bearer tok-1,edactl-ci Bearer tok-2" {
		t.Errorf("the server saw %q", seen)
	}
	mu.Unlock()

	// Without the CA the server's certificate is refused; without the
	// client certificate the server refuses.
	for _, o := range []registryOptions{
		{URLs: []string{srv.URL}, TLS: tlsOptions{CertFile: pki.ClientCert, KeyFile: pki.ClientKey}},
		{URLs: []string{srv.URL}, TLS: tlsOptions{CAFile: pki.CAFile}},
	} {
		cl, err := newRegistryClient(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Subjects(ctx); err == nil {
			t.Errorf("%+v: request succeeded", o.TLS)
		}
	}
	for _, c := range []struct {
		o    registryOptions
		want string
	}{
		{registryOptions{URLs: []string{srv.URL}, TLS: tlsOptions{CAFile: filepath.Join(pki.dir, "nope")}}, "--registry-ca-file: open"},
		{registryOptions{URLs: []string{srv.URL}, TLS: tlsOptions{CertFile: pki.ClientCert}}, "--registry-cert-file is set without --registry-key-file"},
		{registryOptions{URLs: []string{srv.URL}, Token: "a", TokenFile: tokFile}, "both --token and --registry-token-file are set"},
		{registryOptions{URLs: []string{srv.URL}, Password: "secret-pw"}, "a registry password is set but no user"},
	} {
		_, err := newRegistryClient(c.o)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}

// TestSecretsNeverShown: secrets given by flag, environment, context and
// edactl.yaml never appear in what edactl config, edactl context and the
// configuration errors print.
func TestSecretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	secrets := []string{"flag-Kafka-pw-1", "env-Registry-pw-2", "ctx-Token-3", "file-Kafka-tok-4", "flag-Registry-tok-5"}
	config := writeFile(t, dir, "edactl.yaml", "connection:\n  kafka_sasl_token: "+secrets[3]+"\n")
	env := map[string]string{"EDACTL_USER_CONFIG": filepath.Join(dir, "user.yaml"), "EDACTL_REGISTRY_PASSWORD": secrets[1]}
	if code, out, errOut := run(t, env, "context", "set", "c", "--token", secrets[2], "--kafka-sasl-password", secrets[0]); code != 0 {
		t.Fatalf("context set: %d %s %s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"config"},
		{"config", "-o", "json"},
		{"config", "--kafka-sasl-password", secrets[0], "--token", secrets[4]},
		{"context", "list"},
		{"context", "list", "-o", "json"},
		{"context", "current"},
		// Configuration mistakes around secrets.
		{"topics", "--kafka-sasl-mechanism", "NOPE", "--kafka-sasl-user", "u", "--kafka-sasl-password", secrets[0]},
		{"topics", "--kafka-sasl-mechanism", "PLAIN", "--kafka-sasl-password", secrets[0]},
		{"topics", "--kafka-sasl-mechanism", "PLAIN", "--kafka-sasl-user", "u", "--kafka-sasl-password-file", config},
		{"topics", "--kafka-sasl-password", secrets[0]},
		{"registry", "subjects", "--token", secrets[4], "--registry-token-file", config},
		{"registry", "subjects", "--password", secrets[1]},
		{"registry", "subjects", "--registry-ca-file", config, "--token", secrets[4]},
	} {
		code, out, errOut := run(t, env, append([]string{"--config", config}, args...)...)
		_ = code
		checkNoSecret(t, strings.Join(args, " "), out+errOut, secrets)
	}
}

// TestSecretLayers: a secret's value and its file are one setting for the
// precedence: the later layer wins whichever form it uses; both in one
// layer are refused.
func TestSecretLayers(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "from-file")
	for _, c := range []struct {
		sources          [2]string
		wantValue, wantF bool
	}{
		{[2]string{"env EDACTL_KAFKA_SASL_PASSWORD", "context dev"}, true, false},
		{[2]string{"context dev", "flag --kafka-sasl-password-file"}, false, true},
		{[2]string{"edactl.yaml", "env EDACTL_KAFKA_SASL_PASSWORD_FILE"}, false, true},
		{[2]string{"env EDACTL_KAFKA_SASL_PASSWORD", "env EDACTL_KAFKA_SASL_PASSWORD_FILE"}, true, true},
	} {
		g := &globals{getenv: func(string) string { return "" }, io: Stdio{Err: io.Discard},
			values:  map[string]string{"kafka_sasl_password": "v", "kafka_sasl_password_file": pw},
			sources: map[string]string{"kafka_sasl_password": c.sources[0], "kafka_sasl_password_file": c.sources[1]}}
		s := g.clientOptions().Kafka.SASL
		if (s.Password != "") != c.wantValue || (s.PasswordFile != "") != c.wantF {
			t.Errorf("%v: password %q, file %q", c.sources, s.Password, s.PasswordFile)
		}
	}
}
