package tui

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
)

// tailProducerDriver names produceTail among the kfake helper's drivers.
const tailProducerDriver = "tail-producer"

// benchRecord is one record the helper producer cycles through.
type benchRecord struct {
	Key     string        `json:"key"`
	Value   []byte        `json:"value"`
	Headers []demo.Header `json:"headers"`
}

// produceTail is BenchmarkTail's producer, run in the kfake helper process
// so that its work does not count against the UI's. It creates the demo's
// orders topic (3 partitions), prints "READY", then for each "RUN ms" line
// produces the records of the JSON file EDACTL_TAIL_RECORDS, cycled, at
// EDACTL_TAIL_RATE records/s for ms milliseconds, and prints "PRODUCED n":
// how many the broker acknowledged.
func produceTail(ctx context.Context, brokers []string, in io.Reader, out io.Writer) error {
	var recs []benchRecord
	b, err := os.ReadFile(os.Getenv("EDACTL_TAIL_RECORDS"))
	if err == nil {
		err = json.Unmarshal(b, &recs)
	}
	if err != nil {
		return fmt.Errorf("read the records to produce: %w", err)
	}
	if len(recs) == 0 {
		return fmt.Errorf("no records to produce in %s", os.Getenv("EDACTL_TAIL_RECORDS"))
	}
	rate := envInt("EDACTL_TAIL_RATE", 50_000)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerLinger(2*time.Millisecond),
		kgo.MaxBufferedRecords(200_000), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		return err
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 3, 1, nil, demo.TopicOrders); err != nil {
		return fmt.Errorf("create topic %s: %w", demo.TopicOrders, err)
	}
	fmt.Fprintln(out, "READY")
	kr := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		kr[i] = &kgo.Record{Topic: demo.TopicOrders, Key: []byte(r.Key), Value: r.Value}
		for _, h := range r.Headers {
			kr[i].Headers = append(kr[i].Headers, kgo.RecordHeader{Key: h.Key, Value: []byte(h.Value)})
		}
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		ms, ok := strings.CutPrefix(sc.Text(), "RUN ")
		if !ok {
			return fmt.Errorf("unknown command %q", sc.Text())
		}
		d, err := strconv.Atoi(ms)
		if err != nil {
			return fmt.Errorf("command %q: %w", sc.Text(), err)
		}
		var produced atomic.Int64
		start := time.Now()
		const step = 5 * time.Millisecond
		tick := time.NewTicker(step)
		sent := 0
		for now := time.Now(); now.Sub(start) < time.Duration(d)*time.Millisecond; now = <-tick.C {
			due := int(float64(rate) * now.Sub(start).Seconds())
			for ; sent < due; sent++ {
				src := kr[sent%len(kr)]
				r := &kgo.Record{Topic: src.Topic, Key: src.Key, Value: src.Value, Headers: src.Headers}
				cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
					if err == nil {
						produced.Add(1)
					}
				})
			}
		}
		tick.Stop()
		if err := cl.Flush(ctx); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
		fmt.Fprintf(out, "PRODUCED %d\n", produced.Load())
	}
	return sc.Err()
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
