package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edactl/edactl/internal/testenv"
	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/registry/store"
)

// historySeed is how many versions each subject holds before the measured
// registrations.
const historySeed = 60

// historySchema is version v of subject s's long history: a record (in a
// namespace of its own, so that no two subjects share a schema) with an id
// and v-1 optional fields, each version adding one (so every version is
// BACKWARD_TRANSITIVE compatible with all earlier ones).
func historySchema(s, v int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"type":"record","name":"Event","namespace":"bench.history.s%d","fields":[{"name":"id","type":"string"}`, s)
	for f := 1; f < v; f++ {
		fmt.Fprintf(&sb, `,{"name":"f%d","type":["null","string"],"default":null}`, f)
	}
	sb.WriteString(`]}`)
	return sb.String()
}

// registerHistoryLoad seeds subjects with historySeed versions each (in
// process, under BACKWARD_TRANSITIVE, as a registry that has been running
// holds them: every version checked when it was registered, and so its
// parse kept), then registers b.N new versions over HTTP from 16 clients,
// each client owning its own subjects and adding one version to each in
// turn, and returns the rate of the measured registrations and the
// process's CPU time per registration (the clients' included), which a
// machine shared with other work disturbs less than the rate. Subjects get at
// most 16 new versions each, so every check compares with 60 to 75
// versions. It fails unless every registration
// answered 200 with the next version number, and unless, reopened from its
// bbolt file, the registry holds exactly the seeded and the new versions.
func registerHistoryLoad(b *testing.B, regOpts []registry.Option) (rate float64, cpu time.Duration) {
	ctx := context.Background()
	const clients = 16
	perSubject := 16
	subjects := max(clients, (b.N+perSubject-1)/perSubject)
	subjects = (subjects + clients - 1) / clients * clients
	dir := b.TempDir()
	log, err := store.OpenBolt(dir)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := api.Open(ctx, log, regOpts, api.WithAccessLog(false))
	if err != nil {
		b.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	bt := string(compat.BackwardTransitive)
	if _, err := srv.Registry.SetConfig(ctx, "", registry.ConfigUpdate{Compatibility: &bt}); err != nil {
		b.Fatal(err)
	}
	subject := func(i int) string { return fmt.Sprintf("history-%d-value", i) }
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for w := range clients {
		wg.Go(func() {
			for s := w; s < subjects; s += clients {
				for v := 1; v <= historySeed; v++ {
					res, err := srv.Registry.Register(ctx, subject(s), registry.RegisterRequest{Schema: historySchema(s, v)})
					if err == nil && res.Version != v {
						err = fmt.Errorf("seed %s: version %d, want %d", subject(s), res.Version, v)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	ts := newServer(srv.Handler)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	// Client w registers its share of b.N, one new version per subject in
	// turn: its subjects are w, w+16, w+32, ...
	mine := subjects / clients
	counts := make([]int, clients)
	// The measured registrations only, without the seeding.
	stopProfile := startBenchProfile(b)
	defer stopProfile()
	b.ResetTimer()
	cpu0 := testenv.CPUTime(b)
	start := time.Now()
	for w := range clients {
		share := b.N / clients
		if w < b.N%clients {
			share++
		}
		counts[w] = share
		wg.Go(func() {
			for k := range share {
				s := w + clients*(k%mine)
				v := historySeed + 1 + k/mine
				body, _ := json.Marshal(map[string]string{"schema": historySchema(s, v)})
				resp, err := hc.Post(fmt.Sprintf("%s/subjects/%s/versions", ts.URL, subject(s)), "application/vnd.schemaregistry.v1+json", strings.NewReader(string(body)))
				if err != nil {
					b.Error(err)
					return
				}
				var res struct {
					ID      int    `json:"id"`
					Message string `json:"message"`
				}
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if resp.StatusCode != 200 || err != nil || res.ID <= 0 {
					b.Errorf("register version %d of %s: status %d, id %d, %v %s", v, subject(s), resp.StatusCode, res.ID, err, res.Message)
					return
				}
				got, err := srv.Registry.Version(subject(s), -1, registry.LiveOnly)
				if err != nil || got.Version != v {
					b.Errorf("after registering version %d of %s the latest is %v (%v)", v, subject(s), got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	cpu = testenv.CPUTime(b) - cpu0
	b.StopTimer()
	stopProfile()
	if b.Failed() {
		b.FailNow()
	}
	rate = float64(b.N) / el.Seconds()

	// Count what the bbolt file holds: reopen it and replay.
	closed = true
	if err := srv.Close(); err != nil {
		b.Fatal(err)
	}
	log2, err := store.OpenBolt(dir)
	if err != nil {
		b.Fatal(err)
	}
	reg, err := registry.Open(ctx, log2)
	if err != nil {
		log2.Close()
		b.Fatal(err)
	}
	defer log2.Close()
	defer reg.Close()
	total := 0
	for s := range subjects {
		vs, err := reg.Versions(subject(s), registry.LiveOnly)
		if err != nil {
			b.Fatal(err)
		}
		total += len(vs)
	}
	if want := subjects*historySeed + b.N; total != want {
		b.Fatalf("the reopened store holds %d versions in %d subjects, want %d (%d seeded + %d registered)", total, subjects, want, subjects*historySeed, b.N)
	}
	return rate, cpu / time.Duration(b.N)
}

// BenchmarkRegisterLongHistory measures durable registrations (bbolt, fsync
// per group commit) of new versions into subjects that already hold 60
// versions under BACKWARD_TRANSITIVE, each version adding an optional
// field, from 16 HTTP clients: "plain" checks against parsed schemas
// (registry.WithPreparedChecks(false), the path before prepared checks),
// "prepared" against schemas prepared once per stored version (the
// default), in the same run:
//
//	go test -run '^$' -bench RegisterLongHistory -benchtime 4000x -count 4 ./registry/api/
func BenchmarkRegisterLongHistory(b *testing.B) {
	for _, bc := range []struct {
		name string
		on   bool
	}{{"plain", false}, {"prepared", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			rate, cpu := registerHistoryLoad(b, []registry.Option{registry.WithPreparedChecks(bc.on)})
			b.ReportMetric(rate, "versions/s")
			b.ReportMetric(float64(cpu.Microseconds()), "cpu-µs/version")
		})
	}
}
