package stream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

// arenaSize is the size of the byte slabs rendered payloads are carved
// from: one allocation per few hundred records instead of several per
// record. A retained record keeps its slab alive.
const arenaSize = 256 << 10

// slabSize is the size of the slabs of a transient read (see
// ConsumeOptions.Transient), which are reused once the records carved
// from them have been delivered.
const slabSize = 64 << 10

// slab is a reusable byte slab of a transient read. refs counts the jobs
// holding records in it, plus one while a builder writes into it.
type slab struct {
	buf  []byte // empty, with the slab's capacity
	refs atomic.Int32
}

// readPool keeps what a transient read reuses: the slabs of rendered
// payloads and the buffers of delivered jobs, most of what a read would
// otherwise allocate.
type readPool struct {
	free chan *slab
	bufs chan *jobBufs // of delivered jobs
}

func newReadPool(n, jobs int) *readPool {
	return &readPool{free: make(chan *slab, n), bufs: make(chan *jobBufs, jobs)}
}

// get returns an empty slab, holding one reference.
func (p *readPool) get() *slab {
	var s *slab
	select {
	case s = <-p.free:
	default:
		s = &slab{buf: make([]byte, 0, slabSize)}
	}
	s.refs.Store(1)
	return s
}

// release drops a reference to s and keeps it for reuse after the last.
func (p *readPool) release(s *slab) {
	if s.refs.Add(-1) != 0 {
		return
	}
	select {
	case p.free <- s:
	default: // enough kept
	}
}

// builder turns franz-go records into Records for one read. It is not safe
// for concurrent use.
type builder struct {
	c     *Client
	raw   bool
	small bool // few records: allocate exactly, no slabs
	arena []byte
	recs  []Record
	hdrs  []Header
	refs  map[*serde.Schema]*SchemaRef
	// last is the schema of the previous framed payload, with its render
	// plan: the same id needs neither the negative cache's lock, the
	// registry cache nor the plan cache.
	last     *serde.Schema
	lastRef  *SchemaRef
	lastPlan *avrojson.Plan
	// slack is how much more than twice its Avro body a rendered value
	// has needed, at most: what room() asks beyond that, so a read of
	// similar records renders each straight into the arena.
	slack int
	// In a transient read, pool supplies the arena: cur is the slab the
	// arena is, and job the job whose records are being built, which
	// holds a reference to every slab they are carved from.
	pool *readPool
	cur  *slab
	job  *job
}

// record converts one franz-go record.
func (b *builder) record(ctx context.Context, kr *kgo.Record) *Record {
	if len(b.recs) == cap(b.recs) {
		b.recs = make([]Record, 0, b.batch(256))
	}
	b.recs = append(b.recs, Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Timestamp: kr.Timestamp})
	r := &b.recs[len(b.recs)-1]
	if n := len(kr.Headers); n > 0 {
		if cap(b.hdrs)-len(b.hdrs) < n {
			b.hdrs = make([]Header, 0, max(b.batch(1024), n))
		}
		start := len(b.hdrs)
		for _, h := range kr.Headers {
			b.hdrs = append(b.hdrs, Header{Key: h.Key, Value: h.Value})
		}
		r.Headers = b.hdrs[start:len(b.hdrs):len(b.hdrs)]
	}
	r.Key = b.payload(ctx, kr.Key)
	r.Value = b.payload(ctx, kr.Value)
	return r
}

// batch is n for reads, 1 for a builder of a few records.
func (b *builder) batch(n int) int {
	if b.small {
		return 1
	}
	return n
}

// room returns the free tail of the arena, starting a new slab when less
// than need bytes are left.
func (b *builder) room(need int) []byte {
	if b.pool != nil {
		return b.slabRoom(need)
	}
	if cap(b.arena)-len(b.arena) < need {
		b.arena = make([]byte, 0, max(b.batch(arenaSize), need))
	}
	return b.arena[len(b.arena):len(b.arena)]
}

// slabRoom is room in a transient read: the arena is a pooled slab, and
// the job being built holds a reference to it. A payload larger than a
// slab gets an allocation of its own.
func (b *builder) slabRoom(need int) []byte {
	if need > slabSize {
		return make([]byte, 0, need)
	}
	if b.cur == nil || cap(b.arena)-len(b.arena) < need {
		if b.cur != nil {
			b.pool.release(b.cur)
		}
		b.cur = b.pool.get()
		b.arena = b.cur.buf
	}
	if j := b.job; j != nil && (len(j.slabs) == 0 || j.slabs[len(j.slabs)-1] != b.cur) {
		b.cur.refs.Add(1)
		j.slabs = append(j.slabs, b.cur)
	}
	return b.arena[len(b.arena):len(b.arena)]
}

