package schemas

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/edactl/edactl/registry/compat"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
registry: http://r:8081
brokers: k:9092
schemas: contracts
subject_strategy: TopicRecordNameStrategy
compatibility: full
events:
  orders/order-placed:
    compatibility: none
    topic: orders
    subject: legacy-orders
    producers: [a]
    consumers: [b, c]
lint:
  disable: [missing-doc]
gen:
  go:
    out: internal/events
    package: events
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Registry != "http://r:8081" || cfg.Brokers != "k:9092" || cfg.Dir() != "contracts" {
		t.Errorf("got %+v", cfg)
	}
	if cfg.Strategy() != StrategyTopicRecord {
		t.Errorf("strategy = %q", cfg.Strategy())
	}
	if l := cfg.Level("orders/order-placed"); l != compat.None {
		t.Errorf("event level = %s", l)
	}
	if l := cfg.Level("other/thing"); l != compat.Full {
		t.Errorf("default level = %s", l)
	}
	if !cfg.LintDisabled("missing-doc") || cfg.LintDisabled("missing-key") {
		t.Error("lint.disable not applied")
	}
	if got := cfg.Line("events", "orders/order-placed", "consumers"); got != 13 {
		t.Errorf("line of consumers = %d, want 13", got)
	}
	if got := cfg.Line("events", "orders/order-placed", "nosuchkey"); got != 8 {
		t.Errorf("line falls back to the enclosing key: got %d, want 8", got)
	}
	if cfg.Gen.Go.Package != "events" {
		t.Errorf("gen = %+v", cfg.Gen)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	for _, in := range []string{"", "# only a comment\n", "---\n"} {
		cfg, err := ParseConfig([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if cfg.Strategy() != StrategyTopic || cfg.Level("a/b") != compat.Backward || cfg.Dir() != "schemas" {
			t.Errorf("%q: defaults wrong: %+v", in, cfg)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // each must appear in the error
	}{
		{"unknown top-level key", "registry: x\nregistyr: y\n", []string{`2: unknown key "registyr" (did you mean "registry"?)`}},
		{"unknown nested key", "events:\n  a/b:\n    consumer: [x]\n", []string{`3: unknown key "consumer" in events.a/b (did you mean "consumers"?)`}},
		{"far from anything", "zzzzzzzz: 1\n", []string{`1: unknown key "zzzzzzzz" (known keys: brokers, compatibility, connection, events, gen, lint, registry, schemas, subject_strategy, trace, waivers)`}},
		{"every unknown key", "a1: 1\nlint:\n  enable: [x]\n", []string{`1: unknown key "a1"`, `3: unknown key "enable" in lint`}},
		{"bad strategy", "subject_strategy: nope\n", []string{`1: subject_strategy "nope"`}},
		{"bad level", "compatibility: sideways\n", []string{`1: compatibility: invalid compatibility level "sideways"`}},
		{"bad event key", "events:\n  orders:\n    topic: t\n", []string{`2: events: key "orders" must be an event folder`}},
		{"bad lint rule", "lint:\n  disable:\n    - missing-key\n    - nope\n", []string{`4: lint.disable: unknown rule "nope"`}},
		{"schemas outside", "schemas: ../elsewhere\n", []string{`1: schemas "../elsewhere": must be a directory inside the project`}},
		{"type error", "events:\n  a/b:\n    consumers: 3\n", []string{`3: cannot unmarshal`}},
		{"syntax error", "a: [\n", []string{"did not find expected node content"}},
		{"not a mapping", "- a\n- b\n", []string{"cannot unmarshal !!seq into schemas.Config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.in))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want *ConfigError, got %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadConfigNamesFile(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/edactl.yaml"
	writeFile(t, p, "registy: x\n")
	_, err := LoadConfig(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+`:1: unknown key "registy"`) {
		t.Errorf("got %v", err)
	}
}

// TestWaivers: waivers parse with their line, dates are YYYY-MM-DD
// (unquoted YAML dates too), the last day holds, and a waiver without a
// path matches every path of its rule in its version.
func TestWaivers(t *testing.T) {
	cfg, err := ParseConfig([]byte(`lint:
  disable: [missing-doc]
waivers:
  - event: orders/order-placed
    version: 2
    rule: TYPE_MISMATCH
    reason: agreed with consumers
    owner: team-orders
    expires: 2026-12-02
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Waivers) != 1 {
		t.Fatalf("waivers: %+v", cfg.Waivers)
	}
	w := cfg.Waivers[0]
	if w.Line != 4 || w.Expires != "2026-12-02" {
		t.Errorf("line %d, expires %q", w.Line, w.Expires)
	}
	day := time.Date(2026, 12, 2, 23, 59, 0, 0, time.UTC)
	if w.Expired(day) {
		t.Error("expired on its last day")
	}
	if !w.Expired(day.Add(2 * time.Minute)) {
		t.Error("not expired the day after")
	}
	for _, f := range []Finding{
		{Event: "orders/order-placed", Version: 2, Rule: "TYPE_MISMATCH", Path: "OrderPlaced.a"},
		{Event: "orders/order-placed", Version: 2, Rule: "TYPE_MISMATCH", Path: "OrderPlaced.b"},
	} {
		if !w.Matches(f) {
			t.Errorf("no match for %+v", f)
		}
	}
	for _, f := range []Finding{
		{Event: "orders/order-placed", Version: 3, Rule: "TYPE_MISMATCH"},
		{Event: "orders/order-placed", Version: 2, Rule: "MISSING_ENUM_SYMBOLS"},
		{Event: "orders/order", Version: 2, Rule: "TYPE_MISMATCH"},
	} {
		if w.Matches(f) {
			t.Errorf("matches %+v", f)
		}
	}
	w.Path = "OrderPlaced.a"
	if w.Matches(Finding{Event: "orders/order-placed", Version: 2, Rule: "TYPE_MISMATCH", Path: "OrderPlaced.b"}) {
		t.Error("a waiver with a path matches another path")
	}

	_, err = ParseConfig([]byte("waivers:\n  - {event: orders, version: 0, rule: X, reason: r, owner: o, expires: 31/12/2026}\n"))
	for _, want := range []string{
		`2: waivers[0].event: "orders" must be an event folder`,
		`2: waivers[0].version: want the version number N of vN.avsc (1 or more), got 0`,
		`2: waivers[0].expires: "31/12/2026" is not a date YYYY-MM-DD`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}
