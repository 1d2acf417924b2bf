package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// registerLoad registers b.N new schemas from 16 clients spread over urls
// (round robin by client) and returns the rate. It fails unless every
// registration answered 200 with an id of its own.
func registerLoad(b *testing.B, urls []string) float64 {
	tr := &http.Transport{MaxIdleConnsPerHost: 16, MaxConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var next atomic.Int64
	ids := make([][]int, 16)
	n := int64(b.N)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			url := urls[w%len(urls)]
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				body := fmt.Sprintf(`{"schema":"{\"type\":\"record\",\"name\":\"R%d\",\"namespace\":\"bench.w%d\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"long\",\"default\":%d}]}"}`, i, w, i)
				resp, err := hc.Post(fmt.Sprintf("%s/subjects/s-%d/versions", url, i), "application/vnd.schemaregistry.v1+json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				var res struct {
					ID int `json:"id"`
				}
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil || res.ID <= 0 {
					b.Errorf("register s-%d: status %d, id %d, %v", i, resp.StatusCode, res.ID, err)
					return
				}
				ids[w] = append(ids[w], res.ID)
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	if b.Failed() {
		b.FailNow()
	}
	all := slices.Concat(ids...)
	slices.Sort(all)
	if len(all) != b.N || len(slices.Compact(all)) != b.N {
		b.Fatalf("%d registrations answered %d distinct ids", b.N, len(slices.Compact(all)))
	}
	return float64(b.N) / el.Seconds()
}

// BenchmarkRegisterStores measures registrations of new schemas from 16
// HTTP clients on the bbolt store (one instance, fsync per group commit)
// and on the kafka store (three instances on a three-broker kfake cluster,
// the clients spread over them), in the same run:
//
//	go test -run '^$' -bench RegisterStores -benchtime 5000x ./registry/api/
func BenchmarkRegisterStores(b *testing.B) {
	b.Run("bolt", func(b *testing.B) {
		log, err := store.OpenBolt(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		srv, err := api.Open(context.Background(), log, nil, api.WithAccessLog(false))
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		ts := newServer(srv.Handler)
		defer ts.Close()
		b.ReportMetric(registerLoad(b, []string{ts.URL}), "schemas/s")
	})
	b.Run("kafka-3", func(b *testing.B) {
		c := kafkaCluster(b, 3)
		insts := startKafkaInstances(b, 3, c)
		urls := []string{insts[0].url, insts[1].url, insts[2].url}
		b.ReportMetric(registerLoad(b, urls), "schemas/s")
		// Every instance holds every registration.
		for _, in := range insts {
			if err := in.srv.Registry.Sync(context.Background()); err != nil {
				b.Fatal(err)
			}
			if _, n := in.srv.Registry.Counts(); n != b.N {
				b.Fatalf("%s holds %d schemas, want %d", in.url, n, b.N)
			}
		}
	})
}

// BenchmarkSchemaByIDStores measures GET /schemas/ids/{id} with 1,000
// schemas and 50 clients on the bbolt store and on a kafka-store instance,
// in the same run (reads are served from memory on both):
//
//	go test -run '^$' -bench SchemaByIDStores -benchtime 1x ./registry/api/
//
// EDACTL_BENCH_SECONDS sets the seconds per store (default 3).
func BenchmarkSchemaByIDStores(b *testing.B) {
	secs := 3
	if s, err := strconv.Atoi(os.Getenv("EDACTL_BENCH_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	run := func(b *testing.B, reg *registry.Registry, url string) {
		ctx := context.Background()
		var urls []string
		var want [][]byte
		for i := range 1000 {
			res, err := reg.Register(ctx, fmt.Sprintf("s-%d", i), registry.RegisterRequest{Schema: fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"f","type":"int"}]}`, i)})
			if err != nil {
				b.Fatal(err)
			}
			body, err := reg.SchemaJSON("", res.ID)
			if err != nil {
				b.Fatal(err)
			}
			urls = append(urls, fmt.Sprintf("%s/schemas/ids/%d", url, res.ID))
			want = append(want, body)
		}
		for range b.N {
			r := load(b, urls, want, 50, time.Duration(secs)*time.Second)
			b.ReportMetric(r.rate(), "req/s")
			b.ReportMetric(float64(r.p99.Microseconds()), "p99-µs")
		}
	}
	b.Run("bolt", func(b *testing.B) {
		log, err := store.OpenBolt(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		srv, err := api.Open(context.Background(), log, nil, api.WithAccessLog(false))
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		ts := newServer(srv.Handler)
		defer ts.Close()
		run(b, srv.Registry, ts.URL)
	})
	b.Run("kafka", func(b *testing.B) {
		c := kafkaCluster(b, 3)
		in := startKafkaInstance(b, c.ListenAddrs(), "")
		run(b, in.srv.Registry, in.url)
	})
}

// startupLog returns a memory log with n registrations of distinct schemas
// (each its own subject), made through the registry's write path.
func startupLog(b *testing.B, n int) *store.Memory {
	mem := store.NewMemory()
	reg, err := registry.Open(context.Background(), mem)
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				_, err := reg.Register(context.Background(), fmt.Sprintf("s-%d", i), registry.RegisterRequest{
					Schema: fmt.Sprintf(`{"type":"record","name":"R%d","namespace":"startup","fields":[{"name":"id","type":"string"},{"name":"n","type":"long","default":%d}]}`, i, i)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return mem
}

// copyLog appends every record of src to dst, 1,000 per append.
func copyLog(b *testing.B, src store.Log, dst store.Log) {
	ctx := context.Background()
	var batch [][]byte
	flush := func() {
		if _, err := dst.Append(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	err := src.Replay(ctx, 0, func(_ uint64, rec []byte) error {
		batch = append(batch, slices.Clone(rec))
		if len(batch) == 1000 {
			flush()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(batch) > 0 {
		flush()
	}
}

// BenchmarkStartup measures how long an instance takes from Open to
// serving with 100,000 schemas in the log (EDACTL_BENCH_SCHEMAS overrides
// the count): replaying the bbolt file, replaying the Kafka topic, and
// starting from a snapshot of the kafka store. Each iteration is one start;
// it fails unless the started instance holds every schema.
//
//	go test -run '^$' -bench Startup -benchtime 3x ./registry/api/
func BenchmarkStartup(b *testing.B) {
	n := 100_000
	if s, err := strconv.Atoi(os.Getenv("EDACTL_BENCH_SCHEMAS")); err == nil && s > 0 {
		n = s
	}
	mem := startupLog(b, n)
	ctx := context.Background()
	check := func(b *testing.B, reg *registry.Registry) {
		if _, got := reg.Counts(); got != n {
			b.Fatalf("started with %d schemas, want %d", got, n)
		}
	}
	b.Run("bolt", func(b *testing.B) {
		dir := b.TempDir()
		log, err := store.OpenBolt(dir)
		if err != nil {
			b.Fatal(err)
		}
		copyLog(b, mem, log)
		log.Close()
		b.ResetTimer()
		for range b.N {
			log, err := store.OpenBolt(dir)
			if err != nil {
				b.Fatal(err)
			}
			reg, err := registry.Open(ctx, log)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			check(b, reg)
			reg.Close()
			log.Close()
			b.StartTimer()
		}
	})
	c := kafkaCluster(b, 3)
	openKafka := func() *store.Kafka {
		log, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: kafkaClientFor(c.ListenAddrs())})
		if err != nil {
			b.Fatal(err)
		}
		return log
	}
	log := openKafka()
	copyLog(b, mem, log)
	log.Close()
	for _, snap := range []bool{false, true} {
		name, path := "kafka", ""
		if snap {
			name, path = "kafka-snapshot", filepath.Join(b.TempDir(), "registry.snapshot")
			// The first start folds the topic and writes the snapshot.
			log := openKafka()
			reg, err := registry.Open(ctx, log, registry.WithSnapshotFile(path))
			if err != nil {
				b.Fatal(err)
			}
			reg.Close()
			log.Close()
			if _, err := os.Stat(path); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				log := openKafka()
				var opts []registry.Option
				if path != "" {
					opts = append(opts, registry.WithSnapshotFile(path))
				}
				reg, err := registry.Open(ctx, log, opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				check(b, reg)
				if path != "" && reg.Offset() != uint64(n) {
					b.Fatalf("started at offset %d", reg.Offset())
				}
				reg.Close()
				log.Close()
				b.StartTimer()
			}
		})
	}
}
