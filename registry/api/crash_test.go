package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/store"
)

// TestCrashChild is the registry process TestCrashKill kills; it only runs
// when started by that test.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("EDACTL_CRASH_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestCrashKill")
	}
	log, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Open(context.Background(), log, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addrFile := filepath.Join(dir, "addr")
	if err := os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(addrFile+".tmp", addrFile)
	http.Serve(ln, srv.Handler) // until killed
}

// hammer registers distinct schemas from 16 clients until stop is closed
// and returns every acknowledged subject → id.
func hammer(t *testing.T, url string, stop <-chan struct{}, acks *atomic.Int64) map[string]int {
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	hc := &http.Client{Timeout: 5 * time.Second}
	for w := range 16 {
		wg.Go(func() {
			cl, _ := sr.NewClient(sr.URLs(url), sr.HTTPClient(hc))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				subject := fmt.Sprintf("crash-%d-%d", w, i)
				schema := fmt.Sprintf(`{"type":"record","name":"R%d_%d","fields":[{"name":"f","type":"int"}]}`, w, i)
				id, err := cl.RegisterSchema(context.Background(), subject, sr.Schema{Schema: schema}, -1, -1)
				if err != nil {
					return // the server died or the store was closed
				}
				mu.Lock()
				acked[subject] = id
				mu.Unlock()
				acks.Add(1)
			}
		})
	}
	wg.Wait()
	return acked
}

// waitFor waits until n writes were acknowledged (or 30s passed, on a
// machine too loaded to get there), so the crash comes mid-flight.
func waitFor(acks *atomic.Int64, n int64) {
	for deadline := time.Now().Add(30 * time.Second); acks.Load() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// verifyAfterCrash reopens dir and checks that every acknowledged
// registration is there with its id, and that a new schema gets an id above
// every id ever handed out.
func verifyAfterCrash(t *testing.T, dir string, acked map[string]int) {
	t.Helper()
	if len(acked) == 0 {
		t.Fatal("no registration was acknowledged before the crash")
	}
	log, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	reg, err := registry.Open(context.Background(), log)
	if err != nil {
		t.Fatalf("replay after crash: %v", err)
	}
	defer func() { reg.Close(); log.Close() }()
	maxAcked := 0
	for subject, id := range acked {
		v, err := reg.Version(subject, -1, registry.LiveOnly)
		if err != nil {
			t.Fatalf("acknowledged %s (id %d) lost: %v", subject, id, err)
		}
		if v.ID() != id {
			t.Fatalf("acknowledged %s had id %d, after the crash %d", subject, id, v.ID())
		}
		maxAcked = max(maxAcked, id)
	}
	maxLogged := reg.MaxID(".")
	res, err := reg.Register(context.Background(), "after-crash", registry.RegisterRequest{Schema: `{"type":"record","name":"After","fields":[]}`})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID <= maxAcked || res.ID != maxLogged+1 {
		t.Fatalf("new id %d after the crash: want above the acknowledged max %d and the logged max %d", res.ID, maxAcked, maxLogged)
	}
	t.Logf("%d acknowledged registrations survived; next id %d", len(acked), res.ID)
}

// TestCrashKill writes through a registry in another process and kills it
// with SIGKILL mid-flight.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "EDACTL_CRASH_CHILD_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var addr []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			addr = b
			break
		}
	}
	if addr == nil {
		cmd.Process.Kill()
		t.Fatal("child registry did not start")
	}
	stop := make(chan struct{})
	var acks atomic.Int64
	go func() {
		waitFor(&acks, 100)
		time.Sleep(100 * time.Millisecond)
		cmd.Process.Kill() // kill -9, mid-flight
		cmd.Wait()
		close(stop)
	}()
	acked := hammer(t, "http://"+string(addr), stop, &acks)
	<-stop
	verifyAfterCrash(t, dir, acked)
}

// TestCrashCloseStore closes the log under a live server (no clean
// shutdown) while writers are running.
func TestCrashCloseStore(t *testing.T) {
	dir := t.TempDir()
	log, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Open(context.Background(), log, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler)
	defer hs.Close()
	stop := make(chan struct{})
	var acks atomic.Int64
	go func() {
		waitFor(&acks, 100)
		time.Sleep(100 * time.Millisecond)
		log.Close()
		time.Sleep(50 * time.Millisecond)
		close(stop)
	}()
	acked := hammer(t, hs.URL, stop, &acks)
	srv.Registry.Close()
	verifyAfterCrash(t, dir, acked)
}
