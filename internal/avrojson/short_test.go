package avrojson

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAppendQuotedBytes: the word path writes what appendJSONBytes writes,
// for every length around shortMax, bytes that need escaping or validation
// at every position, inputs with and without room past them, and outputs
// with and without spare capacity; and it never writes past what it
// returns into the bytes of a neighbour.
func TestAppendQuotedBytes(t *testing.T) {
	specials := []byte{'"', '\\', 0x00, 0x1f, '\n', 0x7f, 0x80, 0xc3, 0xe2, 0xff, 'A', ' '}
	r := rand.New(rand.NewPCG(1, 2))
	check := func(s []byte) {
		t.Helper()
		want, wantOK := appendJSONBytes([]byte("x"), s)
		for _, spare := range []int{0, 1, shortMax + 1, shortMax + 2, 64} {
			out := make([]byte, 1, 1+len(s)+spare)
			out[0] = 'x'
			// Sentinel bytes in the spare capacity must not become part
			// of the result.
			full := out[:cap(out)]
			for i := 1; i < len(full); i++ {
				full[i] = '#'
			}
			got, ok := appendQuotedBytes(out, s)
			if ok != wantOK || (ok && !bytes.Equal(got, want)) {
				t.Fatalf("appendQuotedBytes(%q) with %d spare = %q, %v; want %q, %v", s, spare, got, ok, want, wantOK)
			}
		}
	}
	for n := 0; n <= shortMax+2; n++ {
		base := bytes.Repeat([]byte{'a'}, n)
		// Room past the string (a longer input) and none.
		for _, room := range []int{0, 3, shortMax} {
			in := append(append([]byte{}, base...), bytes.Repeat([]byte{'"'}, room)...)
			check(in[:n:len(in)])
			check(in[:n:n])
		}
		for pos := 0; pos < n; pos++ {
			for _, c := range specials {
				s := append([]byte{}, base...)
				s[pos] = c
				padded := append(s, '\\', '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
				check(padded[:n])
			}
		}
	}
	// Valid multi-byte text and random bytes.
	for _, s := range []string{"é", "naïve", "日本語テキスト", "\u2028x", "emoji 🙂 ok", strings.Repeat("é", 8)} {
		check(append([]byte(s), make([]byte, shortMax)...)[:len(s)])
	}
	for range 5000 {
		n := r.IntN(shortMax + 3)
		in := make([]byte, n+r.IntN(shortMax+1))
		for i := range in {
			if r.IntN(4) == 0 {
				in[i] = specials[r.IntN(len(specials))]
			} else {
				in[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		check(in[:n])
	}
}

// TestAppendShort: a piece written as words reads back as itself, with
// and without spare capacity, for every length up to and past shortMax.
func TestAppendShort(t *testing.T) {
	for n := 0; n <= shortMax+3; n++ {
		s := strings.Repeat("k", n) + ""
		if n > 0 {
			s = `,"` + strings.Repeat("k", max(0, n-3)) + `":`
			s = s[:n]
		}
		st := newShortText(s)
		for _, spare := range []int{0, 5, shortMax, 40} {
			out := append(make([]byte, 0, 2+spare), "ab"...)
			if got := appendShort(out, &st, s); string(got) != "ab"+s {
				t.Fatalf("appendShort(%q) with %d spare = %q", s, spare, got)
			}
		}
	}
}

// TestDateCache: dates through the cache are civilDate's, for days in any
// order, repeated or not, in range or out of it, from several goroutines.
func TestDateCache(t *testing.T) {
	var c dateCache
	r := rand.New(rand.NewPCG(3, 4))
	days := []int64{0, 0, -1, dayYear0, dayYear0 - 1, dayYear10000, dayYear10000 - 1, 19844, 19844, 19845, 1 << 40, -1 << 40}
	for range 2000 {
		days = append(days, r.Int64N(dayYear10000-dayYear0+20)+dayYear0-10)
	}
	done := make(chan struct{})
	for g := range 3 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range days {
				d := days[(i+g*7)%len(days)]
				y, m, dd, ok := c.civil(d)
				wy, wm, wd, wok := civilDate(d)
				if y != wy || m != wm || dd != wd || ok != wok {
					t.Errorf("civil(%d) = %d-%d-%d %v, want %d-%d-%d %v", d, y, m, dd, ok, wy, wm, wd, wok)
					return
				}
			}
		}()
	}
	for range 3 {
		<-done
	}
}
