package main

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sr"
)

// The secured cluster of the command table: one kfake broker that speaks
// only TLS, authenticates with SCRAM-SHA-512 and checks ACLs. secUser may
// use the topics starting with "sec." and the groups starting with "sec-";
// nobody else but the superuser may do anything.
const (
	secUser       = "app"
	secPassword   = "app-Scram-pw-7f3a"
	secAdmin      = "admin"
	secAdminPass  = "admin-Scram-pw-91c2"
	secTopic      = "sec.payments"
	secGroup      = "sec-billing"
	secOtherTopic = "private.ledger"
)

// secureCluster starts the kfake broker of the table.
func secureCluster(t *testing.T, pki *testPKI) *kfake.Cluster {
	t.Helper()
	allow := func(rt kmsg.ACLResourceType, prefix string) kfake.ACL {
		return kfake.ACL{Resource: rt, Name: prefix, Pattern: kmsg.ACLResourcePatternTypePrefixed, Operation: kmsg.ACLOperationAll, Allow: true}
	}
	kf, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.TLS(pki.serverTLS(t)),
		kfake.EnableSASL(),
		kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", secAdmin, secAdminPass),
		kfake.User("SCRAM-SHA-512", secUser, secPassword,
			allow(kmsg.ACLResourceTypeTopic, "sec."), allow(kmsg.ACLResourceTypeGroup, "sec-")),
		kfake.SeedTopics(2, secTopic, "sec.produced", "sec.replayed", "sec.replayed.old", secOtherTopic),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	return kf
}

