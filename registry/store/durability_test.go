//go:build linux

package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The crash tests (kill -9 mid-write, in registry/api) cannot tell a synced
// commit from one that only reached the page cache: the kernel keeps the
// page cache across the death of a process, and only a power cut loses it.
// So this test watches the syncs themselves. It runs a child process that
// appends to a Bolt log under strace and counts the fdatasync/fsync calls
// made on the log's file: every acknowledged Append must have synced the
// file before it returned (bbolt syncs twice per commit: the data pages, then
// the meta page that makes them reachable). With syncing turned off
// (bbolt's NoSync) the count is 0 and the test fails.
//
// It needs strace (Debian package strace, which .ci/run installs) and
// permission to trace a child; it skips, saying why, without them.
func TestAppendsAreSyncedBeforeTheyReturn(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (Debian package strace); the sync count is not checked")
	}
	if out, err := exec.Command(strace, "-qq", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		t.Skipf("strace cannot trace here (%v: %s); the sync count is not checked", err, strings.TrimSpace(string(out)))
	}
	dir := t.TempDir()
	trace := filepath.Join(t.TempDir(), "trace")
	const appends = 5
	cmd := exec.Command(strace, "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,sync_file_range,syncfs,sync",
		"-o", trace, os.Args[0], "-test.run=^TestSyncChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EDACTL_SYNC_CHILD="+dir, "EDACTL_SYNC_APPENDS="+strconv.Itoa(appends))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "appended") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	acked := 0
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "appended ") {
			acked++
		}
	}
	if acked != appends {
		t.Fatalf("child acknowledged %d appends, want %d:\n%s", acked, appends, out)
	}

	f, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file := filepath.Join(dir, BoltFile)
	syncs := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// e.g. `1234  fdatasync(3</tmp/.../registry.db>) = 0`
		if l := sc.Text(); strings.Contains(l, "<"+file+">") && strings.HasSuffix(strings.TrimSpace(l), "= 0") {
			syncs++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Opening the log commits once (its buckets), and each Append once,
	// with two syncs per commit.
	t.Logf("%d appends, %d syncs of the log file", appends, syncs)
	if want := 2 * appends; syncs < want {
		t.Fatalf("%d acknowledged appends made %d syncs of %s, want at least %d: commits are not fsynced", appends, syncs, file, want)
	}
}

// TestSyncChild is not a test: TestAppendsAreSyncedBeforeTheyReturn runs the
// test binary with EDACTL_SYNC_CHILD set to a directory, under strace, to
// append to a Bolt log there one record at a time.
func TestSyncChild(t *testing.T) {
	dir := os.Getenv("EDACTL_SYNC_CHILD")
	if dir == "" {
		t.Skip("child process of TestAppendsAreSyncedBeforeTheyReturn")
	}
	n, err := strconv.Atoi(os.Getenv("EDACTL_SYNC_APPENDS"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := range n {
		off, err := b.Append(context.Background(), [][]byte{[]byte(fmt.Sprintf("record %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("appended %d\n", off)
	}
}
