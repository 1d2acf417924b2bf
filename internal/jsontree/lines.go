package jsontree

import "sort"

// Lines turns the byte offsets of a text (a Value's Offset) into line
// numbers, for findings that name a line of a file.
type Lines []int // the offsets of the text's '\n' bytes

// NewLines indexes the lines of data.
func NewLines(data []byte) Lines {
	var l Lines
	for i, c := range data {
		if c == '\n' {
			l = append(l, i)
		}
	}
	return l
}

// Line returns the 1-based line of byte offset off.
func (l Lines) Line(off int) int {
	return sort.SearchInts(l, off) + 1
}
