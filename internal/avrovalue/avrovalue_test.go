package avrovalue

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
)

func TestPathString(t *testing.T) {
	var p Path
	p.Field("OrderPlaced")
	p.Field("items")
	p.Index(2)
	p.Field("price")
	if got := p.String(); got != "OrderPlaced.items[2].price" {
		t.Errorf("got %q", got)
	}
	p.Pop()
	p.Pop()
	p.Index(-1)
	p.Key(`a"b`)
	if got := p.String(); got != `OrderPlaced.items[]["a\"b"]` {
		t.Errorf("got %q", got)
	}
}

func TestAppendLong(t *testing.T) {
	for _, tt := range []struct {
		v    int64
		want []byte
	}{
		{0, []byte{0}}, {-1, []byte{1}}, {1, []byte{2}}, {-64, []byte{0x7f}}, {64, []byte{0x80, 1}},
		{1 << 62, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1}},
	} {
		if got := AppendLong(nil, tt.v); !bytes.Equal(got, tt.want) {
			t.Errorf("AppendLong(%d) = %x, want %x", tt.v, got, tt.want)
		}
	}
	if got := AppendString([]byte{9}, "hé"); !bytes.Equal(got, []byte{9, 6, 'h', 0xc3, 0xa9}) {
		t.Errorf("AppendString = %x", got)
	}
}

func TestAppendDefault(t *testing.T) {
	rec, err := avroschema.Parse(`{"type":"record","name":"R","fields":[
		{"name":"p","type":{"type":"record","name":"P","fields":[
			{"name":"x","type":"int"},
			{"name":"tags","type":{"type":"array","items":"string"},"default":[]},
			{"name":"f","type":{"type":"fixed","name":"F","size":2}},
			{"name":"m","type":{"type":"map","values":"boolean"},"default":{"b":true,"a":false}},
			{"name":"u","type":["null","string"],"default":null},
			{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"}]},
		"default":{"x":-3,"f":"\u00ff\u0001"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	f := rec.(*avro.RecordSchema).Fields()[0]
	p := Path{{Name: "R"}, {Name: "p"}}
	got, err := AppendDefault([]byte{0xee}, f.Type(), f.Default(), &p, 0)
	if err != nil {
		t.Fatal(err)
	}
	// x=-3, tags=[], f=ff01, m={a:false,b:true} in key order, u=null, e=B.
	want := []byte{0xee, 5, 0, 0xff, 1, 4, 2, 'a', 0, 2, 'b', 1, 0, 0, 2}
	if !bytes.Equal(got, want) {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	if len(p) != 2 {
		t.Errorf("path left at %v", p)
	}

	long, err := avroschema.Parse(`"long"`)
	if err != nil {
		t.Fatal(err)
	}
	p = Path{{Name: "R"}, {Name: "n"}}
	_, err = AppendDefault(nil, long, "x", &p, 0)
	var de *DefaultError
	if !errors.As(err, &de) || de.Error() != "R.n: cannot encode default x (string) as long" {
		t.Errorf("error %v", err)
	}
	if _, err := AppendDefault(nil, long, int64(1), &p, MaxDepth+1); err == nil || err.Error() != "R.n: default nests deeper than 1000 levels" {
		t.Errorf("error %v", err)
	}
}

func TestOverwrites(t *testing.T) {
	for _, tc := range []struct {
		name, schema string
		want         bool
	}{
		{"primitives", `{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"i","type":"int"},{"name":"d","type":"double"},{"name":"b","type":"bytes"},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}`, true},
		{"enum and fixed", `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"f","type":{"type":"fixed","name":"F","size":4}}]}`, true},
		{"nested record twice", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int"}]}},{"name":"b","type":"N"}]}`, true},
		{"array", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}`, false},
		{"map deep", `{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"m","type":{"type":"map","values":"int"}}]}}]}`, false},
		{"union", `{"type":"record","name":"R","fields":[{"name":"o","type":["null","string"]}]}`, false},
		{"decimal", `{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}`, false},
		{"decimal fixed", `{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":9,"scale":2}}]}`, false},
	} {
		s, err := avroschema.Parse(tc.schema)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := Overwrites(s); got != tc.want {
			t.Errorf("%s: Overwrites = %v, want %v", tc.name, got, tc.want)
		}
	}
}
