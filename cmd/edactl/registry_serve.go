package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/store"
)

// defaultRegistryData is where `registry serve` keeps its log by default.
const defaultRegistryData = ".edactl/registry"

// registryServeOptions are the flags of `edactl registry serve`.
type registryServeOptions struct {
	Addr          string
	DataDir       string
	AuthFile      string
	Compatibility string
	LogFormat     string
	AccessLog     bool
	Limits        registryLimits
	// TLSCert, TLSKey and TLSClientCA serve HTTPS, with client
	// certificates required when TLSClientCA is set (mTLS).
	TLSCert, TLSKey, TLSClientCA string
	// Store is where the log lives: "bolt" (the file under DataDir) or
	// "kafka" (Topic on the --brokers cluster, shared by many instances).
	Store string
	Topic string
	Kafka kafkaOptions
	// CommitDelay is how long the sequencer waits for more writers
	// before a group commit (registry.WithCommitDelay).
	CommitDelay time.Duration
	// ParseCacheBytes bounds the parsed schemas compatibility checks keep
	// (registry.WithParseCacheBytes).
	ParseCacheBytes int
}

// registryLimits are the limit flags of `edactl registry serve`; their
// defaults are the api package's.
type registryLimits struct {
	MaxBodyBytes          int64
	MaxMetadataBytes      int
	MaxReferences         int
	MaxSubjectBytes       int
	SchemaSearchDefault   int
	SchemaSearchMax       int
	MaxConcurrentChecks   int
	MaxQueuedChecks       int
	CheckQueueTimeout     time.Duration
	MaxConnections        int
	MaxAuthorizationBytes int
}

// options returns the api options that set the limits.
func (l registryLimits) options() []api.Option {
	return []api.Option{
		api.WithMaxBodyBytes(l.MaxBodyBytes), api.WithMaxMetadataBytes(l.MaxMetadataBytes),
		api.WithMaxReferences(l.MaxReferences), api.WithMaxSubjectBytes(l.MaxSubjectBytes),
		api.WithSchemaSearchLimit(l.SchemaSearchDefault, l.SchemaSearchMax),
		api.WithMaxConcurrentChecks(l.MaxConcurrentChecks), api.WithMaxQueuedChecks(l.MaxQueuedChecks),
		api.WithCheckQueueTimeout(l.CheckQueueTimeout), api.WithMaxConnections(l.MaxConnections),
		api.WithMaxAuthorizationBytes(l.MaxAuthorizationBytes),
	}
}

