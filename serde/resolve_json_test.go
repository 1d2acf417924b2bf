package serde_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avrojson"
	"github.com/edactl/edactl/serde"
)

// The resolver's rules, stated as JSON values: the writer's value is
// encoded with the JSON form, resolved, and the reader's bytes rendered
// back.

func TestResolverRules(t *testing.T) {
	tests := []struct {
		name           string
		writer, reader string
		in, want       string
		hambaDiffers   string // why hamba's Resolve is not compared
	}{
		{
			name:   "added field with default, removed field skipped, reordered",
			writer: `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"gone","type":{"type":"array","items":"string"}},{"name":"b","type":"string"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"b","type":"string"},{"name":"new","type":{"type":"map","values":"long"},"default":{"x":1}},{"name":"a","type":"long"}]}`,
			in:     `{"a":7,"gone":["x","y"],"b":"bee"}`,
			want:   `{"b":"bee","new":{"x":1},"a":7}`,
		},
		{
			name:   "promotions",
			writer: `{"type":"record","name":"R","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"s","type":"string"},{"name":"b","type":"bytes"},{"name":"il","type":"int"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"i","type":"double"},{"name":"l","type":"float"},{"name":"f","type":"double"},{"name":"s","type":"bytes"},{"name":"b","type":"string"},{"name":"il","type":"long"}]}`,
			in:     `{"i":-3,"l":16777217,"f":0.5,"s":"hi","b":"aGk=","il":2147483647}`,
			want:   `{"i":-3,"l":16777216,"f":0.5,"s":"aGk=","b":"hi","il":2147483647}`,
		},
		{
			name:   "field and record aliases",
			writer: `{"type":"record","name":"Old","namespace":"a","fields":[{"name":"amountCents","type":"int"}]}`,
			reader: `{"type":"record","name":"New","namespace":"b","aliases":["a.Old"],"fields":[{"name":"amountMinor","aliases":["amountCents"],"type":"long"}]}`,
			in:     `{"amountCents":250}`,
			want:   `{"amountMinor":250}`,
		},
		{
			name:   "enum by symbol, unknown symbol to the default",
			writer: `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"array","items":{"type":"enum","name":"E","symbols":["A","B","C","Z"]}}}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"array","items":{"type":"enum","name":"E","symbols":["U","C","B","A"],"default":"U"}}}]}`,
			in:     `{"e":["A","B","C","Z"]}`,
			want:   `{"e":["A","B","C","U"]}`,
		},
		{
			name:   "plain type becomes optional",
			writer: `{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"n","type":"int"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"s","type":["null","string"]},{"name":"n","type":["null","string","long"]}]}`,
			in:     `{"s":"x","n":5}`,
			want:   `{"s":"x","n":{"long":5}}`,
		},
		{
			name:   "writer union into reader union with other order",
			writer: `{"type":"record","name":"R","fields":[{"name":"u","type":{"type":"array","items":["null","int","string"]}}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"u","type":{"type":"array","items":["string","long","null"]}}]}`,
			in:     `{"u":[null,{"int":4},{"string":"s"}]}`,
			want:   `{"u":[null,{"long":4},{"string":"s"}]}`,
		},
		{
			name:         "optional becomes required when values fit",
			writer:       `{"type":"record","name":"R","fields":[{"name":"s","type":["null","string"]}]}`,
			reader:       `{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}`,
			in:           `{"s":"present"}`,
			want:         `{"s":"present"}`,
			hambaDiffers: "hamba's Resolve rejects a writer union whose branches do not all match",
		},
		{
			name:         "recursive record",
			writer:       `{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}`,
			reader:       `{"type":"record","name":"Node","fields":[{"name":"label","type":"string","default":"?"},{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"next","type":["null","Node"],"default":null}]}`,
			in:           `{"v":1,"kids":[{"v":2,"kids":[{"v":3,"kids":[]}]},{"v":4,"kids":[]}]}`,
			want:         `{"label":"?","v":1,"kids":[{"label":"?","v":2,"kids":[{"label":"?","v":3,"kids":[],"next":null}],"next":null},{"label":"?","v":4,"kids":[],"next":null}],"next":null}`,
			hambaDiffers: "hamba's Resolve recurses forever on recursive types",
		},
		{
			name:   "nested record default",
			writer: `{"type":"record","name":"R","fields":[]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"p","type":{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"tags","type":{"type":"array","items":"string"},"default":[]},{"name":"f","type":{"type":"fixed","name":"F","size":2}}]},"default":{"x":3,"f":"\u00ff\u0001"}}]}`,
			in:     `{}`,
			want:   `{"p":{"x":3,"tags":[],"f":"/wE="}}`,
		},
		{
			name:         "record default with a null inside",
			writer:       `{"type":"record","name":"R","fields":[]}`,
			reader:       `{"type":"record","name":"R","fields":[{"name":"p","type":{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"z","type":["null","string"],"default":null}]},"default":{"x":3}}]}`,
			in:           `{}`,
			want:         `{"p":{"x":3,"z":null}}`,
			hambaDiffers: "hamba cannot decode a record default holding null (unable to resolve type avro.nullDefaultType)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := serde.MustParse(t, tt.writer), serde.MustParse(t, tt.reader)
			wb, err := avrojson.AppendAvro(nil, w, []byte(tt.in))
			if err != nil {
				t.Fatalf("encode writer value: %v", err)
			}
			res, err := serde.NewResolver(w, r)
			if err != nil {
				t.Fatalf("NewResolver: %v", err)
			}
			rb, err := res.Append(nil, wb)
			if err != nil {
				t.Fatalf("Append: %v (%s)", err, res)
			}
			got, err := avrojson.AppendJSON(nil, r, rb)
			if err != nil {
				t.Fatalf("decode reader bytes: %v (%s)", err, res)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s\nplan %s", got, tt.want, res)
			}
			if tt.hambaDiffers != "" {
				t.Logf("not compared with hamba: %s", tt.hambaDiffers)
				return
			}
			// hamba's own resolution reads the same values.
			hres, err := avro.NewSchemaCompatibility().Resolve(r, w)
			if err != nil {
				t.Fatalf("hamba Resolve: %v", err)
			}
			var viaHamba, viaUs any
			if err := avro.Unmarshal(hres, wb, &viaHamba); err != nil {
				t.Fatalf("hamba decode with its resolved schema: %v", err)
			}
			if err := avro.Unmarshal(r, rb, &viaUs); err != nil {
				t.Fatalf("hamba decode of our bytes: %v", err)
			}
			if !reflect.DeepEqual(viaHamba, viaUs) {
				t.Errorf("hamba resolved %#v\nwe resolved    %#v", viaHamba, viaUs)
			}
		})
	}
}

