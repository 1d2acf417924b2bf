// Package connect turns edactl's connection settings into franz-go
// clients: the Kafka client's TLS and SASL options (kgo), and the schema
// registry client's HTTPS, client certificate and credentials (sr). It also
// holds the table of those settings' names (Settings): the key in contexts
// and edactl.yaml, the EDACTL_* variable and the flag.
//
// Design decisions:
//
//   - One place: the command line (cmd/edactl/clients.go), edactl dev and
//     any service built on edactl build their clients through KafkaOpts
//     and RegistryOpts, so a setting added here works for all of them.
//   - Files are read when the options are built, so a missing or bad file
//     is reported before any connection, naming the flag; a token file is
//     read again at every authentication (Kafka) or request (registry), so
//     a rotated token is picked up without a restart.
//   - Errors name the flag to fix and never carry a secret's value. A
//     setting that is wrong is a *ConfigError (exit 2 on the command line).
//   - Where settings come from (flags, environment, contexts, edactl.yaml)
//     and their precedence is the command line's business; FromValues
//     takes already resolved values, FromEnv reads the EDACTL_* variables
//     alone (for a service that has no flags).
//
// Imports: franz-go's kgo, sasl/* and sr; nothing of edactl's.
package connect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/twmb/franz-go/pkg/sr"
)

// DefaultRegistryTimeout bounds every registry request unless
// Registry.Timeout says otherwise.
const DefaultRegistryTimeout = 30 * time.Second

// ConfigError is a connection setting that is wrong: a missing file, a
// certificate without its key, a mechanism without its credentials. Its
// message names the flag to fix.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErrorf(format string, args ...any) error {
	return &ConfigError{fmt.Errorf(format, args...)}
}

// Registry configures a schema registry client.
type Registry struct {
	// URLs are the registry's base URLs; requests go to the first that
	// answers.
	URLs []string
	// User and Password are sent as HTTP basic auth when User is set;
	// PasswordFile, when set, holds the password instead (read once).
	User, Password, PasswordFile string
	// Token is sent as a bearer token when set; TokenFile, when set, holds
	// it instead and is read again at every request, so a rotated token is
	// picked up.
	Token, TokenFile string
	// TLS is the client side of HTTPS: the CA to verify the registry with
	// and a client certificate for mTLS. Only https:// URLs use it.
	TLS TLS
	// Timeout bounds each HTTP request; zero means DefaultRegistryTimeout.
	Timeout time.Duration
	// UserAgent is sent with every request (edactl/<version>).
	UserAgent string
}

// Kafka configures a Kafka client: the brokers, TLS and SASL, turned
// into franz-go options by KafkaOpts only.
type Kafka struct {
	// Brokers are the seed brokers.
	Brokers []string
	// TLS, when Enabled, connects with TLS.
	TLS TLS
	// SASL, when Mechanism is set, authenticates every connection.
	SASL SASL
	// UserAgent names the client where the mechanism sends one
	// (AWS_MSK_IAM): edactl/<version>.
	UserAgent string
}

// TLS is the client side of a TLS connection.
type TLS struct {
	// Enabled turns TLS on (the Kafka client's --kafka-tls; the registry
	// client uses TLS for https:// URLs).
	Enabled bool
	// CAFile holds the PEM certificates of the CAs the server's
	// certificate must chain to; empty means the system's roots.
	CAFile string
	// CertFile and KeyFile are the PEM client certificate and key (mTLS).
	CertFile, KeyFile string
	// ServerName is the name the server's certificate must carry; empty
	// means the host dialled.
	ServerName string
	// InsecureSkipVerify does not verify the server's certificate.
	InsecureSkipVerify bool
}

// SASL mechanisms, as --kafka-sasl-mechanism names them.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
	OAuthBearer = "OAUTHBEARER"
	AWSMSKIAM   = "AWS_MSK_IAM"
)

// Mechanisms are the mechanisms --kafka-sasl-mechanism accepts.
var Mechanisms = []string{Plain, ScramSHA256, ScramSHA512, OAuthBearer, AWSMSKIAM}

// SASL holds the SASL settings of a Kafka client.
type SASL struct {
	// Mechanism is one of Mechanisms (case-insensitive); empty means
	// no SASL.
	Mechanism string
	// User and Password (or PasswordFile, read once) are the credentials
	// of PLAIN and SCRAM, and AWS_MSK_IAM's access key id and secret key.
	User, Password, PasswordFile string
	// Token (or TokenFile, read again at every authentication) is
	// OAUTHBEARER's token and AWS_MSK_IAM's session token.
	Token, TokenFile string
}

// KafkaOpts turns o's TLS and SASL settings into franz-go options.
// Files are read now, so a bad one is reported before any connection; a
// token file is read again at every authentication.
func KafkaOpts(o Kafka) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if o.TLS.Enabled {
		cfg, err := o.TLS.Config("kafka")
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	} else if o.TLS.KeyFile != "" {
		return nil, configErrorf("--kafka-key-file is set without --kafka-cert-file")
	}
	mech, err := o.SASL.NewMechanism(o.UserAgent)
	if err != nil {
		return nil, err
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}

