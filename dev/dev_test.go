package dev

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/edactl/edactl/registry"
)

// TestSeedRunsOnFirstStartOnly starts dev twice on the same data: the seed
// registers at the first start, not at the second, and its schema is there.
func TestSeedRunsOnFirstStartOnly(t *testing.T) {
	dir := t.TempDir()
	var seeded atomic.Int32
	seed := func(ctx context.Context, reg *registry.Registry) error {
		seeded.Add(1)
		_, err := reg.Register(ctx, "seeded-value", registry.RegisterRequest{Schema: `{"type":"record","name":"Seeded","fields":[]}`})
		return err
	}
	for round := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan Addrs, 1)
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, Options{KafkaAddr: "127.0.0.1:0", RegistryAddr: "127.0.0.1:0", DataDir: dir, Seed: seed,
				Ready: func(a Addrs) { ready <- a }})
		}()
		var a Addrs
		select {
		case a = <-ready:
		case err := <-done:
			t.Fatalf("round %d: Run: %v", round, err)
		case <-time.After(10 * time.Second):
			t.Fatal("dev did not start")
		}
		resp, err := http.Get(a.Registry + "/subjects/seeded-value/versions/1")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("round %d: seeded schema missing: %v %v", round, resp, err)
		}
		resp.Body.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("round %d: Run returned %v after cancel", round, err)
		}
	}
	if n := seeded.Load(); n != 1 {
		t.Fatalf("seed ran %d times, want once", n)
	}
}

// TestSecureStartOnPlainData starts dev plain, then with a SASL user on the
// same data directory: the secured broker accepts the user it was given
// (the plain run's persisted, empty, user list does not replace it).
func TestSecureStartOnPlainData(t *testing.T) {
	dir := t.TempDir()
	user := User{Mechanism: "SCRAM-SHA-512", Name: "dev", Password: "dev-secret"}
	withSASL := func(broker string, extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(broker),
			kgo.SASL(scram.Auth{User: user.Name, Pass: user.Password}.AsSha512Mechanism())}, extra...)...)
	}
	for round, opts := range []Options{
		{Topics: map[string]int32{"plain.first": 1}},
		{Topics: map[string]int32{"secured.second": 1}, KafkaUsers: []User{user}, NewKafkaClient: withSASL},
	} {
		opts.KafkaAddr, opts.RegistryAddr, opts.DataDir = "127.0.0.1:0", "127.0.0.1:0", dir
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan Addrs, 1)
		opts.Ready = func(a Addrs) { ready <- a }
		done := make(chan error, 1)
		go func() { done <- Run(ctx, opts) }()
		select {
		case <-ready:
		case err := <-done:
			cancel()
			t.Fatalf("round %d: Run: %v", round, err)
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatalf("round %d: dev did not start", round)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("round %d: Run returned %v after cancel", round, err)
		}
	}
}
