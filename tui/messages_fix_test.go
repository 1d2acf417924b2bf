package tui

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/dev/demo"
	"github.com/edactl/edactl/stream"
)

// TestMessagesFilterRuntimeErrorsCounted sets a CEL filter that compiles
// but fails on every record (a field the records do not have): the screen
// says the filter failed, with the count and the first error, and counts
// read, shown and filter errors as edactl consume names them; esc clears
// the filter and the records are shown again.
func TestMessagesFilterRuntimeErrorsCounted(t *testing.T) {
	e := newTestEnv(t, 6)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, "buffer 6/10,000", "read 6")
	press(tm, "/")
	typeText(tm, "value.noSuchField == 1")
	press(tm, "enter")
	v := waitView(t, tm, "read 6", "shown 0", "6 filter error(s)", "the filter failed on 6 record(s), not shown; first: ", "noSuchField")
	if strings.Contains(v, "no record matches the filter") {
		t.Errorf("a failing filter reads as no match:\n%s", v)
	}
	press(tm, "esc")
	v = waitView(t, tm, "buffer 6/10,000", "read 6", "following")
	if strings.Contains(v, "filter error") || strings.Contains(v, "noSuchField") {
		t.Errorf("esc did not clear the filter:\n%s", v)
	}
	// A filter that matches some, fails on none.
	press(tm, "/")
	typeText(tm, "partition == 1")
	press(tm, "enter")
	v = waitView(t, tm, "read 6", "shown 3", "filter partition == 1")
	if strings.Contains(v, "filter error") {
		t.Errorf("a working filter shows errors:\n%s", v)
	}
}

// listTimes returns the TIME column of the Messages list, in order.
func listTimes(v string) []string {
	re := regexp.MustCompile(`^(?:> |  )\d+@\d+\s+(\d\d:\d\d:\d\d\.\d\d\d)\s`)
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// TestMessagesBackfillMergedByTime tails a topic of three partitions from
// the earliest record: the back-fill, read partition by partition, is
// listed by time across the partitions.
func TestMessagesBackfillMergedByTime(t *testing.T) {
	e := newTestEnv(t, 10)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter", "f")
	typeText(tm, "earliest")
	press(tm, "enter")
	v := waitView(t, tm, "from earliest", "buffer 10/10,000")
	times := listTimes(v)
	if len(times) < 8 {
		t.Fatalf("want the list's times, got %v:\n%s", times, v)
	}
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Fatalf("the back-fill is not merged by time: %v\n%s", times, v)
		}
	}
}

// TestMessagesPromptsReplaceTheirValue: the f and T prompts show the value
// they hold, and what is typed replaces it instead of being appended.
func TestMessagesPromptsReplaceTheirValue(t *testing.T) {
	e := newTestEnv(t, 3)
	tm := startProbe(t, e.app(time.Hour))
	press(tm, "2", "T")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, demo.TopicOrders+"  from -100", "buffer 3/10,000")
	press(tm, "f")
	waitView(t, tm, "from: -100")
	typeText(tm, "earliest")
	press(tm, "enter")
	waitView(t, tm, demo.TopicOrders+"  from earliest", "buffer 3/10,000")
	press(tm, "T")
	waitView(t, tm, "topic: "+demo.TopicOrders)
	typeText(tm, demo.TopicPayments)
	press(tm, "enter")
	waitView(t, tm, demo.TopicPayments+"  from earliest", "buffer 3/10,000")
	// Editing keys keep the value: backspace then a letter edits it.
	press(tm, "f", "backspace", "backspace", "backspace")
	typeText(tm, "est")
	press(tm, "enter")
	waitView(t, tm, demo.TopicPayments+"  from earliest")
}

