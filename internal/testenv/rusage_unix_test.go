//go:build unix

package testenv_test

import (
	"testing"
	"time"

	"github.com/edactl/edactl/internal/testenv"
)

// TestCPUTime: spinning for 100ms of wall time costs this process CPU time,
// and no more than the wall time allows on the machine's cores.
func TestCPUTime(t *testing.T) {
	cpu0 := testenv.CPUTime(t)
	start := time.Now()
	n := 0
	for time.Since(start) < 100*time.Millisecond {
		n++
	}
	wall := time.Since(start)
	cpu := testenv.CPUTime(t) - cpu0
	if cpu <= 0 || cpu > 4*wall {
		t.Fatalf("%d spins in %s of wall time used %s of CPU", n, wall, cpu)
	}
	t.Logf("%s of CPU in %s of wall time", cpu, wall)
}

// TestPeakRSS: touching 64 MiB raises the peak to at least that, in bytes.
func TestPeakRSS(t *testing.T) {
	const size = 64 << 20
	buf := make([]byte, size)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	peak := testenv.PeakRSS(t)
	if peak < size {
		t.Fatalf("peak RSS %d bytes after touching %d bytes", peak, size)
	}
	if peak > 1<<40 {
		t.Fatalf("peak RSS %d bytes: not in bytes?", peak)
	}
	t.Logf("peak RSS %.1f MiB (touched %d)", float64(peak)/(1<<20), buf[size-4096])
}
