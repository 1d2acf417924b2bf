package serde

import (
	"bytes"
	"errors"
	"testing"
)

// Seeds live in testdata/fuzz/<FuzzName>/; run a target with e.g.
//
//	go test ./serde -run '^$' -fuzz FuzzResolver -fuzztime 60s

func FuzzParseHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		id, body, err := ParseHeader(data)
		if IsFramed(data) != (err == nil) {
			t.Fatalf("IsFramed(%x) = %v, ParseHeader error %v", data, IsFramed(data), err)
		}
		if err != nil {
			if !errors.Is(err, ErrNotFramed) {
				t.Fatalf("error %v is not ErrNotFramed", err)
			}
			return
		}
		if again := append(AppendHeader(nil, id), body...); !bytes.Equal(again, data) {
			t.Fatalf("AppendHeader(ParseHeader(%x)) = %x", data, again)
		}
	})
}