// TestMessagesPinnedAndDroppedRecordHeld: moving up pins the view, which
// then counts the records that arrive ("N new, G to follow"); when the
// buffer drops the record open in the detail pane, the pane keeps it and
// says so; G follows again.
func TestMessagesPinnedAndDroppedRecordHeld(t *testing.T) {
	e := newTestEnv(t, 4)
	c := plainCommon()
	app := Build(Config{Ctx: context.Background(), Common: c, Topics: e.main, Groups: e.main, Rewinds: e.main, Tracer: e.main, Tail: e.tail,
		Registry: NewRegistrySource(e.src, e.regURL), Brokers: e.brokers, Refresh: time.Hour, UndoDir: e.undoDir,
		Messages: MessagesOptions{Buffer: 4, From: "earliest"}})
	tm := startProbe(t, app)
	press(tm, "2", "T")
	typeText(tm, demo.TopicOrders)
	press(tm, "enter")
	waitView(t, tm, "buffer 4/4", "following")
	press(tm, "g") // the oldest kept
	v := waitView(t, tm, "pinned: 0 new, G to follow")
	key := selectedKey(t, v)
	e.produceFlows(2, flowStart.Add(time.Hour))
	v = waitView(t, tm, "pinned: 2 new, G to follow", "dropped 2", "This record was dropped from the buffer")
	if got := selectedKey(t, v); got != key {
		t.Errorf("the detail pane changed from %s to %s when the buffer dropped it:\n%s", key, got, v)
	}
	if len(marked(v)) != 0 {
		t.Errorf("a kept row is marked selected while the detail shows a dropped one:\n%s", v)
	}
	press(tm, "G")
	v = waitView(t, tm, "following")
	if strings.Contains(v, "dropped from the buffer") {
		t.Errorf("G kept the dropped record:\n%s", v)
	}
}

// selectedKey is the key shown in the detail pane.
func selectedKey(t *testing.T, v string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^key    (\S+)`).FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("no record in the detail pane:\n%s", v)
	}
	return m[1]
}

// TestOutageStaleMarkedAndLogged stops the broker: Topics keeps its list,
// marked stale with its age; the status line gives the reason in plain
// words; Messages does not say "live"; the log records the outage. A
// broker started again on the same port brings everything back, and the
// log records the recovery.
func TestOutageStaleMarkedAndLogged(t *testing.T) {
	kf, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "before.restart"))
	if err != nil {
		t.Fatal(err)
	}
	addr := kf.ListenAddrs()[0]
	_, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	client := func() *kgo.Client {
		cl, err := kgo.NewClient(stream.ClientOpts([]string{addr}, kgo.MetadataMinAge(100*time.Millisecond))...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	admin := client()
	sc, err := stream.New(stream.WithAdmin(admin))
	if err != nil {
		t.Fatal(err)
	}
	tailer, err := stream.New(stream.WithAdmin(admin), stream.WithConsumer(client()))
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "tui.log")
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := plainCommon()
	every := 200 * time.Millisecond
	msgs := newMessagesScreen(context.Background(), c, tailer, MessagesOptions{Retry: every})
	app := newApp(appOptions{Common: c, Screens: []screen{newTopicsScreen(context.Background(), c, sc, every, nil), msgs},
		Brokers: addr, BrokerHealth: admin.Ping, HealthEvery: every, Log: slog.New(slog.NewTextHandler(f, nil))})
	tm := startProbe(t, app)
	waitView(t, tm, "before.restart", "broker "+addr+": ok")
	tm.Send(screenMsg{screen: 1, msg: openTopicMsg{Topic: "before.restart"}})
	press(tm, "2")
	waitView(t, tm, "before.restart  from -100  ▶ live")
	press(tm, "1")

	kf.Close()
	v := waitView(t, tm, "STALE: last refreshed ", "ago; Kafka unreachable: ", "before.restart", "broker "+addr+": down (")
	for _, bad := range []string{"shard errors", "separate shard"} {
		if strings.Contains(v, bad) {
			t.Errorf("the reason is not in plain words (%q):\n%s", bad, v)
		}
	}
	// The age grows while the broker stays down.
	staleAge := func(v string) int {
		m := regexp.MustCompile(`STALE: last refreshed (\d+)s ago`).FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("no age on the stale mark:\n%s", v)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	a0 := staleAge(v)
	time.Sleep(2 * time.Second)
	if a1 := staleAge(waitView(t, tm, "STALE: last refreshed ", "before.restart")); a1 < a0+1 {
		t.Errorf("the stale mark's age went from %ds to %ds in 2s", a0, a1)
	}
	press(tm, "2")
	v = waitView(t, tm, "before.restart  from -100  ")
	if strings.Contains(v, "▶ live") {
		t.Errorf("Messages says live while the broker is unreachable:\n%s", v)
	}
	press(tm, "1")

	kf2, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(2, "after.restart"))
	if err != nil {
		t.Fatalf("restart the broker on port %d: %v", port, err)
	}
	t.Cleanup(kf2.Close)
	v = waitView(t, tm, "after.restart", "broker "+addr+": ok")
	if strings.Contains(v, "STALE") {
		t.Errorf("fresh data is marked stale:\n%s", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		log, _ := os.ReadFile(logFile)
		down := bytes.Index(log, []byte(`msg="broker unreachable" address=`+addr))
		up := bytes.Index(log, []byte(`msg="broker recovered" address=`+addr))
		if down >= 0 && up > down {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log does not record the outage and the recovery:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
