//go:build unix

package testenv

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// CPUTime returns the CPU time (user and system) this process has used so
// far: every goroutine's, the garbage collector's and the runtime's
// (getrusage RUSAGE_SELF). Measured across a piece of work it says how
// much of the machine the work took, whatever else competes for the
// cores; a broker in a KfakeProcess helper is not in it.
func CPUTime(tb testing.TB) time.Duration {
	tb.Helper()
	ru := rusage(tb)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS returns the largest resident set size this process has had so
// far, in bytes (getrusage's ru_maxrss: the kernel's high-water mark, as
// VmHWM in /proc/self/status on Linux). It counts everything in the test
// binary's process: the code under test and the benchmark around it.
func PeakRSS(tb testing.TB) uint64 {
	tb.Helper()
	ru := rusage(tb)
	if ru.Maxrss <= 0 {
		tb.Fatalf("testenv: getrusage reports no peak resident set size (%d)", ru.Maxrss)
	}
	n := uint64(ru.Maxrss)
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		n <<= 10 // kilobytes everywhere but Apple's systems
	}
	return n
}

func rusage(tb testing.TB) syscall.Rusage {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("testenv: getrusage: %v", err)
	}
	return ru
}
