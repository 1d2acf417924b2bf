package store

import (
	"context"
	"errors"
)

// Log is an append-only sequence of opaque records.
//
// Implementations must be safe for concurrent use, although the registry
// calls Append from one goroutine only.
type Log interface {
	// Append durably appends recs as one atomic batch and returns the offset
	// of the first record. When it returns nil every record is durable
	// (acknowledged means fsynced); when it returns an error none of them
	// may be treated as written. An empty batch is a no-op.
	Append(ctx context.Context, recs [][]byte) (first uint64, err error)

	// Replay calls fn with every record from offset from on, in order, and
	// stops at the first error fn returns (which Replay returns). The bytes
	// passed to fn are only valid during the call.
	Replay(ctx context.Context, from uint64, fn func(offset uint64, rec []byte) error) error

	// Next returns the offset the next appended record will get, which is
	// also the number of records in the log.
	Next(ctx context.Context) (uint64, error)

	// Close releases the log. Appends after Close fail with ErrClosed.
	Close() error
}

// ErrClosed is returned by operations on a closed Log.
var ErrClosed = errors.New("store: log is closed")

// ErrLocked is returned by OpenBolt when another process (or another Open in
// this one) already holds the file.
var ErrLocked = errors.New("store: data file is in use by another edactl process")
