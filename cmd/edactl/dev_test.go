package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

// sampleSubjects returns the sample catalogue's subjects with their number
// of versions.
func sampleSubjects(t *testing.T) map[string]int {
	t.Helper()
	tree, err := schemas.LoadFS(context.Background(), examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range tree.Events {
		out[e.Subject] = len(e.Versions)
	}
	return out
}

func countVersions(t *testing.T, reg, subject string) int {
	t.Helper()
	resp, err := http.Get(reg + "/subjects/" + subject + "/versions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var vs []int
	if err := json.NewDecoder(resp.Body).Decode(&vs); err != nil {
		t.Fatalf("versions of %s: %v", subject, err)
	}
	return len(vs)
}

// startDev runs `edactl dev` on free ports through Main and returns the
// broker and registry addresses from its banner, and a stop function that
// cancels it (Ctrl-C) and returns its exit code.
func startDev(t *testing.T, dir string) (kafka, reg string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"dev", "--kafka-addr", "127.0.0.1:0", "--registry-addr", "127.0.0.1:0", "--data", dir},
			Stdio{In: strings.NewReader(""), Out: pw, Err: &lockedWriter{b: &stderr}}, func(string) string { return "" })
		pw.Close()
		done <- code
	}()
	kafkaRe := regexp.MustCompile(`Kafka broker\s+(\S+)`)
	regRe := regexp.MustCompile(`Schema registry\s+(\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() && (kafka == "" || reg == "") {
		if m := kafkaRe.FindStringSubmatch(sc.Text()); m != nil {
			kafka = m[1]
		}
		if m := regRe.FindStringSubmatch(sc.Text()); m != nil {
			reg = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if kafka == "" || reg == "" {
		cancel()
		t.Fatalf("no addresses in the dev banner (exit %d); stderr:\n%s", <-done, stderr.String())
	}
	return kafka, reg, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("edactl dev did not stop within 15s of Ctrl-C")
			return -1
		}
	}
}

// lockedWriter lets the test read what a concurrently running command
// wrote.
type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestDevServesRegistryAndKafkaAndKeepsData(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	kafka, reg, stop := startDev(t, dir)

	resp, err := http.Get(reg + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("GET /subjects answered after %v, want within 5s", d)
	}
	// The sample catalogue is registered on the first start, every version.
	catalogue := sampleSubjects(t)
	var got []string
	if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /subjects = %d %s", resp.StatusCode, b)
	}
	if !slices.Equal(got, slices.Sorted(maps.Keys(catalogue))) {
		t.Fatalf("GET /subjects = %v, want the sample catalogue %v", got, slices.Sorted(maps.Keys(catalogue)))
	}
	// The access log goes to the data directory, not the terminal.
	var logged []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if logged, _ = os.ReadFile(filepath.Join(dir, "registry-access.log")); strings.Contains(string(logged), "path=/subjects") {
			break
		}
	}
	if !strings.Contains(string(logged), "path=/subjects") {
		t.Errorf("no access-log line for GET /subjects in %s:\n%s", filepath.Join(dir, "registry-access.log"), logged)
	}

	// /v1/metadata/version reports the version `edactl version` prints.
	resp, err = http.Get(reg + "/v1/metadata/version")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if err != nil || meta.Version != currentBuild().Version {
		t.Fatalf("GET /v1/metadata/version: version %q (%v), want %q as edactl version", meta.Version, err, currentBuild().Version)
	}
	for subject, versions := range catalogue {
		if n := countVersions(t, reg, subject); n != versions {
			t.Fatalf("%s has %d versions, want %d", subject, n, versions)
		}
	}
	// The catalogue's topics exist, so they can be consumed right away.
	admin, err := kgo.NewClient(kgo.SeedBrokers(kafka))
	if err != nil {
		t.Fatal(err)
	}
	td, err := kadm.NewClient(admin).ListTopics(context.Background())
	admin.Close()
	if err != nil {
		t.Fatal(err)
	}
	for topic, parts := range map[string]int{"orders.placed": 3, "payments.captured": 3, "inventory.reserved": 2, "orders.commands": 3, "shipping.delivered": 3} {
		if d, ok := td[topic]; !ok || len(d.Partitions) != parts {
			t.Errorf("topic %s: exists %v with %d partition(s), want %d", topic, ok, len(d.Partitions), parts)
		}
	}
	resp, err = http.Post(reg+"/subjects/scratch-value/versions", "application/json", strings.NewReader(`{"schema":"\"string\""}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("register: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka), kgo.DefaultProduceTopic("orders"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(pctx, &kgo.Record{Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatalf("produce to %s: %v", kafka, err)
	}
	cl.Close()
	if code := stop(); code != 0 {
		t.Fatalf("edactl dev exited %d after Ctrl-C", code)
	}

	// Restart on the same data: the schema and the record are still there.
	kafka, reg, stop = startDev(t, dir)
	defer stop()
	resp, err = http.Get(reg + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	got = nil
	if err := json.Unmarshal(b, &got); err != nil || !slices.Contains(got, "scratch-value") || len(got) != len(catalogue)+1 {
		t.Fatalf("after restart GET /subjects = %s", b)
	}
	for subject, versions := range catalogue {
		if n := countVersions(t, reg, subject); n != versions {
			t.Fatalf("after restart %s has %d versions, want %d: the seed must run once", subject, n, versions)
		}
	}
	cl, err = kgo.NewClient(kgo.SeedBrokers(kafka), kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fctx, cancel2 := context.WithTimeout(ctx, 10*time.Second)
	defer cancel2()
	fs := cl.PollFetches(fctx)
	if errs := fs.Errors(); len(errs) > 0 {
		t.Fatalf("consume after restart: %v", errs)
	}
	recs := fs.Records()
	if len(recs) != 1 || string(recs[0].Value) != "hello" {
		t.Fatalf("after restart consumed %d records", len(recs))
	}
}
