package store

import (
	"context"
	"testing"
)

// BenchmarkBoltAppend measures one durable commit (one record per batch):
// the floor under the registry's group commit.
func BenchmarkBoltAppend(b *testing.B) {
	l, err := OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	rec := [][]byte{make([]byte, 300)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoltAppendBatch16 measures one durable commit of 16 records.
func BenchmarkBoltAppendBatch16(b *testing.B) {
	l, err := OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	recs := make([][]byte, 16)
	for i := range recs {
		recs[i] = make([]byte, 300)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(context.Background(), recs); err != nil {
			b.Fatal(err)
		}
	}
}
