package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/store"
)

// defaultRegistryData is where `registry serve` keeps its log by default.
const defaultRegistryData = ".edactl/registry"

// registryAuth holds the client credentials of the registry commands.
type registryAuth struct {
	User, Password, Token string
}

func newRegistryCmd(g *globals) *cobra.Command {
	auth := &registryAuth{}
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Run the schema registry, or talk to one",
		Long: `Run edactl's schema registry (a Confluent Schema Registry compatible
server on an embedded, crash-safe log), or manage subjects, versions,
compatibility config and modes on any Confluent-compatible registry
(--registry, env EDACTL_REGISTRY).

Client credentials: --user/--password (HTTP basic) or --token (bearer), also
from EDACTL_REGISTRY_USER, EDACTL_REGISTRY_PASSWORD and EDACTL_REGISTRY_TOKEN.`,
		Example: `  edactl registry serve --data ./.edactl/registry
  edactl registry register orders-value schemas/shop/order/v1.avsc
  edactl registry subjects -o json
  edactl registry get orders-value latest`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&auth.User, "user", "", "HTTP basic auth user (env EDACTL_REGISTRY_USER)")
	pf.StringVar(&auth.Password, "password", "", "HTTP basic auth password (env EDACTL_REGISTRY_PASSWORD)")
	pf.StringVar(&auth.Token, "token", "", "bearer token (env EDACTL_REGISTRY_TOKEN)")
	cmd.AddCommand(
		newRegistryServeCmd(g),
		newRegistrySubjectsCmd(g, auth),
		newRegistryVersionsCmd(g, auth),
		newRegistryGetCmd(g, auth),
		newRegistryRegisterCmd(g, auth),
		newRegistryDeleteCmd(g, auth),
		newRegistryConfigCmd(g, auth),
		newRegistryModeCmd(g, auth),
	)
	return cmd
}

// --- serve ---------------------------------------------------------------------

