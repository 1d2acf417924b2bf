package main

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/edactl/edactl/internal/connect"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev"
	"github.com/edactl/edactl/internal/tlsgen"
	"github.com/edactl/edactl/registry/api"
)

// `edactl dev --secure`: the broker speaks only TLS and requires SASL
// SCRAM-SHA-512, the registry speaks only HTTPS and requires basic auth.
// The CA, the certificates and the generated credentials are kept under
// <data>/secure/, so a restart keeps them (and the context written for
// them stays valid); the server certificate is issued again at every
// start, for 127.0.0.1, ::1, localhost and the hosts of the listen
// addresses.

// devSecureContext is the name of the context `edactl dev --secure` writes.
const devSecureContext = "dev-secure"

// devCredentials are the generated users of the secured dev setup.
type devCredentials struct {
	KafkaUser        string `json:"kafka_user"`
	KafkaPassword    string `json:"kafka_password"`
	RegistryUser     string `json:"registry_user"`
	RegistryPassword string `json:"registry_password"`
}

// devSecurity is the secured dev setup's files and credentials.
type devSecurity struct {
	dataDir, dir  string // absolute
	caFile        string
	kafkaPassFile string
	regPassFile   string
	creds         devCredentials
	serverTLS     *tls.Config
}

// setupDevSecurity loads or makes the CA and credentials under
// <dataDir>/secure and issues the server certificate for hosts.
func setupDevSecurity(dataDir string, hosts ...string) (*devSecurity, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	s := &devSecurity{dataDir: abs, dir: filepath.Join(abs, "secure")}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("dev --secure: %w", err)
	}
	s.caFile = filepath.Join(s.dir, "ca.pem")
	caKey := filepath.Join(s.dir, "ca-key.pem")
	var ca *tlsgen.CA
	if _, err := os.Stat(s.caFile); err == nil {
		if ca, err = tlsgen.LoadCA(s.caFile, caKey); err != nil {
			return nil, fmt.Errorf("dev --secure: %w (remove %s to make a new CA)", err, s.dir)
		}
	} else {
		if ca, err = tlsgen.NewCA("edactl dev CA", 5*365*24*time.Hour); err != nil {
			return nil, err
		}
		if err := ca.Pair().WriteFiles(s.caFile, caKey); err != nil {
			return nil, err
		}
	}
	var names []string
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
			names = append(names, host)
		}
	}
	if hn, err := os.Hostname(); err == nil {
		names = append(names, hn)
	}
	pair, err := ca.Server("edactl dev", 365*24*time.Hour, names...)
	if err != nil {
		return nil, err
	}
	if err := pair.WriteFiles(filepath.Join(s.dir, "server.pem"), filepath.Join(s.dir, "server-key.pem")); err != nil {
		return nil, err
	}
	cert, err := pair.TLS()
	if err != nil {
		return nil, err
	}
	s.serverTLS = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}

	credFile := filepath.Join(s.dir, "credentials.json")
	switch b, err := os.ReadFile(credFile); {
	case err == nil:
		if err := json.Unmarshal(b, &s.creds); err != nil || s.creds.KafkaPassword == "" || s.creds.RegistryPassword == "" {
			return nil, fmt.Errorf("dev --secure: %s is damaged (remove it to make new credentials)", credFile)
		}
	case errors.Is(err, os.ErrNotExist):
		s.creds = devCredentials{KafkaUser: "edactl", KafkaPassword: randomSecret(), RegistryUser: "edactl", RegistryPassword: randomSecret()}
		b, _ := json.MarshalIndent(s.creds, "", "  ")
		if err := os.WriteFile(credFile, b, 0o600); err != nil {
			return nil, fmt.Errorf("dev --secure: %w", err)
		}
	default:
		return nil, fmt.Errorf("dev --secure: %w", err)
	}
	s.kafkaPassFile = filepath.Join(s.dir, "kafka-password")
	s.regPassFile = filepath.Join(s.dir, "registry-password")
	for path, secret := range map[string]string{s.kafkaPassFile: s.creds.KafkaPassword, s.regPassFile: s.creds.RegistryPassword} {
		if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("dev --secure: %w", err)
		}
	}
	return s, nil
}

// randomSecret returns 128 random bits in hex.
func randomSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// apply secures the broker and the registry of dev.Run.
func (s *devSecurity) apply(o *dev.Options) error {
	auth, err := api.ParseAuth([]byte(fmt.Sprintf("users:\n  - {name: %q, password: %q, role: admin}\n", s.creds.RegistryUser, s.creds.RegistryPassword)))
	if err != nil {
		return err
	}
	o.KafkaTLS, o.RegistryTLS = s.serverTLS, s.serverTLS
	o.KafkaUsers = []dev.User{{Mechanism: connect.ScramSHA512, Name: s.creds.KafkaUser, Password: s.creds.KafkaPassword}}
	o.APIOptions = append(o.APIOptions, api.WithAuth(auth))
	o.NewKafkaClient = func(broker string, extra ...kgo.Opt) (*kgo.Client, error) {
		k := s.clientOptions(dev.Addrs{Kafka: broker}).Kafka
		return newKafkaClient(k, extra...)
	}
	o.EnvHint = fmt.Sprintf("set -a; . %s; set +a        (or: edactl --context %s ...)", s.envFile(), devSecureContext)
	return nil
}

