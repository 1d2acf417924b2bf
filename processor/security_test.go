package processor

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/tlsgen"
)

// TestConfigSecurityFromEnv: a service reads the same EDACTL_* security
// variables as edactl's commands, and its Kafka clients then get through a
// broker that speaks only TLS with SASL SCRAM-SHA-512; without them they
// do not.
func TestConfigSecurityFromEnv(t *testing.T) {
	dir := t.TempDir()
	ca, err := tlsgen.NewCA("processor test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server("localhost", time.Hour, "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := srv.TLS()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte("s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kf, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "svc", "s3cret-pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	brokers := strings.Join(kf.ListenAddrs(), ",")

	ping := func(env map[string]string) error {
		cfg, err := ParseConfig("summary", nil, func(k string) string { return env[k] }, os.Stderr)
		if err != nil {
			return err
		}
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.RetryTimeout(2 * time.Second)}, cfg.KafkaOpts...)...)
		if err != nil {
			return err
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return cl.Ping(ctx)
	}
	secure := map[string]string{
		"EDACTL_BROKERS":                  brokers,
		"EDACTL_KAFKA_CA_FILE":            caFile,
		"EDACTL_KAFKA_SASL_MECHANISM":     "SCRAM-SHA-512",
		"EDACTL_KAFKA_SASL_USER":          "svc",
		"EDACTL_KAFKA_SASL_PASSWORD_FILE": pwFile,
		"EDACTL_REGISTRY":                 "https://registry.example:8081",
		"EDACTL_REGISTRY_USER":            "svc",
		"EDACTL_REGISTRY_PASSWORD":        "registry-pw",
		"EDACTL_REGISTRY_CA_FILE":         caFile,
	}
	if err := ping(secure); err != nil {
		t.Fatalf("with the EDACTL_* security settings: %v", err)
	}
	plain := map[string]string{"EDACTL_BROKERS": brokers}
	if err := ping(plain); err == nil {
		t.Fatal("without TLS and SASL the broker was reached")
	}
	cfg, err := ParseConfig("summary", nil, func(k string) string { return secure[k] }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.RegistryOpts) == 0 {
		t.Fatal("no registry client options from EDACTL_REGISTRY_USER and EDACTL_REGISTRY_CA_FILE")
	}
	if s := cfg.String(); strings.Contains(s, "s3cret-pw") || strings.Contains(s, "registry-pw") {
		t.Fatalf("the config shows a secret: %s", s)
	}
	bad := map[string]string{"EDACTL_BROKERS": brokers, "EDACTL_KAFKA_CA_FILE": filepath.Join(dir, "missing.pem")}
	if _, err := ParseConfig("summary", nil, func(k string) string { return bad[k] }, os.Stderr); err == nil || !strings.Contains(err.Error(), "kafka-ca-file") {
		t.Fatalf("a missing CA file: %v, want an error naming --kafka-ca-file", err)
	}
}
