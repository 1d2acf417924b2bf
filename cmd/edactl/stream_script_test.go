package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/serde"
)

// TestStreamScripts runs the stream commands' scripts,
// testdata/script/stream/<command>_<case>.txtar. Each script gets a fresh
// in-process kfake cluster (EDACTL_BROKERS) and edactl schema registry
// over HTTP (registrytest; EDACTL_REGISTRY), and these commands to arrange and inspect them:
//
//	kafka topic NAME PARTITIONS [K=V...]   create a topic (with topic configs)
//	kafka produce TOPIC FILE               write the JSON lines of FILE:
//	    {"partition":0, "key":"k", "value":"text" | "value_base64":"..." |
//	     "value_json":{...} with "subject" and optional "version",
//	     "timestamp":"RFC3339", "headers":{"name":"value"},
//	     "headers_base64":{"name":"base64 of the value's bytes"}}
//	kafka commit GROUP TOPIC:P=OFFSET...   commit offsets as an admin
//	kafka committed GROUP                  print "topic/p=offset" lines (or "no committed offsets")
//	kafka member GROUP TOPIC CLIENTID      keep an active group member until the script ends
//	registry register SUBJECT FILE         register an Avro schema
//	sleep DURATION                         wait (to let a background command start)
//	examples DIR                           write the sample catalogue into DIR
//	bigline FILE BYTES                     append to FILE a produce line whose value is
//	                                       BYTES incompressible bytes (base64)
func TestStreamScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script/stream",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			kf, err := kfake.NewCluster(kfake.NumBrokers(1))
			if err != nil {
				return err
			}
			env.Defer(kf.Close)
			brokers := strings.Join(kf.ListenAddrs(), ",")
			env.Setenv("EDACTL_BROKERS", brokers)
			tb, ok := env.T().(testing.TB)
			if !ok {
				return fmt.Errorf("testscript T is not a testing.TB")
			}
			reg := registrytest.Start(tb, registrytest.InMemory())
			env.Setenv("EDACTL_REGISTRY", reg.URL)
			cl, err := kgo.NewClient(kgo.SeedBrokers(kf.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
			if err != nil {
				return err
			}
			env.Defer(cl.Close)
			src, err := sr.NewClient(sr.URLs(reg.URL))
			if err != nil {
				return err
			}
			env.Values["env"] = &scriptEnv{brokers: kf.ListenAddrs(), cl: cl, reg: src}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"kafka":    cmdKafka,
			"registry": cmdRegistry,
			"examples": cmdExamples,
			"bigline":  cmdBigline,
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: sleep DURATION")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
		},
	})
}

type scriptEnv struct {
	brokers []string
	cl      *kgo.Client
	reg     *sr.Client
}

func envOf(ts *testscript.TestScript) *scriptEnv { return ts.Value("env").(*scriptEnv) }

func scriptCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

func cmdKafka(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("kafka does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: kafka topic|produce|commit|committed|member ...")
	}
	e := envOf(ts)
	adm := kadm.NewClient(e.cl)
	ctx, cancel := scriptCtx()
	defer cancel()
	switch args[0] {
	case "topic":
		if len(args) < 3 {
			ts.Fatalf("usage: kafka topic NAME PARTITIONS [KEY=VALUE...]")
		}
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		var configs map[string]*string
		for _, kv := range args[3:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				ts.Fatalf("topic config %q: want KEY=VALUE", kv)
			}
			if configs == nil {
				configs = map[string]*string{}
			}
			configs[k] = &v
		}
		resp, err := adm.CreateTopic(ctx, int32(n), 1, configs, args[1])
		ts.Check(err)
		ts.Check(resp.Err)
	case "produce":
		if len(args) != 3 {
			ts.Fatalf("usage: kafka produce TOPIC FILE")
		}
		produceScriptRecords(ts, ctx, e, args[1], ts.ReadFile(args[2]))
	case "commit":
		if len(args) < 3 {
			ts.Fatalf("usage: kafka commit GROUP TOPIC:P=OFFSET...")
		}
		offs := kadm.Offsets{}
		for _, a := range args[2:] {
			tp, off, ok := strings.Cut(a, "=")
			topic, p, ok2 := strings.Cut(tp, ":")
			if !ok || !ok2 {
				ts.Fatalf("bad offset %q: want TOPIC:P=OFFSET", a)
			}
			pn, err := strconv.Atoi(p)
			ts.Check(err)
			o, err := strconv.ParseInt(off, 10, 64)
			ts.Check(err)
			offs.Add(kadm.Offset{Topic: topic, Partition: int32(pn), At: o, LeaderEpoch: -1})
		}
		ts.Check(adm.CommitAllOffsets(ctx, args[1], offs))
	case "committed":
		if len(args) != 2 {
			ts.Fatalf("usage: kafka committed GROUP")
		}
		resp, err := adm.FetchOffsets(ctx, args[1])
		var lines []string
		if errors.Is(err, kerr.GroupIDNotFound) {
			err = nil // no group, no offsets
		}
		ts.Check(err)
		resp.Each(func(o kadm.OffsetResponse) {
			if o.Err == nil && o.At >= 0 {
				lines = append(lines, fmt.Sprintf("%s/%d=%d", o.Topic, o.Partition, o.At))
			}
		})
		sort.Strings(lines)
		if len(lines) == 0 {
			lines = []string{"no committed offsets"}
		}
		for _, l := range lines {
			fmt.Fprintln(ts.Stdout(), l)
		}
	case "member":
		if len(args) != 4 {
			ts.Fatalf("usage: kafka member GROUP TOPIC CLIENTID")
		}
		m, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumerGroup(args[1]), kgo.ConsumeTopics(args[2]), kgo.ClientID(args[3]))
		ts.Check(err)
		mctx, mcancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for mctx.Err() == nil {
				m.PollFetches(mctx)
			}
		}()
		ts.Defer(func() { mcancel(); <-done; m.Close() })
		// Wait until the group is Stable with the member in it.
		for i := 0; ; i++ {
			dg, err := adm.DescribeGroups(ctx, args[1])
			if err == nil && dg[args[1]].State == "Stable" && len(dg[args[1]].Members) == 1 {
				break
			}
			if i > 200 {
				ts.Fatalf("group %s did not become Stable", args[1])
			}
			time.Sleep(50 * time.Millisecond)
		}
	default:
		ts.Fatalf("unknown kafka command %q", args[0])
	}
}

