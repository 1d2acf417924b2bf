package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/connect"
	"github.com/edactl/edactl/stream"
)

// Client wiring. Every schema registry client (franz-go's pkg/sr) and every
// Kafka client (kgo) edactl builds — for the registry commands, check and
// push, gen, the stream commands, topic administration, the TUI, edactl
// dev's topic creation and demo — is made by newRegistryClient or
// newKafkaClient from one clientOptions value, so a connection setting
// added here (TLS, SASL, another credential source) works for all of them
// at once. internal/connect turns the options into franz-go options (and
// holds the settings' names); globals.clientOptions fills the options from
// flags, EDACTL_*, the context and edactl.yaml (settings.go); edactl dev
// fills them with the addresses and, with --secure, the credentials of the
// broker and registry it runs.
//
// The franz-go options that stream needs on every role client (read
// committed with control records, a bounded retry time) stay in
// stream.ClientOpts: they are stream's semantics, and tests outside this
// command build clients with them too. newKafkaClient adds the connection
// settings around them.

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

// The option types are internal/connect's, which turns them into franz-go
// options; the names here keep the constructors' signatures.
type (
	registryOptions = connect.Registry
	kafkaOptions    = connect.Kafka
	tlsOptions      = connect.TLS
	saslOptions     = connect.SASL
)

// clientOptions resolves the connection settings of the command being run
// (settings.go: flags, EDACTL_*, the context, edactl.yaml) and prints the
// warnings they call for, once, on stderr. AWS_MSK_IAM falls back to
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func (g *globals) clientOptions() clientOptions {
	var o clientOptions
	o.Kafka, o.Registry = connect.FromValues(g.setting, g.getenv)
	g.oneLayer(&o.Registry.Password, &o.Registry.PasswordFile, "registry_password", "registry_password_file")
	g.oneLayer(&o.Registry.Token, &o.Registry.TokenFile, "registry_token", "registry_token_file")
	g.oneLayer(&o.Kafka.SASL.Password, &o.Kafka.SASL.PasswordFile, "kafka_sasl_password", "kafka_sasl_password_file")
	g.oneLayer(&o.Kafka.SASL.Token, &o.Kafka.SASL.TokenFile, "kafka_sasl_token", "kafka_sasl_token_file")
	t := &o.Kafka.TLS
	if !g.warned {
		g.warned = true
		if t.InsecureSkipVerify {
			fmt.Fprintln(g.io.Err, "edactl: warning: --kafka-insecure-skip-verify: the brokers' certificates are not verified, so anyone on the network path can read and change the traffic")
		}
		if o.Registry.TLS.InsecureSkipVerify {
			fmt.Fprintln(g.io.Err, "edactl: warning: --registry-insecure-skip-verify: the registry's certificate is not verified, so anyone on the network path can read and change the traffic")
		}
		if strings.EqualFold(o.Kafka.SASL.Mechanism, connect.Plain) && !t.Enabled {
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
	o.UserAgent = "edactl/" + currentBuild().Version
	opts, err := connect.RegistryOpts(o)
	if err != nil {
		return nil, configUsage(err)
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, usageErrorf("registry client for %s: %w", strings.Join(o.URLs, ","), err)
	}
	return cl, nil
}

// newKafkaClient returns a Kafka client for o with the options every role
// client of edactl has (stream.ClientOpts), the connection's TLS and SASL
// (connect.KafkaOpts), then extra: the role's own options (a consumer
// group, producer limits, a client id). Bad options are usage errors
// naming the flag; the client connects on first use.
func newKafkaClient(o kafkaOptions, extra ...kgo.Opt) (*kgo.Client, error) {
	if len(o.Brokers) == 0 {
		return nil, usageErrorf("no Kafka brokers: set --brokers or EDACTL_BROKERS")
	}
	o.UserAgent = "edactl/" + currentBuild().Version
	conn, err := connect.KafkaOpts(o)
	if err != nil {
		return nil, configUsage(err)
	}
	cl, err := kgo.NewClient(stream.ClientOpts(o.Brokers, append(conn, extra...)...)...)
	if err != nil {
		return nil, usageErrorf("kafka client for %s: %w", strings.Join(o.Brokers, ","), err)
	}
	return cl, nil
}

// configUsage makes a connect.ConfigError a usage error (exit 2).
func configUsage(err error) error {
	var ce *connect.ConfigError
	if errors.As(err, &ce) {
		return &usageError{err}
	}
	return err
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
