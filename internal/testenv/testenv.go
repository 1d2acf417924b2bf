// Package testenv is what edactl's tests and benchmarks share about their
// environment: the repository's top-level testdata directory.
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