// config returns the crypto/tls client configuration of t, nil when t sets
// nothing. prefix names the flags in errors (kafka: --kafka-ca-file,
// registry: --registry-ca-file).
func (t TLS) Config(prefix string) (*tls.Config, error) {
	if !t.Enabled && t.CAFile == "" && t.CertFile == "" && t.KeyFile == "" && t.ServerName == "" && !t.InsecureSkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, configErrorf("--%s-ca-file: %w", prefix, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, configErrorf("--%s-ca-file %s: no PEM certificate in it", prefix, t.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, configErrorf("--%s-cert-file %s with --%s-key-file %s: %w", prefix, t.CertFile, prefix, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, configErrorf("--%s-cert-file is set without --%s-key-file", prefix, prefix)
	case t.KeyFile != "":
		return nil, configErrorf("--%s-key-file is set without --%s-cert-file", prefix, prefix)
	}
	return cfg, nil
}

// oneSecret returns the secret given directly or, with path set, read from
// that file; both is a usage error naming the two flags.
func oneSecret(value, path, flag, fileFlag string) (string, error) {
	switch {
	case value != "" && path != "":
		return "", configErrorf("both --%s and --%s are set: give one", flag, fileFlag)
	case path != "":
		return ReadSecretFile(path, fileFlag)
	}
	return value, nil
}

// mechanism returns the franz-go SASL mechanism of s, nil without one.
// Missing credentials are usage errors naming the flag to set.
func (s SASL) NewMechanism(userAgent string) (sasl.Mechanism, error) {
	mech := strings.ToUpper(strings.TrimSpace(s.Mechanism))
	if mech == "" {
		if s.User != "" || s.Password != "" || s.PasswordFile != "" || s.Token != "" || s.TokenFile != "" {
			return nil, configErrorf("SASL credentials are set but no mechanism: set --kafka-sasl-mechanism (%s)", strings.Join(Mechanisms, ", "))
		}
		return nil, nil
	}
	need := func(what, flag string) error {
		return configErrorf("--kafka-sasl-mechanism %s needs %s: set --%s or EDACTL_%s", mech, what, flag,
			strings.ToUpper(strings.ReplaceAll(flag, "-", "_")))
	}
	switch mech {
	case Plain, ScramSHA256, ScramSHA512:
		if s.User == "" {
			return nil, need("a user", "kafka-sasl-user")
		}
		pass, err := oneSecret(s.Password, s.PasswordFile, "kafka-sasl-password", "kafka-sasl-password-file")
		if err != nil {
			return nil, err
		}
		if pass == "" {
			return nil, need("a password", "kafka-sasl-password")
		}
		switch mech {
		case Plain:
			return plain.Auth{User: s.User, Pass: pass}.AsMechanism(), nil
		case ScramSHA256:
			return scram.Auth{User: s.User, Pass: pass}.AsSha256Mechanism(), nil
		}
		return scram.Auth{User: s.User, Pass: pass}.AsSha512Mechanism(), nil
	case OAuthBearer:
		token, err := s.tokenFunc()
		if err != nil {
			return nil, err
		}
		if token == nil {
			return nil, need("a token", "kafka-sasl-token")
		}
		return oauth.Oauth(func(context.Context) (oauth.Auth, error) {
			tok, err := token()
			return oauth.Auth{Token: tok}, err
		}), nil
	case AWSMSKIAM:
		if s.User == "" {
			return nil, need("an access key id", "kafka-sasl-user")
		}
		secret, err := oneSecret(s.Password, s.PasswordFile, "kafka-sasl-password", "kafka-sasl-password-file")
		if err != nil {
			return nil, err
		}
		if secret == "" {
			return nil, need("a secret access key", "kafka-sasl-password")
		}
		session, err := s.tokenFunc()
		if err != nil {
			return nil, err
		}
		user := s.User
		return aws.ManagedStreamingIAM(func(context.Context) (aws.Auth, error) {
			a := aws.Auth{AccessKey: user, SecretKey: secret, UserAgent: userAgent}
			if session != nil {
				tok, err := session()
				if err != nil {
					return aws.Auth{}, err
				}
				a.SessionToken = tok
			}
			return a, nil
		}), nil
	}
	return nil, configErrorf("--kafka-sasl-mechanism %q: want one of %s", s.Mechanism, strings.Join(Mechanisms, ", "))
}

// tokenFunc returns what yields the token: the static token, or the token
// file read at each call; nil when neither is set. The file is read once
// now so that a missing one is reported at the start.
func (s SASL) tokenFunc() (func() (string, error), error) {
	switch {
	case s.Token != "" && s.TokenFile != "":
		return nil, configErrorf("both --kafka-sasl-token and --kafka-sasl-token-file are set: give one")
	case s.Token != "":
		tok := s.Token
		return func() (string, error) { return tok, nil }, nil
	case s.TokenFile != "":
		if _, err := ReadSecretFile(s.TokenFile, "kafka-sasl-token-file"); err != nil {
			return nil, err
		}
		path := s.TokenFile
		return func() (string, error) { return ReadSecretFile(path, "kafka-sasl-token-file") }, nil
	}
	return nil, nil
}

// RegistryOpts returns the sr client options of r: its URLs, user agent,
// an HTTP client with r.Timeout and r.TLS, and the credentials. Bad
// settings are *ConfigError; no request is sent.
func RegistryOpts(r Registry) ([]sr.ClientOpt, error) {
	if len(r.URLs) == 0 {
		return nil, configErrorf("no schema registry: set --registry or EDACTL_REGISTRY")
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = DefaultRegistryTimeout
	}
	tlsCfg, err := r.TLS.Config("registry")
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	opts := []sr.ClientOpt{
		sr.URLs(append([]string(nil), r.URLs...)...), // sr.URLs rewrites its argument
		sr.HTTPClient(&http.Client{Timeout: timeout, Transport: transport}),
	}
	if r.UserAgent != "" {
		opts = append(opts, sr.UserAgent(r.UserAgent))
	}
	password, err := oneSecret(r.Password, r.PasswordFile, "password", "registry-password-file")
	if err != nil {
		return nil, err
	}
	if r.User != "" {
		opts = append(opts, sr.BasicAuth(r.User, password))
	} else if password != "" {
		return nil, configErrorf("a registry password is set but no user: set --user or EDACTL_REGISTRY_USER")
	}
	switch {
	case r.Token != "" && r.TokenFile != "":
		return nil, configErrorf("both --token and --registry-token-file are set: give one")
	case r.Token != "":
		opts = append(opts, sr.BearerToken(r.Token))
	case r.TokenFile != "":
		if _, err := ReadSecretFile(r.TokenFile, "registry-token-file"); err != nil {
			return nil, err
		}
		path := r.TokenFile
		opts = append(opts, sr.PreReq(func(req *http.Request) error {
			tok, err := ReadSecretFile(path, "registry-token-file")
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}))
	}
	return opts, nil
}

// ReadSecretFile reads a secret from path, named by flag in errors; the
// trailing newline is dropped. A missing, unreadable or empty file is a
// *ConfigError.
func ReadSecretFile(path, flag string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return "", configErrorf("--%s: %w", flag, err)
		}
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", configErrorf("--%s: %s is empty", flag, path)
	}
	return s, nil
}

