package store

import (
	"context"
	"testing"
)

// BenchmarkBoltAppend measures one durable commit (one record per batch):
// the floor under the registry's group commit. Both benchmarks fail unless
// each batch lands right after the one before and the log holds them all.
func BenchmarkBoltAppend(b *testing.B) {
	l, err := OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	benchmarkAppend(b, l, [][]byte{make([]byte, 300)})
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
	benchmarkAppend(b, l, recs)
}

func benchmarkAppend(b *testing.B, l Log, recs [][]byte) {
	ctx := context.Background()
	var next uint64
	b.ReportAllocs()
	for b.Loop() {
		first, err := l.Append(ctx, recs)
		if err != nil {
			b.Fatal(err)
		}
		if first != next {
			b.Fatalf("batch appended at offset %d, want %d", first, next)
		}
		next += uint64(len(recs))
	}
	if n, err := l.Next(ctx); err != nil || n != next {
		b.Fatalf("the log holds %d records (%v), want %d", n, err, next)
	}
}
