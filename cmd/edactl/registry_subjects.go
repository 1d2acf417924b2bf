package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/termtext"
)

// The subject and version commands of `edactl registry`: subjects,
// versions, get, register and delete.

// --- subjects --------------------------------------------------------------

// registrySubjectsOptions are the flags of `edactl registry subjects`.
type registrySubjectsOptions struct {
	Prefix  string
	Deleted bool
}

func newRegistrySubjectsCmd(g *globals) *cobra.Command {
	opts := &registrySubjectsOptions{}
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
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistrySubjects(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Prefix, "prefix", "", "only subjects starting with this prefix")
	cmd.Flags().BoolVar(&opts.Deleted, "deleted", false, "include soft-deleted subjects")
	return cmd
}

func runRegistrySubjects(ctx context.Context, r registryCall, opts *registrySubjectsOptions) error {
	if opts.Deleted {
		ctx = sr.WithParams(ctx, sr.ShowDeleted)
	}
	if opts.Prefix != "" {
		ctx = sr.WithParams(ctx, sr.SubjectPrefix(opts.Prefix))
	}
	subjects, err := r.cl.Subjects(ctx)
	if err != nil {
		return r.fail(err)
	}
	if r.format == "json" {
		return writeJSON(r.w, subjects)
	}
	for _, s := range subjects {
		fmt.Fprintln(r.w, termtext.Quote(s))
	}
	return nil
}

// --- versions --------------------------------------------------------------

// registryVersionsOptions are the arguments and flags of `edactl registry
// versions`.
type registryVersionsOptions struct {
	Subject string
	Deleted bool
}

