package avrojson

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAppendJSONString: the writer's word-at-a-time scan gives what
// encoding/json gives without HTML escaping (each invalid UTF-8 byte as
// U+FFFD), for
// strings and byte slices, with a byte that needs escaping at every
// position of strings around the word size and past it; appendJSONBytes
// refuses exactly the invalid UTF-8.
func TestAppendJSONString(t *testing.T) {
	specials := []byte{'"', '\\', 0x00, 0x1f, '\n', '\r', '\t', 0x7f, 0x80, 0xc3, 0xe2, 0xff, '<', '&', 'A', ' '}
	check := func(s string) {
		t.Helper()
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		// Each invalid byte becomes U+FFFD (encoding/json would write
		// the same character as \ufffd).
		var valid strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				valid.WriteRune(utf8.RuneError)
			} else {
				valid.WriteString(s[i : i+size])
			}
			i += size
		}
		if err := enc.Encode(valid.String()); err != nil {
			t.Fatal(err)
		}
		want := "x" + strings.TrimSuffix(b.String(), "\n")
		if got := AppendJSONString([]byte("x"), s); string(got) != want {
			t.Fatalf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
		if got := AppendJSONString([]byte("x"), []byte(s)); string(got) != want {
			t.Fatalf("AppendJSONString([]byte(%q)) = %s, want %s", s, got, want)
		}
		got, ok := appendJSONBytes([]byte("x"), []byte(s))
		if ok != utf8.ValidString(s) || ok && string(got) != want {
			t.Fatalf("appendJSONBytes(%q) = %s, %v; want %s, %v", s, got, ok, want, utf8.ValidString(s))
		}
	}
	for n := 0; n <= 40; n++ {
		base := strings.Repeat("a", n)
		check(base)
		for pos := range n {
			for _, c := range specials {
				s := []byte(base)
				s[pos] = c
				check(string(s))
			}
		}
	}
	for _, s := range []string{"é", "naïve café au lait, s'il vous plaît", "日本語テキスト", "\u2028x\u2029", "emoji 🙂 ok", strings.Repeat("é", 20), "shop.orders.OrderPlaced"} {
		check(s)
	}
	r := rand.New(rand.NewPCG(8, 9))
	for range 20_000 {
		in := make([]byte, r.IntN(48))
		for i := range in {
			if r.IntN(6) == 0 {
				in[i] = specials[r.IntN(len(specials))]
			} else {
				in[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		check(string(in))
	}
}