// clientOptions are the settings of a client of the secured setup at a.
func (s *devSecurity) clientOptions(a dev.Addrs) clientOptions {
	return clientOptions{
		Registry: registryOptions{URLs: []string{a.Registry}, User: s.creds.RegistryUser, Password: s.creds.RegistryPassword,
			TLS: tlsOptions{CAFile: s.caFile}},
		Kafka: kafkaOptions{Brokers: []string{a.Kafka}, TLS: tlsOptions{Enabled: true, CAFile: s.caFile},
			SASL: saslOptions{Mechanism: connect.ScramSHA512, User: s.creds.KafkaUser, Password: s.creds.KafkaPassword}},
	}
}

// envFile is where the EDACTL_* variables of the setup are written.
func (s *devSecurity) envFile() string { return filepath.Join(s.dataDir, "secure.env") }

// settings are the connection settings of the setup at a, by key; secrets
// by their files.
func (s *devSecurity) settings(a dev.Addrs) map[string]string {
	return map[string]string{
		"brokers": a.Kafka, "registry": a.Registry,
		"kafka_tls": "true", "kafka_ca_file": s.caFile,
		"kafka_sasl_mechanism": connect.ScramSHA512, "kafka_sasl_user": s.creds.KafkaUser, "kafka_sasl_password_file": s.kafkaPassFile,
		"registry_ca_file": s.caFile, "registry_user": s.creds.RegistryUser, "registry_password_file": s.regPassFile,
	}
}

// writeEnv writes secure.env (mode 0600): the EDACTL_* variables that
// configure any later command for the setup at a.
func (s *devSecurity) writeEnv(a dev.Addrs) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# edactl dev --secure: load with  set -a; . %s; set +a\n", s.envFile())
	for _, key := range settingKeys() {
		v, ok := s.settings(a)[key]
		switch key {
		case "kafka_sasl_password_file":
			key, v = "kafka_sasl_password", s.creds.KafkaPassword
		case "registry_password_file":
			key, v = "registry_password", s.creds.RegistryPassword
		default:
			if !ok {
				continue
			}
		}
		fmt.Fprintf(&b, "%s=%s\n", mustSetting(key).Env, v)
	}
	if err := os.WriteFile(s.envFile(), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("dev --secure: %w", err)
	}
	return nil
}

// writeContext stores the setup at a as the context dev-secure in the user
// config file at path (secrets by their files). It does not make it the
// current context: a later plain `edactl dev` (no TLS, no SASL) would then
// be unreachable for every command; `--context dev-secure` or
// `edactl context use dev-secure` selects it.
func (s *devSecurity) writeContext(path string, a dev.Addrs) error {
	uc, err := loadUserConfig(path)
	if err != nil {
		return err
	}
	if uc.Contexts == nil {
		uc.Contexts = map[string]map[string]string{}
	}
	uc.Contexts[devSecureContext] = s.settings(a)
	return uc.save(path)
}

// printSecurity prints where the CA is and the credentials, for this
// local, generated setup only.
func (s *devSecurity) printSecurity(w io.Writer, a dev.Addrs, contextPath string) {
	ctxLine := "not written (no user config directory: set HOME or XDG_CONFIG_HOME)"
	if contextPath != "" {
		ctxLine = fmt.Sprintf("%s in %s", devSecureContext, contextPath)
	}
	fmt.Fprintf(w, `Secured (--secure; generated for this data directory, kept across restarts):
  CA certificate   %s
  Kafka            TLS + SASL SCRAM-SHA-512, user %s, password %s
  Registry         HTTPS + basic auth, user %s, password %s
  Variables        %s  (set -a; . %s; set +a)
  Context          %s

  kcat -b %s -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 \
       -X sasl.username=%s -X sasl.password=%s -X ssl.ca.location=%s -L
  curl --cacert %s -u %s:%s %s/subjects

`, s.caFile, s.creds.KafkaUser, s.creds.KafkaPassword, s.creds.RegistryUser, s.creds.RegistryPassword,
		s.envFile(), s.envFile(), ctxLine,
		a.Kafka, s.creds.KafkaUser, s.creds.KafkaPassword, s.caFile,
		s.caFile, s.creds.RegistryUser, s.creds.RegistryPassword, a.Registry)
}
