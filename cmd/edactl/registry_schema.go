package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/registry/compat"
)

// The `edactl registry schema` (a schema by global id) and `edactl registry
// compat` (an online compatibility test without registering) commands, and
// the parser of the registry's verbose compatibility messages they share
// with `registry register`.

// --- schema ----------------------------------------------------------------

// registrySchemaOptions are the arguments and flags of `edactl registry
// schema`.
type registrySchemaOptions struct {
	ID      int
	Subject string
}

func newRegistrySchemaCmd(g *globals) *cobra.Command {
	opts := &registrySchemaOptions{}
	cmd := &cobra.Command{
		Use:   "schema ID",
		Short: "Show a schema by its global id",
		Long: `Show the schema with global id ID (GET /schemas/ids/ID), indented. --subject
looks the id up in that subject's context. -o json prints the registry's
answer as it is.`,
		Example: "  edactl registry schema 1\n  edactl registry schema 1 --subject orders.placed-value -o json",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.Atoi(args[0])
			if err != nil || id < 0 {
				return usageErrorf("invalid schema id %q: want a number (0 or more)", args[0])
			}
			opts.ID = id
			out, err := g.output()
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistrySchema(cmd.Context(), r, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Subject, "subject", "", "look the id up in this subject's context")
	return cmd
}

func runRegistrySchema(ctx context.Context, r registryCall, opts *registrySchemaOptions) error {
	if opts.Subject != "" {
		ctx = sr.WithParams(ctx, sr.RawParams(url.Values{"subject": {opts.Subject}}))
	}
	var raw json.RawMessage
	if err := r.cl.Do(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(opts.ID), nil, &raw); err != nil {
		return r.fail(err)
	}
	if r.format == "json" {
		var pretty strings.Builder
		if err := indentJSON(&pretty, string(raw)); err != nil {
			return fmt.Errorf("registry %s: schema id %d: answer is not JSON: %w", r.url, opts.ID, err)
		}
		_, err := io.WriteString(r.w, pretty.String())
		return err
	}
	var s sr.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("registry %s: schema id %d: %w", r.url, opts.ID, err)
	}
	for _, ref := range s.References {
		fmt.Fprintf(r.w, "reference %s -> %s version %d\n", termtext.Quote(ref.Name), termtext.Quote(ref.Subject), ref.Version)
	}
	var pretty strings.Builder
	if err := indentJSON(&pretty, s.Schema); err != nil {
		pretty.WriteString(s.Schema)
	}
	fmt.Fprintln(r.w, termtext.Escape(strings.TrimRight(pretty.String(), "\n")))
	return nil
}

// --- compat ----------------------------------------------------------------

// registryCompatOptions are the arguments and flags of `edactl registry
// compat`.
type registryCompatOptions struct {
	Subject string
	File    string // "-": stdin
	Version string // a number or latest; empty: every version registration checks
}

func newRegistryCompatCmd(g *globals) *cobra.Command {
	opts := &registryCompatOptions{}
	cmd := &cobra.Command{
		Use:   "compat SUBJECT FILE",
		Short: "Test a local schema against a live subject, without registering",
		Long: `Ask the registry whether the Avro schema in FILE ("-" for stdin) is
compatible with SUBJECT under the subject's compatibility level, without
registering it (POST /compatibility/subjects/SUBJECT/versions/V?verbose=true).
Without --version it is tested against every version registration would
check; --version N (or latest) tests it against that one version.

Every incompatibility is printed as 'edactl compat' prints it:

  <path>: <RULE>: <explanation>

Exit status: 0 compatible, 1 incompatible, 2 usage error.`,
		Example: `  # Compatible (exit 0), then incompatible with the latest version (exit 1)
  edactl registry compat orders.placed-value schemas/examples/schemas/orders/order-placed/v3.avsc
  edactl registry compat orders.placed-value schemas/examples/schemas/orders/order-placed/v1.avsc --version latest -o json`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Subject, opts.File = args[0], args[1]
			out, err := g.output()
			if err != nil {
				return err
			}
			version := 0
			if opts.Version != "" {
				if version, err = parseVersionArg(opts.Version); err != nil {
					return err
				}
			}
			schema, err := (&registerOptions{File: opts.File}).schema(cmd.InOrStdin())
			if err != nil {
				return err
			}
			r, err := g.registryCall(cmd, out)
			if err != nil {
				return err
			}
			return runRegistryCompat(cmd.Context(), r, opts, version, schema)
		},
	}
	cmd.Flags().StringVar(&opts.Version, "version", "", "test against this version only (a number or latest)")
	return cmd
}

