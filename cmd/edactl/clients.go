package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
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
	// User and Password are sent as HTTP basic auth when User is set.
	User, Password string
	// Token is sent as a bearer token when set.
	Token string
	// Timeout bounds each HTTP request; zero means defaultRegistryTimeout.
	Timeout time.Duration
}

// kafkaOptions configure a Kafka client. TLS and SASL settings belong here
// too, turned into franz-go options by newKafkaClient only.
type kafkaOptions struct {
	// Brokers are the seed brokers.
	Brokers []string
}

// registryCredentials are the values of the credential flags of `edactl
// registry` (--user, --password, --token); empty when not given.
type registryCredentials struct {
	User, Password, Token string
}

// clientOptions resolves the connection settings of the command being run:
// --registry and --brokers (after edactl.yaml and EDACTL_REGISTRY,
// EDACTL_BROKERS, see resolve), comma separated; credentials from the
// `edactl registry` flags, else EDACTL_REGISTRY_USER,
// EDACTL_REGISTRY_PASSWORD and EDACTL_REGISTRY_TOKEN, each on its own.
func (g *globals) clientOptions() clientOptions {
	pick := func(flag, env string) string {
		if flag != "" {
			return flag
		}
		return g.getenv(env)
	}
	return clientOptions{
		Registry: registryOptions{
			URLs:     splitList(g.Registry),
			User:     pick(g.credentials.User, "EDACTL_REGISTRY_USER"),
			Password: pick(g.credentials.Password, "EDACTL_REGISTRY_PASSWORD"),
			Token:    pick(g.credentials.Token, "EDACTL_REGISTRY_TOKEN"),
		},
		Kafka: kafkaOptions{Brokers: splitList(g.Brokers)},
	}
}

// registryClient returns a registry client for the command being run.
func (g *globals) registryClient() (*sr.Client, error) {
	return newRegistryClient(g.clientOptions().Registry)
}

// newRegistryClient returns a schema registry client that sends
// User-Agent edactl/<version> and the credentials of o. Bad options are
// usage errors; no request is sent.
func newRegistryClient(o registryOptions) (*sr.Client, error) {
	if len(o.URLs) == 0 {
		return nil, usageErrorf("no schema registry: set --registry or EDACTL_REGISTRY")
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = defaultRegistryTimeout
	}
	opts := []sr.ClientOpt{
		sr.URLs(append([]string(nil), o.URLs...)...), // sr.URLs rewrites its argument
		sr.UserAgent("edactl/" + currentBuild().Version),
		sr.HTTPClient(&http.Client{Timeout: timeout}),
	}
	if o.User != "" {
		opts = append(opts, sr.BasicAuth(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, sr.BearerToken(o.Token))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, usageErrorf("registry client for %s: %w", strings.Join(o.URLs, ","), err)
	}
	return cl, nil
}

// newKafkaClient returns a Kafka client for o with the options every role
// client of edactl has (stream.ClientOpts), then extra: the role's own
// options (a consumer group, producer limits, a client id). Bad options are
// usage errors; the client connects on first use.
func newKafkaClient(o kafkaOptions, extra ...kgo.Opt) (*kgo.Client, error) {
	if len(o.Brokers) == 0 {
		return nil, usageErrorf("no Kafka brokers: set --brokers or EDACTL_BROKERS")
	}
	cl, err := kgo.NewClient(stream.ClientOpts(o.Brokers, extra...)...)
	if err != nil {
		return nil, usageErrorf("kafka client for %s: %w", strings.Join(o.Brokers, ","), err)
	}
	return cl, nil
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
