package jsontree

// End returns the byte offset just past the value that starts at off in
// data, a text Parse accepted (off is a Value's Offset). It lets callers
// edit a value in place: replace data[v.Offset():End(data, v.Offset())],
// or insert after it, keeping the rest of the text as written. For an
// offset that does not start a value, End returns off.
func End(data []byte, off int) int {
	if off < 0 || off >= len(data) {
		return off
	}
	switch c := data[off]; {
	case c == '"':
		return stringEnd(data, off)
	case c == '{' || c == '[':
		depth := 0
		for i := off; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = stringEnd(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(data)
	default:
		i := off
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// stringEnd returns the offset past the string starting at off.
func stringEnd(data []byte, off int) int {
	for i := off + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}
