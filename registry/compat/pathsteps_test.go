package compat

import (
	"fmt"
	"testing"
)

func TestSplitPath(t *testing.T) {
	for path, want := range map[string]string{
		"OrderPlaced":               `OrderPlaced [] true`,
		"OrderPlaced.lines[].price": `OrderPlaced [{lines false false} { true false} {price false false}] true`,
		"Order.tags{}.x":            `Order [{tags false false} { false true} {x false false}] true`,
		"Order.lines[x":             `Order [{lines false false}] false`,
		"Order.a.b":                 `Order [{a false false} {b false false}] true`,
	} {
		root, steps, ok := SplitPath(path)
		if got := fmt.Sprintf("%s %v %v", root, steps, ok); got != want {
			t.Errorf("SplitPath(%q) = %s, want %s", path, got, want)
		}
	}
}
