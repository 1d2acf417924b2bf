package tui

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/registry/registrytest"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/examples"
)

// updating reports whether -update was given (the flag is defined by
// teatest's golden package, which the test binary links).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const termW, termH = 120, 40

// plainCommon is a Common with plain-text styles, so View() has no ANSI.
func plainCommon() *Common {
	return &Common{Styles: newStyles(io.Discard, false), Keys: DefaultGlobalKeys()}
}

// sampleRegistry starts a real edactl registry with the sample catalogue
// registered through franz-go's sr client, and returns its URL and client.
func sampleRegistry(t testing.TB) (string, *sr.Client) {
	t.Helper()
	srv := registrytest.Start(t, registrytest.InMemory())
	cl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tree, err := schemas.LoadFS(ctx, examples.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree.Events {
		if e.Level != "BACKWARD" {
			cl.SetCompatibility(ctx, sr.SetCompatibility{Level: parseSRLevel(t, string(e.Level))}, e.Subject)
		}
		for _, v := range e.Versions {
			if _, err := cl.CreateSchema(ctx, e.Subject, sr.Schema{Schema: string(v.Source)}); err != nil {
				t.Fatalf("register %s v%d: %v", e.Subject, v.Number, err)
			}
		}
	}
	return srv.URL, cl
}

func parseSRLevel(t testing.TB, s string) sr.CompatibilityLevel {
	var l sr.CompatibilityLevel
	if err := l.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return l
}

// startApp runs the app under teatest at 120×40.
func startApp(t *testing.T, app *App) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, app, teatest.WithInitialTermSize(termW, termH))
}

// waitFor waits until the program's output contains every string.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// keys sends key presses: single runes, or names like "enter", "esc".
func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		switch k {
		case "enter":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
		case "left":
			tm.Send(tea.KeyMsg{Type: tea.KeyLeft})
		case "right":
			tm.Send(tea.KeyMsg{Type: tea.KeyRight})
		default:
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

// finalView quits the program and returns the final View() text.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
}

// golden compares a View() text with testdata/golden/<name>.txt; -update
// rewrites it. Lines are compared without trailing spaces.
func golden(t *testing.T, name, view string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(view, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	got := strings.Join(lines, "\n") + "\n"
	file := filepath.Join("testdata", "golden", name+".txt")
	if updating() {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update)", err)
	}
	if got != string(want) {
		t.Errorf("View() differs from %s:\n--- got\n%s--- want\n%s", file, got, want)
	}
}