func newRegistryServeCmd(g *globals) *cobra.Command {
	opts := &registryServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the schema registry server",
		Long: `Run the schema registry: the Confluent Schema Registry REST API on an
embedded log (one bbolt file under --data). A write is answered only after it
is on disk (fsync); concurrent writes share one commit. The state is rebuilt
from the log at start. A second server on the same --data fails with a clear
error instead of corrupting it.

Also serves GET /healthz and GET /metrics (Prometheus). Without --auth-file
the registry is open to anyone who can reach --addr. The auth file (YAML):

  users:                      # HTTP basic auth
    - {name: alice, password_sha256: <hex>, role: admin}
  tokens:                     # Authorization: Bearer <token>
    - {name: ci, token: <secret>, role: write}

Roles: read (GETs, lookups, compatibility checks), write (+ register and
delete), admin (+ config and mode). 'edactl registry passwd NAME --role R
--auth-file FILE' writes users' entries. Stops gracefully on SIGINT/SIGTERM.

Every request is bounded (docs/registry.md, "Limits"): the body (413), the
metadata and references a schema carries (422/42209), the subject name
(422/42208), the page size of GET /schemas, the Authorization header
(431); register, lookup and compatibility requests run at most
--max-concurrent-checks at once, --max-queued-checks wait, and the others get
503 with Retry-After; connections over --max-connections get 503 and are
closed.

The access log (--access-log) writes one line per request to stderr, in
--log-format, buffered and flushed every 100ms and at shutdown.

--tls-cert and --tls-key serve HTTPS; --tls-client-ca also requires a client
certificate signed by one of its CAs (mTLS), and the auth file may then give
a certificate's subject a role:

  certificates:
    - {subject: "CN=orders-svc,O=shop", role: read}

SIGHUP reloads the three files (a renewed certificate, a new CA) without a
restart; if they do not load, the previous ones stay in use and the error is
logged. See docs/security.md.

With --store kafka the log is the topic --topic on the --brokers cluster
(created if missing with one partition and infinite retention) instead of
the bbolt file: run as many instances as needed, with no leader; each
answers a write once it has applied it. A request with the header
"Edactl-Consistency: latest" (or ?consistency=latest) first catches up with
writes made through the other instances (docs/registry.md). The instance
keeps a snapshot of the folded topic in --data (<topic>.snapshot), so a
restart reads only the records after it.`,
		Example: `  edactl registry serve
  edactl registry serve --addr 0.0.0.0:8081 --data /var/lib/edactl --auth-file auth.yaml
  edactl registry serve --compatibility FULL_TRANSITIVE --log-format json
  edactl registry serve --tls-cert server.pem --tls-key server-key.pem --tls-client-ca ca.pem --auth-file auth.yaml
  edactl registry serve --store kafka --brokers localhost:9092 --addr 127.0.0.1:8082`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Kafka = g.clientOptions().Kafka
			return runRegistryServe(cmd.Context(), cmd.ErrOrStderr(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8081", "listen address")
	f.StringVar(&opts.DataDir, "data", defaultRegistryData, "data directory (holds "+store.BoltFile+")")
	f.StringVar(&opts.AuthFile, "auth-file", "", "users and tokens with roles (YAML); without it the server is open")
	f.StringVar(&opts.Compatibility, "compatibility", "BACKWARD", "default compatibility level: "+levelNames())
	f.StringVar(&opts.LogFormat, "log-format", "text", "log format on stderr: text or json")
	f.StringVar(&opts.Store, "store", "bolt", "where the log lives: bolt (a file under --data) or kafka (--topic on --brokers, shared by many instances)")
	f.StringVar(&opts.Topic, "topic", store.DefaultKafkaTopic, "the log's topic with --store kafka")
	f.DurationVar(&opts.CommitDelay, "commit-delay", registry.DefaultCommitDelay, "longest wait for more writers before a group commit, when fewer are queued than joined the last one (0: commit what is queued at once)")
	f.IntVar(&opts.ParseCacheBytes, "parse-cache-bytes", registry.DefaultParseCacheBytes, "memory (estimated) for the parsed schemas compatibility checks reuse; past it the least used are parsed again when needed (0: unbounded)")
	f.BoolVar(&opts.AccessLog, "access-log", true, "log every request (buffered, flushed every 100ms and at shutdown)")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with; reloaded on SIGHUP")
	f.StringVar(&opts.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&opts.TLSClientCA, "tls-client-ca", "", "PEM CAs that client certificates must chain to; requires one (mTLS)")
	l := &opts.Limits
	f.Int64Var(&l.MaxBodyBytes, "max-body-bytes", api.DefaultMaxBodyBytes, "largest request body; larger is 413")
	f.IntVar(&l.MaxMetadataBytes, "max-metadata-bytes", api.DefaultMaxMetadataBytes, "largest schema metadata (bytes of its names and values); larger is 422/42209")
	f.IntVar(&l.MaxReferences, "max-references", api.DefaultMaxReferences, "most references per schema; more is 422/42209")
	f.IntVar(&l.MaxSubjectBytes, "max-subject-bytes", api.DefaultMaxSubjectBytes, "longest subject (and reference name) a write or check may name; longer is 422/42208 (42209 in references)")
	f.IntVar(&l.SchemaSearchDefault, "schema-search-default-limit", api.DefaultSchemaSearchLimit, "GET /schemas page size without ?limit= (Confluent's schema.search.default.limit)")
	f.IntVar(&l.SchemaSearchMax, "schema-search-max-limit", api.DefaultSchemaSearchLimit, "largest ?limit= of GET /schemas (Confluent's schema.search.max.limit)")
	f.IntVar(&l.MaxConcurrentChecks, "max-concurrent-checks", api.DefaultMaxConcurrentChecks, "register, lookup and compatibility requests run at once")
	f.IntVar(&l.MaxQueuedChecks, "max-queued-checks", api.DefaultMaxQueuedChecks, "such requests waiting for a slot; beyond, 503 with Retry-After")
	f.DurationVar(&l.CheckQueueTimeout, "check-queue-timeout", api.DefaultCheckQueueTimeout, "longest wait for a slot before 503")
	f.IntVar(&l.MaxConnections, "max-connections", api.DefaultMaxConnections, "open connections; more get 503 and are closed (0: no limit)")
	f.IntVar(&l.MaxAuthorizationBytes, "max-authorization-bytes", api.DefaultMaxAuthorizationBytes, "longest Authorization header with --auth-file; longer is 431")
	return cmd
}

// newLogger returns a logger writing to w in format (text or json); another
// format is a usage error.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usageErrorf("invalid --log-format %q: want text or json", format)
}

// runRegistryServe serves the registry API on opts.Addr until ctx ends.
func runRegistryServe(ctx context.Context, stderr io.Writer, opts *registryServeOptions) error {
	if opts.CommitDelay < 0 {
		return usageErrorf("invalid --commit-delay %v: must not be negative", opts.CommitDelay)
	}
	if opts.ParseCacheBytes < 0 {
		return usageErrorf("invalid --parse-cache-bytes %d: must not be negative", opts.ParseCacheBytes)
	}
	logger, err := newLogger(stderr, opts.LogFormat)
	if err != nil {
		return err
	}
	level, err := compat.ParseLevel(opts.Compatibility)
	if err != nil {
		return &usageError{err}
	}
	apiOpts := append([]api.Option{api.WithLogger(logger), api.WithVersion(currentBuild().Version),
		api.WithAccessLog(opts.AccessLog), api.WithAccessLogOutput(stderr, opts.LogFormat)}, opts.Limits.options()...)
	if opts.AuthFile != "" {
		a, err := api.LoadAuthFile(opts.AuthFile)
		if err != nil {
			return &usageError{err}
		}
		apiOpts = append(apiOpts, api.WithAuth(a))
	}
	tlsFiles, err := newServerTLS(opts.TLSCert, opts.TLSKey, opts.TLSClientCA)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsFiles != nil {
		scheme = "https"
		apiOpts = append(apiOpts, api.WithTLS(tlsFiles.config()))
		tlsFiles.reloadOnSIGHUP(ctx, logger)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	defer ln.Close()
	log, where, err := openRegistryLog(ctx, opts)
	if err != nil {
		return err
	}
	regOpts := []registry.Option{registry.WithLogger(logger), registry.WithDefaultCompatibility(level), registry.WithCommitDelay(opts.CommitDelay),
		registry.WithParseCacheBytes(opts.ParseCacheBytes)}
	if opts.Store == "kafka" {
		// A local snapshot of the folded topic, so a restart folds only
		// what came after it.
		regOpts = append(regOpts, registry.WithSnapshotFile(filepath.Join(opts.DataDir, opts.Topic+".snapshot")))
	}
	srv, err := api.Open(ctx, log, regOpts, apiOpts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	if opts.AuthFile == "" && opts.TLSClientCA != "" {
		logger.Warn("no --auth-file: any client with a certificate of --tls-client-ca can register and delete schemas")
	} else if opts.AuthFile == "" {
		logger.Warn("no --auth-file: the registry is open, anyone who can reach it can register and delete schemas")
	} else {
		logger.Info("authentication required", "auth_file", opts.AuthFile)
	}
	if opts.TLSClientCA != "" {
		logger.Info("client certificates required (mTLS)", "client_ca", opts.TLSClientCA)
	}
	logger.Info("schema registry listening", "url", scheme+"://"+ln.Addr().String(), "store", opts.Store, "log", where)
	err = srv.Serve(ctx, ln)
	logger.Info("schema registry stopped")
	return err
}

// openRegistryLog opens the log --store names and says where it is.
func openRegistryLog(ctx context.Context, opts *registryServeOptions) (store.Log, string, error) {
	switch opts.Store {
	case "bolt":
		log, err := store.OpenBolt(opts.DataDir)
		if err != nil {
			return nil, "", err
		}
		return log, log.Path(), nil
	case "kafka":
		if len(opts.Kafka.Brokers) == 0 {
			return nil, "", usageErrorf("--store kafka needs --brokers (or EDACTL_BROKERS)")
		}
		octx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		log, err := store.OpenKafka(octx, store.KafkaConfig{Topic: opts.Topic, NewClient: func(extra ...kgo.Opt) (*kgo.Client, error) {
			return newKafkaClient(opts.Kafka, extra...)
		}})
		if err != nil {
			return nil, "", err
		}
		return log, "topic " + log.Topic() + " on " + strings.Join(opts.Kafka.Brokers, ","), nil
	}
	return nil, "", usageErrorf("invalid --store %q: want bolt or kafka", opts.Store)
}