// compatAnswer is the registry's answer to a verbose compatibility test.
type compatAnswer struct {
	IsCompatible bool     `json:"is_compatible"`
	Messages     []string `json:"messages,omitempty"`
}

// registryCompatJSON is the -o json form of `edactl registry compat`.
type registryCompatJSON struct {
	Subject           string                   `json:"subject"`
	File              string                   `json:"file"`
	Compatible        bool                     `json:"compatible"`
	Incompatibilities []compat.Incompatibility `json:"incompatibilities"`
	Messages          []string                 `json:"messages"`
}

func runRegistryCompat(ctx context.Context, r registryCall, opts *registryCompatOptions, version int, schema sr.Schema) error {
	path := "/compatibility/subjects/" + url.PathEscape(opts.Subject) + "/versions"
	if version != 0 {
		path = versionPath(opts.Subject, version)
		path = "/compatibility" + path
	}
	ctx = sr.WithParams(ctx, sr.RawParams(url.Values{"verbose": {"true"}}))
	var ans compatAnswer
	if err := r.cl.Do(ctx, http.MethodPost, path, schema, &ans); err != nil {
		return r.fail(err)
	}
	rep := parseCompatMessages(ans.Messages)
	rep.Compatible = ans.IsCompatible
	if r.format == "json" {
		out := registryCompatJSON{Subject: opts.Subject, File: opts.File, Compatible: ans.IsCompatible,
			Incompatibilities: rep.Incompatibilities(), Messages: ans.Messages}
		if out.Incompatibilities == nil {
			out.Incompatibilities = []compat.Incompatibility{}
		}
		if out.Messages == nil {
			out.Messages = []string{}
		}
		if err := writeJSON(r.w, out); err != nil {
			return err
		}
	} else if err := writeCompatAnswer(r.w, opts.File, opts.Subject, rep, ans.Messages); err != nil {
		return err
	}
	if !ans.IsCompatible {
		return errCheckFailed
	}
	return nil
}

// writeCompatAnswer prints a parsed verbose answer with compat.Report's
// printer, naming the versions compared against "SUBJECT version N"; the
// raw messages are printed when none of them could be parsed.
func writeCompatAnswer(w io.Writer, file, subject string, rep parsedCompat, raw []string) error {
	if rep.Compatible {
		_, err := fmt.Fprintf(w, "%s is compatible with %s\n", file, termtext.Quote(subject))
		return err
	}
	if len(rep.Incompatibilities()) == 0 {
		fmt.Fprintf(w, "%s is incompatible with %s:\n", file, termtext.Quote(subject))
		for _, m := range raw {
			fmt.Fprintf(w, "  %s\n", termtext.Escape(m))
		}
		return nil
	}
	names := make([]string, len(rep.versions))
	for i, v := range rep.versions {
		names[i] = fmt.Sprintf("%s version %d", subject, v)
		if v == 0 {
			names[i] = subject
		}
	}
	return rep.WriteText(w, file, names)
}

// parsedCompat is a compat.Report rebuilt from a registry's verbose
// messages, with the version each comparison was made against.
type parsedCompat struct {
	compat.Report
	versions []int
}

var (
	compatDescRe   = regexp.MustCompile(`^(.*?): (.*) \(at path '([^']*)' in the (new|old) schema\)$`)
	compatAtPathRe = regexp.MustCompile(`at path '([^']*)' in the (new|old) schema`)
	compatInfoRe   = regexp.MustCompile(`^reader type: (.*), writer type: (.*)$`)
)

