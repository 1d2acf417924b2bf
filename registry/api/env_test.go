package api_test

import (
	"os"
	"strings"
)

func envLookup(k string) string { return os.Getenv(k) }

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
