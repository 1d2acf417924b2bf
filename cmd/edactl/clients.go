package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/stream"
)

// Client wiring. Every schema registry client (franz-go's pkg/sr) and every
// Kafka client (kgo) edactl builds — for the registry commands, check and
// push, gen, the stream commands, the TUI and edactl dev's demo — is made by
// newRegistryClient or newKafkaClient from one clientOptions value, so a
// connection setting added here (TLS, SASL, another credential source)
// works for all of them at once. globals.clientOptions fills the options
// from flags, EDACTL_* and edactl.yaml; edactl dev fills them with the
// addresses of the broker and registry it runs.
//
// The franz-go options that stream needs on every role client (read
// committed with control records, a bounded retry time) stay in
// stream.ClientOpts: they are stream's semantics, and tests outside this
// command build clients with them too. newKafkaClient adds the connection
// settings around them.

// defaultRegistryTimeout bounds every registry request unless
// registryOptions.Timeout says otherwise.
const defaultRegistryTimeout = 30 * time.Second

// decodeRegistryTimeout bounds the registry requests of the commands that
// decode records as they read them (consume, trace, replay, the TUI): a
// registry that hangs holds a read up for at most this long per unknown
// schema id before the payload is shown raw with the reason.
const decodeRegistryTimeout = 5 * time.Second

// clientOptions are the connection settings of edactl's clients.
type clientOptions struct {
	Registry registryOptions
	Kafka    kafkaOptions
}

// registryOptions configure a schema registry client.
type registryOptions struct {
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
	TLS tlsOptions
	// Timeout bounds each HTTP request; zero means defaultRegistryTimeout.
	Timeout time.Duration
}

// kafkaOptions configure a Kafka client: the brokers, TLS and SASL, turned
// into franz-go options by kafkaConnOpts only.
type kafkaOptions struct {
	// Brokers are the seed brokers.
	Brokers []string
	// TLS, when Enabled, connects with TLS.
	TLS tlsOptions
	// SASL, when Mechanism is set, authenticates every connection.
	SASL saslOptions
}

// tlsOptions are the client side of a TLS connection.
type tlsOptions struct {
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
	saslPlain       = "PLAIN"
	saslScram256    = "SCRAM-SHA-256"
	saslScram512    = "SCRAM-SHA-512"
	saslOAuthBearer = "OAUTHBEARER"
	saslAWSMSKIAM   = "AWS_MSK_IAM"
)

// saslMechanisms are the mechanisms --kafka-sasl-mechanism accepts.
var saslMechanisms = []string{saslPlain, saslScram256, saslScram512, saslOAuthBearer, saslAWSMSKIAM}

// saslOptions are the SASL settings of a Kafka client.
type saslOptions struct {
	// Mechanism is one of saslMechanisms (case-insensitive); empty means
	// no SASL.
	Mechanism string
	// User and Password (or PasswordFile, read once) are the credentials
	// of PLAIN and SCRAM, and AWS_MSK_IAM's access key id and secret key.
	User, Password, PasswordFile string
	// Token (or TokenFile, read again at every authentication) is
	// OAUTHBEARER's token and AWS_MSK_IAM's session token.
	Token, TokenFile string
}