func TestResolverValueErrors(t *testing.T) {
	// Problems only some values hit are found when a value hits them.
	w := serde.MustParse(t, `{"type":"record","name":"R","fields":[{"name":"u","type":["string","boolean"]},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}`)
	r := serde.MustParse(t, `{"type":"record","name":"R","fields":[{"name":"u","type":"string"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}]}`)
	res, err := serde.NewResolver(w, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, msg string }{
		{`{"u":{"string":"ok"},"e":"A"}`, ""},
		{`{"u":{"boolean":true},"e":"A"}`, "R.u: offset 1: writer union branch boolean cannot be read as string"},
		{`{"u":{"string":"ok"},"e":"B"}`, "R.e: offset 4: writer symbol B is not in reader enum E, which has no default"},
	} {
		wb, err := avrojson.AppendAvro(nil, w, []byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		_, err = res.Append(nil, wb)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.in, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.msg) {
			t.Errorf("%s: error %v, want %s", tt.in, err, tt.msg)
		}
	}
}

// FuzzResolver rewrites arbitrary writer bodies for the reader of a
// compatible pair: it must never panic, and the output for a valid writer
// body must be a valid reader body.
func FuzzResolver(f *testing.F) {
	pairs := [][2]string{
		{serde.OrderV1, serde.OrderV2},
		{`{"type":"record","name":"N","fields":[{"name":"v","type":"int"},{"name":"gone","type":["null","string"]},{"name":"kids","type":{"type":"array","items":"N"}}]}`,
			`{"type":"record","name":"N","fields":[{"name":"kids","type":{"type":"array","items":"N"}},{"name":"v","type":["null","double"]},{"name":"x","type":{"type":"map","values":"string"},"default":{"a":"b"}}]}`},
		{`{"type":"record","name":"U","fields":[{"name":"u","type":["int","string",{"type":"enum","name":"E","symbols":["A","B","C"]}]}]}`,
			`{"type":"record","name":"U","fields":[{"name":"u","type":["null","long",{"type":"enum","name":"E","symbols":["C","A"],"default":"A"},"bytes"]}]}`},
	}
	type pair struct {
		res            *serde.Resolver
		writer, reader *serde.Schema
	}
	var compiled []pair
	for _, p := range pairs {
		w, r := serde.MustParse(f, p[0]), serde.MustParse(f, p[1])
		res, err := serde.NewResolver(w, r)
		if err != nil {
			f.Fatal(err)
		}
		compiled = append(compiled, pair{res, &serde.Schema{Avro: w}, &serde.Schema{Avro: r}})
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		p := compiled[int(which)%len(compiled)]
		out, err := p.res.Append(nil, body)
		if err != nil {
			return
		}
		if _, err := avrojson.AppendJSON(nil, p.writer.Avro, body); err != nil {
			return // not a valid writer value (bad UTF-8, say): nothing to hold the output to
		}
		if _, err := avrojson.AppendJSON(nil, p.reader.Avro, out); err != nil {
			t.Fatalf("resolved body does not decode with the reader: %v", err)
		}
	})
}