type registryServeOptions struct {
	Addr          string
	DataDir       string
	AuthFile      string
	Compatibility string
	LogFormat     string
	AccessLog     bool
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
delete), admin (+ config and mode). Stops gracefully on SIGINT/SIGTERM.`,
		Example: `  edactl registry serve
  edactl registry serve --addr 0.0.0.0:8081 --data /var/lib/edactl --auth-file auth.yaml
  edactl registry serve --compatibility FULL_TRANSITIVE --log-format json`,
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRegistryServe(cmd.Context(), cmd.ErrOrStderr(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8081", "listen address")
	f.StringVar(&opts.DataDir, "data", defaultRegistryData, "data directory (holds "+store.BoltFile+")")
	f.StringVar(&opts.AuthFile, "auth-file", "", "users and tokens with roles (YAML); without it the server is open")
	f.StringVar(&opts.Compatibility, "compatibility", "BACKWARD", "default compatibility level: "+levelNames())
	f.StringVar(&opts.LogFormat, "log-format", "text", "log format on stderr: text or json")
	f.BoolVar(&opts.AccessLog, "access-log", true, "log every request")
	return cmd
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usageErrorf("invalid --log-format %q: want text or json", format)
}

func runRegistryServe(ctx context.Context, stderr io.Writer, opts *registryServeOptions) error {
	logger, err := newLogger(stderr, opts.LogFormat)
	if err != nil {
		return err
	}
	level, err := compat.ParseLevel(opts.Compatibility)
	if err != nil {
		return &usageError{err}
	}
	apiOpts := []api.Option{api.WithLogger(logger), api.WithVersion(currentBuild().Version), api.WithAccessLog(opts.AccessLog)}
	if opts.AuthFile != "" {
		a, err := api.LoadAuthFile(opts.AuthFile)
		if err != nil {
			return &usageError{err}
		}
		apiOpts = append(apiOpts, api.WithAuth(a))
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	defer ln.Close()
	log, err := store.OpenBolt(opts.DataDir)
	if err != nil {
		return err
	}
	srv, err := api.Open(ctx, log, []registry.Option{registry.WithLogger(logger), registry.WithDefaultCompatibility(level)}, apiOpts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	if opts.AuthFile == "" {
		logger.Warn("no --auth-file: the registry is open, anyone who can reach it can register and delete schemas")
	} else {
		logger.Info("authentication required", "auth_file", opts.AuthFile)
	}
	logger.Info("schema registry listening", "url", "http://"+ln.Addr().String(), "data", log.Path())
	err = api.Serve(ctx, ln, srv.Handler, logger)
	logger.Info("schema registry stopped")
	return err
}

// --- client commands ------------------------------------------------------

func (g *globals) srClient(auth *registryAuth) (*sr.Client, error) {
	pick := func(flag, env string) string {
		if flag != "" {
			return flag
		}
		return g.getenv(env)
	}
	opts := []sr.ClientOpt{sr.URLs(g.Registry), sr.UserAgent("edactl"), sr.HTTPClient(&http.Client{Timeout: 30 * time.Second})}
	if u := pick(auth.User, "EDACTL_REGISTRY_USER"); u != "" {
		opts = append(opts, sr.BasicAuth(u, pick(auth.Password, "EDACTL_REGISTRY_PASSWORD")))
	}
	if t := pick(auth.Token, "EDACTL_REGISTRY_TOKEN"); t != "" {
		opts = append(opts, sr.BearerToken(t))
	}
	return sr.NewClient(opts...)
}

// registryError adds the HTTP status and Confluent error code to a registry
// error, and names the registry when it cannot be reached.
func (g *globals) registryError(err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("registry %s: %s (HTTP %d, error_code %d)", g.Registry, re.Message, re.StatusCode, re.ErrorCode)
	}
	return fmt.Errorf("registry %s: %w", g.Registry, err)
}

func newRegistrySubjectsCmd(g *globals, auth *registryAuth) *cobra.Command {
	var prefix string
	var deleted bool
	cmd := &cobra.Command{
		Use:     "subjects",
		Short:   "List subjects",
		Example: "  edactl registry subjects\n  edactl registry subjects --prefix orders --deleted -o json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if deleted {
				ctx = sr.WithParams(ctx, sr.ShowDeleted)
			}
			if prefix != "" {
				ctx = sr.WithParams(ctx, sr.SubjectPrefix(prefix))
			}
			subjects, err := cl.Subjects(ctx)
			if err != nil {
				return g.registryError(err)
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), subjects)
			}
			for _, s := range subjects {
				fmt.Fprintln(cmd.OutOrStdout(), termtext.Quote(s))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "only subjects starting with this prefix")
	cmd.Flags().BoolVar(&deleted, "deleted", false, "include soft-deleted subjects")
	return cmd
}

func newRegistryVersionsCmd(g *globals, auth *registryAuth) *cobra.Command {
	var deleted bool
	cmd := &cobra.Command{
		Use:     "versions SUBJECT",
		Short:   "List the versions of a subject",
		Example: "  edactl registry versions orders-value\n  edactl registry versions orders-value --deleted -o json",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if deleted {
				ctx = sr.WithParams(ctx, sr.ShowDeleted)
			}
			versions, err := cl.SubjectVersions(ctx, args[0])
			if err != nil {
				return g.registryError(err)
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), versions)
			}
			for _, v := range versions {
				fmt.Fprintln(cmd.OutOrStdout(), v)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&deleted, "deleted", false, "include soft-deleted versions")
	return cmd
}

// parseVersionArg parses "latest", -1 or a positive version number.
func parseVersionArg(s string) (int, error) {
	if strings.EqualFold(s, "latest") {
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v == 0 || v < -1 {
		return 0, usageErrorf("invalid version %q: want a positive number or latest", s)
	}
	return v, nil
}

// subjectSchemaJSON is the -o json form of one version.
type subjectSchemaJSON struct {
	Subject    string               `json:"subject"`
	Version    int                  `json:"version"`
	ID         int                  `json:"id"`
	References []sr.SchemaReference `json:"references,omitempty"`
	Schema     json.RawMessage      `json:"schema"`
}

func newRegistryGetCmd(g *globals, auth *registryAuth) *cobra.Command {
	var deleted bool
	cmd := &cobra.Command{
		Use:   "get SUBJECT [VERSION]",
		Short: "Show one version of a subject (default: latest)",
		Long: `Show one version of a subject: a header line with subject, version and id,
