package stream

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// A transient read (ConsumeOptions.Transient) reuses the memory of
// delivered payloads: it must deliver exactly what a plain read does (a
// slab reused before its records were delivered would show as other
// records' bytes), and allocate less than the payloads it rendered.
func TestConsumeTransientReusesMemory(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"t": 3})
	reg := startRegistry(t)
	id := reg.register(t, "t-value", `{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"s","type":"string"}]}`)
	const n = 12_000
	ts := time.UnixMilli(1714557600000)
	var batch []*kgo.Record
	for i := range n {
		r := &kgo.Record{Topic: "t", Partition: int32(i % 3), Key: fmt.Appendf(nil, "k-%d", i), Timestamp: ts.Add(time.Duration(i) * time.Millisecond)}
		switch i % 5 {
		case 0:
			r.Value = fmt.Appendf(nil, "text value %d", i)
		case 1:
			r.Value = []byte{0xff, 0xfe, byte(i), byte(i >> 8)}
		case 2:
			// null
		default:
			size := i % 300
			if i == 7_003 {
				size = 100_000 // larger than a slab
			}
			r.Value = reg.encode(t, id, fmt.Sprintf(`{"id":%d,"s":%q}`, i, strings.Repeat("x", size)))
		}
		batch = append(batch, r)
		if len(batch) == 1000 {
			tc.produce(batch...)
			batch = nil
		}
	}
	c := tc.client(WithRegistry(reg.serde()))
	read := func(transient bool) (lines []string, rendered int, alloc uint64) {
		t.Helper()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"t"}}, Transient: transient}, func(r *Record) error {
			lines = append(lines, string(r.AppendJSON(nil)))
			rendered += len(r.Key.JSON) + len(r.Value.JSON)
			return nil
		})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(lines) // partitions interleave differently from read to read
		return lines, rendered, after.TotalAlloc - before.TotalAlloc
	}
	plain, rendered, plainAlloc := read(false)
	if len(plain) != n {
		t.Fatalf("plain read: %d records, want %d", len(plain), n)
	}
	for range 2 {
		got, _, alloc := read(true)
		if len(got) != n {
			t.Fatalf("transient read: %d records, want %d", len(got), n)
		}
		for i := range got {
			if got[i] != plain[i] {
				t.Fatalf("transient read delivered\n%.300s\nwhere the plain read delivered\n%.300s", got[i], plain[i])
			}
		}
		t.Logf("plain read allocated %d bytes, transient %d; payloads rendered %d bytes", plainAlloc, alloc, rendered)
		// The lines themselves are allocated alike by both reads.
		if saved := int64(plainAlloc) - int64(alloc); saved < int64(rendered)/2 {
			t.Errorf("transient read allocated %d bytes, the plain one %d: saved %d, want at least half of the %d bytes of payloads rendered", alloc, plainAlloc, saved, rendered)
		}
	}
}

// A transient read stopped early (Limit) hands back every slab and
// delivers the first records as a plain read does.
func TestConsumeTransientLimit(t *testing.T) {
	tc := newTestCluster(t, map[string]int32{"t": 1})
	var recs []*kgo.Record
	for i := range 3000 {
		recs = append(recs, rec("t", 0, fmt.Sprintf("k%d", i), fmt.Sprintf("value %d %s", i, strings.Repeat("y", i%100)), time.UnixMilli(int64(i))))
	}
	tc.produce(recs...)
	c := tc.client()
	for _, limit := range []int{1, 700, 2999} {
		var got []string
		st, err := c.Consume(ctxT(t), ConsumeOptions{ReadSpec: ReadSpec{Topics: []string{"t"}}, Limit: limit, Transient: true}, func(r *Record) error {
			got = append(got, string(r.Value.JSON))
			return nil
		})
		if err != nil || st.Delivered != int64(limit) || len(got) != limit {
			t.Fatalf("limit %d: delivered %d (%d lines), %v", limit, st.Delivered, len(got), err)
		}
		for i, g := range got {
			if want := fmt.Sprintf(`"value %d %s"`, i, strings.Repeat("y", i%100)); g != want {
				t.Fatalf("limit %d: record %d is %s, want %s", limit, i, g, want)
			}
		}
	}
}
