package connect

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFromEnv: the EDACTL_* variables alone give the same settings the
// command line resolves, with TLS implied by a CA and the AWS variables
// for AWS_MSK_IAM.
func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"EDACTL_BROKERS": "k1:9093, k2:9093", "EDACTL_KAFKA_CA_FILE": "/ca.pem",
		"EDACTL_KAFKA_SASL_MECHANISM": "AWS_MSK_IAM", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk",
		"EDACTL_REGISTRY": "https://r", "EDACTL_REGISTRY_TOKEN_FILE": "/tok", "EDACTL_REGISTRY_INSECURE_SKIP_VERIFY": "1",
	}
	k, r := FromEnv(func(s string) string { return env[s] })
	if strings.Join(k.Brokers, ",") != "k1:9093,k2:9093" || !k.TLS.Enabled || k.TLS.CAFile != "/ca.pem" {
		t.Errorf("kafka %+v", k)
	}
	if k.SASL.User != "AKID" || k.SASL.Password != "sk" || k.SASL.Token != "" {
		t.Errorf("sasl %+v", k.SASL)
	}
	if strings.Join(r.URLs, ",") != "https://r" || r.TokenFile != "/tok" || !r.TLS.InsecureSkipVerify {
		t.Errorf("registry %+v", r)
	}
	k, _ = FromEnv(func(string) string { return "" })
	if k.TLS.Enabled || k.SASL.Mechanism != "" || len(k.Brokers) != 0 {
		t.Errorf("empty environment: %+v", k)
	}
}

// TestConfigErrors: wrong settings are *ConfigError naming the flag.
func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := KafkaOpts(Kafka{SASL: SASL{Mechanism: "X"}}); return err }(), `--kafka-sasl-mechanism "X"`},
		{func() error { _, err := RegistryOpts(Registry{}); return err }(), "no schema registry"},
		{func() error { _, err := ReadSecretFile("/nonexistent/x", "f"); return err }(), "--f: open /nonexistent/x"},
	} {
		var ce *ConfigError
		if !errors.As(c.err, &ce) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%v, want a *ConfigError with %q", c.err, c.want)
		}
	}
	m, err := SASL{Mechanism: "scram-sha-512", User: "u", Password: "p"}.NewMechanism("ua")
	if err != nil || m.Name() != ScramSHA512 {
		t.Fatalf("%v %v", m, err)
	}
	if _, _, err := m.Authenticate(context.Background(), "h:1"); err != nil {
		t.Error(err)
	}
}

// TestSettingNames: every setting's variable is EDACTL_ + its key in upper
// case, and its flag is the key with dashes, except the registry
// credentials, whose flags (--user, --password, --token) are older than
// the table.
func TestSettingNames(t *testing.T) {
	older := map[string]string{"registry_user": "user", "registry_password": "password", "registry_token": "token"}
	seen := map[string]bool{}
	for _, s := range Settings {
		if s.Env != "EDACTL_"+strings.ToUpper(s.Key) {
			t.Errorf("%s: variable %s", s.Key, s.Env)
		}
		want := strings.ReplaceAll(s.Key, "_", "-")
		if f, ok := older[s.Key]; ok {
			want = f
		}
		if s.Flag != want {
			t.Errorf("%s: flag --%s, want --%s", s.Key, s.Flag, want)
		}
		if seen[s.Key] || s.Usage == "" {
			t.Errorf("%s: duplicate or without usage", s.Key)
		}
		seen[s.Key] = true
		if s.Bool && s.Default != "false" {
			t.Errorf("%s: a boolean defaulting to %q", s.Key, s.Default)
		}
	}
}
