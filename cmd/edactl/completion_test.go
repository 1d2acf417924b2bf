package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCompletionGivesUpQuickly: a broker that accepts connections but
// never answers, and a registry that hangs, cost a completion at most
// completionTimeout, and it prints no candidate and no error.
func TestCompletionGivesUpQuickly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // never answered
		}
	}()
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); hang.Close() })

	for _, args := range [][]string{
		{"__complete", "consume", "--brokers", ln.Addr().String(), ""},
		{"__complete", "rewind", "--brokers", ln.Addr().String(), ""},
		{"__complete", "registry", "versions", "--registry", hang.URL, ""},
	} {
		start := time.Now()
		var out, errb strings.Builder
		code := Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
		took := time.Since(start)
		if code != 0 || out.String() != ":4\n" || errb.String() != "Completion ended with directive: ShellCompDirectiveNoFileComp\n" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
		if took < completionTimeout/2 || took > completionTimeout+2*time.Second {
			t.Errorf("%q took %v, want about %v (the lookup must have waited, and then given up)", args, took, completionTimeout)
		}
	}
}
