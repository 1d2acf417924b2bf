package avrovalue

import (
	"strconv"
	"strings"
)

// Elem is one step of a field path.
type Elem struct {
	// Name is a field or type name, or a map key when IsKey is set.
	Name string
	// Index is an array index when Name is "" and IsKey is not set; -1
	// stands for any item (schema paths).
	Index int
	// IsKey marks a map key.
	IsKey bool
}

// Path is a field path from the top-level type, e.g.
// "OrderPlaced.items[2].price" or `Event.attrs["k"]` once formatted.
type Path []Elem

// Field appends a field (or type) name.
func (p *Path) Field(name string) { *p = append(*p, Elem{Name: name}) }

// Index appends an array index.
func (p *Path) Index(i int) { *p = append(*p, Elem{Index: i}) }

// Key appends a map key.
func (p *Path) Key(k string) { *p = append(*p, Elem{Name: k, IsKey: true}) }

// Pop removes the last step.
func (p *Path) Pop() { *p = (*p)[:len(*p)-1] }

// String formats the path: names joined by dots, indexes and quoted map
// keys in brackets, "[]" for any item.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.IsKey:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(e.Name))
			b.WriteByte(']')
		case e.Name == "" && e.Index < 0:
			b.WriteString("[]") // any item (schema paths)
		case e.Name == "":
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Name)
		}
	}
	return b.String()
}