// kafkaClientAs is a franz-go client of user over the cluster's TLS.
func kafkaClientAs(t *testing.T, kf *kfake.Cluster, pki *testPKI, user, pass string, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := newKafkaClient(kafkaOptions{Brokers: kf.ListenAddrs(), TLS: tlsOptions{Enabled: true, CAFile: pki.CAFile},
		SASL: saslOptions{Mechanism: "SCRAM-SHA-512", User: user, Password: pass}}, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// secureCase is one run of a command against the secured cluster and
// registry.
type secureCase struct {
	args  []string
	stdin string
	want  string // in stdout
	// registry: the command talks to the registry, so every request it
	// sent must have carried the credentials.
	registry bool
}

// offlineCommands are the commands that talk to no cluster and no
// registry, with the reason; serverCommands run a broker or a registry and
// have their own TLS tests. Every other runnable command must have a case
// in TestEveryCommandIsSecure.
var (
	offlineCommands = map[string]string{
		"edactl compat":                "compares local files",
		"edactl completion bash":       "prints a completion script",
		"edactl completion fish":       "prints a completion script",
		"edactl completion powershell": "prints a completion script",
		"edactl completion zsh":        "prints a completion script",
		"edactl config":                "prints the settings (TestSettingsPrecedence)",
		"edactl init":                  "writes a starter project",
		"edactl version":               "prints the build",
		"edactl gen":                   "prints its subcommands",
		"edactl registry":              "prints its subcommands",
		"edactl context":               "prints its subcommands",
		"edactl completion":            "prints its subcommands",
		"edactl gen processor":         "reads the local schema tree",
		"edactl gen transformer":       "reads the local schema tree and writes a scaffold",
		"edactl context list":          "reads the user config file (script context_commands.txtar)",
		"edactl context use":           "writes the user config file (script context_commands.txtar)",
		"edactl context current":       "reads the user config file (script context_commands.txtar)",
		"edactl context set":           "writes the user config file (script context_commands.txtar)",
		"edactl context delete":        "writes the user config file (script context_commands.txtar)",
		"edactl registry serve":        "a server: TestRegistryServeTLS",
		"edactl registry passwd":       "writes an auth-file entry (TestRegistryPasswd)",
		"edactl dev":                   "a server: TestDevSecure",
	}
)

// runnableCommands returns the command path of every runnable command of
// the tree.
func runnableCommands(root *cobra.Command) []string {
	var out []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && !c.Hidden {
			out = append(out, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// TestEveryCommandIsSecure runs every command that talks to Kafka or to a
// registry against a broker that speaks only TLS, authenticates with
// SASL SCRAM-SHA-512 and enforces ACLs, and a registry that speaks only
// HTTPS, requires a client certificate (mTLS) and basic auth, with the
// settings in EDACTL_* variables. Each must succeed (anonymous or
// unencrypted access could not), every registry request must have carried
// the credentials, and no output may contain a secret. The table is
// checked against the command tree: a runnable command with no case and
// not listed as offline fails the test, so a new command cannot forget
// security.
func TestEveryCommandIsSecure(t *testing.T) {
	pki := newTestPKI(t)
	kf := secureCluster(t, pki)
	srvTLS := pki.serverTLS(t)
	srvTLS.ClientCAs = pki.CA.Pool()
	srvTLS.ClientAuth = tls.RequireAndVerifyClientCert
	reg := startAuthRegistry(t, srvTLS)
	ctx := context.Background()

	regOpts := registryOptions{URLs: []string{reg.URL}, User: authUser, Password: authPassword,
		TLS: tlsOptions{CAFile: pki.CAFile, CertFile: pki.ClientCert, KeyFile: pki.ClientKey}}
	rcl, err := newRegistryClient(regOpts)
	if err != nil {
		t.Fatal(err)
	}
	const schema = `{"type":"record","name":"Payment","namespace":"shop","fields":[{"name":"id","type":"string"}]}`
	ss, err := rcl.CreateSchema(ctx, "payments-value", sr.Schema{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rcl.CreateSchema(ctx, "scratch-value", sr.Schema{Schema: schema}); err != nil {
		t.Fatal(err)
	}
	admin := kafkaClientAs(t, kf, pki, secAdmin, secAdminPass)
	value := wireValue(ss.ID, append([]byte{2 * 3}, "p-1"...))
	if err := admin.ProduceSync(ctx, &kgo.Record{Topic: secTopic, Key: []byte("p-1"), Value: value,
		Headers: []kgo.RecordHeader{{Key: "ce_correlationid", Value: []byte("flow-1")}}}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if _, err := kadm.NewClient(admin).CommitOffsets(ctx, secGroup, kadm.OffsetsFromRecords(kgo.Record{Topic: secTopic, Partition: 0, Offset: 0})); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if code, out, errOut := run(t, nil, "init", dir); code != 0 {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	config := filepath.Join(dir, "edactl.yaml")
	schemaFile := writeFile(t, dir, "refund.avsc", `{"type":"record","name":"Refund","namespace":"shop","fields":[{"name":"id","type":"string"}]}`)
	pwFile := writeFile(t, dir, "kafka-password", secPassword+"\n")
	env := map[string]string{
		"EDACTL_BROKERS":                  strings.Join(kf.ListenAddrs(), ","),
		"EDACTL_KAFKA_CA_FILE":            pki.CAFile,
		"EDACTL_KAFKA_SASL_MECHANISM":     "SCRAM-SHA-512",
		"EDACTL_KAFKA_SASL_USER":          secUser,
		"EDACTL_KAFKA_SASL_PASSWORD_FILE": pwFile,
		"EDACTL_REGISTRY":                 reg.URL,
		"EDACTL_REGISTRY_USER":            authUser,
		"EDACTL_REGISTRY_PASSWORD":        authPassword,
		"EDACTL_REGISTRY_CA_FILE":         pki.CAFile,
		"EDACTL_REGISTRY_CERT_FILE":       pki.ClientCert,
		"EDACTL_REGISTRY_KEY_FILE":        pki.ClientKey,
		"GOMEMLIMIT":                      "off",
	}
	secrets := []string{secPassword, authPassword, authToken, secAdminPass, string(pki.ClientPair.KeyPEM[40:80])}

	cases := map[string][]secureCase{
		"edactl push":              {{args: []string{"--config", config, "push"}, want: "registered v1 as version 1", registry: true}},
		"edactl check":             {{args: []string{"--config", config, "check", "--against", "registry"}, want: "against local, registry " + reg.URL, registry: true}},
		"edactl docs":              {{args: []string{"--config", config, "docs", "--out", filepath.Join(dir, "catalogue"), "--registry", reg.URL}, want: "wrote the catalogue of 1 event(s)", registry: true}},
		"edactl gen go":            {{args: []string{"gen", "go", "--from-registry", "payments-value", "--out", filepath.Join(dir, "events")}, want: "generated package events", registry: true}},
		"edactl registry subjects": {{args: []string{"registry", "subjects"}, want: "payments-value", registry: true}},
		"edactl registry versions": {{args: []string{"registry", "versions", "payments-value"}, want: "1", registry: true}},
		"edactl registry get":      {{args: []string{"registry", "get", "payments-value"}, want: `"name": "Payment"`, registry: true}},
		"edactl registry schema":   {{args: []string{"registry", "schema", strconv.Itoa(ss.ID), "--subject", "payments-value"}, want: `"name": "Payment"`, registry: true}},
		"edactl registry compat":   {{args: []string{"registry", "compat", "payments-value", writeFile(t, dir, "payment.avsc", schema)}, want: "is compatible with payments-value", registry: true}},
		"edactl registry register": {{args: []string{"registry", "register", "other-value", schemaFile}, want: "version 1", registry: true}},
		"edactl registry delete":   {{args: []string{"registry", "delete", "scratch-value"}, want: "scratch-value", registry: true}},
		"edactl registry config":   {{args: []string{"registry", "config"}, want: "BACKWARD", registry: true}},
		"edactl registry mode":     {{args: []string{"registry", "mode"}, want: "READWRITE", registry: true}},
		"edactl registry export":   {{args: []string{"registry", "export", "--out", filepath.Join(dir, "registry.jsonl")}, want: "", registry: true}},
		"edactl registry import":   {{args: []string{"registry", "import", filepath.Join(dir, "registry.jsonl"), "--dry-run"}, want: "entries already as in the source", registry: true}},
		"edactl registry verify":   {{args: []string{"registry", "verify", "--topics", secTopic}, want: "0 missing", registry: true}},
		"edactl transform": {{args: []string{"transform", secTopic, "sec.transformed", "--subject", "payments-value", "--to-version", "1",
			"--group", "sec-transform", "--create", "--once"}, want: "transformed 1 record(s)", registry: true}},
		"edactl topics":            {{args: []string{"topics"}, want: secTopic}},
		"edactl topics describe":   {{args: []string{"topics", "describe", secTopic}, want: "Partitions:  2"}},
		"edactl topics create":     {{args: []string{"topics", "create", "sec.created", "--partitions", "3", "--config", "retention.ms=3600000"}, want: "created topic sec.created: 3 partitions"}},
		"edactl topics config":     {{args: []string{"topics", "config", secTopic, "--set", "retention.ms=7200000"}, want: "configured topic " + secTopic}, {args: []string{"topics", "config", secTopic}, want: "7200000"}},
		"edactl topics partitions": {{args: []string{"topics", "partitions", secTopic, "--count", "4"}, want: "topic " + secTopic + " has 4 partitions"}},
		"edactl topics delete":     {{args: []string{"topics", "delete", "sec.replayed.old", "--yes"}, want: "deleted topic sec.replayed.old"}},
		"edactl groups":            {{args: []string{"groups"}, want: secGroup}},
		"edactl groups describe":   {{args: []string{"groups", "describe", secGroup}, want: secTopic}},
		"edactl consume":           {{args: []string{"consume", secTopic, "-o", "json"}, want: `"id":"p-1"`, registry: true}},
		"edactl produce":           {{args: []string{"produce", "sec.produced", "--subject", "payments-value"}, stdin: `{"key":"p-2","value":{"id":"p-2"}}` + "\n", want: "values: payments-value v1", registry: true}},
		"edactl trace":             {{args: []string{"trace", "flow-1", "--topics", secTopic, "-o", "json"}, want: `"subject": "payments-value"`, registry: true}},
		"edactl replay":            {{args: []string{"replay", secTopic, "sec.replayed"}, want: "1"}},
		"edactl rewind":            {{args: []string{"rewind", secGroup, "--topic", secTopic, "--to-earliest"}, want: secTopic}},
		"edactl tui":               nil, // below: it runs until its input says q
	}

	root := newRootCmd(&globals{getenv: func(string) string { return "" }})
	tree := runnableCommands(root)
	for path := range cases {
		if !slices.Contains(tree, path) {
			t.Errorf("a case for %s, which is not a command", path)
		}
	}
	for path := range offlineCommands {
		if !slices.Contains(tree, path) {
			t.Errorf("offlineCommands lists %s, which is not a command", path)
		}
	}
	for _, path := range tree {
		_, isCase := cases[path]
		_, offline := offlineCommands[path]
		switch {
		case isCase && offline:
			t.Errorf("%s is both offline and a case", path)
		case !isCase && !offline:
			t.Errorf("%s: no security case and not listed in offlineCommands: add a case that runs it against the secured cluster and registry", path)
		}
	}

	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range cases {
			if !yield(p) {
				return
			}
		}
	})
	for _, path := range paths {
		for _, c := range cases[path] {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			var out, errOut strings.Builder
			code := Main(ctx, c.args, Stdio{In: strings.NewReader(c.stdin), Out: &out, Err: &errOut}, func(k string) string { return env[k] })
			cancel()
			if code != 0 || !strings.Contains(out.String(), c.want) {
				t.Errorf("%s %q: exit %d, want 0 and %q in stdout\nstdout: %s\nstderr: %s", path, c.args, code, c.want, out.String(), errOut.String())
			}
			reqs := reg.requests()
			if c.registry {
				checkRequests(t, path, reqs, false)
			}
			checkNoSecret(t, path, out.String()+errOut.String(), secrets)
		}
	}

	// The TUI: its first registry request carries the credentials over
	// mTLS; then it is told to quit.
	reg.requests()
	var out, errOut strings.Builder
	code := Main(ctx, []string{"tui"}, Stdio{In: &blockingInput{ready: reg.next()}, Out: &out, Err: &errOut}, func(k string) string { return env[k] })
	if code != 0 {
		t.Errorf("tui: exit %d\nstderr: %s", code, errOut.String())
	}
	checkRequests(t, "tui", reg.requests(), false)
	checkNoSecret(t, "tui", out.String()+errOut.String(), secrets)

	// ACLs are enforced, and the refusal says so: the user may not read a
	// topic outside its prefix, nor create one.
	for _, args := range [][]string{
		{"consume", secOtherTopic, "--raw"},
		{"topics", "create", "private.new"},
		{"topics", "delete", secOtherTopic, "--yes"},
	} {
		code, out, errOut := runEnv(t, env, args...)
		if code == 0 || !strings.Contains(strings.ToLower(errOut), "authorization") {
			t.Errorf("%q outside the ACLs: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
		checkNoSecret(t, strings.Join(args, " "), out+errOut, secrets)
	}

	// A wrong password fails authentication without repeating it, and so
	// do missing TLS settings: the broker speaks only TLS.
	bad := withEnv(env, map[string]string{"EDACTL_KAFKA_SASL_PASSWORD_FILE": "", "EDACTL_KAFKA_SASL_PASSWORD": "not-" + secPassword})
	code, stdout, stderr := runEnv(t, bad, "topics")
	if code == 0 || strings.Contains(stdout+stderr, "not-"+secPassword) || !strings.Contains(stderr, "closed the connection") {
		t.Errorf("wrong password: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	checkNoSecret(t, "wrong password", stdout+stderr, secrets)
	for name, over := range map[string]map[string]string{
		"no TLS":         {"EDACTL_KAFKA_CA_FILE": ""},
		"no CA":          {"EDACTL_KAFKA_CA_FILE": "", "EDACTL_KAFKA_TLS": "true"},
		"no SASL":        {"EDACTL_KAFKA_SASL_MECHANISM": "", "EDACTL_KAFKA_SASL_USER": "", "EDACTL_KAFKA_SASL_PASSWORD_FILE": ""},
		"registry mTLS":  {"EDACTL_REGISTRY_CERT_FILE": "", "EDACTL_REGISTRY_KEY_FILE": ""},
		"registry CA":    {"EDACTL_REGISTRY_CA_FILE": ""},
		"registry creds": {"EDACTL_REGISTRY_PASSWORD": "wrong-" + authPassword},
	} {
		args := []string{"topics"}
		if strings.HasPrefix(name, "registry") {
			args = []string{"registry", "subjects"}
		}
		code, stdout, stderr := runEnv(t, withEnv(env, over), args...)
		if code == 0 {
			t.Errorf("%s: %q succeeded\nstdout: %s", name, args, stdout)
		}
		checkNoSecret(t, name, stdout+stderr, append(secrets, "wrong-"+authPassword))
		t.Logf("%s: %s", name, strings.TrimSpace(stderr))
	}
}

// runEnv runs edactl with env, bounded to a minute.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb strings.Builder
	code := Main(ctx, args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// withEnv returns a copy of base with over applied; an empty value removes
// the key.
func withEnv(base, over map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range over {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// checkNoSecret fails if s contains one of secrets.
func checkNoSecret(t *testing.T, what, s string, secrets []string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s: a secret (%.4s…) is in the output:\n%s", what, sec, s)
		}
	}
}
