package processor

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/edactl/edactl/internal/connect"
	"github.com/edactl/edactl/serde"
)

// Config is how a processor runs: where Kafka and the registry are, where
// its local state lives, and its delivery and emit policies. ParseConfig
// fills it from flags and the environment.
type Config struct {
	// Brokers are the Kafka seed brokers (--brokers, EDACTL_BROKERS;
	// default 127.0.0.1:9092).
	Brokers []string
	// Registry is the schema registry URL (--registry, EDACTL_REGISTRY;
	// default http://127.0.0.1:8081).
	Registry string
	// Group is the consumer group (--group, EDACTL_GROUP; default the
	// service's name).
	Group string
	// StateDir holds the local state snapshots (--state-dir,
	// EDACTL_STATE_DIR; default ./state).
	StateDir string
	// EmitWhen is the emit policy (--emit-when, EDACTL_EMIT_WHEN; default
	// all).
	EmitWhen EmitPolicy
	// ExactlyOnce uses Kafka transactions (--exactly-once,
	// EDACTL_EXACTLY_ONCE; default false: at-least-once).
	ExactlyOnce bool
	// MetricsAddr is where /metrics, /healthz and /readyz are served
	// (--metrics-addr, EDACTL_METRICS_ADDR; default :9464; "" serves
	// nothing).
	MetricsAddr string
	// Partitions is the partition count of the output and internal topics
	// when every input is re-keyed, so no input fixes it (--partitions,
	// EDACTL_PARTITIONS; default 0: the inputs' count).
	Partitions int
	// CheckpointInterval is how often the local state is written
	// (--checkpoint-interval, EDACTL_CHECKPOINT_INTERVAL; default 30s). It
	// is also written on a clean stop and when partitions are revoked.
	CheckpointInterval time.Duration
	// SessionTimeout is the consumer group session timeout: how long a
	// member that stopped without leaving (killed) keeps its partitions
	// (--session-timeout, EDACTL_SESSION_TIMEOUT; default 45s).
	SessionTimeout time.Duration
	// MaxPollRecords bounds one batch (--max-poll-records; default 50000).
	MaxPollRecords int
	// Tracing adds franz-go's kotel hooks: OpenTelemetry spans through
	// TracerProvider, or the global one once a program has set it
	// (otel.SetTracerProvider) (--tracing, EDACTL_TRACING; default true).
	// Without a provider no hooks are added (their per-record cost buys
	// nothing), and the input's traceparent is still carried to the output.
	Tracing bool
	// TracerProvider receives the spans; nil: the global provider, if set.
	TracerProvider trace.TracerProvider
	// KafkaOpts are added to every Kafka client the processor builds
	// (TLS, SASL, ...), after its own; there is no flag for them.
	KafkaOpts []kgo.Opt
	// RegistryOpts are added to the registry client NewRegistry builds.
	RegistryOpts []sr.ClientOpt
	// Logger receives the service's log; default text on standard error.
	Logger *slog.Logger
}

// DefaultConfig returns the defaults for the service name.
func DefaultConfig(name string) Config {
	return Config{
		Brokers:            []string{"127.0.0.1:9092"},
		Registry:           "http://127.0.0.1:8081",
		Group:              name,
		StateDir:           "state",
		EmitWhen:           EmitAll,
		MetricsAddr:        ":9464",
		CheckpointInterval: 30 * time.Second,
		MaxPollRecords:     50000,
		SessionTimeout:     45 * time.Second,
		Tracing:            true,
	}
}

