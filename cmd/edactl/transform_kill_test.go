//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
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

// transformEnv is a broker in a helper process, a registry with the
// catalogue's orders/order v1..v3 under src-value, and the edactl binary.
type transformEnv struct {
	brokers, registry, bin string
	values                 [][]byte // framed values of v1, v2 and v3
	ids                    []int
	admin                  *kadm.Client
	cl                     *kgo.Client
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// edactlBinary builds cmd/edactl once per test binary.
func edactlBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "edactl-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "edactl")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/edactl/edactl/cmd/edactl").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/edactl: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func newTransformEnv(t *testing.T, partitions int32, topics ...string) *transformEnv {
	t.Helper()
	e := &transformEnv{bin: edactlBinary(t), brokers: testenv.KfakeProcess(t).Addr}
	reg := registrytest.Start(t, registrytest.InMemory())
	e.registry = reg.URL
	src, err := sr.NewClient(sr.URLs(reg.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sreg := serde.NewRegistry(src)
	for v := 1; v <= 3; v++ {
		text, err := fs.ReadFile(examples.FS(), fmt.Sprintf("schemas/orders/order/v%d.avsc", v))
		if err != nil {
			t.Fatal(err)
		}
		ss, err := src.CreateSchema(ctx, "src-value", sr.Schema{Schema: string(text)})
		if err != nil {
			t.Fatal(err)
		}
		s, err := sreg.SchemaByID(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := avrojson.EncodeJSON(s, orderStateJSON(v, "o-1", "c-1", 1999, "TN-1"))
		if err != nil {
			t.Fatal(err)
		}
		e.values = append(e.values, b)
		e.ids = append(e.ids, ss.ID)
	}
	e.cl, err = kgo.NewClient(kgo.SeedBrokers(e.brokers), kgo.ProducerLinger(5*time.Millisecond), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.cl.Close)
	e.admin = kadm.NewClient(e.cl)
	for _, topic := range topics {
		if _, err := e.admin.CreateTopic(ctx, partitions, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// produce writes records n0..n0+n-1 of src (key k-<i>, partition i mod 3,
// version i mod 3 + 1) and waits for them.
// orderStateJSON is an orders.state value of version v (1 to 3) in the
// JSON form, for the transform tests and benchmarks.
func orderStateJSON(v int, orderID, customerID string, totalCents int64, tracking string) []byte {
	js := fmt.Sprintf(`{"orderId":%q,"customerId":%q,"status":"SHIPPED","totalCents":%d,"updatedAt":1714560000000`, orderID, customerID, totalCents)
	if v >= 2 {
		js += `,"itemCount":3`
	}
	if v >= 3 {
		js += fmt.Sprintf(`,"trackingNumber":%q`, tracking)
	}
	return []byte(js + "}")
}

func (e *transformEnv) produce(t *testing.T, n0, n int) {
	t.Helper()
	recs := make([]*kgo.Record, 0, n)
	for i := n0; i < n0+n; i++ {
		recs = append(recs, &kgo.Record{Topic: "src", Partition: int32(i % 3), Key: []byte("k-" + strconv.Itoa(i)), Value: e.values[i%3]})
	}
	if err := e.cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// start runs edactl transform src dst with extra flags.
func (e *transformEnv) start(t *testing.T, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	args := append([]string{"transform", "src", "dst", "--brokers", e.brokers, "--registry", e.registry}, extra...)
	cmd := exec.Command(e.bin, args...)
	cmd.Dir = t.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// endOffsets sums the end offsets of topic's partitions, per partition.
func (e *transformEnv) endOffsets(t *testing.T, topic string) (map[int32]int64, int64) {
	t.Helper()
	ends, err := e.admin.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	per := map[int32]int64{}
	var sum int64
	ends.Each(func(o kadm.ListedOffset) { per[o.Partition] = o.Offset; sum += o.Offset })
	return per, sum
}

// waitOutput waits until dst holds at least n records.
func (e *transformEnv) waitOutput(t *testing.T, n int64, out *bytes.Buffer) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, sum := e.endOffsets(t, "dst"); sum >= n {
			return
		}
	}
	t.Fatalf("dst did not reach %d records; transform said:\n%s", n, out)
}

// readDst reads every record of dst: count per key, and the schema ids.
func (e *transformEnv) readDst(t *testing.T) (map[string]int, int) {
	t.Helper()
	_, total := e.endOffsets(t, "dst")
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers), kgo.ConsumeTopics("dst"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	keys := map[string]int{}
	read := 0
	for int64(read) < total {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of dst", read, total)
		}
		fs.EachRecord(func(r *kgo.Record) {
			read++
			keys[string(r.Key)]++
			if id, _, err := serde.ParseHeader(r.Value); err != nil || id != e.ids[2] {
				t.Errorf("dst record %s: schema id %d (%v), want the latest %d", r.Key, id, err, e.ids[2])
			}
			if i, _ := strconv.Atoi(string(r.Key[2:])); int32(i%3) != r.Partition {
				t.Errorf("dst record %s on partition %d, want %d", r.Key, r.Partition, i%3)
			}
		})
	}
	return keys, read
}

// TestTransformKillLosesNothing SIGKILLs a running edactl transform while a
// producer keeps writing, restarts it with --once, and checks that every
// source record reached the target (duplicates are allowed and counted).
func TestTransformKillLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds edactl and runs it against a broker process")
	}
	e := newTransformEnv(t, 3, "src", "dst")
	const batch = 1000
	e.produce(t, 0, 10*batch)
	produced := 10 * batch
	cmd, out := e.start(t)
	e.waitOutput(t, batch, out)
	// Keep writing while it runs, and kill it mid-stream: while dst grows
	// and the source is ahead of it.
	var before int64
	for {
		e.produce(t, produced, batch)
		produced += batch
		if _, before = e.endOffsets(t, "dst"); before >= 30*batch && before < int64(produced) {
			break
		}
		if produced > 2000*batch {
			t.Fatalf("dst holds %d records after %d produced: the transform does not keep running\n%s", before, produced, out)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	_, atKill := e.endOffsets(t, "dst")
	e.produce(t, produced, batch)
	produced += batch

	t1 := time.Now()
	again, out2 := e.start(t, "--once")
	if err := again.Wait(); err != nil {
		t.Fatalf("restart with --once: %v\n%s", err, out2)
	}
	t.Logf("the restart took %s (the group's session timeout of the killed member first)", time.Since(t1).Round(time.Millisecond))
	keys, read := e.readDst(t)
	lost := 0
	for i := range produced {
		if keys["k-"+strconv.Itoa(i)] == 0 {
			lost++
		}
	}
	if lost > 0 || len(keys) != produced {
		t.Fatalf("%d of %d records lost (%d distinct keys in dst)", lost, produced, len(keys))
	}
	t.Logf("killed with %d records in dst (%d produced by then); after the restart: %d records for %d produced, %d duplicates, 0 lost", atKill, produced-batch, read, produced, read-produced)
}

// TestTransformSIGTERMStopsCleanly stops a running transform with SIGTERM:
// it exits 0, and what it committed is exactly what dst holds (the batch in
// flight was produced and committed, nothing twice, nothing lost).
func TestTransformSIGTERMStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds edactl and runs it against a broker process")
	}
	e := newTransformEnv(t, 3, "src", "dst")
	e.produce(t, 0, 30000)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, out := e.start(t, "--group", "g-term", "--metrics-addr", addr)
	e.waitOutput(t, 1000, out)
	// The metrics of the running service count the records written (the
	// counter moves once a batch is acknowledged: poll for it).
	written := regexp.MustCompile(`(?m)^edactl_transform_records_written_total\{source="src",target="dst"\} [1-9][0-9]*$`)
	var metrics []byte
	for deadline := time.Now().Add(10 * time.Second); !written.Match(metrics); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("metrics:\n%s", metrics)
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	// Records keep arriving while it stops: it is stopped mid-stream.
	stopProducing := make(chan struct{})
	producing := make(chan int)
	go func() {
		n := 30000
		for {
			select {
			case <-stopProducing:
				producing <- n
				return
			default:
			}
			e.produce(t, n, 500)
			n += 500
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("transform did not stop within 30s of SIGTERM\n%s", out)
	}
	close(stopProducing)
	produced := <-producing
	offs, err := e.admin.FetchOffsets(context.Background(), "g-term")
	if err != nil {
		t.Fatal(err)
	}
	per, sum := e.endOffsets(t, "dst")
	for p, n := range per {
		committed := int64(0) // no commit for a partition not read yet
		if o, ok := offs.Lookup("src", p); ok {
			committed = o.At
		}
		if committed != n {
			t.Errorf("partition %d: dst holds %d records, the group committed offset %d", p, n, committed)
		}
	}
	keys, read := e.readDst(t)
	if int64(read) != sum || len(keys) != read {
		t.Fatalf("dst: %d records, %d distinct keys: want no duplicates", read, len(keys))
	}
	if sum >= int64(produced) {
		t.Fatalf("the transform had caught up with all %d records: SIGTERM stopped nothing mid-stream", produced)
	}
	t.Logf("stopped by SIGTERM after %d of %d records, all committed\n%s", sum, produced, out)
}

// TestTransformInteropPython: records written by a non-Go producer
// (Confluent's Python client, librdkafka, with Apache Avro's Python
// encoder) in v1 are transformed to the latest version by the edactl
// binary, and a non-Go consumer decodes the output with the schema the
// registry serves for the new id.
func TestTransformInteropPython(t *testing.T) {
	if testing.Short() {
		t.Skip("builds edactl and runs Python peers")
	}
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import confluent_kafka, avro.io").CombinedOutput(); err != nil {
		t.Skipf("python3-confluent-kafka and python3-avro are not installed (.ci/run installs them): %v %s", err, out)
	}
	e := newTransformEnv(t, 3, "src", "dst")
	script, err := filepath.Abs(filepath.Join("testdata", "interop", "transform.py"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	if out, err := exec.Command(python, script, "produce", e.brokers, e.registry, "src", "src-value", "1", strconv.Itoa(n)).CombinedOutput(); err != nil {
		t.Fatalf("python producer: %v\n%s", err, out)
	}
	cmd, out := e.start(t, "--once")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("edactl transform: %v\n%s", err, out)
	}
	res, err := exec.Command(python, script, "consume", e.brokers, e.registry, "dst", strconv.Itoa(n)).Output()
	if err != nil {
		t.Fatalf("python consumer: %v\n%s", err, res)
	}
	lines := bytes.Split(bytes.TrimSpace(res), []byte("\n"))
	if len(lines) != n {
		t.Fatalf("python consumer decoded %d records, want %d", len(lines), n)
	}
	for _, l := range lines {
		var rec struct {
			Key       string         `json:"key"`
			ID        int            `json:"id"`
			Partition int32          `json:"partition"`
			Value     map[string]any `json:"value"`
		}
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatal(err)
		}
		i, _ := strconv.Atoi(rec.Key[2:])
		if rec.ID != e.ids[2] || rec.Partition != int32(i%3) || rec.Value["orderId"] != "o-"+strconv.Itoa(i) ||
			rec.Value["itemCount"] != float64(0) || rec.Value["trackingNumber"] != nil || rec.Value["status"] != "PENDING" {
			t.Fatalf("python decoded %s: want id %d, partition %d, order o-%d with itemCount 0 and no trackingNumber (v3 defaults)", l, e.ids[2], i%3, i)
		}
	}
}
