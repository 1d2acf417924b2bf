package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// plainReason words why a service did not answer in plain words, whole
// and on one line: "connection refused", "no answer within 5s", "unknown
// host kafka-1"; a request split over brokers is reported by its first
// broker's reason, never as kadm's "has 1 separate shard errors".
func plainReason(err error) string {
	var shards *kadm.ShardErrors
	if errors.As(err, &shards) && len(shards.Errs) > 0 {
		first := plainReason(shards.Errs[0].Err)
		if len(shards.Errs) == 1 {
			return first
		}
		return fmt.Sprintf("%s (and %d more broker(s))", first, len(shards.Errs)-1)
	}
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "the host cannot be reached (network)"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "unknown host " + oneLine(dns.Name)
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer in time (timed out)"
	}
	return oneLine(strings.TrimSpace(err.Error()))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// age words how long ago t was: "12s", "3m", "2h".
func age(t, now time.Time) string {
	d := max(now.Sub(t), 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}

// staleLine is the line a screen shows above data it could not refresh:
// that it is stale, since when, and why.
func staleLine(st Styles, width int, what string, err error, last time.Time, every time.Duration) string {
	return st.Error.Render(truncate(fmt.Sprintf("STALE: last refreshed %s ago; %s unreachable: %s. Retrying every %s.",
		age(last, time.Now()), what, plainReason(err), every), width))
}