// ParseConfig parses args (without the program name) over the defaults for
// name, the environment (getenv, EDACTL_<FLAG> with dashes as underscores)
// coming between the defaults and the flags. Errors name the flag or the
// variable; -h prints the usage to stderr and returns flag.ErrHelp.
func ParseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	brokers := strings.Join(cfg.Brokers, ",")
	emit := string(cfg.EmitWhen)
	fs.StringVar(&brokers, "brokers", brokers, "Kafka seed brokers, comma separated")
	fs.StringVar(&cfg.Registry, "registry", cfg.Registry, "schema registry URL")
	fs.StringVar(&cfg.Group, "group", cfg.Group, "consumer group")
	fs.StringVar(&cfg.StateDir, "state-dir", cfg.StateDir, "directory of the local state snapshots")
	fs.StringVar(&emit, "emit-when", emit, "emit when every input of a key is present (all) or on any change (any)")
	fs.BoolVar(&cfg.ExactlyOnce, "exactly-once", cfg.ExactlyOnce, "use Kafka transactions (exactly-once) instead of at-least-once")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "address of /metrics, /healthz and /readyz (empty: none)")
	fs.IntVar(&cfg.Partitions, "partitions", cfg.Partitions, "partitions of the output and internal topics when every input is re-keyed")
	fs.DurationVar(&cfg.CheckpointInterval, "checkpoint-interval", cfg.CheckpointInterval, "how often the local state is written")
	fs.DurationVar(&cfg.SessionTimeout, "session-timeout", cfg.SessionTimeout, "consumer group session timeout")
	fs.IntVar(&cfg.MaxPollRecords, "max-poll-records", cfg.MaxPollRecords, "most records processed in one batch")
	fs.BoolVar(&cfg.Tracing, "tracing", cfg.Tracing, "OpenTelemetry spans through franz-go's kotel plugin")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of %s (every flag can also be set as EDACTL_<FLAG>, e.g. EDACTL_STATE_DIR):\n", name)
		fs.PrintDefaults()
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := "EDACTL_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.Brokers = splitList(brokers)
	cfg.EmitWhen = EmitPolicy(emit)
	if err := cfg.security(getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// security adds TLS and SASL for Kafka and TLS and credentials for the
// registry from the EDACTL_* variables edactl's own commands read
// (EDACTL_KAFKA_TLS, EDACTL_KAFKA_CA_FILE, EDACTL_KAFKA_SASL_MECHANISM,
// EDACTL_KAFKA_SASL_USER, EDACTL_KAFKA_SASL_PASSWORD_FILE,
// EDACTL_REGISTRY_USER, EDACTL_REGISTRY_TOKEN_FILE, EDACTL_REGISTRY_CA_FILE,
// ...; see edactl's docs/security.md), so a service runs against the
// clusters edactl is configured for with the same settings.
func (c *Config) security(getenv func(string) string) error {
	k, r := connect.FromEnv(getenv)
	kopts, err := connect.KafkaOpts(k)
	if err != nil {
		return err
	}
	c.KafkaOpts = append(c.KafkaOpts, kopts...)
	if c.Registry == "" {
		return nil
	}
	r.URLs, r.UserAgent = []string{c.Registry}, "edactl-processor"
	ropts, err := connect.RegistryOpts(r)
	if err != nil {
		return err
	}
	c.RegistryOpts = append(c.RegistryOpts, ropts...)
	return nil
}

// redact hides the password of a URL with credentials.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "(unparsable URL)"
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Config) validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("--brokers: no broker"))
	}
	if c.EmitWhen != EmitAll && c.EmitWhen != EmitAny {
		errs = append(errs, fmt.Errorf("--emit-when %q: want all or any", c.EmitWhen))
	}
	if c.Group == "" {
		errs = append(errs, errors.New("--group: empty"))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("--state-dir: empty"))
	}
	if c.Partitions < 0 {
		errs = append(errs, errors.New("--partitions: negative"))
	}
	if c.CheckpointInterval <= 0 {
		errs = append(errs, errors.New("--checkpoint-interval: must be positive"))
	}
	if c.SessionTimeout < time.Second {
		errs = append(errs, errors.New("--session-timeout: at least 1s"))
	}
	if c.MaxPollRecords <= 0 {
		errs = append(errs, errors.New("--max-poll-records: must be positive"))
	}
	return errors.Join(errs...)
}

// String summarises the configuration for the start-up log line.
func (c Config) String() string {
	mode := "at-least-once"
	if c.ExactlyOnce {
		mode = "exactly-once"
	}
	return fmt.Sprintf("brokers=%s registry=%s group=%s state-dir=%s emit-when=%s %s partitions=%s",
		strings.Join(c.Brokers, ","), redact(c.Registry), c.Group, c.StateDir, c.EmitWhen, mode, strconv.Itoa(c.Partitions))
}

// NewRegistry returns a schema cache over a registry client for
// c.Registry.
func (c Config) NewRegistry() (*serde.Registry, error) {
	cl, err := sr.NewClient(append([]sr.ClientOpt{sr.URLs(c.Registry), sr.UserAgent("edactl-processor")}, c.RegistryOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("--registry %s: %w", redact(c.Registry), err)
	}
	return serde.NewRegistry(cl), nil
}

// tracerProvider returns the provider spans go to, or nil when tracing is
// off or no provider is installed.
func (c Config) tracerProvider() trace.TracerProvider {
	if !c.Tracing {
		return nil
	}
	if c.TracerProvider != nil {
		return c.TracerProvider
	}
	// Until otel.SetTracerProvider is called the global provider is
	// otel's internal delegating one, which records nothing.
	tp := otel.GetTracerProvider()
	if fmt.Sprintf("%T", tp) == "*global.tracerProvider" {
		return nil
	}
	return tp
}