// parseCompatMessages rebuilds a report from Confluent-style verbose
// compatibility messages: {errorType:…, description:…} entries, each group
// closed by {oldSchemaVersion: N}, then {…compatibility: 'LEVEL'}. edactl's
// registry writes descriptions as "PATH: MESSAGE (at path 'POINTER' in the
// new schema)"; other registries' descriptions become the message, with
// the pointer as path.
func parseCompatMessages(msgs []string) parsedCompat {
	var out parsedCompat
	var cur *compat.Comparison
	flush := func(version int) {
		if cur == nil {
			return
		}
		cur.Against = len(out.versions)
		out.Comparisons = append(out.Comparisons, *cur)
		out.versions = append(out.versions, version)
		cur = nil
	}
	for _, m := range msgs {
		if strings.HasPrefix(m, "{oldSchema:") {
			continue // the old schema's text: nothing to report from it
		}
		if v, ok := quotedField(m, "compatibility:"); ok {
			out.Level = compat.Level(v)
			continue
		}
		if v, ok := bareField(m, "oldSchemaVersion:"); ok {
			n, _ := strconv.Atoi(v)
			flush(n)
			continue
		}
		rule, ok := quotedField(m, "errorType:")
		if !ok {
			continue
		}
		desc, _ := quotedField(m, "description:")
		is := compat.Incompatibility{Rule: compat.Rule(rule), Message: desc}
		if info, ok := quotedField(m, "additionalInfo:"); ok {
			if sm := compatInfoRe.FindStringSubmatch(info); sm != nil {
				is.Reader, is.Writer = sm[1], sm[2]
			}
		}
		dir := compat.DirBackward
		if sm := compatDescRe.FindStringSubmatch(desc); sm != nil {
			is.Path, is.Message, is.Pointer = sm[1], sm[2], sm[3]
			if sm[4] == "old" {
				dir = compat.DirForward
			}
		} else if sm := compatAtPathRe.FindStringSubmatch(desc); sm != nil {
			is.Path, is.Pointer = sm[1], sm[1]
			if sm[2] == "old" {
				dir = compat.DirForward
			}
		}
		if cur != nil && cur.Direction != dir {
			// A new direction against the same version: its own comparison.
			c := *cur
			c.Against = len(out.versions)
			out.Comparisons = append(out.Comparisons, c)
			out.versions = append(out.versions, -1)
			cur = nil
		}
		if cur == nil {
			cur = &compat.Comparison{Direction: dir}
		}
		cur.Incompatibilities = append(cur.Incompatibilities, is)
	}
	flush(0)
	// A comparison split by direction takes the version of the one after it.
	for i := len(out.versions) - 2; i >= 0; i-- {
		if out.versions[i] == -1 {
			out.versions[i] = out.versions[i+1]
		}
	}
	return out
}

// quotedField returns the '…' value after key in a verbose message, with
// \' unescaped.
func quotedField(m, key string) (string, bool) {
	i := strings.Index(m, key)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimLeft(m[i+len(key):], " ")
	if !strings.HasPrefix(rest, "'") {
		return "", false
	}
	var b strings.Builder
	for j := 1; j < len(rest); j++ {
		switch {
		case rest[j] == '\\' && j+1 < len(rest) && rest[j+1] == '\'':
			b.WriteByte('\'')
			j++
		case rest[j] == '\'':
			// The closing quote is followed by ", key:" or "}"; a quote
			// inside (as in "at path '/fields/1'") is not.
			after := rest[j+1:]
			if strings.HasPrefix(after, "}") || strings.HasPrefix(after, ", ") && strings.Contains(after[:min(len(after), 40)], ":") && isKeyStart(after[2:]) {
				return b.String(), true
			}
			b.WriteByte('\'')
		default:
			b.WriteByte(rest[j])
		}
	}
	return b.String(), true
}

// isKeyStart says whether s starts with "identifier:".
func isKeyStart(s string) bool {
	for i, c := range s {
		switch {
		case c == ':' && i > 0:
			return true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return false
}

// bareField returns the unquoted value after key, up to '}' or ','.
func bareField(m, key string) (string, bool) {
	i := strings.Index(m, key)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimLeft(m[i+len(key):], " ")
	if j := strings.IndexAny(rest, ",}"); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimSpace(rest), true
}

// compatEntryStarts are how the entries of a verbose compatibility answer
// begin.
var compatEntryStarts = []string{"{errorType:", "{oldSchemaVersion:", "{oldSchema:", "{validateFields:", "{compatibility:"}

// splitCompatDetails splits the details of a 409 "…details: [{…}, {…}]"
// registration error into its messages; ok is false when there are none.
// Entries are cut where a known entry start follows ", " (an old schema's
// text may hold quotes and braces of its own).
func splitCompatDetails(msg string) ([]string, bool) {
	i := strings.Index(msg, "details: [")
	if i < 0 || !strings.HasSuffix(msg, "]") {
		return nil, false
	}
	body := msg[i+len("details: [") : len(msg)-1]
	isStart := func(s string) bool {
		for _, p := range compatEntryStarts {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
		return false
	}
	if !isStart(body) {
		return nil, false
	}
	var out []string
	start := 0
	for j := 1; j < len(body); j++ {
		if body[j] == '{' && strings.HasSuffix(body[:j], "}, ") && isStart(body[j:]) {
			out = append(out, body[start:j-2])
			start = j
		}
	}
	out = append(out, body[start:])
	return out, true
}
