// Package testenv is what edactl's tests and benchmarks share about their
// environment: the repository's top-level testdata directory (Root, Path,
// ReadFile), a kfake broker in a helper process (KfakeProcess), and what a
// benchmark measures of its own process (CPUTime, PeakRSS; unix only).
//
// Design decisions:
//
//   - The helper process is the test binary itself, run again: a package's
//     TestMain calls MaybeServeKfake first, which in the helper serves the
//     broker and exits before any test runs. No separate binary has to be
//     built, and a broker in another process keeps its CPU time and memory
//     out of what a benchmark reports for edactl's code. Work that must
//     also run outside the measured process (a paced producer) is a
//     KfakeDriver the package registers by name; the benchmark talks to it
//     in lines over the helper's standard input and output.
//   - CPUTime and PeakRSS come from getrusage, so they exist on unix only
//     (files built with the unix constraint); the rest builds everywhere.
//   - Failures to measure fail the benchmark (tb.Fatal) rather than report
//     zero.
//
// It is imported by _test.go files only.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository's root directory: the nearest directory at or
// above the working directory (a package directory, under go test) that
// holds go.mod.
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Path returns the path of name (slash-separated) in the repository's
// top-level testdata directory.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(Root(tb), "testdata", filepath.FromSlash(name))
}

// ReadFile returns the contents of name in the repository's top-level
// testdata directory, failing the test when it cannot be read.
func ReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(Path(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