// clientOptions resolves the connection settings of the command being run
// (settings.go: flags, EDACTL_*, the context, edactl.yaml) and prints the
// warnings they call for, once, on stderr. AWS_MSK_IAM falls back to
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func (g *globals) clientOptions() clientOptions {
	v := g.setting
	o := clientOptions{
		Registry: registryOptions{
			URLs:         splitList(g.Registry),
			User:         v("registry_user"),
			Password:     v("registry_password"),
			PasswordFile: v("registry_password_file"),
			Token:        v("registry_token"),
			TokenFile:    v("registry_token_file"),
			TLS: tlsOptions{
				CAFile:             v("registry_ca_file"),
				CertFile:           v("registry_cert_file"),
				KeyFile:            v("registry_key_file"),
				InsecureSkipVerify: g.settingOn("registry_insecure_skip_verify"),
			},
		},
		Kafka: kafkaOptions{
			Brokers: splitList(g.Brokers),
			TLS: tlsOptions{
				CAFile:             v("kafka_ca_file"),
				CertFile:           v("kafka_cert_file"),
				KeyFile:            v("kafka_key_file"),
				ServerName:         v("kafka_server_name"),
				InsecureSkipVerify: g.settingOn("kafka_insecure_skip_verify"),
			},
			SASL: saslOptions{
				Mechanism:    v("kafka_sasl_mechanism"),
				User:         v("kafka_sasl_user"),
				Password:     v("kafka_sasl_password"),
				PasswordFile: v("kafka_sasl_password_file"),
				Token:        v("kafka_sasl_token"),
				TokenFile:    v("kafka_sasl_token_file"),
			},
		},
	}
	g.oneLayer(&o.Registry.Password, &o.Registry.PasswordFile, "registry_password", "registry_password_file")
	g.oneLayer(&o.Registry.Token, &o.Registry.TokenFile, "registry_token", "registry_token_file")
	g.oneLayer(&o.Kafka.SASL.Password, &o.Kafka.SASL.PasswordFile, "kafka_sasl_password", "kafka_sasl_password_file")
	g.oneLayer(&o.Kafka.SASL.Token, &o.Kafka.SASL.TokenFile, "kafka_sasl_token", "kafka_sasl_token_file")
	t := &o.Kafka.TLS
	t.Enabled = g.settingOn("kafka_tls") || t.CAFile != "" || t.CertFile != "" || t.ServerName != "" || t.InsecureSkipVerify
	if s := &o.Kafka.SASL; strings.EqualFold(s.Mechanism, saslAWSMSKIAM) {
		if s.User == "" {
			s.User = g.getenv("AWS_ACCESS_KEY_ID")
		}
		if s.Password == "" && s.PasswordFile == "" {
			s.Password = g.getenv("AWS_SECRET_ACCESS_KEY")
		}
		if s.Token == "" && s.TokenFile == "" {
			s.Token = g.getenv("AWS_SESSION_TOKEN")
		}
	}
	if !g.warned {
		g.warned = true
		if t.InsecureSkipVerify {
			fmt.Fprintln(g.io.Err, "edactl: warning: --kafka-insecure-skip-verify: the brokers' certificates are not verified, so anyone on the network path can read and change the traffic")
		}
		if o.Registry.TLS.InsecureSkipVerify {
			fmt.Fprintln(g.io.Err, "edactl: warning: --registry-insecure-skip-verify: the registry's certificate is not verified, so anyone on the network path can read and change the traffic")
		}
		if strings.EqualFold(o.Kafka.SASL.Mechanism, saslPlain) && !t.Enabled {
			fmt.Fprintln(g.io.Err, "edactl: warning: SASL PLAIN without --kafka-tls sends the password in clear text")
		}
	}
	return o
}

// oneLayer applies the precedence to a secret given both as a value and as
// a file: the one from the later layer (edactl.yaml < context < env <
// flags) wins, so EDACTL_KAFKA_SASL_PASSWORD overrides a context's
// kafka_sasl_password_file. Both from the same layer are left for the
// constructor to refuse.
func (g *globals) oneLayer(value, file *string, valueKey, fileKey string) {
	if *value == "" || *file == "" {
		return
	}
	switch rv, rf := sourceRank(g.sources[valueKey]), sourceRank(g.sources[fileKey]); {
	case rv > rf:
		*file = ""
	case rf > rv:
		*value = ""
	}
}

// sourceRank orders the sources of settings by precedence.
func sourceRank(source string) int {
	switch {
	case strings.HasPrefix(source, "flag "):
		return 4
	case strings.HasPrefix(source, "env "):
		return 3
	case strings.HasPrefix(source, "context "):
		return 2
	case source == "default" || source == "":
		return 0
	}
	return 1 // edactl.yaml
}

