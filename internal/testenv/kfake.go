package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// kfakeEnv is the environment variable that makes a re-executed test binary
// a kfake helper process. Its value names the driver to run next to the
// broker, or is brokerOnly.
const kfakeEnv = "EDACTL_TESTENV_KFAKE"

// brokerOnly is kfakeEnv's value for a helper that runs no driver.
const brokerOnly = "-"

// A KfakeDriver runs in the helper process next to the broker, so that
// its work (a paced producer, say) does not count against the process
// being measured. brokers are the broker's listen addresses. The driver
// reads the lines the benchmark sends (Kfake.Send) from in and answers
// with lines on out ("WORD rest", read with Kfake.Await); it returns when
// in reaches its end, which is when the benchmark is done. An error is
// printed as an "ERR" line, which fails the benchmark's next Await.
type KfakeDriver func(ctx context.Context, brokers []string, in io.Reader, out io.Writer) error

// MaybeServeKfake makes this test binary a kfake helper process when
// KfakeProcess started it, and returns at once otherwise. A package whose
// tests or benchmarks call KfakeProcess calls it first in its TestMain:
//
//	func TestMain(m *testing.M) {
//		testenv.MaybeServeKfake(nil)
//		os.Exit(m.Run())
//	}
//
// In the helper it starts a one-broker kfake cluster, prints
// "ADDR host:port", runs the driver WithKfakeDriver named (looked up in
// drivers) or else waits for its standard input to close, and exits
// without running any test.
func MaybeServeKfake(drivers map[string]KfakeDriver) {
	name, ok := os.LookupEnv(kfakeEnv)
	if !ok {
		return
	}
	os.Exit(serveKfake(name, drivers))
}

// serveKfake is the helper process's main; it returns the exit code.
func serveKfake(name string, drivers map[string]KfakeDriver) int {
	var drive KfakeDriver
	if name != brokerOnly {
		if drive = drivers[name]; drive == nil {
			fmt.Printf("ERR testenv: no kfake driver %q is passed to MaybeServeKfake in this test binary\n", name)
			return 2
		}
	}
	kf, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		fmt.Printf("ERR testenv: start kfake: %v\n", err)
		return 1
	}
	defer kf.Close()
	addrs := kf.ListenAddrs()
	fmt.Printf("ADDR %s\n", strings.Join(addrs, ","))
	if drive == nil {
		io.Copy(io.Discard, os.Stdin)
		return 0
	}
	if err := drive(context.Background(), addrs, os.Stdin, os.Stdout); err != nil {
		fmt.Printf("ERR kfake driver %q: %s\n", name, strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	return 0
}

// Kfake is a kfake broker in a helper process: this test binary, run
// again, serving from MaybeServeKfake. The broker's CPU time and memory are
// the helper's, not the benchmark's.
type Kfake struct {
	// Addr is the broker's address (host:port), a seed broker for
	// franz-go clients.
	Addr string

	in    io.WriteCloser
	lines chan string // the helper's standard output, line by line; closed at its end
}

// KfakeOption configures KfakeProcess.
type KfakeOption func(*kfakeConfig)

type kfakeConfig struct {
	driver string
	env    []string
}

// WithKfakeDriver runs the driver registered under name in the helper's
// MaybeServeKfake next to the broker. The default runs no driver: the
// helper only serves the broker.
func WithKfakeDriver(name string) KfakeOption {
	return func(c *kfakeConfig) { c.driver = name }
}

// WithKfakeEnv adds "KEY=value" entries to the helper's environment, for
// its driver. The default is this process's environment.
func WithKfakeEnv(env ...string) KfakeOption {
	return func(c *kfakeConfig) { c.env = append(c.env, env...) }
}

// KfakeProcess starts a kfake broker in a helper process and returns once
// it listens. The helper ends when tb's test or benchmark does: its
// standard input closes, it exits (and is killed if it has not after 10
// seconds). The package's TestMain must call MaybeServeKfake.
func KfakeProcess(tb testing.TB, opts ...KfakeOption) *Kfake {
	tb.Helper()
	cfg := kfakeConfig{driver: brokerOnly}
	for _, o := range opts {
		o(&cfg)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(append(os.Environ(), kfakeEnv+"="+cfg.driver), cfg.env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("testenv: kfake helper process: %v", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("testenv: kfake helper process: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("testenv: start the kfake helper process %s: %v", os.Args[0], err)
	}
	k := &Kfake{in: in, lines: make(chan string, 64)}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(k.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			k.lines <- sc.Text()
		}
	}()
	tb.Cleanup(func() {
		in.Close()
		go func() {
			for range k.lines { // what nobody awaited: let the helper finish writing
			}
		}()
		select {
		case <-readDone:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-readDone
		}
		cmd.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addr, err := k.Await(ctx, "ADDR")
	if err != nil {
		tb.Fatalf("testenv: the kfake helper process did not start (does the package's TestMain call testenv.MaybeServeKfake?): %v", err)
	}
	k.Addr = addr
	return k
}

// Send writes one line to the helper's driver.
func (k *Kfake) Send(line string) error {
	if strings.Contains(line, "\n") {
		return fmt.Errorf("testenv: send %q to the kfake helper: a line holds no newline", line)
	}
	if _, err := io.WriteString(k.in, line+"\n"); err != nil {
		return fmt.Errorf("testenv: send %q to the kfake helper: %w", line, err)
	}
	return nil
}

// ErrKfakeHelper is what Await fails with when the helper process reported
// an error ("ERR" line) or ended before printing the line awaited.
var ErrKfakeHelper = errors.New("kfake helper process failed")

// Await reads the helper's output until a line whose first word is word
// and returns the rest of that line (after one space). Other lines are
// skipped. It fails with ErrKfakeHelper when the helper prints an "ERR"
// line or exits first, and with ctx's error when ctx ends first.
func (k *Kfake) Await(ctx context.Context, word string) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("testenv: await %q from the kfake helper: %w", word, ctx.Err())
		case l, ok := <-k.lines:
			if !ok {
				return "", fmt.Errorf("testenv: await %q: the helper exited first: %w", word, ErrKfakeHelper)
			}
			if msg, isErr := strings.CutPrefix(l, "ERR "); isErr {
				return "", fmt.Errorf("testenv: await %q: %w: %s", word, ErrKfakeHelper, msg)
			}
			if l == word {
				return "", nil
			}
			if rest, ok := strings.CutPrefix(l, word+" "); ok {
				return rest, nil
			}
		}
	}
}
