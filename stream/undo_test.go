package stream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteUndoFile(t *testing.T) {
	p := &Plan{Group: "billing/eu:1", Created: time.Date(2026, 5, 1, 10, 0, 0, 123e6, time.UTC),
		Rows: []PlanRow{{Topic: "orders", Partition: 0, Before: 5, After: 2}, {Topic: "orders", Partition: 1, Before: 7, After: 7}}}
	if got, want := p.UndoFileName(), "billing_eu_1-20260501T100000.123Z.csv"; got != want {
		t.Fatalf("UndoFileName = %q, want %q", got, want)
	}
	for group, want := range map[string]string{"a\u202eb": "a_b", "c\x1b[2J": "c_[2J", "d\xffe": "d_e", "évé✓": "évé✓"} {
		q := &Plan{Group: group, Created: p.Created}
		if got := q.UndoFileName(); got != want+"-20260501T100000.123Z.csv" {
			t.Errorf("UndoFileName of %q = %q", group, got)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "rewinds", p.UndoFileName())
	got, err := WriteUndoFile(path, p, false)
	if err != nil || got != path {
		t.Fatalf("WriteUndoFile = %q, %v", got, err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "orders,0,5\n" {
		t.Fatalf("undo file holds %q", data)
	}
	// Never overwritten: an error without nextFree, the next free name with it.
	if _, err := WriteUndoFile(path, p, false); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("second write without nextFree: %v", err)
	}
	second, err := WriteUndoFile(path, p, true)
	if err != nil || second != strings.TrimSuffix(path, ".csv")+"-2.csv" {
		t.Fatalf("second write with nextFree = %q, %v", second, err)
	}
}

// Missing parents are created (and synced); a parent that is a file is a
// clear error.
func TestWriteUndoFileCreatesParents(t *testing.T) {
	p := &Plan{Group: "g", Rows: []PlanRow{{Topic: "t", Partition: 0, Before: 1, After: 0}}}
	dir := t.TempDir()
	path := filepath.Join(dir, ".edactl", "rewinds", "g.csv")
	if got, err := WriteUndoFile(path, p, false); err != nil || got != path {
		t.Fatalf("WriteUndoFile = %q, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteUndoFile(filepath.Join(dir, "file", "sub", "g.csv"), p, false); err == nil || !strings.Contains(err.Error(), "undo file") {
		t.Errorf("a file as parent: %v", err)
	}
}