// registryClient returns a registry client for the command being run.
func (g *globals) registryClient() (*sr.Client, error) {
	return newRegistryClient(g.clientOptions().Registry)
}

// newRegistryClient returns a schema registry client that sends
// User-Agent edactl/<version> and the credentials of o, over TLS as o.TLS
// says. Bad options (a missing or unreadable file, two sources for one
// secret) are usage errors naming the flag; no request is sent.
func newRegistryClient(o registryOptions) (*sr.Client, error) {
	if len(o.URLs) == 0 {
		return nil, usageErrorf("no schema registry: set --registry or EDACTL_REGISTRY")
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = defaultRegistryTimeout
	}
	tlsCfg, err := o.TLS.config("registry")
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	opts := []sr.ClientOpt{
		sr.URLs(append([]string(nil), o.URLs...)...), // sr.URLs rewrites its argument
		sr.UserAgent("edactl/" + currentBuild().Version),
		sr.HTTPClient(&http.Client{Timeout: timeout, Transport: transport}),
	}
	password, err := oneSecret(o.Password, o.PasswordFile, "password", "registry-password-file")
	if err != nil {
		return nil, err
	}
	if o.User != "" {
		opts = append(opts, sr.BasicAuth(o.User, password))
	} else if password != "" {
		return nil, usageErrorf("a registry password is set but no user: set --user or EDACTL_REGISTRY_USER")
	}
	switch {
	case o.Token != "" && o.TokenFile != "":
		return nil, usageErrorf("both --token and --registry-token-file are set: give one")
	case o.Token != "":
		opts = append(opts, sr.BearerToken(o.Token))
	case o.TokenFile != "":
		if _, err := readSecretFile(o.TokenFile, "registry-token-file"); err != nil {
			return nil, err
		}
		path := o.TokenFile
		opts = append(opts, sr.PreReq(func(r *http.Request) error {
			tok, err := readSecretFile(path, "registry-token-file")
			if err != nil {
				return err
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, usageErrorf("registry client for %s: %w", strings.Join(o.URLs, ","), err)
	}
	return cl, nil
}

// newKafkaClient returns a Kafka client for o with the options every role
// client of edactl has (stream.ClientOpts), the connection's TLS and SASL
// (kafkaConnOpts), then extra: the role's own options (a consumer group,
// producer limits, a client id). Bad options are usage errors naming the
// flag; the client connects on first use.
func newKafkaClient(o kafkaOptions, extra ...kgo.Opt) (*kgo.Client, error) {
	if len(o.Brokers) == 0 {
		return nil, usageErrorf("no Kafka brokers: set --brokers or EDACTL_BROKERS")
	}
	conn, err := kafkaConnOpts(o)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(stream.ClientOpts(o.Brokers, append(conn, extra...)...)...)
	if err != nil {
		return nil, usageErrorf("kafka client for %s: %w", strings.Join(o.Brokers, ","), err)
	}
	return cl, nil
}

// kafkaConnOpts turns o's TLS and SASL settings into franz-go options.
// Files are read now, so a bad one is reported before any connection; a
// token file is read again at every authentication.
func kafkaConnOpts(o kafkaOptions) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if o.TLS.Enabled {
		cfg, err := o.TLS.config("kafka")
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	} else if o.TLS.KeyFile != "" {
		return nil, usageErrorf("--kafka-key-file is set without --kafka-cert-file")
	}
	mech, err := o.SASL.mechanism()
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
func (t tlsOptions) config(prefix string) (*tls.Config, error) {
	if !t.Enabled && t.CAFile == "" && t.CertFile == "" && t.KeyFile == "" && t.ServerName == "" && !t.InsecureSkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, usageErrorf("--%s-ca-file: %w", prefix, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageErrorf("--%s-ca-file %s: no PEM certificate in it", prefix, t.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, usageErrorf("--%s-cert-file %s with --%s-key-file %s: %w", prefix, t.CertFile, prefix, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, usageErrorf("--%s-cert-file is set without --%s-key-file", prefix, prefix)
	case t.KeyFile != "":
		return nil, usageErrorf("--%s-key-file is set without --%s-cert-file", prefix, prefix)
	}
	return cfg, nil
}

// oneSecret returns the secret given directly or, with path set, read from
// that file; both is a usage error naming the two flags.
func oneSecret(value, path, flag, fileFlag string) (string, error) {
	switch {
	case value != "" && path != "":
		return "", usageErrorf("both --%s and --%s are set: give one", flag, fileFlag)
	case path != "":
		return readSecretFile(path, fileFlag)
	}
	return value, nil
}

// mechanism returns the franz-go SASL mechanism of s, nil without one.
// Missing credentials are usage errors naming the flag to set.
func (s saslOptions) mechanism() (sasl.Mechanism, error) {
	mech := strings.ToUpper(strings.TrimSpace(s.Mechanism))
	if mech == "" {
		if s.User != "" || s.Password != "" || s.PasswordFile != "" || s.Token != "" || s.TokenFile != "" {
			return nil, usageErrorf("SASL credentials are set but no mechanism: set --kafka-sasl-mechanism (%s)", strings.Join(saslMechanisms, ", "))
		}
		return nil, nil
	}
	need := func(what, flag string) error {
		return usageErrorf("--kafka-sasl-mechanism %s needs %s: set --%s or EDACTL_%s", mech, what, flag,
			strings.ToUpper(strings.ReplaceAll(flag, "-", "_")))
	}
	switch mech {
	case saslPlain, saslScram256, saslScram512:
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
		case saslPlain:
			return plain.Auth{User: s.User, Pass: pass}.AsMechanism(), nil
		case saslScram256:
			return scram.Auth{User: s.User, Pass: pass}.AsSha256Mechanism(), nil
		}
		return scram.Auth{User: s.User, Pass: pass}.AsSha512Mechanism(), nil
	case saslOAuthBearer:
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
	case saslAWSMSKIAM:
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
			a := aws.Auth{AccessKey: user, SecretKey: secret, UserAgent: "edactl/" + currentBuild().Version}
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
	return nil, usageErrorf("--kafka-sasl-mechanism %q: want one of %s", s.Mechanism, strings.Join(saslMechanisms, ", "))
}

// tokenFunc returns what yields the token: the static token, or the token
// file read at each call; nil when neither is set. The file is read once
// now so that a missing one is reported at the start.
func (s saslOptions) tokenFunc() (func() (string, error), error) {
	switch {
	case s.Token != "" && s.TokenFile != "":
		return nil, usageErrorf("both --kafka-sasl-token and --kafka-sasl-token-file are set: give one")
	case s.Token != "":
		tok := s.Token
		return func() (string, error) { return tok, nil }, nil
	case s.TokenFile != "":
		if _, err := readSecretFile(s.TokenFile, "kafka-sasl-token-file"); err != nil {
			return nil, err
		}
		path := s.TokenFile
		return func() (string, error) { return readSecretFile(path, "kafka-sasl-token-file") }, nil
	}
	return nil, nil
}

// kafkaClients builds the role clients of one command from the same
// options and closes them together.
type kafkaClients struct {
	opts  kafkaOptions
	built []*kgo.Client
}

// add builds one more role client with the role's extra options.
func (k *kafkaClients) add(extra ...kgo.Opt) (*kgo.Client, error) {
	cl, err := newKafkaClient(k.opts, extra...)
	if err != nil {
		return nil, err
	}
	k.built = append(k.built, cl)
	return cl, nil
}

// close closes every client built, the last first.
func (k *kafkaClients) close() {
	for i := len(k.built) - 1; i >= 0; i-- {
		k.built[i].Close()
	}
	k.built = nil
}
