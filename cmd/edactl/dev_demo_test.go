package main

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/stream"
)

// TestDevDemoWritesTheOrderFlow runs `edactl dev --demo`: the banner says
// what to try, orders flow through the four topics and are joined into
// orders.summary by the order-summary processor, analytics lags, and
// Ctrl-C stops it all. (The idle group, committed 5s in, is covered by
// dev/demo's tests.)
func TestDevDemoWritesTheOrderFlow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"dev", "--demo", "--demo-rate", "10", "--kafka-addr", "127.0.0.1:0", "--registry-addr", "127.0.0.1:0", "--data", t.TempDir()},
			Stdio{In: strings.NewReader(""), Out: pw, Err: &lockedWriter{b: &stderr}}, func(string) string { return "" })
		pw.Close()
		done <- code
	}()
	var banner strings.Builder
	var kafka string
	kafkaRe := regexp.MustCompile(`Kafka broker\s+(\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if m := kafkaRe.FindStringSubmatch(sc.Text()); m != nil {
			kafka = m[1]
		}
		if strings.HasPrefix(sc.Text(), "demo:") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	for _, want := range []string{"edactl tui", "edactl consume orders.placed", "edactl trace", "demo: 10 order(s)/s through orders.placed → payments.captured"} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}
	if kafka == "" {
		t.Fatalf("no broker address in the banner:\n%s\nstderr:\n%s", banner.String(), stderr.String())
	}

	admin, err := kgo.NewClient(stream.ClientOpts([]string{kafka})...)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	c, err := stream.New(stream.WithAdmin(admin))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		time.Sleep(300 * time.Millisecond)
		ts, err := c.ListTopics(ctx, false)
		records := map[string]int64{}
		for _, tp := range ts {
			records[tp.Name] = tp.Records
		}
		an, err1 := c.DescribeGroup(ctx, demo.LaggingGroup)
		if err == nil && err1 == nil && records[demo.TopicOrders] > 0 && records[demo.TopicPayments] > 0 &&
			records[demo.TopicInventory] > 0 && records[demo.TopicShipping] > 0 && records[demo.TopicSummary] > 0 &&
			an.State == "Stable" && an.Lag > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo traffic not there after 20s: topics %v (%v), analytics %+v (%v)\nstderr:\n%s",
				records, err, an, err1, stderr.String())
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("edactl dev --demo exited %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("edactl dev --demo did not stop within 20s of Ctrl-C")
	}
}
