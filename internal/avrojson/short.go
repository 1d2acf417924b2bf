package avrojson

import "encoding/binary"

// Short writes: most of what a record's JSON is made of (field prefixes
// such as `,"customer_id":`, identifiers, codes, keys) is at most 16 bytes.
// Writing those as two 8-byte words, when the output has room for 16
// bytes, costs a few instructions instead of a call to memmove per piece;
// the bytes past the piece are written into the output's spare capacity
// and cut off by the returned length.

// shortMax is the longest piece written as words.
const shortMax = 16

// shortText is a piece of at most shortMax bytes as two little-endian
// words; n is 0 when the piece is longer (or empty) and is written by
// append.
type shortText struct {
	w0, w1 uint64
	n      int
}

// newShortText returns s as words, or n 0 when s does not fit.
func newShortText(s string) shortText {
	if len(s) == 0 || len(s) > shortMax {
		return shortText{}
	}
	var b [shortMax]byte
	copy(b[:], s)
	return shortText{w0: binary.LittleEndian.Uint64(b[:]), w1: binary.LittleEndian.Uint64(b[8:]), n: len(s)}
}

// appendShort appends t (whose text is s) to out.
func appendShort(out []byte, t *shortText, s string) []byte {
	l := len(out)
	if t.n == 0 || cap(out)-l < shortMax {
		return append(out, s...)
	}
	w := out[l : l+shortMax]
	binary.LittleEndian.PutUint64(w, t.w0)
	binary.LittleEndian.PutUint64(w[8:], t.w1)
	return out[:l+t.n]
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainWord reports whether none of the 8 bytes of w needs escaping in a
// JSON string or UTF-8 validation: no control character (< 0x20), quote,
// backslash or byte of 0x80 and above. (The zero-byte tests may report a
// false alarm after a borrow, never miss one: a false alarm only sends the
// string down the general path.)
func plainWord(w uint64) bool { return escapeBits(w) == 0 }

// escapeBits has the high bit set of each byte of w that plainWord looks
// for, and possibly of bytes above one (a borrow's false alarm), none
// else.
func escapeBits(w uint64) uint64 {
	q := w ^ ('"' * lsb)
	bs := w ^ ('\\' * lsb)
	return ((w-0x20*lsb)&^w | (q-lsb)&^q | (bs-lsb)&^bs | w) & msb
}

// lowBytes is a mask of the n (0–8) low bytes of a word.
func lowBytes(n int) uint64 {
	if n >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(n)) - 1
}

// appendQuotedBytes writes s as a JSON string, as appendJSONBytes does,
// and reports false if s is not valid UTF-8. A string of at most shortMax
// bytes that needs no escaping is written as words (read from s's spare
// capacity when it has shortMax bytes, from a copy otherwise; the bytes
// past s are read, not used).
func appendQuotedBytes(out, s []byte) ([]byte, bool) {
	n, l := len(s), len(out)
	if n > shortMax || cap(out)-l < shortMax+2 {
		return appendJSONBytes(out, s)
	}
	var in []byte
	if cap(s) >= shortMax {
		in = s[:shortMax]
	} else {
		// At the end of its buffer (the last fields of a value): read it
		// from a copy.
		var tmp [shortMax]byte
		copy(tmp[:], s)
		in = tmp[:]
	}
	// Bytes past s are tested too and masked off (see quickString).
	w0 := binary.LittleEndian.Uint64(in)
	w1 := binary.LittleEndian.Uint64(in[8:])
	if m := &tailMasks[n]; escapeBits(w0)&m[0]|escapeBits(w1)&m[1] != 0 {
		return appendJSONBytes(out, s)
	}
	w := out[l : l+shortMax+2]
	w[0] = '"'
	binary.LittleEndian.PutUint64(w[1:], w0)
	binary.LittleEndian.PutUint64(w[9:], w1)
	w[n+1] = '"'
	return out[:l+n+2], true
}