func newRegistryVersionsCmd(g *globals) *cobra.Command {
	opts := &registryVersionsOptions{}
	cmd := &cobra.Command{
		Use:     "versions SUBJECT",
		Short:   "List the versions of a subject",
		Example: "  edactl registry versions orders-value\n  edactl registry versions orders-value --deleted -o json",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subject = args[0]
			out, err := g.output()
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistryVersions(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Deleted, "deleted", false, "include soft-deleted versions")
	return cmd
}

func runRegistryVersions(ctx context.Context, r registryCall, opts *registryVersionsOptions) error {
	if opts.Deleted {
		ctx = sr.WithParams(ctx, sr.ShowDeleted)
	}
	versions, err := r.cl.SubjectVersions(ctx, opts.Subject)
	if err != nil {
		return r.fail(err)
	}
	if r.format == "json" {
		return writeJSON(r.w, versions)
	}
	for _, v := range versions {
		fmt.Fprintln(r.w, v)
	}
	return nil
}

// --- get -------------------------------------------------------------------

// registryGetOptions are the arguments and flags of `edactl registry get`.
type registryGetOptions struct {
	Subject string
	Version int // -1: latest
	Deleted bool
}

// parse reads SUBJECT [VERSION].
func (o *registryGetOptions) parse(args []string) error {
	o.Subject, o.Version = args[0], -1
	if len(args) == 2 {
		v, err := parseVersionArg(args[1])
		if err != nil {
			return err
		}
		o.Version = v
	}
	return nil
}

// subjectSchemaJSON is the -o json form of one version.
type subjectSchemaJSON struct {
	Subject    string               `json:"subject"`
	Version    int                  `json:"version"`
	ID         int                  `json:"id"`
	References []sr.SchemaReference `json:"references,omitempty"`
	Schema     json.RawMessage      `json:"schema"`
}

func newRegistryGetCmd(g *globals) *cobra.Command {
	opts := &registryGetOptions{}
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
			if err := opts.parse(args); err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistryGet(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Deleted, "deleted", false, "also find soft-deleted versions")
	return cmd
}

func runRegistryGet(ctx context.Context, r registryCall, opts *registryGetOptions) error {
	if opts.Deleted {
		ctx = sr.WithParams(ctx, sr.ShowDeleted)
	}
	s, err := r.cl.SchemaByVersion(ctx, opts.Subject, opts.Version)
	if err != nil {
		return r.fail(err)
	}
	if r.format == "json" {
		raw := json.RawMessage(s.Schema.Schema)
		if !json.Valid(raw) {
			raw, _ = json.Marshal(s.Schema.Schema)
		}
		return writeJSON(r.w, subjectSchemaJSON{Subject: s.Subject, Version: s.Version, ID: s.ID, References: s.References, Schema: raw})
	}
	fmt.Fprintf(r.w, "subject %s version %d id %d\n", termtext.Quote(s.Subject), s.Version, s.ID)
	for _, ref := range s.References {
		fmt.Fprintf(r.w, "reference %s -> %s version %d\n", termtext.Quote(ref.Name), termtext.Quote(ref.Subject), ref.Version)
	}
	var pretty strings.Builder
	if err := indentJSON(&pretty, s.Schema.Schema); err != nil {
		pretty.WriteString(s.Schema.Schema)
	}
	fmt.Fprintln(r.w, termtext.Escape(strings.TrimRight(pretty.String(), "\n")))
	return nil
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

// --- register --------------------------------------------------------------

// registerOptions are the arguments and flags of `edactl registry
// register`.
type registerOptions struct {
	Subject    string
	File       string // "-": stdin
	References []string
	Normalize  bool
}

// schema reads and checks the schema to register, from in when File is
// "-".
func (o *registerOptions) schema(in io.Reader) (sr.Schema, error) {
	var data []byte
	var err error
	if o.File == "-" {
		data, err = io.ReadAll(in)
	} else {
		data, err = os.ReadFile(o.File)
	}
	if err != nil {
		return sr.Schema{}, &usageError{err}
	}
	// A schema with references names types it does not define: only the
	// registry can resolve them.
	if _, err := avroschema.Parse(string(data)); err != nil && len(o.References) == 0 {
		return sr.Schema{}, usageErrorf("%s: %w", o.File, err)
	}
	schema := sr.Schema{Schema: string(data)}
	for _, r := range o.References {
		ref, err := parseReference(r)
		if err != nil {
			return sr.Schema{}, err
		}
		schema.References = append(schema.References, ref)
	}
	return schema, nil
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

func newRegistryRegisterCmd(g *globals) *cobra.Command {
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
			opts.Subject, opts.File = args[0], args[1]
			out, err := g.output()
			if err != nil {
				return err
			}
			schema, err := opts.schema(cmd.InOrStdin())
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistryRegister(cmd.Context(), r, opts, schema)
		},
	}
	cmd.Flags().StringArrayVar(&opts.References, "reference", nil, "schema reference NAME=SUBJECT:VERSION (repeatable)")
	cmd.Flags().BoolVar(&opts.Normalize, "normalize", false, "register the normalized form")
	return cmd
}

func runRegistryRegister(ctx context.Context, r registryCall, opts *registerOptions, schema sr.Schema) error {
	if opts.Normalize {
		ctx = sr.WithParams(ctx, sr.Normalize)
	}
	// Register, then ask the subject for the version: the id's usages
	// (what sr's CreateSchema reads back) are those of the default context
	// only, so a subject in another context (:.team:orders-value), whose
	// ids are its context's own, would not be found there.
	ss, err := registerAndLookUp(ctx, r.cl, opts.Subject, schema)
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusConflict && r.format != "json" {
		// An incompatible schema: print its problems as 'edactl compat'
		// does, when the registry's details can be read.
		if msgs, ok := splitCompatDetails(re.Message); ok {
			if rep := parseCompatMessages(msgs); len(rep.Incompatibilities()) > 0 {
				if werr := writeCompatAnswer(r.w, opts.File, opts.Subject, rep, msgs); werr != nil {
					return werr
				}
				return fmt.Errorf("registry %s: %s is incompatible with an earlier schema for subject %s (HTTP %d, error_code %d)", r.url, opts.File, termtext.Quote(opts.Subject), re.StatusCode, re.ErrorCode)
			}
		}
	}
	if err != nil {
		return r.fail(err)
	}
	if r.format == "json" {
		return writeJSON(r.w, map[string]any{"subject": ss.Subject, "version": ss.Version, "id": ss.ID})
	}
	fmt.Fprintf(r.w, "registered %s version %d id %d\n", termtext.Quote(ss.Subject), ss.Version, ss.ID)
	return nil
}

// registerAndLookUp registers schema under subject and returns its id and
// version in the subject.
func registerAndLookUp(ctx context.Context, cl *sr.Client, subject string, schema sr.Schema) (sr.SubjectSchema, error) {
	id, err := cl.RegisterSchema(ctx, subject, schema, -1, -1)
	if err != nil {
		return sr.SubjectSchema{}, err
	}
	ss, err := cl.LookupSchema(ctx, subject, schema)
	if err != nil {
		return sr.SubjectSchema{}, fmt.Errorf("registered under id %d, then: %w", id, err)
	}
	return ss, nil
}

// --- delete ----------------------------------------------------------------

// registryDeleteOptions are the arguments and flags of `edactl registry
// delete`.
type registryDeleteOptions struct {
	Subject   string
	Permanent bool
	Version   string // flag value: empty for the whole subject
	version   int    // parsed Version
}

// parse checks --version.
func (o *registryDeleteOptions) parse() error {
	if o.Version == "" {
		return nil
	}
	v, err := parseVersionArg(o.Version)
	if err != nil {
		return err
	}
	o.version = v
	return nil
}

// how is the sr form of --permanent.
func (o *registryDeleteOptions) how() sr.DeleteHow {
	if o.Permanent {
		return sr.HardDelete
	}
	return sr.SoftDelete
}

func newRegistryDeleteCmd(g *globals) *cobra.Command {
	opts := &registryDeleteOptions{}
	cmd := &cobra.Command{
		Use:   "delete SUBJECT",
		Short: "Delete a subject or one of its versions (soft, or --permanent)",
		Long: `Soft delete a subject (every version) or one --version. Soft-deleted
versions disappear from listings and compatibility checks but their ids still
resolve. --permanent removes what was soft deleted before, for good.`,
		Example: "  edactl registry delete orders-value\n  edactl registry delete orders-value --permanent\n  edactl registry delete orders-value --version 2",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subject = args[0]
			out, err := g.output()
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			if err := opts.parse(); err != nil {
				return err
			}
			return runRegistryDelete(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Permanent, "permanent", false, "hard delete (the versions must be soft deleted first)")
	cmd.Flags().StringVar(&opts.Version, "version", "", "delete only this version (a number or latest)")
	return cmd
}

func runRegistryDelete(ctx context.Context, r registryCall, opts *registryDeleteOptions) error {
	var deleted []int
	if opts.Version != "" {
		var n int
		if err := r.cl.Do(withDelete(ctx, opts.how()), http.MethodDelete, versionPath(opts.Subject, opts.version), nil, &n); err != nil {
			return r.fail(err)
		}
		deleted = []int{n}
	} else {
		var err error
		if deleted, err = r.cl.DeleteSubject(ctx, opts.Subject, opts.how()); err != nil {
			return r.fail(err)
		}
	}
	if r.format == "json" {
		return writeJSON(r.w, map[string]any{"subject": opts.Subject, "deleted": deleted, "permanent": opts.Permanent})
	}
	kind := "soft deleted"
	if opts.Permanent {
		kind = "permanently deleted"
	}
	fmt.Fprintf(r.w, "%s %s versions %s\n", kind, termtext.Quote(opts.Subject), strings.Trim(fmt.Sprint(deleted), "[]"))
	return nil
}

// withDelete adds ?permanent=true to the request of a hard delete.
func withDelete(ctx context.Context, how sr.DeleteHow) context.Context {
	if how == sr.HardDelete {
		return sr.WithParams(ctx, sr.RawParams(map[string][]string{"permanent": {"true"}}))
	}
	return ctx
}

// versionPath is the API path of one version of subject (-1: latest).
func versionPath(subject string, v int) string {
	vs := strconv.Itoa(v)
	if v == -1 {
		vs = "latest"
	}
	return "/subjects/" + url.PathEscape(subject) + "/versions/" + vs
}
