package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSchemasScreenDiffAndVerdict(t *testing.T) {
	url, cl := sampleRegistry(t)
	c := plainCommon()
	app := newApp(appOptions{
		Common:         c,
		Screens:        []screen{newSchemasScreen(context.Background(), c, NewRegistrySource(cl, url))},
		Brokers:        "(none)",
		RegistryURL:    url,
		RegistryHealth: NewRegistrySource(cl, url).Ping,
		BrokerHealth:   func(context.Context) error { return errors.New("no broker in this test") },
	})
	tm := startApp(t, app)
	waitFor(t, tm, "Subjects (9)", "inventory.queries-value")

	// Filter to the order events, open orders.placed-value: the newest two
	// versions are compared by default.
	keys(tm, "/", "o", "r", "d", "e", "r", "s", "enter", "j", "enter")
	waitFor(t, tm, "orders.placed-value", "Changes v2 → v3", "BACKWARD")

	// Compare v1 with v3 instead.
	keys(tm, "[")
	waitFor(t, tm, "Changes v1 → v3")
	view := finalView(t, tm)
	for _, want := range []string{"level BACKWARD", "[from:1]", "[to:3]", "BACKWARD v3 reads v1: compatible", "registry " + url + ": ok"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	golden(t, "schemas", strings.ReplaceAll(view, url, "http://registry"))
}

func TestSchemasScreenRecoversWhenTheRegistryReturns(t *testing.T) {
	src := &flakySource{down: true}
	c := plainCommon()
	app := newApp(appOptions{Common: c, Screens: []screen{newSchemasScreen(context.Background(), c, src)}, RegistryURL: "http://flaky"})
	tm := startApp(t, app)
	waitFor(t, tm, "Registry unreachable", "connection refused")
	src.setDown(false)
	waitFor(t, tm, "Subjects (1)", "only-value")
	_ = finalView(t, tm)
}
