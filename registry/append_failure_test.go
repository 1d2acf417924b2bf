package registry

import (
	"context"
	"errors"
	"maps"
	"strings"
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

// A command that fails after its facts changed the batch's working state in
// place (here a panic after the apply, as a bug would) cannot be undone by
// restoring the state before it: the batch is folded again without it. The
// other commands of the batch are committed with their answers, the failed
// one leaves no trace, and a replay of the log reaches the same state.
func TestFailureAfterAnInPlaceChangeRefoldsTheBatch(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	log := &gatedLog{Log: mem, holdAt: 2, holding: make(chan struct{}), release: make(chan struct{})}
	reg, err := Open(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	afterApply = func(r *record) {
		if r.Kind == schemaRegistered && r.Subject == "s4" {
			panic("injected after the apply of s4")
		}
	}
	defer func() { afterApply = nil }()
	schema := func(s string) string {
		return `{"type":"record","name":"R` + s + `","fields":[{"name":"a","type":"int"}]}`
	}
	if _, err := reg.Register(ctx, "s0", RegisterRequest{Schema: schema("s0")}); err != nil {
		t.Fatal(err)
	}
	go reg.Register(ctx, "hold", RegisterRequest{Schema: schema("hold")})
	<-log.holding
	// s1..s3 queue before s4, so that s4 changes in place the nodes they
	// copied; s5..s8 come after it.
	subjects := []string{"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}
	res := make([]RegisterResult, len(subjects))
	errs := make([]error, len(subjects))
	var wg sync.WaitGroup
	for i, s := range subjects {
		wg.Add(1)
		go func() { defer wg.Done(); res[i], errs[i] = reg.Register(ctx, s, RegisterRequest{Schema: schema(s)}) }()
		deadline := time.Now().Add(10 * time.Second)
		for len(reg.cmds) < i+1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	close(log.release)
	wg.Wait()
	ids := map[string]int{}
	for i, s := range subjects {
		if s == "s4" {
			if errs[i] == nil || !strings.Contains(errs[i].Error(), "internal error") {
				t.Fatalf("s4: %+v, %v; want an internal error", res[i], errs[i])
			}
			continue
		}
		if errs[i] != nil || res[i].Version != 1 {
			t.Fatalf("%s: %+v, %v", s, res[i], errs[i])
		}
		ids[s] = res[i].ID
	}
	describe := func(st *state) map[string]int {
		out := map[string]int{}
		for name, sub := range st.subjects.all {
			if len(sub.versions) != 1 {
				t.Fatalf("%s has %d versions", name, len(sub.versions))
			}
			out[name] = sub.versions[0].Content.ID
		}
		cs := st.context(DefaultContext)
		if cs.byID.len() != len(out) || cs.byKey.len() != len(out) || cs.uses.len() != len(out) {
			t.Fatalf("%d subjects, but %d ids, %d keys, %d uses", len(out), cs.byID.len(), cs.byKey.len(), cs.uses.len())
		}
		return out
	}
	live := describe(reg.snapshot())
	if _, ok := live["s4"]; ok || len(live) != len(subjects)+1 {
		t.Fatalf("the published state holds %v; want every subject but s4", live)
	}
	for s, id := range ids {
		if live[s] != id {
			t.Fatalf("%s: the state says id %d, its writer was told %d", s, live[s], id)
		}
	}
	afterApply = nil
	replayed, err := Open(ctx, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer replayed.Close()
	if got := describe(replayed.snapshot()); !maps.Equal(got, live) {
		t.Fatalf("a replay of the log reaches %v, the live state is %v", got, live)
	}
}
