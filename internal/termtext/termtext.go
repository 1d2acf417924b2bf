// Package termtext makes untrusted text safe to show on a terminal: record
// keys, header names and values, group and client names and error messages
// reach edactl's text output and TUI through it.
//
// A header key or value, a key or a string inside a decoded value can hold
// ESC, CSI (U+009B), a carriage return or a bidirectional override. Printed
// raw, they move the cursor, recolour or clear the screen, or make one
// record look like another. The functions here are what edactl shows
// instead: text that is printable as is stays as is (accents, CJK, emoji
// with their joiners), anything else is Go-escaped.
package termtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable reports whether s can be printed on one terminal line as is:
// valid UTF-8 and every rune shown (see Visible) or an ASCII space.
func Printable(s string) bool { return firstUnshown(s, false) < 0 }

// firstUnshown returns the byte index of the first control character,
// invalid byte or rune not shown in s, or -1; multiLine lets newline and tab
// through.
func firstUnshown(s string, multiLine bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(multiLine && (c == '\n' || c == '\t'))) || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !Visible(r) {
			return i
		}
		i += size
	}
	return -1
}

// Visible reports whether a non-ASCII rune is printed as is: graphic
// characters (not the bidirectional controls, which reorder what follows
// them) and the three invisible characters text needs — the zero-width
// joiner of emoji sequences, the zero-width non-joiner of Persian and Indic
// text, the soft hyphen. Every other invisible character (U+200B, U+2060,
// U+FEFF, tag characters, ...) is escaped: it could make two different
// names look the same. C1 controls such as U+009B (CSI) are not graphic.
func Visible(r rune) bool {
	switch r {
	case '\u200c', '\u200d', '\u00ad':
		return true
	}
	return unicode.IsGraphic(r) && !unicode.Is(unicode.Bidi_Control, r)
}

// OneLine returns s for one line of a terminal: line breaks (CRLF, LF) and
// tabs become spaces, every other character that is not printable is
// escaped as Escape does.
func OneLine(s string) string {
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\r\n", " ", "\n", " ", "\t", " ").Replace(s)
	}
	return Escape(s)
}

// Quote returns s as is when Printable, otherwise Go-quoted
// (strconv.Quote: "\x1b[2J", "\r", "\u202e", invalid bytes as \x..), so
// what the bytes are is visible and nothing reaches the terminal as a
// control sequence.
func Quote(s string) string {
	if Printable(s) {
		return s
	}
	return strconv.Quote(s)
}

// Escape returns s with every character that is not printable —
// except newline and tab, which multi-line text keeps — replaced by its Go
// escape (\r, \x1b, \u009b, \u202e, \xff for an invalid byte). Text that is
// already printable is returned unchanged without copying.
func Escape(s string) string {
	first := firstUnshown(s, true)
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:first])
	for i := first; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				q := strconv.QuoteToASCII(string(c))
				b.WriteString(q[1 : len(q)-1])
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(c)&0xf, 16))
		case !Visible(r):
			q := strconv.QuoteToASCII(string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ShellQuote returns s as one word for a POSIX shell command line: as is
// when it holds only characters no shell treats specially, in single
// quotes when it is printable, otherwise in bash's $'...' with Go escapes
// (\x1b, \r, \u202e), which bash, zsh and ksh read back as the same bytes.
func ShellQuote(s string) string {
	plain := s != ""
	for _, c := range []byte(s) {
		plain = plain && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("@%+=:,./-_", c) >= 0)
	}
	switch {
	case plain:
		return s
	case Printable(s):
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	q := strconv.Quote(s)
	return "$'" + strings.ReplaceAll(q[1:len(q)-1], "'", `\'`) + "'"
}