// TestResolverConversionRules: with WithConversionRules a downcast
// resolves as edactl's generated conversions convert; without, Avro's
// rules refuse it.
func TestResolverConversionRules(t *testing.T) {
	tests := []struct {
		name           string
		writer, reader string
		in, want       string
		fails          string // the value does not fit: the error
	}{
		{
			name:   "rename with an alias read backwards",
			writer: `{"type":"record","name":"R","fields":[{"name":"amountMinor","aliases":["amountCents"],"type":"int"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"amountCents","type":"int"}]}`,
			in:     `{"amountMinor":250}`,
			want:   `{"amountCents":250}`,
		},
		{
			name:   "long to int and double to float, checked",
			writer: `{"type":"record","name":"R","fields":[{"name":"n","type":"long"},{"name":"x","type":"double"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"n","type":"int"},{"name":"x","type":"float"}]}`,
			in:     `{"n":-2147483648,"x":0.5}`,
			want:   `{"n":-2147483648,"x":0.5}`,
		},
		{
			name:   "long that does not fit an int",
			writer: `{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}`,
			in:     `{"n":2147483648}`,
			fails:  "R.n: offset 0: 2147483648 does not fit in an int",
		},
		{
			name:   "double that does not fit a float",
			writer: `{"type":"record","name":"R","fields":[{"name":"x","type":"double"}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"x","type":"float"}]}`,
			in:     `{"x":1e300}`,
			fails:  "does not fit in a float",
		},
		{
			name:   "optional to required: a null becomes the default",
			writer: `{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"]},{"name":"b","type":["null","string"]}]}`,
			reader: `{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":"none"},{"name":"b","type":"string","default":"none"}]}`,
			in:     `{"a":null,"b":"x"}`,
			want:   `{"a":"none","b":"x"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := serde.MustParse(t, tt.writer), serde.MustParse(t, tt.reader)
			wb, err := avrojson.AppendAvro(nil, w, []byte(tt.in))
			if err != nil {
				t.Fatalf("encode writer value: %v", err)
			}
			plain, avroErr := serde.NewResolver(w, r)
			res, err := serde.NewResolver(w, r, serde.WithConversionRules())
			if err != nil {
				t.Fatalf("NewResolver with the conversion rules: %v", err)
			}
			rb, err := res.Append(nil, wb)
			if tt.fails != "" {
				if !errors.Is(err, serde.ErrInvalidValue) || !strings.Contains(err.Error(), tt.fails) {
					t.Fatalf("Append: %v, want ErrInvalidValue %q", err, tt.fails)
				}
				return
			}
			if err != nil {
				t.Fatalf("Append: %v (%s)", err, res)
			}
			got, err := avrojson.AppendJSON(nil, r, rb)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
			// Avro's own rules refuse the schemas, or the value.
			if avroErr == nil {
				if _, err := plain.Append(nil, wb); err == nil {
					t.Errorf("Avro's rules read it too: the case tests nothing of the conversion rules")
				}
			}
		})
	}
}