// scriptRecord is one line of `kafka produce`.
type scriptRecord struct {
	Partition   int32             `json:"partition"`
	Key         *string           `json:"key"`
	Value       *string           `json:"value"`
	ValueBase64 string            `json:"value_base64"`
	ValueJSON   json.RawMessage   `json:"value_json"`
	Subject     string            `json:"subject"`
	Version     int               `json:"version"`
	Timestamp   string            `json:"timestamp"`
	Headers     map[string]string `json:"headers"`
	HeadersB64  map[string]string `json:"headers_base64"`
}

func produceScriptRecords(ts *testscript.TestScript, ctx context.Context, e *scriptEnv, topic, data string) {
	reg := serde.NewRegistry(e.reg)
	var recs []*kgo.Record
	for i, line := range strings.Split(strings.TrimSpace(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var sr scriptRecord
		if err := json.Unmarshal([]byte(line), &sr); err != nil {
			ts.Fatalf("line %d: %v", i+1, err)
		}
		r := &kgo.Record{Topic: topic, Partition: sr.Partition}
		if sr.Key != nil {
			r.Key = []byte(*sr.Key)
		}
		switch {
		case sr.Value != nil:
			r.Value = []byte(*sr.Value)
		case sr.ValueBase64 != "":
			b, err := base64.StdEncoding.DecodeString(sr.ValueBase64)
			ts.Check(err)
			r.Value = b
		case sr.ValueJSON != nil:
			v := sr.Version
			if v == 0 {
				v = -1
			}
			s, err := reg.SchemaBySubject(ctx, sr.Subject, v)
			ts.Check(err)
			b, err := avrojson.EncodeJSON(s, sr.ValueJSON)
			ts.Check(err)
			r.Value = b
		}
		if sr.Timestamp != "" {
			t, err := time.Parse(time.RFC3339Nano, sr.Timestamp)
			ts.Check(err)
			r.Timestamp = t
		}
		hs := map[string][]byte{}
		for k, v := range sr.Headers {
			hs[k] = []byte(v)
		}
		for k, v := range sr.HeadersB64 {
			b, err := base64.StdEncoding.DecodeString(v)
			ts.Check(err)
			hs[k] = b
		}
		names := make([]string, 0, len(hs))
		for k := range hs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: hs[k]})
		}
		recs = append(recs, r)
	}
	ts.Check(e.cl.ProduceSync(ctx, recs...).FirstErr())
}

func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || args[0] != "register" {
		ts.Fatalf("usage: registry register SUBJECT FILE")
	}
	ctx, cancel := scriptCtx()
	defer cancel()
	ss, err := envOf(ts).reg.CreateSchema(ctx, args[1], sr.Schema{Schema: ts.ReadFile(args[2])})
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "registered %s version %d id %d\n", args[1], ss.Version, ss.ID)
}

// cmdBigline appends a line for edactl produce with a value of BYTES
// pseudo-random (incompressible) bytes.
func cmdBigline(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigline FILE BYTES")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{7}).Read(b)
	f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	ts.Check(err)
	_, err = fmt.Fprintf(f, `{"key":"big","value":"%s","value_encoding":"base64"}`+"\n", base64.StdEncoding.EncodeToString(b))
	ts.Check(err)
	ts.Check(f.Close())
}
