//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

// BenchmarkTransform measures, on the same records in the same run (a
// kfake broker in a helper process, EDACTL_BENCH_RECORDS records, default
// 1,000,000, of orders/order v1, v2 and v3 mixed, on 4 partitions):
//
//   - transform: `edactl transform src DST --once`, every value
//     re-encoded into v3;
//
//   - replay: `edactl replay src DST`, a copy without transformation;
//
//   - consume-produce: `edactl consume src -o json | edactl produce DST`,
//     the same transformation through the JSON form.
//
//     go test ./cmd/edactl -run '^$' -bench Transform -benchtime 1x
//
// Each fails unless DST ends up with every record (and, for transform,
// every value in v3's schema id).
func BenchmarkTransform(b *testing.B) {
	brokers := testenv.KfakeProcess(b).Addr
	reg := registrytest.Start(b, registrytest.InMemory())
	src, err := sr.NewClient(sr.URLs(reg.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var values [][]byte
	var latest int
	for v := 1; v <= 3; v++ {
		text, err := fs.ReadFile(examples.FS(), fmt.Sprintf("schemas/orders/order/v%d.avsc", v))
		if err != nil {
			b.Fatal(err)
		}
		ss, err := src.CreateSchema(ctx, "src-value", sr.Schema{Schema: string(text)})
		if err != nil {
			b.Fatal(err)
		}
		latest = ss.ID
		s, err := serde.NewRegistry(src).SchemaByID(ctx, ss.ID)
		if err != nil {
			b.Fatal(err)
		}
		val, err := avrojson.EncodeJSON(s, orderStateJSON(v, "3f2b9c1e-8a4d-4f5e-9b7a-1c2d3e4f5a6b", "cust-00042", 129990, "1Z999AA10123456784"))
		if err != nil {
			b.Fatal(err)
		}
		values = append(values, val)
	}
	n := benchRecords()
	start := time.Now()
	if err := seed(ctx, brokers, "src", 4, n, func(i int, r *kgo.Record) {
		r.Key = fmt.Appendf(nil, "ord-%08d", i)
		r.Value = values[i%3]
		r.Headers = []kgo.RecordHeader{{Key: "ce_type", Value: []byte("shop.orders.Order")}}
	}); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "seeded %d records in %s\n", n, time.Since(start).Round(time.Millisecond))
	admin, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	adm := kadm.NewClient(admin)
	// check fails b unless topic holds n records (with v3's id when ids).
	check := func(b *testing.B, topic string, ids bool) {
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err != nil {
			b.Fatal(err)
		}
		var sum int64
		ends.Each(func(o kadm.ListedOffset) { sum += o.Offset })
		if sum != int64(n) {
			b.Fatalf("%s holds %d records, want %d", topic, sum, n)
		}
		if !ids {
			return
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		fs := cl.PollRecords(ctx, 1000)
		fs.EachRecord(func(r *kgo.Record) {
			if id, _, err := serde.ParseHeader(r.Value); err != nil || id != latest {
				b.Fatalf("%s: record %s has schema id %d (%v), want %d", topic, r.Key, id, err, latest)
			}
		})
	}
	run := 0
	for _, mode := range []string{"transform", "replay", "consume-produce"} {
		b.Run(mode, func(b *testing.B) {
			var elapsed time.Duration
			ops := 0
			for b.Loop() {
				run++
				dst := fmt.Sprintf("dst-%d", run)
				if _, err := adm.CreateTopic(ctx, 4, 1, nil, dst); err != nil {
					b.Fatal(err)
				}
				var errb bytes.Buffer
				common := []string{"--brokers", brokers, "--registry", reg.URL}
				t0 := time.Now()
				switch mode {
				case "transform":
					args := append([]string{"transform", "src", dst, "--once", "--group", "bench-" + dst}, common...)
					if code := Main(ctx, args, Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}, nil); code != 0 {
						b.Fatalf("transform: exit %d: %s", code, errb.String())
					}
				case "replay":
					args := append([]string{"replay", "src", dst}, common...)
					if code := Main(ctx, args, Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}, nil); code != 0 {
						b.Fatalf("replay: exit %d: %s", code, errb.String())
					}
				case "consume-produce":
					pr, pw := io.Pipe()
					var wg sync.WaitGroup
					var code1 int
					var errc bytes.Buffer
					wg.Add(1)
					go func() {
						defer wg.Done()
						code1 = Main(ctx, append([]string{"consume", "src", "-o", "json"}, common...), Stdio{In: strings.NewReader(""), Out: pw, Err: &errc}, nil)
						pw.Close()
					}()
					code2 := Main(ctx, append([]string{"produce", dst, "--subject", "src-value"}, common...), Stdio{In: pr, Out: io.Discard, Err: &errb}, nil)
					pr.Close()
					wg.Wait()
					if code1 != 0 || code2 != 0 {
						b.Fatalf("consume exit %d (%.500s) | produce exit %d (%.500s)", code1, errc.String(), code2, errb.String())
					}
				}
				elapsed += time.Since(t0)
				ops++
				check(b, dst, mode != "replay")
			}
			b.ReportMetric(float64(n)*float64(ops)/elapsed.Seconds(), "records/s")
		})
	}
}