then the schema, indented. -o json prints the version with the schema as a
JSON value.`,
		Example: "  edactl registry get orders-value\n  edactl registry get orders-value 2 -o json",
		Args:    rangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			version := -1
			if len(args) == 2 {
				if version, err = parseVersionArg(args[1]); err != nil {
					return err
				}
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if deleted {
				ctx = sr.WithParams(ctx, sr.ShowDeleted)
			}
			s, err := cl.SchemaByVersion(ctx, args[0], version)
			if err != nil {
				return g.registryError(err)
			}
			w := cmd.OutOrStdout()
			if out == "json" {
				raw := json.RawMessage(s.Schema.Schema)
				if !json.Valid(raw) {
					raw, _ = json.Marshal(s.Schema.Schema)
				}
				return writeJSON(w, subjectSchemaJSON{Subject: s.Subject, Version: s.Version, ID: s.ID, References: s.References, Schema: raw})
			}
			fmt.Fprintf(w, "subject %s version %d id %d\n", termtext.Quote(s.Subject), s.Version, s.ID)
			for _, r := range s.References {
				fmt.Fprintf(w, "reference %s -> %s version %d\n", termtext.Quote(r.Name), termtext.Quote(r.Subject), r.Version)
			}
			var pretty strings.Builder
			if err := indentJSON(&pretty, s.Schema.Schema); err != nil {
				pretty.WriteString(s.Schema.Schema)
			}
			fmt.Fprintln(w, termtext.Escape(strings.TrimRight(pretty.String(), "\n")))
			return nil
		},
	}
	cmd.Flags().BoolVar(&deleted, "deleted", false, "also find soft-deleted versions")
	return cmd
}

func indentJSON(w io.Writer, s string) error {
	var v json.RawMessage
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type registerOptions struct {
	References []string
	Normalize  bool
}

// parseReference parses NAME=SUBJECT:VERSION.
func parseReference(s string) (sr.SchemaReference, error) {
	name, rest, ok := strings.Cut(s, "=")
	i := strings.LastIndexByte(rest, ':')
	if !ok || name == "" || i <= 0 {
		return sr.SchemaReference{}, usageErrorf("invalid --reference %q: want NAME=SUBJECT:VERSION", s)
	}
	v, err := parseVersionArg(rest[i+1:])
	if err != nil {
		return sr.SchemaReference{}, usageErrorf("invalid --reference %q: %v", s, err)
	}
	return sr.SchemaReference{Name: name, Subject: rest[:i], Version: v}, nil
}

func newRegistryRegisterCmd(g *globals, auth *registryAuth) *cobra.Command {
	opts := &registerOptions{}
	cmd := &cobra.Command{
		Use:   "register SUBJECT FILE",
		Short: "Register an Avro schema under a subject",
		Long: `Register the Avro schema in FILE ("-" for stdin) under SUBJECT. Registering
a schema that is already the subject's version is a no-op that returns its
id. An incompatible schema fails with exit status 1 and the registry's
explanation of every incompatibility.`,
		Example: `  edactl registry register orders-value schemas/shop/order/v2.avsc
  edactl registry register order-value order.avsc --reference shop.Money=money-value:1
  cat v3.avsc | edactl registry register orders-value - -o json`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			var data []byte
			if args[1] == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(args[1])
			}
			if err != nil {
				return &usageError{err}
			}
			if _, err := avroschema.Parse(string(data)); err != nil && len(opts.References) == 0 {
				return usageErrorf("%s: %w", args[1], err)
			}
			schema := sr.Schema{Schema: string(data)}
			for _, r := range opts.References {
				ref, err := parseReference(r)
				if err != nil {
					return err
				}
				schema.References = append(schema.References, ref)
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if opts.Normalize {
				ctx = sr.WithParams(ctx, sr.Normalize)
			}
			ss, err := cl.CreateSchema(ctx, args[0], schema)
			if err != nil {
				return g.registryError(err)
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"subject": ss.Subject, "version": ss.Version, "id": ss.ID})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "registered %s version %d id %d\n", termtext.Quote(ss.Subject), ss.Version, ss.ID)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&opts.References, "reference", nil, "schema reference NAME=SUBJECT:VERSION (repeatable)")
	cmd.Flags().BoolVar(&opts.Normalize, "normalize", false, "register the normalized form")
	return cmd
}

func newRegistryDeleteCmd(g *globals, auth *registryAuth) *cobra.Command {
	var permanent bool
	var version string
	cmd := &cobra.Command{
		Use:   "delete SUBJECT",
		Short: "Delete a subject or one of its versions (soft, or --permanent)",
		Long: `Soft delete a subject (every version) or one --version. Soft-deleted
