package stream

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

// Errors returned when a Client lacks the franz-go client an operation needs.
var (
	ErrNoAdmin    = errors.New("stream: no admin client configured")
	ErrNoConsumer = errors.New("stream: no consumer client configured")
	ErrNoProducer = errors.New("stream: no producer client configured")
)

// Client runs stream operations over injected franz-go clients. It holds no
// connections of its own: the caller builds the *kgo.Client of each role
// (usually with ClientOpts) and closes them when done. A Client is safe for
// concurrent use; reads (Consume, Trace, Replay) share its consumer client,
// so they wait for each other. Build a second Client over a second consumer
// client for reads that must run at the same time.
type Client struct {
	admin    *kadm.Client
	consumer *kgo.Client
	producer *kgo.Client
	reg      *serde.Registry
	plans    avrojson.Plans // render plans of the writer schemas seen
	unknown  *negativeCache
	log      *slog.Logger
	now      func() time.Time

	readMu sync.Mutex // one read at a time on the consumer client
}

// Option configures a Client.
type Option func(*Client)

// WithAdmin sets the client used for metadata, offset lookups, groups and
// admin offset commits. Default: none; operations that need it fail with
// ErrNoAdmin. Every operation except Produce needs it.
func WithAdmin(cl *kgo.Client) Option {
	return func(c *Client) {
		if cl != nil {
			c.admin = kadm.NewClient(cl)
		}
	}
}

// WithConsumer sets the client records are read with. For groupless reads
// (the default) it must be built without a consumer group and without topics
// to consume; for Consume with a group it must be built with GroupOpts.
// Default: none; reads fail with ErrNoConsumer.
func WithConsumer(cl *kgo.Client) Option { return func(c *Client) { c.consumer = cl } }

// WithProducer sets the client records are written with (Produce, Replay).
// Default: none; writes fail with ErrNoProducer.
func WithProducer(cl *kgo.Client) Option { return func(c *Client) { c.producer = cl } }

// WithRegistry sets the schema cache through which payloads in the
// Confluent wire format are decoded to JSON and Produce encodes. Default:
// none; framed payloads are shown raw (base64) and Produce can only write
// raw payloads.
func WithRegistry(r *serde.Registry) Option { return func(c *Client) { c.reg = r } }

// WithLogger sets the logger for diagnostics. Default: a logger that
// discards everything.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithClock sets the clock used for relative times (positions such as
// "@-1h", a trace's Since window, ByDuration rewinds). Default: time.Now.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a Client over the given role clients.
func New(opts ...Option) (*Client, error) {
	c := &Client{}
	for _, o := range opts {
		o(c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) validate() error {
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.unknown = &negativeCache{ttl: 10 * time.Second, now: c.now, m: map[int]negEntry{}}
	if c.consumer != nil {
		if g, _ := c.consumer.OptValue(kgo.ConsumerGroup).(string); g == "" {
			if ts, _ := c.consumer.OptValue(kgo.ConsumeTopics).([]string); len(ts) > 0 {
				return fmt.Errorf("stream: the groupless consumer client must not be built with ConsumeTopics (%v): reads assign their own partitions", ts)
			}
		}
	}
	return nil
}

// ClientOpts returns the franz-go options edactl builds every role client
// with: the seed brokers, read_committed fetches that keep control records
// (exact end-of-partition detection), and a bounded retry time so an
// unreachable cluster is reported instead of retried forever.
func ClientOpts(brokers []string, extra ...kgo.Opt) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.RetryTimeout(30 * time.Second),
		kgo.ClientID("edactl"),
	}
	return append(opts, extra...)
}

// GroupOpts returns the extra options of a consumer client that reads
// topics as member of group (Consume with a group): offsets are committed by
// stream after records were delivered, and a partition without a committed
// offset starts at reset (relative times are taken from now).
func GroupOpts(group string, topics []string, reset Position, now time.Time) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(reset.kgoOffset(now)),
		kgo.AutoCommitMarks(),
	}
}

func (c *Client) needAdmin() error {
	if c.admin == nil {
		return ErrNoAdmin
	}
	return nil
}
