package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/registry"
	"github.com/edactl/edactl/registry/api"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/registry/store"
)

// kafkaCluster starts a kfake cluster of n brokers.
func kafkaCluster(t testing.TB, n int) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func kafkaClientFor(brokers []string) func(...kgo.Opt) (*kgo.Client, error) {
	return func(extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, extra...)...)
	}
}

// kafkaInstance is one registry instance on a Kafka log, served over HTTP.
type kafkaInstance struct {
	srv *api.Server
	hs  *httptest.Server
	url string
}

func startKafkaInstance(t testing.TB, brokers []string, topic string, regOpts ...registry.Option) *kafkaInstance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	log, err := store.OpenKafka(ctx, store.KafkaConfig{Topic: topic, NewClient: kafkaClientFor(brokers)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Open(ctx, log, append([]registry.Option{registry.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}, regOpts...), api.WithAccessLog(false), api.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &kafkaInstance{srv: srv, hs: hs, url: hs.URL}
}

func startKafkaInstances(t testing.TB, n int, c *kfake.Cluster, regOpts ...registry.Option) []*kafkaInstance {
	out := make([]*kafkaInstance, n)
	for i := range out {
		out[i] = startKafkaInstance(t, c.ListenAddrs(), "", regOpts...)
	}
	return out
}

var restClient = &http.Client{Timeout: 30 * time.Second}

// call sends a registry request and decodes a 200 answer into out; another
// status is an error with the body.
func call(method, url, body string, latest bool, out any) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	if latest {
		req.Header.Set(api.ConsistencyHeader, api.ConsistencyLatest)
	}
	resp, err := restClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// register registers schema under subject through url and returns its id.
func register(url, subject, schema string) (int, error) {
	body, _ := json.Marshal(map[string]string{"schema": schema})
	var res struct{ ID int }
	err := call(http.MethodPost, url+"/subjects/"+subject+"/versions", string(body), false, &res)
	return res.ID, err
}

func recordSchema(name string) string {
	return fmt.Sprintf(`{"type":"record","name":%q,"fields":[{"name":"f","type":"int"}]}`, name)
}

// schemaAt returns the schema text GET /schemas/ids/{id} answers on url,
// read at the latest state.
func schemaAt(url string, id int) (string, error) {
	var res struct{ Schema string }
	err := call(http.MethodGet, fmt.Sprintf("%s/schemas/ids/%d", url, id), "", true, &res)
	return res.Schema, err
}

// TestKafkaSameSchemas: the same 500 schemas registered concurrently
// through three instances on a three-broker cluster get one id each,
// identical on every instance.
func TestKafkaSameSchemas(t *testing.T) {
	c := kafkaCluster(t, 3)
	insts := startKafkaInstances(t, 3, c)
	const n = 500
	ids := make([][3]int, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 48)
	for i := range n {
		for k, in := range insts {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				id, err := register(in.url, fmt.Sprintf("same-%d", i), recordSchema(fmt.Sprintf("Same%d", i)))
				if err != nil {
					t.Error(err)
				}
				ids[i][k] = id
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	seen := map[int]int{}
	for i, got := range ids {
		if got[0] != got[1] || got[1] != got[2] {
			t.Fatalf("schema %d got ids %v through the three instances", i, got)
		}
		if j, dup := seen[got[0]]; dup {
			t.Fatalf("schemas %d and %d share id %d", j, i, got[0])
		}
		seen[got[0]] = i
	}
	for _, in := range insts {
		for i := 0; i < n; i += 25 {
			s, err := schemaAt(in.url, ids[i][0])
			if err != nil || !strings.Contains(s, fmt.Sprintf(`"Same%d"`, i)) {
				t.Fatalf("%s: id %d = %q, %v; want schema Same%d", in.url, ids[i][0], s, err, i)
			}
		}
		var versions []int
		if err := call(http.MethodGet, in.url+"/subjects/same-7/versions", "", true, &versions); err != nil || !slices.Equal(versions, []int{1}) {
			t.Fatalf("%s: same-7 versions = %v, %v; want [1]", in.url, versions, err)
		}
	}
}

// TestKafkaDistinctSchemas: different schemas through three instances get
// dense, unique ids, and concurrent new versions of one subject get dense,
// unique versions, identical on every instance.
func TestKafkaDistinctSchemas(t *testing.T) {
	c := kafkaCluster(t, 3)
	insts := startKafkaInstances(t, 3, c)
	if err := call(http.MethodPut, insts[0].url+"/config/shared", `{"compatibility":"NONE"}`, false, nil); err != nil {
		t.Fatal(err)
	}
	const n = 300
	ids := make([]int, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 48)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			in := insts[i%3]
			subject := fmt.Sprintf("distinct-%d", i)
			if i%5 == 0 {
				subject = "shared" // new versions of one subject, concurrently
			}
			id, err := register(in.url, subject, recordSchema(fmt.Sprintf("Distinct%d", i)))
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	sorted := slices.Sorted(slices.Values(ids))
	for i, id := range sorted {
		if id != i+1 {
			t.Fatalf("ids are not dense and unique: sorted ids[%d] = %d", i, id)
		}
	}
	var want []int
	for v := 1; v <= n/5; v++ {
		want = append(want, v)
	}
	var first []byte
	for _, in := range insts {
		var versions []int
		if err := call(http.MethodGet, in.url+"/subjects/shared/versions", "", true, &versions); err != nil || !slices.Equal(versions, want) {
			t.Fatalf("%s: shared versions = %v, %v; want 1..%d", in.url, versions, err, n/5)
		}
		// Every instance holds the same versions with the same ids.
		var all bytes.Buffer
		for _, v := range versions {
			var sv struct {
				ID     int
				Schema string
			}
			if err := call(http.MethodGet, fmt.Sprintf("%s/subjects/shared/versions/%d", in.url, v), "", false, &sv); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&all, "%d:%d:%s\n", v, sv.ID, sv.Schema)
		}
		if first == nil {
			first = all.Bytes()
		} else if !bytes.Equal(first, all.Bytes()) {
			t.Fatalf("%s holds other versions of shared than the first instance", in.url)
		}
	}
}

// TestKafkaReadYourWrites: a write through one instance is seen by a read
// with Edactl-Consistency: latest on every other, at once.
func TestKafkaReadYourWrites(t *testing.T) {
	c := kafkaCluster(t, 3)
	insts := startKafkaInstances(t, 3, c)
	for i := range 60 {
		w := insts[i%3]
		id, err := register(w.url, fmt.Sprintf("ryw-%d", i), recordSchema(fmt.Sprintf("Ryw%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range insts {
			if s, err := schemaAt(in.url, id); err != nil || !strings.Contains(s, fmt.Sprintf(`"Ryw%d"`, i)) {
				t.Fatalf("read of id %d on %s right after the write on %s: %q, %v", id, in.url, w.url, s, err)
			}
		}
		// The writing instance answers only once it has folded the write:
		// a read there needs no catching up.
		var res struct{ Schema string }
		if err := call(http.MethodGet, fmt.Sprintf("%s/schemas/ids/%d", w.url, id), "", false, &res); err != nil {
			t.Fatalf("read without consistency on the writing instance: %v", err)
		}
	}
	// The query parameter does the same as the header.
	id, err := register(insts[0].url, "ryw-param", recordSchema("RywParam"))
	if err != nil {
		t.Fatal(err)
	}
	if err := call(http.MethodGet, fmt.Sprintf("%s/schemas/ids/%d?consistency=latest", insts[2].url, id), "", false, nil); err != nil {
		t.Fatal(err)
	}
}

// kafkaHammer registers distinct schemas through the instances from 16
// clients until stop is closed and returns every acknowledged subject → id.
func kafkaHammer(urls []string, prefix string, stop <-chan struct{}, acks *atomic.Int64) map[string]int {
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			url := urls[w%len(urls)]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				subject := fmt.Sprintf("%s-%d-%d", prefix, w, i)
				id, err := register(url, subject, recordSchema(fmt.Sprintf("H%s%d_%d", strings.ReplaceAll(prefix, "-", "_"), w, i)))
				if err != nil {
					time.Sleep(10 * time.Millisecond) // not acknowledged: try the next one
					continue
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

// checkAcked checks on every url, at the latest state, that every
// acknowledged registration is there with its id.
func checkAcked(t *testing.T, urls []string, acked map[string]int) {
	t.Helper()
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged")
	}
	for _, url := range urls {
		for subject, id := range acked {
			var sv struct{ ID int }
			if err := call(http.MethodGet, url+"/subjects/"+subject+"/versions/latest", "", true, &sv); err != nil {
				t.Fatalf("%s: acknowledged %s (id %d) lost: %v", url, subject, id, err)
			}
			if sv.ID != id {
				t.Fatalf("%s: acknowledged %s had id %d, now %d", url, subject, id, sv.ID)
			}
		}
	}
}

// TestKafkaBrokerStopped: a broker (the log partition's leader) stopped
// mid-run loses no acknowledged write.
func TestKafkaBrokerStopped(t *testing.T) {
	c := kafkaCluster(t, 3)
	insts := startKafkaInstances(t, 3, c)
	urls := []string{insts[0].url, insts[1].url, insts[2].url}
	stop := make(chan struct{})
	var acks atomic.Int64
	done := make(chan map[string]int)
	go func() { done <- kafkaHammer(urls, "broker", stop, &acks) }()
	waitFor(&acks, 200)
	leader := c.LeaderFor(store.DefaultKafkaTopic, 0)
	if err := c.RemoveNode(leader); err != nil {
		t.Fatal(err)
	}
	before := acks.Load()
	waitFor(&acks, before+200)
	close(stop)
	acked := <-done
	if acks.Load() < before+200 {
		t.Fatalf("only %d writes acknowledged after broker %d stopped (%d before)", acks.Load()-before, leader, before)
	}
	checkAcked(t, urls, acked)
	t.Logf("broker %d stopped after %d acknowledged writes; %d in all, none lost", leader, before, len(acked))
}

// TestKafkaChild is the registry instance TestKafkaKill kills; it only
// runs when started by that test.
func TestKafkaChild(t *testing.T) {
	brokers := os.Getenv("EDACTL_KAFKA_CHILD_BROKERS")
	if brokers == "" {
		t.Skip("run by TestKafkaKill")
	}
	addrFile := os.Getenv("EDACTL_KAFKA_CHILD_ADDR")
	log, err := store.OpenKafka(context.Background(), store.KafkaConfig{NewClient: kafkaClientFor(strings.Split(brokers, ","))})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Open(context.Background(), log, nil, api.WithAccessLog(false))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(addrFile+".tmp", addrFile)
	http.Serve(ln, srv.Handler) // until killed
}

// startKafkaChild starts TestKafkaChild and returns its URL.
func startKafkaChild(t *testing.T, brokers []string) (*exec.Cmd, string) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKafkaChild$")
	cmd.Env = append(os.Environ(), "EDACTL_KAFKA_CHILD_BROKERS="+strings.Join(brokers, ","), "EDACTL_KAFKA_CHILD_ADDR="+addrFile)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(60 * time.Second); ; {
		if b, err := os.ReadFile(addrFile); err == nil {
			return cmd, "http://" + string(b)
		}
		if time.Now().After(deadline) {
			t.Fatal("the child registry did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKafkaKill: an instance in another process is killed with SIGKILL
// mid-flight, writes go on through another instance, and the restarted
// instance catches up: it serves every write acknowledged by either.
func TestKafkaKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	c := kafkaCluster(t, 3)
	local := startKafkaInstance(t, c.ListenAddrs(), "")
	child, childURL := startKafkaChild(t, c.ListenAddrs())
	stop := make(chan struct{})
	var acks atomic.Int64
	done := make(chan map[string]int)
	go func() { done <- kafkaHammer([]string{childURL, local.url}, "kill", stop, &acks) }()
	waitFor(&acks, 300)
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	before := acks.Load()
	waitFor(&acks, before+200) // half the writers, through the live instance
	close(stop)
	acked := <-done
	// More writes while the child is down.
	for i := range 50 {
		id, err := register(local.url, fmt.Sprintf("down-%d", i), recordSchema(fmt.Sprintf("Down%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		acked[fmt.Sprintf("down-%d", i)] = id
	}
	_, childURL = startKafkaChild(t, c.ListenAddrs())
	checkAcked(t, []string{childURL, local.url}, acked)
	// The restarted instance allocates ids past every one handed out, and
	// the other instance agrees on it.
	id, err := register(childURL, "after-restart", recordSchema("AfterRestart"))
	if err != nil {
		t.Fatal(err)
	}
	maxAcked := 0
	for _, v := range acked {
		maxAcked = max(maxAcked, v)
	}
	if id <= maxAcked {
		t.Fatalf("first id after the restart = %d, want above %d", id, maxAcked)
	}
	if s, err := schemaAt(local.url, id); err != nil || !strings.Contains(s, "AfterRestart") {
		t.Fatalf("id %d on the other instance: %q, %v", id, s, err)
	}
	t.Logf("killed after %d acknowledged writes; %d in all, none lost", before, len(acked))
}

// TestInteropOnKafkaStore runs the Confluent-client interop tests (Go, and
// the npm clients where installed) again with every registry on the kafka
// store: they must pass there as they do on bbolt.
func TestInteropOnKafkaStore(t *testing.T) {
	if os.Getenv(registrytest.StoreEnv) != "" {
		t.Skip("already on the kafka store")
	}
	if testing.Short() {
		t.Skip("starts a child test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestConfluentGo|TestKafkaJSInterop|TestConfluentJSInterop)", "-test.v")
	cmd.Env = append(os.Environ(), registrytest.StoreEnv+"=kafka")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the interop tests fail on the kafka store: %v\n%s", err, out)
	}
	passed := strings.Count(string(out), "--- PASS: TestConfluentGo")
	if passed < 9 {
		t.Fatalf("only %d Confluent Go interop tests passed on the kafka store:\n%s", passed, out)
	}
	t.Logf("%d Confluent Go interop tests passed on the kafka store", passed)
}

// TestKafkaLostRace: two instances register, at the same moment, versions
// that are each compatible with the subject's version 1 but not with each
// other: the fold keeps the first in the log, and the other is answered as
// Confluent answers it then, 409; every instance holds the winner.
func TestKafkaLostRace(t *testing.T) {
	c := kafkaCluster(t, 3)
	insts := startKafkaInstances(t, 3, c)
	p := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}`
	q := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}`
	for round := range 15 {
		subject := fmt.Sprintf("race-%d", round)
		if _, err := register(insts[0].url, subject, `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`); err != nil {
			t.Fatal(err)
		}
		// Both instances must know version 1 before they race.
		for _, in := range insts {
			if err := call(http.MethodGet, in.url+"/subjects/"+subject+"/versions/1", "", true, nil); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, schema := range []string{p, q} {
			wg.Go(func() { _, errs[i] = register(insts[1+i].url, subject, schema) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				won = i
			case !strings.Contains(err.Error(), ": 409 ") || !strings.Contains(err.Error(), `"error_code":409`):
				t.Fatalf("round %d: the loser's answer is not Confluent's 409: %v", round, err)
			}
		}
		if won < 0 || errs[1-won] == nil {
			t.Fatalf("round %d: want exactly one registration to win, got %v", round, errs)
		}
		winner := []string{`"b","type":"int"`, `"b","type":"string"`}[won]
		for _, in := range insts {
			var versions []int
			var v2 struct{ Schema string }
			if err := call(http.MethodGet, in.url+"/subjects/"+subject+"/versions", "", true, &versions); err != nil || !slices.Equal(versions, []int{1, 2}) {
				t.Fatalf("round %d, %s: versions %v, %v", round, in.url, versions, err)
			}
			if err := call(http.MethodGet, in.url+"/subjects/"+subject+"/versions/2", "", false, &v2); err != nil || !strings.Contains(v2.Schema, winner) {
				t.Fatalf("round %d, %s: version 2 is %q, want the winner (%s)", round, in.url, v2.Schema, winner)
			}
		}
	}
}

// TestKafkaNewerFormat: a record of a newer format than this edactl folds
// stops the instance's writes and consistent reads (rather than folding it
// by the wrong rules), and an instance starting on that log refuses to.
func TestKafkaNewerFormat(t *testing.T) {
	c := kafkaCluster(t, 1)
	in := startKafkaInstance(t, c.ListenAddrs(), "")
	if _, err := register(in.url, "before", recordSchema("Before")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	raw, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: kafkaClientFor(c.ListenAddrs())})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Append(ctx, [][]byte{[]byte(`{"v":99,"kind":"Register","subject":"future"}`)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := register(in.url, "after", recordSchema("After"))
		if err != nil && strings.Contains(err.Error(), "50001") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes after a newer record: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := call(http.MethodGet, in.url+"/subjects", "", true, nil); err == nil || !strings.Contains(err.Error(), "50001") {
		t.Fatalf("a consistent read after a newer record: %v", err)
	}
	// Plain reads keep serving what was folded.
	if err := call(http.MethodGet, in.url+"/subjects/before/versions/1", "", false, nil); err != nil {
		t.Fatal(err)
	}
	log, err := store.OpenKafka(ctx, store.KafkaConfig{NewClient: kafkaClientFor(c.ListenAddrs())})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	_, err = registry.Open(ctx, log)
	if err == nil || !strings.Contains(err.Error(), "format v99 is newer than this edactl reads") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("an instance starting on the log: %v", err)
	}
}
