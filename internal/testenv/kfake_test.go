package testenv_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.MaybeServeKfake(map[string]testenv.KfakeDriver{
		"echo":  echoDriver,
		"fails": func(context.Context, []string, io.Reader, io.Writer) error { return errors.New("driver broke") },
	})
	os.Exit(m.Run())
}

// echoDriver answers each line "X" with "GOT X <brokers> <TESTENV_ECHO>".
func echoDriver(_ context.Context, brokers []string, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		fmt.Fprintf(out, "noise\nGOT %s %s %s\n", sc.Text(), brokers[0], os.Getenv("TESTENV_ECHO"))
	}
	return sc.Err()
}

// TestKfakeProcess produces a record to the helper's broker and reads it
// back: the broker is real and reachable.
func TestKfakeProcess(t *testing.T) {
	k := testenv.KfakeProcess(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Addr), kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, "t"); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	fs := cl.PollFetches(ctx)
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "hello" {
		t.Fatalf("read %d records back, want the one produced", len(recs))
	}
}

// TestKfakeDriver talks to a driver in the helper: lines go in, answers
// come back with the broker's address and the environment passed.
func TestKfakeDriver(t *testing.T) {
	k := testenv.KfakeProcess(t, testenv.WithKfakeDriver("echo"), testenv.WithKfakeEnv("TESTENV_ECHO=passed"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, line := range []string{"one", "two"} {
		if err := k.Send(line); err != nil {
			t.Fatal(err)
		}
		got, err := k.Await(ctx, "GOT")
		if err != nil {
			t.Fatal(err)
		}
		if want := line + " " + k.Addr + " passed"; got != want {
			t.Fatalf("driver answered %q, want %q", got, want)
		}
	}
	if err := k.Send("two\nlines"); err == nil {
		t.Fatal("Send accepted a line with a newline")
	}
}

// TestKfakeDriverError: a driver's error reaches the benchmark's Await.
func TestKfakeDriverError(t *testing.T) {
	k := testenv.KfakeProcess(t, testenv.WithKfakeDriver("fails"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := k.Await(ctx, "GOT")
	if !errors.Is(err, testenv.ErrKfakeHelper) {
		t.Fatalf("Await = %v, want ErrKfakeHelper", err)
	}
	t.Log(err)
}

// TestKfakeAwaitContext: Await gives up when its context ends.
func TestKfakeAwaitContext(t *testing.T) {
	k := testenv.KfakeProcess(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := k.Await(ctx, "NEVER"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Await = %v, want the context's deadline", err)
	}
}
