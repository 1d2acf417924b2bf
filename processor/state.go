package processor

import (
	"github.com/edactl/edactl/internal/atomicfile"

	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// entry is the state of one key: the latest framed value of each input
// (nil until seen) and, filled lazily, its decoded form.
type entry struct {
	raw [][]byte
	dec []any
}

// partState is the state of one partition of the joined topics.
type partState struct {
	entries map[string]*entry
	// next is the changelog offset the state reflects everything before.
	next int64
	// dirty holds the keys changed in the current batch, in order.
	dirty   []string
	inDirty map[string]struct{}
}

func newPartState() *partState {
	return &partState{entries: map[string]*entry{}, inDirty: map[string]struct{}{}}
}

func (ps *partState) markDirty(key string) {
	if _, ok := ps.inDirty[key]; ok {
		return
	}
	ps.inDirty[key] = struct{}{}
	ps.dirty = append(ps.dirty, key)
}

func (ps *partState) clearDirty() {
	ps.dirty = ps.dirty[:0]
	clear(ps.inDirty)
}

// changelogVersion is the first byte of every changelog value.
const changelogVersion = 1

// appendChangelog encodes e's raw values: the version byte, the number of
// inputs, then for each input 0 (not seen) or its length+1 and its bytes.
func appendChangelog(dst []byte, e *entry) []byte {
	dst = append(dst, changelogVersion)
	dst = binary.AppendUvarint(dst, uint64(len(e.raw)))
	for _, r := range e.raw {
		if r == nil {
			dst = append(dst, 0)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(r))+1)
		dst = append(dst, r...)
	}
	return dst
}

// parseChangelog decodes a changelog value for n inputs. The raw values
// alias b.
func parseChangelog(b []byte, n int) (*entry, error) {
	if len(b) == 0 || b[0] != changelogVersion {
		return nil, fmt.Errorf("changelog value: unknown format (first byte %d, want %d)", firstByte(b), changelogVersion)
	}
	b = b[1:]
	count, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errors.New("changelog value: truncated input count")
	}
	if count != uint64(n) {
		return nil, fmt.Errorf("changelog value holds %d inputs, the processor has %d", count, n)
	}
	b = b[k:]
	e := &entry{raw: make([][]byte, n), dec: make([]any, n)}
	for i := range n {
		l, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, fmt.Errorf("changelog value: input %d: truncated length", i)
		}
		b = b[k:]
		if l == 0 {
			continue
		}
		l--
		if uint64(len(b)) < l {
			return nil, fmt.Errorf("changelog value: input %d: %d bytes, %d left", i, l, len(b))
		}
		e.raw[i] = b[:l:l]
		b = b[l:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("changelog value: %d bytes after the last input", len(b))
	}
	return e, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

// snapshotMagic starts a snapshot file.
const snapshotMagic = "edactl-processor-state 1\n"

// snapshotPath is where partition p's snapshot lives in dir.
func snapshotPath(dir, changelog string, p int32) string {
	return filepath.Join(dir, changelog+"-"+strconv.Itoa(int(p))+".state")
}

// writeSnapshot writes ps to path atomically: the magic line, the
// changelog offset, the input count, the entry count, every key and its
// changelog encoding, and a CRC-32C of everything before it.
func writeSnapshot(path string, ps *partState, inputs int) error {
	return atomicfile.Write(path, 0o600, func(out io.Writer) error {
		crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
		w := io.MultiWriter(out, crc)
		var buf []byte
		buf = append(buf, snapshotMagic...)
		buf = binary.AppendVarint(buf, ps.next)
		buf = binary.AppendUvarint(buf, uint64(inputs))
		buf = binary.AppendUvarint(buf, uint64(len(ps.entries)))
		if _, err := w.Write(buf); err != nil {
			return err
		}
		var val []byte
		for k, e := range ps.entries {
			val = appendChangelog(val[:0], e)
			buf = binary.AppendUvarint(buf[:0], uint64(len(k)))
			buf = append(buf, k...)
			buf = binary.AppendUvarint(buf, uint64(len(val)))
			if _, err := w.Write(buf); err != nil {
				return err
			}
			if _, err := w.Write(val); err != nil {
				return err
			}
		}
		var sum [4]byte
		binary.BigEndian.PutUint32(sum[:], crc.Sum32())
		_, err := out.Write(sum[:])
		return err
	})
}

// readSnapshot reads a snapshot written by writeSnapshot. A missing file is
// (nil, nil); a damaged one is an error naming what is wrong.
func readSnapshot(path string, inputs int) (*partState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(data) < len(snapshotMagic)+4 || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, fmt.Errorf("%s: not a state snapshot", path)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)) != sum {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	b := body[len(snapshotMagic):]
	next, k := binary.Varint(b)
	if k <= 0 {
		return nil, fmt.Errorf("%s: truncated offset", path)
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n != uint64(inputs) {
		return nil, fmt.Errorf("%s: holds %d inputs, the processor has %d", path, n, inputs)
	}
	b = b[k:]
	count, k := binary.Uvarint(b)
	if k <= 0 || count > uint64(len(b)) {
		return nil, fmt.Errorf("%s: bad entry count", path)
	}
	b = b[k:]
	ps := newPartState()
	ps.next = next
	ps.entries = make(map[string]*entry, count)
	for i := range count {
		kl, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < kl {
			return nil, fmt.Errorf("%s: entry %d: truncated key", path, i)
		}
		key := string(b[k : k+int(kl)])
		b = b[k+int(kl):]
		vl, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < vl {
			return nil, fmt.Errorf("%s: entry %d: truncated value", path, i)
		}
		e, err := parseChangelog(b[k:k+int(vl)], inputs)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %d (key %q): %w", path, i, key, err)
		}
		b = b[k+int(vl):]
		ps.entries[key] = e
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%s: %d bytes after the last entry", path, len(b))
	}
	return ps, nil
}
