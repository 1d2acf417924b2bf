package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWrapAtWordBoundaries: lines break at spaces; only a word longer
// than the width is cut; every line fits; nothing but the spaces a line
// ends at is lost.
func TestWrapAtWordBoundaries(t *testing.T) {
	for _, c := range []struct {
		s     string
		width int
		want  []string
	}{
		{"refused: consumer group accounting is Stable", 20, []string{"refused: consumer ", "group accounting is ", "Stable"}},
		{"a bb ccc dddd", 4, []string{"a bb", "ccc ", "dddd"}},
		{"abcdefghij klm", 4, []string{"abcd", "efgh", "ij ", "klm"}},
		{"short", 10, []string{"short"}},
		{"世界世界 世界", 4, []string{"世界", "世界", "世界"}},
	} {
		got := wrap(c.s, c.width)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.s, c.width, got, c.want)
		}
		for _, l := range got {
			if ansi.StringWidth(l) > c.width {
				t.Errorf("wrap(%q, %d): line %q is wider than %d", c.s, c.width, l, c.width)
			}
		}
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(c.s, " ", "") {
			t.Errorf("wrap(%q, %d) lost text: %q", c.s, c.width, got)
		}
	}
}
