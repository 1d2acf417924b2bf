package gentest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/codegen"
	events "github.com/edactl/edactl/codegen/testdata/gen/examples"
	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
	"github.com/edactl/edactl/serde"
)

// TestTransformerScaffold scaffolds the transformer of payments/payment-
// captured to version 1 over the generated golden package, builds it with
// go build in a scratch module, and runs it against a broker and a
// registry: records of v1, v2 and v3 come out as v1, equal to what
// DowncastPaymentCaptured gives, with their keys, headers, timestamps and
// partitions; garbage goes to the DLQ.
func TestTransformerScaffold(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	ctx := context.Background()
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	in, err := codegen.FromTree(tree, "events")
	if err != nil {
		t.Fatal(err)
	}
	files, err := codegen.Transformer(codegen.TransformerInput{Input: in, Event: "payments/payment-captured", Version: 1,
		Import: "github.com/edactl/edactl/codegen/testdata/gen/examples", Dir: "tx"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(files["main.go"], []byte(codegen.Header)) {
		t.Fatal("the scaffold is the user's file: it must not carry the generated-code header")
	}
	root := testenv.Root(t)
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.mod", []byte("module scratch\n\ngo 1.26\n\nrequire github.com/edactl/edactl v0.0.0\n\nreplace github.com/edactl/edactl => "+root+"\n"))
	write("go.sum", sum)
	write("tx/main.go", files["main.go"])
	bin := filepath.Join(dir, "tx-bin")
	build := exec.Command("go", "build", "-o", bin, "./tx")
	build.Dir = dir
	// The environment\'s module proxy: a fresh module cache lacks go.mod
	// files of the graph that the scratch module needs (a warm one needs no
	// network).
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the scaffold: %v\n%s", err, out)
	}

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "payments.captured", "payments.captured.v1"), kfake.SeedTopics(1, "dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	reg := serde.NewRegistry(cl)
	auto := serde.WithAutoRegister()
	c1, c2, c3 := events.NewPaymentCapturedV1Codec(reg, auto), events.NewPaymentCapturedV2Codec(reg, auto), events.NewPaymentCapturedV3Codec(reg, auto)
	at := time.UnixMilli(1714560000123).UTC()
	ref := "ref"
	var sent []*kgo.Record
	var want []*events.PaymentCapturedV1
	for i := range 30 {
		var value []byte
		var latest *events.PaymentCaptured
		switch i % 3 {
		case 0:
			v := &events.PaymentCapturedV1{PaymentID: "p" + strconv.Itoa(i), OrderID: "o", AmountCents: int32(i), Currency: "EUR", CapturedAt: at}
			value, err = c1.Encode(ctx, v)
			latest, _ = events.UpcastPaymentCaptured(v)
		case 1:
			v := &events.PaymentCapturedV2{PaymentID: "p" + strconv.Itoa(i), OrderID: "o", AmountMinor: int32(i), Currency: "EUR", CapturedAt: at, Method: events.PaymentCapturedV2PaymentMethodCard}
			value, err = c2.Encode(ctx, v)
			latest, _ = events.UpcastPaymentCaptured(v)
		case 2:
			latest = &events.PaymentCapturedV3{PaymentID: "p" + strconv.Itoa(i), OrderID: "o", AmountMinor: int64(i), Currency: "USD", CapturedAt: at, Method: events.PaymentCapturedV3PaymentMethodPaypal, ProviderReference: &ref}
			value, err = c3.Encode(ctx, latest)
		}
		if err != nil {
			t.Fatal(err)
		}
		down, err := events.DowncastPaymentCaptured(latest, 1)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, down.(*events.PaymentCapturedV1))
		sent = append(sent, &kgo.Record{Topic: "payments.captured", Partition: int32(i % 3), Key: []byte("k" + strconv.Itoa(i)), Value: value,
			Timestamp: at.Add(time.Duration(i) * time.Second), Headers: []kgo.RecordHeader{{Key: "n", Value: []byte(strconv.Itoa(i))}}})
	}
	sent = append(sent, &kgo.Record{Topic: "payments.captured", Partition: 1, Key: []byte("junk"), Value: []byte("junk")})
	kc, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	if err := kc.ProduceSync(ctx, sent...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	run := exec.Command(bin, "-brokers", cluster.ListenAddrs()[0], "-registry", srv.URL, "-dlq", "dlq", "-once")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the transformer: %v\n%s", err, out)
	}
	rc, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("payments.captured.v1", "dlq"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got, dead := 0, 0
	for got+dead < len(sent) {
		fs := rc.PollFetches(pctx)
		if pctx.Err() != nil {
			t.Fatalf("%d records and %d dead letters arrived, want %d and 1", got, dead, len(sent)-1)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if r.Topic == "dlq" {
				dead++
				if string(r.Value) != "junk" || len(r.Headers) != 4 {
					t.Errorf("dead letter %q with headers %v", r.Value, r.Headers)
				}
				return
			}
			got++
			i, _ := strconv.Atoi(string(r.Key[1:]))
			src := sent[i]
			if r.Partition != src.Partition || !r.Timestamp.Equal(src.Timestamp) || string(r.Headers[0].Value) != strconv.Itoa(i) {
				t.Errorf("record %s: partition %d, timestamp %v, headers %v", r.Key, r.Partition, r.Timestamp, r.Headers)
			}
			var v events.PaymentCapturedV1
			if err := c1.Decode(ctx, r.Value, &v); err != nil {
				t.Fatalf("record %s: %v", r.Key, err)
			}
			if id, _, _ := serde.ParseHeader(r.Value); id != mustID(t, c1) {
				t.Errorf("record %s has schema id %d, want v1's", r.Key, id)
			}
			if !reflect.DeepEqual(&v, want[i]) {
				t.Errorf("record %s: %+v, want %+v", r.Key, v, want[i])
			}
		})
	}
}

func mustID(t *testing.T, c *serde.Codec[events.PaymentCapturedV1]) int {
	t.Helper()
	id, err := c.ID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}
