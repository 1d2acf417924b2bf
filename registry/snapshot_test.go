package registry

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// blockChecks makes every compatibility comparison of subject wait until
// release is closed, and reports on entered each time one starts.
func blockChecks(r *Registry, subject string) (entered chan struct{}, release chan struct{}) {
	entered, release = make(chan struct{}, 16), make(chan struct{})
	r.beforeCompare = func(s string) {
		if s == subject {
			entered <- struct{}{}
			<-release
		}
	}
	return entered, release
}

// Reads never wait for a compatibility check in progress, nor for a commit
// waiting behind one: with a check held inside its comparison (by a test
// hook, so nothing depends on timing), a write to another subject commits
// and every kind of read answers. Before snapshots, the check held the state
// lock, the commit waited for it, and new readers waited for the commit.
func TestReadsDoNotWaitForChecksOrCommits(t *testing.T) {
	ctx := context.Background()
	r := openTest(t, nil)
	slowV1 := recordSchema("Slow", `{"name":"a","type":"int"}`)
	slowV2 := recordSchema("Slow", `{"name":"a","type":"int"}`, `{"name":"b","type":"int","default":0}`)
	if _, err := r.Register(ctx, "slow", RegisterRequest{Schema: slowV1}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		check func() error
	}{
		{"the compatibility endpoint", func() error {
			_, err := r.CheckCompatibility(ctx, "slow", 0, RegisterRequest{Schema: slowV2})
			return err
		}},
		{"a registration", func() error {
			_, err := r.Register(ctx, "slow", RegisterRequest{Schema: slowV2})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entered, release := blockChecks(r, "slow")
			checkDone := make(chan error, 1)
			go func() { checkDone <- tc.check() }()
			<-entered
			released := false
			defer func() {
				if !released {
					close(release)
				}
			}()
			other := fmt.Sprintf("other-%d", len(r.Subjects("", LiveOnly)))
			within(t, 10*time.Second, "a registration of another subject (a commit)", func() error {
				_, err := r.Register(ctx, other, RegisterRequest{Schema: `"string"`})
				return err
			})
			within(t, 10*time.Second, "the reads", func() error {
				if got := r.Subjects("", LiveOnly); len(got) < 2 {
					return fmt.Errorf("Subjects = %v", got)
				}
				if _, err := r.Version("slow", -1, LiveOnly); err != nil {
					return err
				}
				if _, err := r.SchemaJSON(".", 1); err != nil {
					return err
				}
				if _, err := r.Lookup(ctx, "slow", RegisterRequest{Schema: slowV1}, LiveOnly); err != nil {
					return err
				}
				if _, err := r.Config("", NoFallback); err != nil {
					return err
				}
				r.Counts()
				return nil
			})
			// The check is still held: nothing above waited for it.
			select {
			case err := <-checkDone:
				t.Fatalf("the held check returned early: %v", err)
			default:
			}
			released = true
			close(release)
			if err := <-checkDone; err != nil {
				t.Fatalf("the held check: %v", err)
			}
			r.beforeCompare = nil
		})
	}
	if vs, err := r.Versions("slow", LiveOnly); err != nil || fmt.Sprint(vs) != "[1 2]" {
		t.Fatalf("Versions(slow) = %v, %v", vs, err)
	}
}

// The sequencer re-checks a registration at commit against what was
// committed after its snapshot: a version registered while the check of
// another was held, and incompatible with it, makes that registration fail
// with 409, as if the two had been checked in log order.
func TestCommitRechecksVersionsCommittedSinceTheSnapshot(t *testing.T) {
	ctx := context.Background()
	r := openTest(t, nil)
	level := "BACKWARD_TRANSITIVE"
	if _, err := r.SetConfig(ctx, "s", ConfigUpdate{Compatibility: &level}); err != nil {
		t.Fatal(err)
	}
	v1 := recordSchema("R", `{"name":"a","type":"int"}`)
	if _, err := r.Register(ctx, "s", RegisterRequest{Schema: v1}); err != nil {
		t.Fatal(err)
	}
	// b:string (with a default) reads v1; so does b:int; but b:string
	// cannot read data written with b:int.
	held := recordSchema("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string","default":""}`)
	first := recordSchema("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int","default":0}`)
	calls := 0
	entered, release := make(chan struct{}), make(chan struct{})
	r.beforeCompare = func(string) {
		calls++
		if calls == 1 { // the held registration's check against its snapshot
			close(entered)
			<-release
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Register(ctx, "s", RegisterRequest{Schema: held})
		done <- err
	}()
	<-entered
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	r.beforeCompare = nil // the rest runs unhooked; the held goroutine is past the hook
	within(t, 10*time.Second, "a registration while another's check is held", func() error {
		_, err := r.Register(ctx, "s", RegisterRequest{Schema: first})
		return err
	})
	released = true
	close(release)
	wantCode(t, "the held registration", <-done, CodeIncompatibleSchema)
	if vs, _ := r.Versions("s", LiveOnly); fmt.Sprint(vs) != "[1 2]" {
		t.Fatalf("Versions = %v", vs)
	}
}
