package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// BoltFile is the name of the log file inside a registry data directory.
const BoltFile = "registry.db"

var (
	bucketLog  = []byte("log")
	bucketMeta = []byte("meta")
	keyFormat  = []byte("format")
)

// boltFormat is the layout version of the bolt file itself (buckets and
// keys), independent of the record format the registry writes.
const boltFormat = "edactl-log-1"

// BoltOption configures OpenBolt.
type BoltOption func(*boltConfig)

type boltConfig struct {
	lockTimeout time.Duration
}

// LockTimeout sets how long OpenBolt waits for another holder of the file to
// let go before failing with ErrLocked, overriding the default of 1s.
func LockTimeout(d time.Duration) BoltOption {
	return func(c *boltConfig) { c.lockTimeout = d }
}

func (c *boltConfig) validate() error {
	if c.lockTimeout <= 0 {
		return fmt.Errorf("store: lock timeout must be positive, got %v", c.lockTimeout)
	}
	return nil
}

// Bolt is the embedded Log: one bbolt file, one bucket of records keyed by
// big-endian offset.
type Bolt struct {
	db   *bolt.DB
	path string

	mu     sync.Mutex // guards next and serialises Append
	next   uint64
	closed bool
}

// OpenBolt opens (creating if needed) the log in dir/registry.db. The
// directory is created with mode 0o700 if it does not exist.
func OpenBolt(dir string, opts ...BoltOption) (*Bolt, error) {
	cfg := boltConfig{lockTimeout: time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	path := filepath.Join(dir, BoltFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        cfg.lockTimeout,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (stop the other process or use another --data directory)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	b := &Bolt{db: db, path: path}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		switch f := meta.Get(keyFormat); {
		case f == nil:
			if err := meta.Put(keyFormat, []byte(boltFormat)); err != nil {
				return err
			}
		case string(f) != boltFormat:
			return fmt.Errorf("unsupported file format %q (this edactl reads %q)", f, boltFormat)
		}
		lb, err := tx.CreateBucketIfNotExists(bucketLog)
		if err != nil {
			return err
		}
		if k, _ := lb.Cursor().Last(); k != nil {
			if len(k) != 8 {
				return fmt.Errorf("corrupt log key of %d bytes", len(k))
			}
			b.next = binary.BigEndian.Uint64(k) + 1
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return b, nil
}

// Path returns the file the log lives in.
func (b *Bolt) Path() string { return b.path }

// Append implements Log: the batch is written in one bbolt transaction and
// fsynced before Append returns.
func (b *Bolt) Append(ctx context.Context, recs [][]byte) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, ErrClosed
	}
	first := b.next
	if len(recs) == 0 {
		return first, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		lb := tx.Bucket(bucketLog)
		lb.FillPercent = 1 // keys only ever grow: pack pages full
		var key [8]byte
		for i, r := range recs {
			binary.BigEndian.PutUint64(key[:], first+uint64(i))
			if err := lb.Put(key[:], r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			return 0, ErrClosed
		}
		return 0, fmt.Errorf("store: append to %s: %w", b.path, err)
	}
	b.next += uint64(len(recs))
	return first, nil
}

// Replay implements Log.
func (b *Bolt) Replay(ctx context.Context, from uint64, fn func(uint64, []byte) error) error {
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLog).Cursor()
		var key [8]byte
		binary.BigEndian.PutUint64(key[:], from)
		n := 0
		for k, v := c.Seek(key[:]); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("store: corrupt log key of %d bytes in %s", len(k), b.path)
			}
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := fn(binary.BigEndian.Uint64(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Next implements Log.
func (b *Bolt) Next(context.Context) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, ErrClosed
	}
	return b.next, nil
}

// Close implements Log. It does not wait for anything but an Append already
// running: it is also how tests simulate a crash.
func (b *Bolt) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	return b.db.Close()
}
