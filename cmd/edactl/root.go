package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/edactl/edactl/internal/termtext"
	"github.com/edactl/edactl/schemas"
)

// Exit codes. They are decided in one place, exitCode.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // a check failed (or the operation failed)
	exitUsage   = 2 // usage or configuration error
	defaultReg  = "http://127.0.0.1:8081"
	defaultBrok = "127.0.0.1:9092"
)

// Stdio holds the streams a command reads and writes. Commands never touch
// os.Stdout directly so tests can capture output.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// errCheckFailed is returned by commands whose report was already printed and
// whose verdict is "failed" (exit 1, nothing more to say on stderr).
var errCheckFailed = errors.New("check failed")

// globals are the options shared by every command, resolved with the
// precedence edactl.yaml < context < EDACTL_* environment < flags.
type globals struct {
	Registry    string
	Brokers     string
	ConfigPath  string
	ContextName string
	Output      string
	NoColor     bool

	// Config is the loaded edactl.yaml, or nil when there is none.
	Config *schemas.Config
	// sources records where each resolved setting came from
	// ("flag --x", "env EDACTL_X", "context NAME", the edactl.yaml path
	// or "default"), by setting key.
	sources map[string]string
	// flags are the connection settings' global flags; values are the
	// resolved settings by key (settings.go).
	flags  settingFlags
	values map[string]string
	// context is the named context in use, nil without one.
	context *activeContext
	// warned is set once the client settings' warnings were printed.
	warned bool
	// contextCommand is set for `edactl context ...`, which runs even
	// when the current context names one the file does not hold.
	contextCommand bool
	// configFlag is the global --config flag.
	configFlag *pflag.Flag

	io     Stdio
	getenv func(string) string
}

// Main runs edactl with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, stdio Stdio, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	g := &globals{io: stdio, getenv: getenv}
	return execute(ctx, newRootCmd(g), args, stdio.Err)
}

// execute runs the command tree root with args and returns the exit code;
// an error is printed on stderr.
func execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	ran, err := root.ExecuteContextC(ctx)
	if isCommandLineError(ran, err) {
		err = asUsage(err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%w (the server closed the connection: check the TLS settings, --kafka-tls and --kafka-ca-file, and the SASL credentials; see docs/security.md)", err)
	}
	return exitCode(err, stderr)
}

// exitCode maps an error to the process exit code and prints it as one
// line: 0 without an error, 1 for errCheckFailed (the report was printed)
// and for every error that is not a *usageError, 2 for usage errors.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errCheckFailed) {
		return exitFailed
	}
	// Errors can carry text from brokers, registries and records: one
	// line, control characters escaped.
	msg := termtext.Escape(strings.TrimSpace(err.Error()))
	fmt.Fprintf(stderr, "edactl: %s\n", strings.NewReplacer("\n", "; ", "\t", " ").Replace(msg))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailed
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "edactl",
		Short: "Schema registry, compatibility gate, code generator and stream tools for Kafka events",
		Long: `edactl is a toolchain for teams whose services talk through Kafka events.

It speaks the Confluent Schema Registry REST API, checks Avro schema changes
for compatibility with an explanation of every breaking change, generates Go
code from schema history, and lets you consume, trace and rewind event streams.

Configuration is read from edactl.yaml, then the named context (edactl
context), then EDACTL_* environment variables, then flags (later wins);
edactl config shows each value and where it came from. Kafka TLS and SASL
and the registry's TLS and credentials are global flags too (docs/security.md).`,
		Example: `  # Start a local broker and registry with the sample catalogue
  edactl dev

  # Check a new schema version against the previous one
  edactl compat --level BACKWARD v2.avsc v1.avsc`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		// The only PersistentPreRunE of the tree: cobra runs the nearest
		// one, so a subcommand with its own would skip this.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			g.contextCommand = cmd.Parent() != nil && cmd.Parent().Name() == "context"
			if err := g.resolve(cmd.Flags()); err != nil {
				return err
			}
			return validateFlagRules(cmd)
		},
	}
	root.SetIn(g.io.In)
	root.SetOut(g.io.Out)
	root.SetErr(g.io.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })

	pf := root.PersistentFlags()
	addSettingFlags(pf, g)
	pf.StringVar(&g.ConfigPath, "config", "", "config file (default ./edactl.yaml if present; env EDACTL_CONFIG)")
	g.configFlag = pf.Lookup("config")
	pf.StringVar(&g.ContextName, "context", "", "named context from the user config file (env EDACTL_CONTEXT; see edactl context)")
	pf.StringVarP(&g.Output, "output", "o", "text", "output format: text or json (some commands accept more)")
	pf.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR)")

	root.AddCommand(
		newVersionCmd(g),
		newCompatCmd(g),
		newConfigCmd(g),
		newContextCmd(g),
		newRegistryCmd(g),
		newDevCmd(g),
		newInitCmd(g),
		newCheckCmd(g),
		newPushCmd(g),
		newDocsCmd(g),
		newGenCmd(g),
		newTopicsCmd(g),
		newGroupsCmd(g),
		newConsumeCmd(g),
		newProduceCmd(g),
		newTraceCmd(g),
		newRewindCmd(g),
		newReplayCmd(g),
		newTransformCmd(g),
		newTUICmd(g),
	)
	registerCompletions(g, root)
	typeCompletionArgs(root)
	groupsRefuseUnknownCommands(root)
	return root
}