// done releases the builder's slab.
func (b *builder) done() {
	if b.cur != nil {
		b.pool.release(b.cur)
		b.cur, b.arena = nil, nil
	}
}

// keep records that out was appended to room(): if it still lives in the
// arena the arena advances past it. The returned slice has its capacity cut
// so appending to it can never overwrite a neighbour.
func (b *builder) keep(out []byte) []byte {
	if len(out) > 0 && cap(b.arena)-len(b.arena) >= len(out) {
		tail := b.arena[len(b.arena) : len(b.arena)+len(out)]
		if &tail[0] == &out[0] {
			b.arena = b.arena[:len(b.arena)+len(out)]
		}
	}
	return out[:len(out):len(out)]
}

// payload renders bytes, decoding them through the registry when they are
// in the Confluent wire format. Decoding failures never fail the read: the
// bytes are shown as base64 with the reason in Payload.Err.
func (b *builder) payload(ctx context.Context, data []byte) Payload {
	if data == nil || b.raw || b.c.reg == nil {
		return b.rawPayload(data)
	}
	if !serde.IsFramed(data) {
		return b.rawPayload(data)
	}
	id, body, err := serde.ParseHeader(data)
	if err != nil {
		return b.failed(data, nil, err)
	}
	s := b.last
	if s == nil || s.ID != id {
		if cached := b.c.unknown.get(id); cached != nil {
			return b.failed(data, nil, cached)
		}
		if s, err = b.c.reg.SchemaByID(ctx, id); err != nil {
			if ctx.Err() == nil {
				// Unknown id, registry down: do not ask again for every
				// record of a read.
				b.c.unknown.put(id, err)
			}
			return b.failed(data, nil, err)
		}
		b.last, b.lastRef, b.lastPlan = s, b.ref(s), b.c.plans.For(s)
	}
	out, err := b.lastPlan.AppendJSON(b.room(2*len(body)+64+b.slack), body)
	if err != nil {
		// Count offsets from the start of the record, as
		// avrojson.DecodeJSON does.
		var ve *serde.ValueError
		if errors.As(err, &ve) && ve.Offset >= 0 {
			ve.Offset += serde.HeaderSize
		}
		return b.failed(data, s, fmt.Errorf("decode with schema id %d: %w", id, err))
	}
	if extra := len(out) - 2*len(body) - 64; extra > b.slack {
		b.slack = min(extra, arenaSize/4)
	}
	return Payload{Raw: data, Encoding: EncAvro, JSON: b.keep(out), Schema: b.lastRef}
}

// ref returns the (shared, immutable) SchemaRef of s.
func (b *builder) ref(s *serde.Schema) *SchemaRef {
	r, ok := b.refs[s]
	if !ok {
		if b.refs == nil {
			b.refs = map[*serde.Schema]*SchemaRef{}
		}
		r = schemaRef(s)
		b.refs[s] = r
	}
	return r
}

func (b *builder) failed(data []byte, s *serde.Schema, err error) Payload {
	p := b.rawBase64(data)
	p.Err = err
	if s != nil {
		p.Schema = b.ref(s)
	}
	return p
}

func (b *builder) rawPayload(data []byte) Payload {
	if data == nil {
		return Payload{Encoding: EncNull, JSON: nullJSON}
	}
	switch enc, doc := classify(data); enc {
	case EncJSON:
		return Payload{Raw: data, Encoding: EncJSON, JSON: doc}
	case EncUTF8:
		return Payload{Raw: data, Encoding: EncUTF8, JSON: b.keep(avrojson.AppendJSONString(b.room(len(data)+16), data))}
	}
	return b.rawBase64(data)
}

func (b *builder) rawBase64(data []byte) Payload {
	return Payload{Raw: data, Encoding: EncBase64, JSON: b.keep(appendBase64JSON(b.room(len(data)*4/3+8), data))}
}

// record converts one franz-go record outside a read.
func (c *Client) record(ctx context.Context, kr *kgo.Record, raw bool) *Record {
	b := &builder{c: c, raw: raw, small: true}
	return b.record(ctx, kr)
}

func schemaRef(s *serde.Schema) *SchemaRef {
	r := &SchemaRef{ID: s.ID, Subject: s.Subject, Version: s.Version}
	r.json = string(r.appendJSON(nil))
	return r
}

// negativeCache remembers, for a short time, schema ids that could not be
// fetched, so a topic full of records with an unknown id costs one registry
// request per id and interval, not one per record.
type negativeCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[int]negEntry
}

type negEntry struct {
	err     error
	expires time.Time
}

func (n *negativeCache) get(id int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.m[id]
	if !ok {
		return nil
	}
	if n.now().After(e.expires) {
		delete(n.m, id)
		return nil
	}
	return e.err
}

func (n *negativeCache) put(id int, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.m[id] = negEntry{err: err, expires: n.now().Add(n.ttl)}
}