// FromValues builds the Kafka and registry settings from resolved
// setting values, by key (Settings): value("kafka_sasl_user"). A boolean
// is "true" when on. TLS is on for Kafka when kafka_tls is, or when a CA,
// a client certificate, a server name or insecure-skip-verify is set.
// AWS_MSK_IAM falls back to getenv's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func FromValues(value, getenv func(string) string) (Kafka, Registry) {
	on := func(key string) bool { return value(key) == "true" }
	k := Kafka{
		Brokers: splitList(value("brokers")),
		TLS: TLS{
			CAFile:             value("kafka_ca_file"),
			CertFile:           value("kafka_cert_file"),
			KeyFile:            value("kafka_key_file"),
			ServerName:         value("kafka_server_name"),
			InsecureSkipVerify: on("kafka_insecure_skip_verify"),
		},
		SASL: SASL{
			Mechanism:    value("kafka_sasl_mechanism"),
			User:         value("kafka_sasl_user"),
			Password:     value("kafka_sasl_password"),
			PasswordFile: value("kafka_sasl_password_file"),
			Token:        value("kafka_sasl_token"),
			TokenFile:    value("kafka_sasl_token_file"),
		},
	}
	t := &k.TLS
	t.Enabled = on("kafka_tls") || t.CAFile != "" || t.CertFile != "" || t.ServerName != "" || t.InsecureSkipVerify
	if s := &k.SASL; strings.EqualFold(s.Mechanism, AWSMSKIAM) {
		if s.User == "" {
			s.User = getenv("AWS_ACCESS_KEY_ID")
		}
		if s.Password == "" && s.PasswordFile == "" {
			s.Password = getenv("AWS_SECRET_ACCESS_KEY")
		}
		if s.Token == "" && s.TokenFile == "" {
			s.Token = getenv("AWS_SESSION_TOKEN")
		}
	}
	r := Registry{
		URLs:         splitList(value("registry")),
		User:         value("registry_user"),
		Password:     value("registry_password"),
		PasswordFile: value("registry_password_file"),
		Token:        value("registry_token"),
		TokenFile:    value("registry_token_file"),
		TLS: TLS{
			CAFile:             value("registry_ca_file"),
			CertFile:           value("registry_cert_file"),
			KeyFile:            value("registry_key_file"),
			InsecureSkipVerify: on("registry_insecure_skip_verify"),
		},
	}
	return k, r
}

// FromEnv builds the settings from the EDACTL_* variables alone (no
// defaults; a boolean is read as strconv.ParseBool reads it): what a
// service built on edactl reads.
func FromEnv(getenv func(string) string) (Kafka, Registry) {
	return FromValues(func(key string) string {
		s, ok := Lookup(key)
		if !ok {
			return ""
		}
		v := strings.TrimSpace(getenv(s.Env))
		if s.Bool && v != "" {
			b, _ := strconv.ParseBool(v) // as the command line reads it; anything else is off
			v = strconv.FormatBool(b)
		}
		return v
	}, getenv)
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
