package tui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Config is what Build needs to assemble edactl's UI.
type Config struct {
	// Ctx bounds every read and request (tea.WithContext's context).
	Ctx context.Context
	// Common holds the styles and keys (size is set on resize).
	Common *Common
	// Cluster answers the Topics, Groups and Rewind screens; Tracer the
	// Trace screen. One stream Client can be all of them.
	Topics  TopicLister
	Groups  GroupReader
	Rewinds Rewinder
	Tracer  Tracer
	// Tail reads the Messages screen's records; it must not be shared
	// with Tracer (see Reader).
	Tail Reader
	// Registry answers the Schemas screen and the registry health check.
	Registry RegistrySource
	// Brokers names the cluster on the status line; BrokerHealth checks it.
	Brokers      string
	BrokerHealth HealthFunc
	// Messages configures the Messages screen (buffer size, start).
	Messages MessagesOptions
	// Topic, when set, opens Messages on it at start.
	Topic string
	// UndoDir is where rewinds write their undo files (default
	// .edactl/rewinds).
	UndoDir string
	// Refresh is how often lists and health are refreshed (default 2s).
	Refresh time.Duration
	// Log, when set, records outages of the broker and the registry and
	// their recoveries (edactl tui --log-file).
	Log *slog.Logger
}

// Build assembles the app: Topics, Messages, Groups, Rewind, Trace and
// Schemas, in that order (keys 1..6).
func Build(cfg Config) *App {
	ctx := cfg.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	c := cfg.Common
	msgs := newMessagesScreen(ctx, c, cfg.Tail, cfg.Messages)
	screens := []screen{
		newTopicsScreen(ctx, c, cfg.Topics, cfg.Refresh, nil),
		msgs,
		newGroupsScreen(ctx, c, cfg.Groups, cfg.Refresh),
		newRewindScreen(ctx, c, cfg.Rewinds, cfg.UndoDir),
		newTraceScreen(ctx, c, cfg.Tracer),
		newSchemasScreen(ctx, c, cfg.Registry),
	}
	app := newApp(appOptions{Screens: screens, Common: c, Ctx: ctx, Brokers: cfg.Brokers, BrokerHealth: cfg.BrokerHealth,
		RegistryURL: cfg.Registry.URL(), RegistryHealth: cfg.Registry.Ping, HealthEvery: cfg.Refresh, Log: cfg.Log})
	if cfg.Topic != "" {
		app.start = &switchMsg{title: "Messages", msg: openTopicMsg{Topic: cfg.Topic}}
	}
	return app
}

// Run runs app full screen (the terminal's alternate screen) reading keys
// from in and drawing on out until the user quits or ctx ends (which is not
// an error).
func Run(ctx context.Context, app *App, in io.Reader, out io.Writer) error {
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithInput(in), tea.WithOutput(out))
	_, err := p.Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) that
// edactl tui runs under unless GOMEMLIMIT says otherwise. What the UI keeps
// is small (the Messages buffer: 10,000 records, some 25 MB), but a tail of
// 50,000 records/s makes some 150 MB/s of short-lived garbage (fetches,
// decoding, copies), and with the default GOGC alone the heap then peaks at
// 4–5 times what is live. The limit makes the collector run before that;
// it is soft, so bigger records still work, at the cost of more GC.
const MemoryLimit = 128 << 20
