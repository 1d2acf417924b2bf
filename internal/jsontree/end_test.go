package jsontree

import "testing"

func TestEnd(t *testing.T) {
	data := []byte(`{"a": "x\"}]", "b": [1, {"c": "]"}], "n": -1.5e3, "t": true, "o": {}}`)
	root, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": `"x\"}]"`,
		"b": `[1, {"c": "]"}]`,
		"n": `-1.5e3`,
		"t": `true`,
		"o": `{}`,
	}
	for k, v := range root.Members() {
		if got := string(data[v.Offset():End(data, v.Offset())]); got != want[k] {
			t.Errorf("End of %q: got %s, want %s", k, got, want[k])
		}
	}
	if got := End(data, root.Offset()); got != len(data) {
		t.Errorf("End of root = %d, want %d", got, len(data))
	}
}
