package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/store"
)

// stateJSON renders a registry's state deterministically.
func stateJSON(t *testing.T, r *Registry) string {
	t.Helper()
	b, err := json.Marshal(encodeSnapshot(r.snapshot(), ""))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fillForSnapshot makes a history with everything the state holds:
// versions, soft and hard deletes (a retired id), references, metadata,
// one content under two ids (IMPORT), configs and modes.
func fillForSnapshot(t *testing.T, r *Registry) {
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	base := `{"type":"record","name":"Base","fields":[{"name":"a","type":"int"}]}`
	must(r.Register(ctx, "base", RegisterRequest{Schema: base}))
	must(r.Register(ctx, "order", RegisterRequest{Schema: `{"type":"record","name":"Order","fields":[{"name":"b","type":"Base"}]}`,
		References: []Reference{{Name: "Base", Subject: "base", Version: 1}}}))
	must(r.Register(ctx, "meta", RegisterRequest{Schema: `"string"`, Metadata: &Metadata{Properties: map[string]string{"owner": "a"}}}))
	for i := range 5 {
		must(r.Register(ctx, fmt.Sprintf("s%d", i), RegisterRequest{Schema: fmt.Sprintf(`{"type":"fixed","name":"F%d","size":%d}`, i, i+1)}))
	}
	must(r.DeleteSubject(ctx, "s1", SoftDelete))
	must(r.DeleteSubject(ctx, "s2", SoftDelete))
	must(r.DeleteSubject(ctx, "s2", PermanentDelete))
	must(r.SetConfig(ctx, "meta", ConfigUpdate{Compatibility: new("NONE"), Normalize: new(true)}))
	must(r.SetMode(ctx, ":.imp:", "IMPORT", CheckImport))
	must(r.Register(ctx, ":.imp:x", RegisterRequest{Schema: `"long"`, ID: 40, Version: 3}))
	must(r.Register(ctx, ":.imp:y", RegisterRequest{Schema: `"long"`, ID: 41, Version: 1, Metadata: &Metadata{Properties: map[string]string{"k": "v"}}}))
	must(r.SetMode(ctx, "order", "READONLY", CheckImport))
}

// TestSnapshotFile: a registry restarted from its snapshot holds the state
// folding the whole log gives, folds the records after the snapshot, and a
// snapshot that does not match the log is ignored.
func TestSnapshotFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snap.json")
	log := store.NewMemory()
	r, err := Open(context.Background(), log, WithSnapshotFile(path), WithSnapshotEvery(4))
	if err != nil {
		t.Fatal(err)
	}
	fillForSnapshot(t, r)
	r.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no snapshot written: %v", err)
	}
	// More records after the snapshot, written without it.
	r2, err := Open(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Register(context.Background(), "after", RegisterRequest{Schema: `"bytes"`}); err != nil {
		t.Fatal(err)
	}
	want := stateJSON(t, r2)
	r2.Close()

	var logs logBuffer
	r3, err := Open(context.Background(), log, WithSnapshotFile(path), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	if got := stateJSON(t, r3); got != want {
		t.Fatalf("state from the snapshot differs from the folded log:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(logs.String(), "registry snapshot loaded") {
		t.Fatalf("the snapshot was not used:\n%s", logs.String())
	}
	// The restored state takes writes as the folded one does.
	res, err := r3.Register(context.Background(), "next", RegisterRequest{Schema: `"float"`})
	if err != nil || res.ID != 10 {
		t.Fatalf("register after the restore = %+v, %v; want id 10", res, err)
	}
	r3.Close()

	// Another log with the same length: the snapshot does not match it.
	other := store.NewMemory()
	ro, err := Open(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if _, err := ro.Register(context.Background(), fmt.Sprintf("o%d", i), RegisterRequest{Schema: fmt.Sprintf(`{"type":"enum","name":"E%d","symbols":["A"]}`, i)}); err != nil {
			t.Fatal(err)
		}
	}
	ro.Close()
	logs = logBuffer{}
	r4, err := Open(context.Background(), other, WithSnapshotFile(path), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer r4.Close()
	if !strings.Contains(logs.String(), "does not match the log") {
		t.Fatalf("a snapshot of another log was not refused:\n%s", logs.String())
	}
	if got := len(r4.Subjects("", LiveOnly)); got != 40 {
		t.Fatalf("%d subjects after refusing the snapshot, want 40", got)
	}
	// A damaged file is ignored too.
	os.WriteFile(path, []byte(`{"format":"edactl-registry-snapshot","version":1,"next":3,"lastHash":"x"`), 0o600)
	logs = logBuffer{}
	r5, err := Open(context.Background(), log, WithSnapshotFile(path), WithLogger(logs.logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer r5.Close()
	if !strings.Contains(logs.String(), "snapshot ignored") || stateJSON(t, r5) == "" {
		t.Fatalf("a damaged snapshot: %s", logs.String())
	}
}
