package tui

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/stream"
)

// RegistrySource is what the UI reads from the schema registry.
type RegistrySource interface {
	// Subjects lists the live subjects.
	Subjects(ctx context.Context) ([]string, error)
	// Versions lists a subject's live versions, oldest first.
	Versions(ctx context.Context, subject string) ([]int, error)
	// Schema returns the schema text of a subject version.
	Schema(ctx context.Context, subject string, version int) (string, error)
	// Level returns the compatibility level in force for a subject (its
	// own, else the global one).
	Level(ctx context.Context, subject string) (string, error)
	// Ping reports whether the registry answers.
	Ping(ctx context.Context) error
	// URL names the registry for the status line.
	URL() string
}

// srSource implements RegistrySource over franz-go's pkg/sr client.
type srSource struct {
	cl  *sr.Client
	url string
}

// NewRegistrySource returns a RegistrySource backed by a pkg/sr client.
func NewRegistrySource(cl *sr.Client, url string) RegistrySource {
	return &srSource{cl: cl, url: url}
}

func (s *srSource) URL() string { return s.url }

func (s *srSource) Subjects(ctx context.Context) ([]string, error) { return s.cl.Subjects(ctx) }

func (s *srSource) Versions(ctx context.Context, subject string) ([]int, error) {
	return s.cl.SubjectVersions(ctx, subject)
}

func (s *srSource) Schema(ctx context.Context, subject string, version int) (string, error) {
	ss, err := s.cl.SchemaByVersion(ctx, subject, version)
	if err != nil {
		return "", err
	}
	return ss.Schema.Schema, nil
}

func (s *srSource) Level(ctx context.Context, subject string) (string, error) {
	res := s.cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), subject)
	if len(res) == 0 {
		return "", fmt.Errorf("no compatibility answer for %q", subject)
	}
	if res[0].Err != nil {
		return "", res[0].Err
	}
	return res[0].Level.String(), nil
}

func (s *srSource) Ping(ctx context.Context) error {
	_, err := s.cl.SupportedTypes(ctx)
	return err
}

// The Kafka side of the UI is read through these small interfaces, one per
// screen, so each screen names exactly what it uses. *stream.Client
// implements all of them; tests use real stream Clients over kfake.

// TopicLister lists topics for the Topics screen.
type TopicLister interface {
	ListTopics(ctx context.Context, internal bool) ([]stream.TopicSummary, error)
}

// GroupReader lists and describes consumer groups for the Groups screen.
type GroupReader interface {
	ListGroups(ctx context.Context) ([]stream.GroupSummary, error)
	DescribeGroup(ctx context.Context, group string) (*stream.GroupDetail, error)
}

// Rewinder plans and applies consumer group rewinds for the Rewind screen.
type Rewinder interface {
	PlanRewind(ctx context.Context, opts stream.RewindOptions) (*stream.Plan, error)
	ExecuteRewind(ctx context.Context, plan *stream.Plan, saveUndo func(*stream.Plan) error) (stream.RewindResult, error)
}

// Tracer follows one flow across topics for the Trace screen.
type Tracer interface {
	Trace(ctx context.Context, opts stream.TraceOptions) (*stream.Graph, error)
}

// Reader reads records for the Messages screen. A tail holds its reader for
// as long as it runs, so give the Messages screen a stream Client of its own
// (with its own consumer client): stream runs one read at a time per Client.
type Reader interface {
	Consume(ctx context.Context, opts stream.ConsumeOptions, deliver func(*stream.Record) error) (stream.ConsumeStats, error)
}

var (
	_ TopicLister = (*stream.Client)(nil)
	_ GroupReader = (*stream.Client)(nil)
	_ Rewinder    = (*stream.Client)(nil)
	_ Tracer      = (*stream.Client)(nil)
	_ Reader      = (*stream.Client)(nil)
)
