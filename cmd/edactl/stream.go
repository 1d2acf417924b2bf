package main

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// Wiring for the stream commands (topics, groups, consume, produce, trace,
// rewind, replay): each builds one franz-go client per role it needs and
// closes them when it returns.

// roles says which clients a stream command needs.
type roles struct {
	admin, consumer, producer, registry bool
	// group, when set, makes the consumer a member of this group reading
	// groupTopics (reset to groupReset without a committed offset).
	group       string
	groupTopics []string
	groupReset  stream.Position
	// producerOpts and consumerOpts are extra options of the producer
	// and consumer clients.
	producerOpts, consumerOpts []kgo.Opt
}

// streamClient builds the clients the roles ask for and a stream.Client
// over them; closeAll releases everything. Diagnostics (warnings) go to
// cmd's stderr.
func (g *globals) streamClient(cmd *cobra.Command, r roles) (c *stream.Client, closeAll func(), err error) {
	conn := g.clientOptions()
	clients := &kafkaClients{opts: conn.Kafka}
	defer func() {
		if err != nil {
			clients.close()
		}
	}()
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := []stream.Option{stream.WithLogger(log)}
	if r.admin {
		cl, err := clients.add()
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, stream.WithAdmin(cl))
	}
	if r.consumer {
		var extra []kgo.Opt
		if r.group != "" {
			extra = stream.GroupOpts(r.group, r.groupTopics, r.groupReset, time.Now())
		}
		cl, err := clients.add(append(extra, r.consumerOpts...)...)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, stream.WithConsumer(cl))
	}
	if r.producer {
		cl, err := clients.add(r.producerOpts...)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, stream.WithProducer(cl))
	}
	// Without a registry URL, framed payloads are shown raw.
	if r.registry && len(conn.Registry.URLs) > 0 {
		conn.Registry.Timeout = decodeRegistryTimeout
		src, err := newRegistryClient(conn.Registry)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, stream.WithRegistry(serde.NewRegistry(src, serde.WithLogger(log))))
	}
	c, err = stream.New(opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, clients.close, nil
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parsePartitions parses "0,1,2".
func parsePartitions(s string) ([]int32, error) {
	var out []int32
	for _, f := range splitList(s) {
		p, err := strconv.ParseInt(f, 10, 32)
		if err != nil || p < 0 {
			return nil, usageErrorf("partition %q is not a partition number", f)
		}
		out = append(out, int32(p))
	}
	return out, nil
}

// progress prints progress lines on stderr: rewritten in place on a
// terminal, otherwise one line at most every few seconds.
type progress struct {
	w     io.Writer
	tty   bool
	last  time.Time
	width int
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w)}
}

func (p *progress) update(line string) {
	if p.tty {
		pad := ""
		if n := p.width - len(line); n > 0 {
			pad = strings.Repeat(" ", n)
		}
		p.width = len(line)
		fmt.Fprintf(p.w, "\r%s%s", line, pad)
		return
	}
	if time.Since(p.last) < 2*time.Second {
		return
	}
	p.last = time.Now()
	fmt.Fprintln(p.w, line)
}

func (p *progress) done(line string) {
	if p.tty {
		p.update(line)
		fmt.Fprintln(p.w)
		return
	}
	fmt.Fprintln(p.w, line)
}

func percent(n, total int64) string {
	if total <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f rec/s", float64(n)/d.Seconds())
}
