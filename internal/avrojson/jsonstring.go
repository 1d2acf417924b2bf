package avrojson

import "unicode/utf8"

// AppendJSONString appends s as a JSON string, escaped as encoding/json
// does without HTML escaping; invalid UTF-8 bytes become U+FFFD. It is the
// one JSON string writer of the JSON form and of the stream tools.
func AppendJSONString[T string | []byte](dst []byte, s T) []byte {
	dst, _ = appendJSONStr(dst, s, false)
	return dst
}

// appendJSONStr writes s as a JSON string. An invalid UTF-8 byte becomes
// U+FFFD, or with strict stops the write and reports false.
func appendJSONStr[T string | []byte](dst []byte, s T, strict bool) ([]byte, bool) {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Runs of plain bytes, a word at a time.
		for i+8 <= len(s) && plainWord(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		// Then a byte at a time up to the next byte that needs a look.
		for i < len(s) && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && s[i] < utf8.RuneSelf {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			if strict {
				return dst, false
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}

// appendJSONBytes writes s as a JSON string, escaped as AppendJSONString
// does, and reports false if s is not valid UTF-8.
func appendJSONBytes(dst, s []byte) ([]byte, bool) {
	return appendJSONStr(dst, s, true)
}
