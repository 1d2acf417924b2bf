package registry

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/edactl/edactl/registry/store"
)

// gatedLog wraps a log: the append numbered holdAt waits for release, the
// one numbered failAt fails as a full disk would.
type gatedLog struct {
	store.Log
	mu               sync.Mutex
	n                int
	holdAt, failAt   int
	holding, release chan struct{}
}

func (g *gatedLog) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	if n == g.holdAt {
		close(g.holding)
		<-g.release
	}
	if n == g.failAt {
		return 0, errors.New("no space left on device")
	}
	return g.Log.Append(ctx, recs)
}

// A batch whose append fails hands its ids out again; the compatibility
// check of what gets such an id must use that content, not a parse cached
// for the failed batch's content under the same id.
func TestFailedAppendDoesNotPoisonCompatibilityChecks(t *testing.T) {
	ctx := context.Background()
	log := &gatedLog{Log: store.NewMemory(), holdAt: 2, failAt: 3, holding: make(chan struct{}), release: make(chan struct{})}
	reg, err := Open(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	const head = `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}`
	register := func(schema string) (RegisterResult, error) {
		return reg.Register(ctx, "s", RegisterRequest{Schema: schema})
	}
	if _, err := register(head + `]}`); err != nil {
		t.Fatal(err)
	}
	// Hold the sequencer in an append while two registrations queue, so they
	// run in one batch: the second is checked against (and so parses) the
	// first, id 2. That batch's append fails.
	level := "NONE"
	go reg.SetConfig(ctx, "other", ConfigUpdate{Compatibility: &level})
	<-log.holding
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, schema := range []string{
		head + `,{"name":"b","type":"string","default":""}]}`,
		head + `,{"name":"b","type":"string","default":""},{"name":"c","type":"int","default":0}]}`,
	} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = register(schema) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(reg.cmds) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(log.release)
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			t.Fatal("a registration of the failed batch was acknowledged")
		}
	}
	// id 2 now goes to b:int; b:string after it breaks BACKWARD.
	res, err := register(head + `,{"name":"b","type":"int","default":0}]}`)
	if err != nil || res.ID != 2 {
		t.Fatalf("register b:int = %+v, %v", res, err)
	}
	_, err = register(head + `,{"name":"b","type":"string"}]}`)
	var re *Error
	if !errors.As(err, &re) || re.Code != CodeIncompatibleSchema {
		t.Fatalf("b:string after b:int must be incompatible (409), got %v", err)
	}
}