versions disappear from listings and compatibility checks but their ids still
resolve. --permanent removes what was soft deleted before, for good.`,
		Example: "  edactl registry delete orders-value\n  edactl registry delete orders-value --permanent\n  edactl registry delete orders-value --version 2",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			how := sr.SoftDelete
			if permanent {
				how = sr.HardDelete
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			var deleted []int
			if version != "" {
				v, err := parseVersionArg(version)
				if err != nil {
					return err
				}
				var n int
				if err := cl.Do(withDelete(cmd.Context(), permanent), http.MethodDelete, versionPath(args[0], v), nil, &n); err != nil {
					return g.registryError(err)
				}
				deleted = []int{n}
			} else if deleted, err = cl.DeleteSubject(cmd.Context(), args[0], how); err != nil {
				return g.registryError(err)
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"subject": args[0], "deleted": deleted, "permanent": permanent})
			}
			kind := "soft deleted"
			if permanent {
				kind = "permanently deleted"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s versions %s\n", kind, termtext.Quote(args[0]), strings.Trim(fmt.Sprint(deleted), "[]"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&permanent, "permanent", false, "hard delete (the versions must be soft deleted first)")
	cmd.Flags().StringVar(&version, "version", "", "delete only this version (a number or latest)")
	return cmd
}

func withDelete(ctx context.Context, permanent bool) context.Context {
	if permanent {
		return sr.WithParams(ctx, sr.RawParams(map[string][]string{"permanent": {"true"}}))
	}
	return ctx
}

func versionPath(subject string, v int) string {
	vs := strconv.Itoa(v)
	if v == -1 {
		vs = "latest"
	}
	return "/subjects/" + url.PathEscape(subject) + "/versions/" + vs
}

func newRegistryConfigCmd(g *globals, auth *registryAuth) *cobra.Command {
	var set string
	cmd := &cobra.Command{
		Use:   "config [SUBJECT]",
		Short: "Show or set the compatibility level (global, or of a subject)",
		Long: `Show the compatibility level of SUBJECT (the level that applies to it,
falling back to the global one), or the global level; --set changes it.`,
		Example: "  edactl registry config\n  edactl registry config orders-value --set FULL_TRANSITIVE\n  edactl registry config orders-value -o json",
		Args:    maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			var subjects []string
			subject := "(global)"
			if len(args) == 1 {
				subjects, subject = args, args[0]
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			var level sr.CompatibilityLevel
			if set != "" {
				l, err := compat.ParseLevel(set)
				if err != nil {
					return &usageError{err}
				}
				if err := level.UnmarshalText([]byte(l)); err != nil {
					return &usageError{err}
				}
				res := cl.SetCompatibility(cmd.Context(), sr.SetCompatibility{Level: level}, subjects...)
				if res[0].Err != nil {
					return g.registryError(res[0].Err)
				}
			} else {
				res := cl.Compatibility(sr.WithParams(cmd.Context(), sr.DefaultToGlobal), subjects...)
				if res[0].Err != nil {
					return g.registryError(res[0].Err)
				}
				level = res[0].Level
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"subject": subject, "compatibility": level.String()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", termtext.Quote(subject), level)
			return nil
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "set the level: "+levelNames())
	return cmd
}

func newRegistryModeCmd(g *globals, auth *registryAuth) *cobra.Command {
	var set string
	var force bool
	cmd := &cobra.Command{
		Use:   "mode [SUBJECT]",
		Short: "Show or set the registry mode (READWRITE, READONLY, IMPORT)",
		Long: `Show the mode that applies to SUBJECT, or the global mode; --set changes it.
IMPORT (for migrating with ids kept) requires --force while subjects exist.`,
		Example: "  edactl registry mode\n  edactl registry mode --set READONLY\n  edactl registry mode --set IMPORT --force -o json",
		Args:    maximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.output()
			if err != nil {
				return err
			}
			subject := "(global)"
			if len(args) == 1 {
				subject = args[0]
			}
			cl, err := g.srClient(auth)
			if err != nil {
				return err
			}
			var res []sr.ModeResult
			if set != "" {
				m, err := registry.ParseMode(set)
				if err != nil {
					return usageErrorf("invalid mode %q: want READWRITE, READONLY, READONLY_OVERRIDE, IMPORT or FORWARD", set)
				}
				var mode sr.Mode
				if err := mode.UnmarshalText([]byte(m)); err != nil {
					return &usageError{err}
				}
				ctx := cmd.Context()
				if force {
					ctx = sr.WithParams(ctx, sr.Force)
				}
				res = cl.SetMode(ctx, mode, args...)
			} else {
				res = cl.Mode(sr.WithParams(cmd.Context(), sr.DefaultToGlobal), args...)
			}
			if res[0].Err != nil {
				return g.registryError(res[0].Err)
			}
			if out == "json" {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"subject": subject, "mode": res[0].Mode.String()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", termtext.Quote(subject), res[0].Mode)
			return nil
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "set the mode")
	cmd.Flags().BoolVar(&force, "force", false, "allow IMPORT while subjects exist")
	return cmd
}
