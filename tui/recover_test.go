package tui

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/serde"
	"github.com/edactl/edactl/stream"
)

// TestTopicsRecoverWhenKafkaReturns stops the broker: the Topics screen
// and the status line say Kafka is down; a broker started again on the same
// port brings both back without a key press.
func TestTopicsRecoverWhenKafkaReturns(t *testing.T) {
	kf, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "before.restart"))
	if err != nil {
		t.Fatal(err)
	}
	addr := kf.ListenAddrs()[0]
	_, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	// A short metadata age lets the client notice the new broker sooner
	// (franz-go waits 5s between metadata refreshes by default).
	admin, err := kgo.NewClient(stream.ClientOpts([]string{addr}, kgo.MetadataMinAge(100*time.Millisecond))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	sc, err := stream.New(stream.WithAdmin(admin))
	if err != nil {
		t.Fatal(err)
	}
	c := plainCommon()
	app := newApp(appOptions{Common: c, Screens: []screen{newTopicsScreen(context.Background(), c, sc, 200*time.Millisecond, nil)},
		Brokers: addr, BrokerHealth: admin.Ping, HealthEvery: 200 * time.Millisecond})
	tm := startProbe(t, app)
	waitView(t, tm, "before.restart", "broker "+addr+": ok")

	kf.Close()
	t0 := time.Now()
	waitView(t, tm, "Kafka unreachable", "Retrying every 200ms", "broker "+addr+": down")
	t.Log("down after", time.Since(t0))

	kf2, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(2, "after.restart"))
	if err != nil {
		t.Fatalf("restart the broker on port %d: %v", port, err)
	}
	t.Cleanup(kf2.Close)
	t0 = time.Now()
	waitView(t, tm, "after.restart", "broker "+addr+": ok")
	t.Log("up after", time.Since(t0))
}

// TestMessagesReadRecoversWhenTheTopicAppears tails a topic that does not
// exist yet: the screen says why nothing is read and retries; once the
// topic is created and written, its records arrive.
func TestMessagesReadRecoversWhenTheTopicAppears(t *testing.T) {
	e := newTestEnv(t, 0)
	c := plainCommon()
	m := newMessagesScreen(context.Background(), c, e.tail, MessagesOptions{Retry: 200 * time.Millisecond})
	tm := startProbe(t, newApp(appOptions{Screens: []screen{m}, Common: c}))
	tm.Send(openTopicMsg{Topic: "late.topic"})
	waitView(t, tm, `read failed: topic does not exist: "late.topic"`, "✖ stopped")

	if _, err := kadmClient(e).CreateTopic(ctxT(t), 1, 1, nil, "late.topic"); err != nil {
		t.Fatal(err)
	}
	if err := e.producer.ProduceSync(ctxT(t), &kgo.Record{Topic: "late.topic", Key: []byte("k"), Value: []byte(`{"hello":"world"}`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	v := waitView(t, tm, "late.topic  from -100  ▶ live", "buffer 1/10,000", `{"hello":"world"}`)
	if strings.Contains(v, "read failed") {
		t.Errorf("the error is still shown after recovery:\n%s", v)
	}
}

func kadmClient(e *testEnv) *kadm.Client { return kadm.NewClient(e.admin) }

// TestMessagesShowRecordsRawWhileTheRegistryIsDown tails with a registry
// that does not answer: records are still shown, raw, with the reason, and
// the status line says the registry is down.
func TestMessagesShowRecordsRawWhileTheRegistryIsDown(t *testing.T) {
	e := newTestEnv(t, 2)
	dead, err := sr.NewClient(sr.URLs("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	tail, err := stream.New(stream.WithAdmin(e.admin), stream.WithConsumer(e.client()), stream.WithRegistry(serde.NewRegistry(dead)))
	if err != nil {
		t.Fatal(err)
	}
	c := plainCommon()
	src := NewRegistrySource(dead, "http://127.0.0.1:1")
	m := newMessagesScreen(context.Background(), c, tail, MessagesOptions{})
	app := newApp(appOptions{Screens: []screen{m}, Common: c, RegistryURL: src.URL(), RegistryHealth: src.Ping})
	tm := startProbe(t, app)
	tm.Send(openTopicMsg{Topic: "orders.placed"})
	v := waitView(t, tm, "buffer 2/10,000", "value  base64", "not decoded: schema id 9: ", "connection refused", "registry http://127.0.0.1:1: down")
	if strings.Contains(v, `"orderId"`) {
		t.Errorf("a value was decoded without a registry:\n%s", v)
	}
}