// groupsRefuseUnknownCommands makes every command group that does nothing
// itself (edactl registry, edactl context) print its help when run alone
// and refuse an unknown subcommand as the top level does: `unknown command
// "x" for "edactl registry"`, exit 2. Cobra would print the help and exit 0.
func groupsRefuseUnknownCommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() && !sub.Runnable() {
			sub.Args = noArgs()
			sub.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
		groupsRefuseUnknownCommands(sub)
	}
}

// resolve loads edactl.yaml and the context, and applies the precedence
// file < context < env < flags to the global options.
func (g *globals) resolve(flags *pflag.FlagSet) error {
	path := g.ConfigPath
	// The global --config (edactl.yaml); `topics create` has a local
	// --config of its own (topic configs), which does not count.
	explicit := g.configFlag != nil && g.configFlag.Changed
	if !explicit {
		if env := g.getenv("EDACTL_CONFIG"); env != "" {
			path, explicit = env, true
		} else {
			path = schemas.ConfigFile
		}
	}
	cfg, err := schemas.LoadConfig(path)
	switch {
	case err == nil:
		g.Config = cfg
		g.ConfigPath = path
	case errors.Is(err, os.ErrNotExist) && !explicit:
		g.ConfigPath = ""
	default:
		return &usageError{err}
	}

	g.sources = map[string]string{}
	if err := g.selectContext(flags.Changed("context")); err != nil {
		return err
	}
	if err := g.resolveSettings(flags); err != nil {
		return err
	}
	pick := func(name, env string, fromFile string, dst *string) {
		switch {
		case flags.Changed(name):
			g.sources[name] = "flag --" + name
		case g.getenv(env) != "":
			*dst = g.getenv(env)
			g.sources[name] = "env " + env
		case fromFile != "":
			*dst = fromFile
			g.sources[name] = g.ConfigPath
		default:
			g.sources[name] = "default"
		}
	}
	pick("output", "EDACTL_OUTPUT", "", &g.Output)
	if g.getenv("NO_COLOR") != "" || g.getenv("EDACTL_NO_COLOR") != "" {
		g.NoColor = true
	}
	return nil
}

// writeJSON writes v as indented JSON, the shape every -o json report has.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// output validates the -o flag against the formats a command supports.
func (g *globals) output(allowed ...string) (string, error) {
	if len(allowed) == 0 {
		allowed = []string{"text", "json"}
	}
	for _, a := range allowed {
		if g.Output == a {
			return a, nil
		}
	}
	return "", usageErrorf("invalid output format %q: want one of %s", g.Output, strings.Join(allowed, ", "))
}

// color reports whether coloured output is wanted on w.
func (g *globals) color(w io.Writer) bool {
	return !g.NoColor && isTerminal(w)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
