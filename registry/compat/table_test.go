package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/edactl/edactl/internal/avroschema"
)

// fixtures are the schemas the resolution table refers to by name. They are
// written for this suite after the Avro specification's resolution rules and
// the shapes used in Apache Avro's TestSchemaCompatibility*, Confluent's
// AvroCompatibilityTest and Karapace's Avro compatibility tests.
var fixtures = map[string]string{
	// primitives
	"null": `"null"`, "boolean": `"boolean"`, "int": `"int"`, "long": `"long"`,
	"float": `"float"`, "double": `"double"`, "bytes": `"bytes"`, "string": `"string"`,

	// logical types follow their underlying type
	"date":        `{"type":"int","logicalType":"date"}`,
	"ts-millis":   `{"type":"long","logicalType":"timestamp-millis"}`,
	"ts-micros":   `{"type":"long","logicalType":"timestamp-micros"}`,
	"decimal":     `{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}`,
	"decimal-2":   `{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}`,
	"uuid":        `{"type":"string","logicalType":"uuid"}`,
	"fixed-dec16": `{"type":"fixed","name":"Dec","size":16,"logicalType":"decimal","precision":20,"scale":2}`,
	"fixed-dec8":  `{"type":"fixed","name":"Dec","size":8,"logicalType":"decimal","precision":10,"scale":2}`,

	// arrays and maps
	"array<int>":         `{"type":"array","items":"int"}`,
	"array<long>":        `{"type":"array","items":"long"}`,
	"array<string>":      `{"type":"array","items":"string"}`,
	"array<bytes>":       `{"type":"array","items":"bytes"}`,
	"map<int>":           `{"type":"map","values":"int"}`,
	"map<long>":          `{"type":"map","values":"long"}`,
	"map<string>":        `{"type":"map","values":"string"}`,
	"array<array<int>>":  `{"type":"array","items":{"type":"array","items":"int"}}`,
	"array<array<long>>": `{"type":"array","items":{"type":"array","items":"long"}}`,
	"map<array<int>>":    `{"type":"map","values":{"type":"array","items":"int"}}`,
	"map<array<double>>": `{"type":"map","values":{"type":"array","items":"double"}}`,

	// enums
	"Enum1[A,B]":          `{"type":"enum","name":"Enum1","symbols":["A","B"]}`,
	"Enum1[A,B,C]":        `{"type":"enum","name":"Enum1","symbols":["A","B","C"]}`,
	"Enum1[B,C]":          `{"type":"enum","name":"Enum1","symbols":["B","C"]}`,
	"Enum1[B,A]":          `{"type":"enum","name":"Enum1","symbols":["B","A"]}`,
	"Enum2[A,B]":          `{"type":"enum","name":"Enum2","symbols":["A","B"]}`,
	"Enum2[A,B]~Enum1":    `{"type":"enum","name":"Enum2","aliases":["Enum1"],"symbols":["A","B"]}`,
	"Enum[A,B] def A":     `{"type":"enum","name":"Enum","symbols":["A","B"],"default":"A"}`,
	"Enum[A,B,C] def A":   `{"type":"enum","name":"Enum","symbols":["A","B","C"],"default":"A"}`,
	"Enum[A,B]":           `{"type":"enum","name":"Enum","symbols":["A","B"]}`,
	"Enum[A,B,C]":         `{"type":"enum","name":"Enum","symbols":["A","B","C"]}`,
	"Enum[C,D] def C":     `{"type":"enum","name":"Enum","symbols":["C","D"],"default":"C"}`,
	"ns1.Enum1[A,B]":      `{"type":"enum","name":"Enum1","namespace":"ns1","symbols":["A","B"]}`,
	"ns2.Enum1[A,B]":      `{"type":"enum","name":"Enum1","namespace":"ns2","symbols":["A","B"]}`,
	"Status[NEW,PAID]":    `{"type":"enum","name":"Status","symbols":["NEW","PAID"]}`,
	"Status[NEW,PAID,X]":  `{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED","CANCELLED"],"default":"NEW"}`,
	"Status[NEW] def NEW": `{"type":"enum","name":"Status","symbols":["NEW"],"default":"NEW"}`,

	// fixed
	"Fixed4":       `{"type":"fixed","name":"Fixed","size":4}`,
	"Fixed8":       `{"type":"fixed","name":"Fixed","size":8}`,
	"Other4":       `{"type":"fixed","name":"AnotherName","size":4}`,
	"Other4~Fixed": `{"type":"fixed","name":"AnotherName","aliases":["Fixed"],"size":4}`,
	"ns.Fixed4":    `{"type":"fixed","name":"Fixed","namespace":"ns","size":4}`,
	"Other8~Fixed": `{"type":"fixed","name":"AnotherName","aliases":["Fixed"],"size":8}`,

	// unions
	"[]":                      `[]`,
	"[null]":                  `["null"]`,
	"[int]":                   `["int"]`,
	"[long]":                  `["long"]`,
	"[float]":                 `["float"]`,
	"[double]":                `["double"]`,
	"[string]":                `["string"]`,
	"[bytes]":                 `["bytes"]`,
	"[int,string]":            `["int","string"]`,
	"[string,int]":            `["string","int"]`,
	"[int,float]":             `["int","float"]`,
	"[int,long]":              `["int","long"]`,
	"[int,long,float,double]": `["int","long","float","double"]`,
	"[null,int]":              `["null","int"]`,
	"[null,string]":           `["null","string"]`,
	"[string,null]":           `["string","null"]`,
	"[null,long]":             `["null","long"]`,
	"[null,array<int>]":       `["null",{"type":"array","items":"int"}]`,
	"[null,array<long>]":      `["null",{"type":"array","items":"long"}]`,
	"[null,map<int>]":         `["null",{"type":"map","values":"int"}]`,
	"[int,boolean]":           `["int","boolean"]`,
	"[int,array<int>]":        `["int",{"type":"array","items":"int"}]`,
	"[int,null]":              `["int","null"]`,
	"[null,Enum1[A,B]]":       `["null",{"type":"enum","name":"Enum1","symbols":["A","B"]}]`,
	"[null,Enum1[A,B,C]]":     `["null",{"type":"enum","name":"Enum1","symbols":["A","B","C"]}]`,
	"[null,Fixed4]":           `["null",{"type":"fixed","name":"Fixed","size":4}]`,
	"[null,Fixed8]":           `["null",{"type":"fixed","name":"Fixed","size":8}]`,
	"[string,Fixed4]":         `["string",{"type":"fixed","name":"Fixed","size":4}]`,

	// records
	"Record1{}":                    `{"type":"record","name":"Record1","fields":[]}`,
	"Record2{}":                    `{"type":"record","name":"Record2","fields":[]}`,
	"Record2{}~Record1":            `{"type":"record","name":"Record2","aliases":["Record1"],"fields":[]}`,
	"ns1.Record1{}":                `{"type":"record","name":"Record1","namespace":"ns1","fields":[]}`,
	"ns2.Record1{}":                `{"type":"record","name":"Record1","namespace":"ns2","fields":[]}`,
	"ns2.Record2{}~ns1.Record1":    `{"type":"record","name":"Record2","namespace":"ns2","aliases":["ns1.Record1"],"fields":[]}`,
	"ns2.Record2{}~Record1":        `{"type":"record","name":"Record2","namespace":"ns2","aliases":["Record1"],"fields":[]}`,
	"{a:int}":                      `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int"}]}`,
	"{a:long}":                     `{"type":"record","name":"Record1","fields":[{"name":"a","type":"long"}]}`,
	"{a:string}":                   `{"type":"record","name":"Record1","fields":[{"name":"a","type":"string"}]}`,
	"{a:int,b:int}":                `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}`,
	"{a:int=0}":                    `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0}]}`,
	"{a:int,b:int=0}":              `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}`,
	"{a:int=0,b:int=0}":            `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":"int","default":0}]}`,
	"{a:int=0,b:Fixed4}":           `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":{"type":"fixed","name":"Fixed","size":4},"default":"\u0000\u0000\u0000\u0000"}]}`,
	"{a:int=0,b:Fixed8}":           `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":{"type":"fixed","name":"Fixed","size":8},"default":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"}]}`,
	"{a:int=0,b:[int,string]}":     `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":["int","string"],"default":0}]}`,
	"{a:int=0,b:[int]}":            `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":["int"],"default":0}]}`,
	"{a:int=0,b:Enum1}":            `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":{"type":"enum","name":"Enum1","symbols":["A","B"]},"default":"A"}]}`,
	"{a:int=0,b:Enum2}":            `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int","default":0},{"name":"b","type":{"type":"enum","name":"Enum2","symbols":["A","B"]},"default":"A"}]}`,
	"{b:int}~a":                    `{"type":"record","name":"Record1","fields":[{"name":"b","type":"int","aliases":["a"]}]}`,
	"{b:long}~a":                   `{"type":"record","name":"Record1","fields":[{"name":"b","type":"long","aliases":["a"]}]}`,
	"{b:string}~a":                 `{"type":"record","name":"Record1","fields":[{"name":"b","type":"string","aliases":["a"]}]}`,
	"{a:[null,int]}":               `{"type":"record","name":"Record1","fields":[{"name":"a","type":["null","int"]}]}`,
	"{a:[null,int]=null}":          `{"type":"record","name":"Record1","fields":[{"name":"a","type":["null","int"],"default":null}]}`,
	"{a:int,n:[null,string]}":      `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int"},{"name":"n","type":["null","string"]}]}`,
	"{a:int,n:[null,string]=null}": `{"type":"record","name":"Record1","fields":[{"name":"a","type":"int"},{"name":"n","type":["null","string"],"default":null}]}`,
	"{e:Enum[A,B]def A}":           `{"type":"record","name":"Record","fields":[{"name":"Field","type":{"type":"enum","name":"Enum","symbols":["A","B"],"default":"A"}}]}`,
	"{e:Enum[A,B,C]def A}":         `{"type":"record","name":"Record","fields":[{"name":"Field","type":{"type":"enum","name":"Enum","symbols":["A","B","C"],"default":"A"}}]}`,
	"{e:Enum[A,B]=A}":              `{"type":"record","name":"Record","fields":[{"name":"Field","type":{"type":"enum","name":"Enum","symbols":["A","B"]},"default":"A"}]}`,
	"{e:Enum[A,B,C]=B}":            `{"type":"record","name":"Record","fields":[{"name":"Field","type":{"type":"enum","name":"Enum","symbols":["A","B","C"]},"default":"B"}]}`,
	"{e:Enum[A,B,C]}":              `{"type":"record","name":"Record","fields":[{"name":"Field","type":{"type":"enum","name":"Enum","symbols":["A","B","C"]}}]}`,
	"{other:int}":                  `{"type":"record","name":"Record","fields":[{"name":"other","type":"int"}]}`,
	"{list:array<int>}":            `{"type":"record","name":"Record1","fields":[{"name":"list","type":{"type":"array","items":"int"}}]}`,
	"{list:array<long>}":           `{"type":"record","name":"Record1","fields":[{"name":"list","type":{"type":"array","items":"long"}}]}`,
	"{m:map<string>}":              `{"type":"record","name":"Record1","fields":[{"name":"m","type":{"type":"map","values":"string"}}]}`,
	"{m:map<bytes>}":               `{"type":"record","name":"Record1","fields":[{"name":"m","type":{"type":"map","values":"bytes"}}]}`,
	"{m:map<int>}":                 `{"type":"record","name":"Record1","fields":[{"name":"m","type":{"type":"map","values":"int"}}]}`,
	"{f:Fixed4}":                   `{"type":"record","name":"Record1","fields":[{"name":"f","type":{"type":"fixed","name":"Fixed","size":4}}]}`,
	"{f:Fixed8}":                   `{"type":"record","name":"Record1","fields":[{"name":"f","type":{"type":"fixed","name":"Fixed","size":8}}]}`,

	// nested records
	"Order{items:[{price:string}]}":                  `{"type":"record","name":"Order","fields":[{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":"string"}]}}}]}`,
	"Order{items:[{price:double}]}":                  `{"type":"record","name":"Order","fields":[{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":"double"}]}}}]}`,
	"Order{items:[{price:float}]}":                   `{"type":"record","name":"Order","fields":[{"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":"float"}]}}}]}`,
	"Order{c:[null,Customer{name}]=null}":            `{"type":"record","name":"Order","fields":[{"name":"c","type":["null",{"type":"record","name":"Customer","fields":[{"name":"name","type":"string"}]}],"default":null}]}`,
	"Order{c:[null,Customer{name,email}]=null}":      `{"type":"record","name":"Order","fields":[{"name":"c","type":["null",{"type":"record","name":"Customer","fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}]}],"default":null}]}`,
	"Order{c:[null,Customer{name,email=\"\"}]=null}": `{"type":"record","name":"Order","fields":[{"name":"c","type":["null",{"type":"record","name":"Customer","fields":[{"name":"name","type":"string"},{"name":"email","type":"string","default":""}]}],"default":null}]}`,
	"Order{c:Customer{name}}":                        `{"type":"record","name":"Order","fields":[{"name":"c","type":{"type":"record","name":"Customer","fields":[{"name":"name","type":"string"}]}}]}`,
	"Order{c:Client{name}}":                          `{"type":"record","name":"Order","fields":[{"name":"c","type":{"type":"record","name":"Client","fields":[{"name":"name","type":"string"}]}}]}`,
	"Order{c:Client~Customer{name}}":                 `{"type":"record","name":"Order","fields":[{"name":"c","type":{"type":"record","name":"Client","aliases":["Customer"],"fields":[{"name":"name","type":"string"}]}}]}`,
	"Order{a:Addr{city},b:Addr}":                     `{"type":"record","name":"Order","fields":[{"name":"a","type":{"type":"record","name":"Addr","fields":[{"name":"city","type":"string"}]}},{"name":"b","type":"Addr"}]}`,
	"Order{a:Addr{city,zip},b:Addr}":                 `{"type":"record","name":"Order","fields":[{"name":"a","type":{"type":"record","name":"Addr","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string"}]}},{"name":"b","type":"Addr"}]}`,

	// recursive records
	"List{v:int,next:[null,List]}":         `{"type":"record","name":"List","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","List"]}]}`,
	"List{v:long,next:[null,List]}":        `{"type":"record","name":"List","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","List"]}]}`,
	"List{v:int,next:[null,List],x:int}":   `{"type":"record","name":"List","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","List"]},{"name":"x","type":"int"}]}`,
	"List{v:int,next:[null,List],x:int=1}": `{"type":"record","name":"List","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","List"]},{"name":"x","type":"int","default":1}]}`,
	"Tree{kids:array<Tree>}":               `{"type":"record","name":"Tree","fields":[{"name":"label","type":"string"},{"name":"kids","type":{"type":"array","items":"Tree"}}]}`,
	"Tree{kids:map<Tree>}":                 `{"type":"record","name":"Tree","fields":[{"name":"label","type":"string"},{"name":"kids","type":{"type":"map","values":"Tree"}}]}`,
	"Tree{label:bytes,kids:array<Tree>}":   `{"type":"record","name":"Tree","fields":[{"name":"label","type":"bytes"},{"name":"kids","type":{"type":"array","items":"Tree"}}]}`,
	"Tree{label:int,kids:array<Tree>}":     `{"type":"record","name":"Tree","fields":[{"name":"label","type":"int"},{"name":"kids","type":{"type":"array","items":"Tree"}}]}`,
}

// tableCase says whether reader can read data written with writer and, when
// it cannot, which rules (at which paths) explain why.
type tableCase struct {
	reader, writer string
	compatible     bool
	want           []string // "<path>: <RULE>" for every expected incompatibility
}

// The promotions the Avro specification allows, as (reader, writer) pairs;
// every other pair of different primitive types is a TYPE_MISMATCH.
var promotions = map[[2]string]bool{
	{"long", "int"}: true, {"float", "int"}: true, {"float", "long"}: true,
	{"double", "int"}: true, {"double", "long"}: true, {"double", "float"}: true,
	{"bytes", "string"}: true, {"string", "bytes"}: true,
}

func primitiveCases() []tableCase {
	prims := []string{"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
	var out []tableCase
	for _, r := range prims {
		for _, w := range prims {
			ok := r == w || promotions[[2]string{r, w}]
			c := tableCase{reader: r, writer: w, compatible: ok}
			if !ok {
				c.want = []string{"(root): TYPE_MISMATCH"}
			}
			out = append(out, c)
		}
	}
	return out
}

func ok(reader, writer string) tableCase {
	return tableCase{reader: reader, writer: writer, compatible: true}
}
func bad(reader, writer string, want ...string) tableCase {
	return tableCase{reader: reader, writer: writer, want: want}
}

var structuredCases = []tableCase{
	// logical types resolve as their underlying types
	ok("date", "int"), ok("int", "date"), ok("long", "date"), bad("date", "long", "(root): TYPE_MISMATCH"),
	ok("ts-millis", "long"), ok("ts-micros", "ts-millis"), ok("double", "ts-millis"),
	ok("decimal", "bytes"), ok("decimal-2", "decimal"), ok("string", "decimal"), ok("uuid", "string"),
	ok("bytes", "uuid"), bad("uuid", "int", "(root): TYPE_MISMATCH"),
	ok("fixed-dec16", "fixed-dec16"), bad("fixed-dec16", "fixed-dec8", "Dec: FIXED_SIZE_MISMATCH"),
	bad("fixed-dec16", "decimal", "Dec: TYPE_MISMATCH"),

	// arrays and maps recurse into items and values
	ok("array<int>", "array<int>"), ok("array<long>", "array<int>"), bad("array<int>", "array<long>", "[]: TYPE_MISMATCH"),
	ok("array<string>", "array<bytes>"), ok("array<bytes>", "array<string>"),
	bad("array<string>", "array<int>", "[]: TYPE_MISMATCH"),
	ok("map<int>", "map<int>"), ok("map<long>", "map<int>"), bad("map<int>", "map<long>", "{}: TYPE_MISMATCH"),
	bad("map<int>", "array<int>", "(root): TYPE_MISMATCH"), bad("array<int>", "map<int>", "(root): TYPE_MISMATCH"),
	bad("array<int>", "int", "(root): TYPE_MISMATCH"), bad("int", "array<int>", "(root): TYPE_MISMATCH"),
	bad("map<string>", "string", "(root): TYPE_MISMATCH"),
	ok("array<array<long>>", "array<array<int>>"), bad("array<array<int>>", "array<array<long>>", "[][]: TYPE_MISMATCH"),
	ok("map<array<double>>", "map<array<int>>"), bad("map<array<int>>", "map<array<double>>", "{}[]: TYPE_MISMATCH"),

	// enums: names, symbols and defaults
	ok("Enum1[A,B]", "Enum1[A,B]"), ok("Enum1[A,B,C]", "Enum1[A,B]"), ok("Enum1[B,A]", "Enum1[A,B]"),
	bad("Enum1[A,B]", "Enum1[A,B,C]", "Enum1: MISSING_ENUM_SYMBOLS"),
	bad("Enum1[B,C]", "Enum1[A,B,C]", "Enum1: MISSING_ENUM_SYMBOLS"),
	bad("Enum1[B,C]", "Enum1[A,B]", "Enum1: MISSING_ENUM_SYMBOLS"),
	bad("Enum1[A,B]", "Enum2[A,B]", "Enum1: NAME_MISMATCH"),
	bad("Enum2[A,B]", "Enum1[A,B]", "Enum2: NAME_MISMATCH"),
	ok("Enum2[A,B]~Enum1", "Enum1[A,B]"), bad("Enum1[A,B]", "Enum2[A,B]~Enum1", "Enum1: NAME_MISMATCH"),
	bad("Enum2[A,B]", "Enum1[A,B,C]", "Enum2: NAME_MISMATCH", "Enum2: MISSING_ENUM_SYMBOLS"),
	ok("ns1.Enum1[A,B]", "ns2.Enum1[A,B]"), ok("Enum1[A,B]", "ns1.Enum1[A,B]"),
	ok("Enum[A,B] def A", "Enum[A,B,C] def A"), ok("Enum[A,B] def A", "Enum[A,B,C]"),
	ok("Enum[A,B,C] def A", "Enum[A,B] def A"), bad("Enum[A,B]", "Enum[A,B,C] def A", "Enum: MISSING_ENUM_SYMBOLS"),
	ok("Enum[C,D] def C", "Enum[A,B]"),
	ok("Status[NEW,PAID,X]", "Status[NEW,PAID]"), ok("Status[NEW] def NEW", "Status[NEW,PAID,X]"),
	bad("Status[NEW,PAID]", "Status[NEW,PAID,X]", "Status: MISSING_ENUM_SYMBOLS"),
	bad("Enum1[A,B]", "string", "Enum1: TYPE_MISMATCH"), bad("string", "Enum1[A,B]", "(root): TYPE_MISMATCH"),
	bad("int", "Enum2[A,B]", "(root): TYPE_MISMATCH"), bad("Enum2[A,B]", "int", "Enum2: TYPE_MISMATCH"),

	// fixed: size and names
	ok("Fixed4", "Fixed4"), bad("Fixed4", "Fixed8", "Fixed: FIXED_SIZE_MISMATCH"), bad("Fixed8", "Fixed4", "Fixed: FIXED_SIZE_MISMATCH"),
	bad("Other4", "Fixed4", "AnotherName: NAME_MISMATCH"), ok("Other4~Fixed", "Fixed4"),
	bad("Other8~Fixed", "Fixed4", "AnotherName: FIXED_SIZE_MISMATCH"),
	bad("Other4", "Fixed8", "AnotherName: NAME_MISMATCH", "AnotherName: FIXED_SIZE_MISMATCH"),
	ok("ns.Fixed4", "Fixed4"), bad("Fixed4", "bytes", "Fixed: TYPE_MISMATCH"), bad("bytes", "Fixed4", "(root): TYPE_MISMATCH"),
	bad("Fixed4", "string", "Fixed: TYPE_MISMATCH"),

	// unions
	ok("[]", "[]"), ok("[int]", "[]"), ok("[null]", "[null]"), ok("[int]", "[int]"),
	ok("[int,string]", "[string,int]"), ok("[string,int]", "[int,string]"),
	ok("[long]", "[int]"), ok("[float]", "[int]"), ok("[float]", "[long]"), ok("[double]", "[int]"),
	ok("[double]", "[long]"), ok("[double]", "[float]"), ok("[string]", "[bytes]"), ok("[bytes]", "[string]"),
	ok("[int,long,float,double]", "[int]"), ok("[int,long]", "[int]"),
	bad("[int]", "[long]", "(root): MISSING_UNION_BRANCH"),
	bad("[int]", "[int,string]", "(root): MISSING_UNION_BRANCH"),
	bad("[string]", "[int,string]", "(root): MISSING_UNION_BRANCH"),
	bad("[int,string]", "[int,long,float,double]", "(root): MISSING_UNION_BRANCH", "(root): MISSING_UNION_BRANCH", "(root): MISSING_UNION_BRANCH"),
	bad("[]", "[int]", "(root): MISSING_UNION_BRANCH"),
	ok("int", "[int]"), ok("long", "[int]"), ok("double", "[int,long,float,double]"), ok("long", "[int,long]"),
	bad("int", "[int,string]", "(root): TYPE_MISMATCH"), bad("int", "[null,int]", "(root): TYPE_MISMATCH"),
	bad("float", "[int,long,float,double]", "(root): TYPE_MISMATCH"),
	bad("long", "[int,float]", "(root): TYPE_MISMATCH"), bad("int", "[int,float]", "(root): TYPE_MISMATCH"),
	ok("[null,int]", "int"), ok("[null,int]", "null"), ok("[null,long]", "int"), ok("[int,long,float,double]", "long"),
	ok("[null,string]", "[string,null]"), ok("[string,null]", "[null,string]"),
	bad("[null,int]", "string", "(root): MISSING_UNION_BRANCH"), bad("[null,int]", "long", "(root): MISSING_UNION_BRANCH"),
	bad("[int,boolean]", "string", "(root): MISSING_UNION_BRANCH"),
	ok("[int,array<int>]", "array<int>"), ok("[null,array<long>]", "[null,array<int>]"),
	bad("[null,array<int>]", "[null,array<long>]", "[]: TYPE_MISMATCH"),
	bad("[null,array<int>]", "map<int>", "(root): MISSING_UNION_BRANCH"),
	ok("[null,map<int>]", "map<int>"), ok("[int,null]", "[null,int]"),
	ok("[null,Enum1[A,B,C]]", "[null,Enum1[A,B]]"),
	bad("[null,Enum1[A,B]]", "[null,Enum1[A,B,C]]", "(root): MISSING_ENUM_SYMBOLS"),
	bad("[null,Enum1[A,B]]", "Enum1[A,B,C]", "(root): MISSING_ENUM_SYMBOLS"),
	ok("[null,Fixed4]", "Fixed4"), bad("[null,Fixed4]", "Fixed8", "(root): FIXED_SIZE_MISMATCH"),
	bad("[null,Fixed8]", "[null,Fixed4]", "(root): FIXED_SIZE_MISMATCH"),
	ok("[string,Fixed4]", "Fixed4"),
	ok("[string,Fixed4]", "bytes"),
	bad("[null,int]", "[null,string]", "(root): MISSING_UNION_BRANCH"),
	bad("null", "[null,int]", "(root): TYPE_MISMATCH"), ok("null", "[null]"),

	// records: fields, defaults, aliases, names
	ok("Record1{}", "Record1{}"), ok("Record1{}", "{a:int}"), ok("{a:int}", "{a:int}"),
	ok("{a:int=0}", "Record1{}"), ok("{a:int=0}", "{a:int}"), ok("{a:int}", "{a:int=0}"),
	ok("{a:long}", "{a:int}"), bad("{a:int}", "{a:long}", "Record1.a: TYPE_MISMATCH"),
	bad("{a:string}", "{a:int}", "Record1.a: TYPE_MISMATCH"),
	ok("{a:int}", "{a:int,b:int}"), ok("{a:int=0}", "{a:int,b:int}"), ok("{a:int,b:int=0}", "{a:int}"),
	ok("{a:int=0,b:int=0}", "Record1{}"), ok("{a:int=0,b:int=0}", "{a:int}"), ok("{a:int,b:int}", "{a:int=0,b:int=0}"),
	bad("{a:int}", "Record1{}", "Record1.a: READER_FIELD_MISSING_DEFAULT_VALUE"),
	bad("{a:int,b:int}", "Record1{}", "Record1.a: READER_FIELD_MISSING_DEFAULT_VALUE", "Record1.b: READER_FIELD_MISSING_DEFAULT_VALUE"),
	bad("{a:int,b:int}", "{a:int}", "Record1.b: READER_FIELD_MISSING_DEFAULT_VALUE"),
	bad("{a:int,b:int}", "{a:long}", "Record1.a: TYPE_MISMATCH", "Record1.b: READER_FIELD_MISSING_DEFAULT_VALUE"),
	ok("{a:int=0,b:Fixed4}", "{a:int=0,b:Fixed4}"), bad("{a:int=0,b:Fixed4}", "{a:int=0,b:Fixed8}", "Record1.b: FIXED_SIZE_MISMATCH"),
	ok("{a:int=0,b:[int,string]}", "{a:int=0,b:[int]}"), bad("{a:int=0,b:[int]}", "{a:int=0,b:[int,string]}", "Record1.b: MISSING_UNION_BRANCH"),
	bad("{a:int=0,b:Enum1}", "{a:int=0,b:Enum2}", "Record1.b: NAME_MISMATCH"),
	ok("{b:int}~a", "{a:int}"), ok("{b:long}~a", "{a:int}"), bad("{b:string}~a", "{a:int}", "Record1.b: TYPE_MISMATCH"),
	bad("{a:int}", "{b:int}~a", "Record1.a: READER_FIELD_MISSING_DEFAULT_VALUE"),
	bad("Record2{}", "Record1{}", "Record2: NAME_MISMATCH"), ok("Record2{}~Record1", "Record1{}"),
	ok("ns1.Record1{}", "ns2.Record1{}"), ok("ns2.Record2{}~ns1.Record1", "ns1.Record1{}"),
	bad("ns2.Record2{}~ns1.Record1", "Record1{}", "Record2: NAME_MISMATCH"),
	bad("ns2.Record2{}~Record1", "ns1.Record1{}", "Record2: NAME_MISMATCH"),
	bad("Record1{}", "int", "Record1: TYPE_MISMATCH"), bad("int", "Record1{}", "(root): TYPE_MISMATCH"),
	bad("Record1{}", "Enum1[A,B]", "Record1: TYPE_MISMATCH"),
	ok("{a:[null,int]}", "{a:int}"), ok("{a:[null,int]=null}", "Record1{}"),
	bad("{a:[null,int]}", "Record1{}", "Record1.a: READER_FIELD_MISSING_DEFAULT_VALUE"),
	bad("{a:int}", "{a:[null,int]}", "Record1.a: TYPE_MISMATCH"),
	bad("{a:int,n:[null,string]}", "{a:int}", "Record1.n: READER_FIELD_MISSING_DEFAULT_VALUE"),
	ok("{a:int,n:[null,string]=null}", "{a:int}"),
	ok("{e:Enum[A,B]def A}", "{e:Enum[A,B,C]def A}"), ok("{e:Enum[A,B,C]def A}", "{e:Enum[A,B]def A}"),
	ok("{e:Enum[A,B]=A}", "{e:Enum[A,B]=A}"), bad("{e:Enum[A,B]=A}", "{e:Enum[A,B,C]=B}", "Record.Field: MISSING_ENUM_SYMBOLS"),
	ok("{e:Enum[A,B]def A}", "{e:Enum[A,B,C]}"), ok("{e:Enum[A,B,C]=B}", "{e:Enum[A,B]=A}"),
	bad("{e:Enum[A,B]def A}", "{other:int}", "Record.Field: READER_FIELD_MISSING_DEFAULT_VALUE"),
	ok("{list:array<long>}", "{list:array<int>}"), bad("{list:array<int>}", "{list:array<long>}", "Record1.list[]: TYPE_MISMATCH"),
	ok("{m:map<string>}", "{m:map<bytes>}"), bad("{m:map<int>}", "{m:map<string>}", "Record1.m{}: TYPE_MISMATCH"),
	ok("{f:Fixed4}", "{f:Fixed4}"), bad("{f:Fixed8}", "{f:Fixed4}", "Record1.f: FIXED_SIZE_MISMATCH"),

	// nested records, paths through arrays and nullable unions
	bad("Order{items:[{price:double}]}", "Order{items:[{price:string}]}", "Order.items[].price: TYPE_MISMATCH"),
	ok("Order{items:[{price:double}]}", "Order{items:[{price:float}]}"),
	bad("Order{items:[{price:float}]}", "Order{items:[{price:double}]}", "Order.items[].price: TYPE_MISMATCH"),
	ok("Order{c:[null,Customer{name}]=null}", "Order{c:[null,Customer{name,email}]=null}"),
	bad("Order{c:[null,Customer{name,email}]=null}", "Order{c:[null,Customer{name}]=null}", "Order.c.email: READER_FIELD_MISSING_DEFAULT_VALUE"),
	ok("Order{c:[null,Customer{name,email=\"\"}]=null}", "Order{c:[null,Customer{name}]=null}"),
	ok("Order{c:[null,Customer{name}]=null}", "Order{c:Customer{name}}"),
	bad("Order{c:Customer{name}}", "Order{c:[null,Customer{name}]=null}", "Order.c: TYPE_MISMATCH"),
	bad("Order{c:Client{name}}", "Order{c:Customer{name}}", "Order.c: NAME_MISMATCH"),
	ok("Order{c:Client~Customer{name}}", "Order{c:Customer{name}}"),
	ok("Order{a:Addr{city},b:Addr}", "Order{a:Addr{city,zip},b:Addr}"),
	bad("Order{a:Addr{city,zip},b:Addr}", "Order{a:Addr{city},b:Addr}", "Order.a.zip: READER_FIELD_MISSING_DEFAULT_VALUE", "Order.b.zip: READER_FIELD_MISSING_DEFAULT_VALUE"),

	// recursive records terminate and still find problems
	ok("List{v:int,next:[null,List]}", "List{v:int,next:[null,List]}"),
	ok("List{v:long,next:[null,List]}", "List{v:int,next:[null,List]}"),
	bad("List{v:int,next:[null,List]}", "List{v:long,next:[null,List]}", "List.v: TYPE_MISMATCH"),
	bad("List{v:int,next:[null,List],x:int}", "List{v:int,next:[null,List]}", "List.x: READER_FIELD_MISSING_DEFAULT_VALUE"),
	ok("List{v:int,next:[null,List],x:int=1}", "List{v:int,next:[null,List]}"),
	ok("List{v:int,next:[null,List]}", "List{v:int,next:[null,List],x:int}"),
	ok("Tree{kids:array<Tree>}", "Tree{kids:array<Tree>}"),
	bad("Tree{kids:map<Tree>}", "Tree{kids:array<Tree>}", "Tree.kids: TYPE_MISMATCH"),
	ok("Tree{label:bytes,kids:array<Tree>}", "Tree{kids:array<Tree>}"),
	bad("Tree{label:int,kids:array<Tree>}", "Tree{kids:array<Tree>}", "Tree.label: TYPE_MISMATCH"),
}

func allCases() []tableCase {
	return append(primitiveCases(), structuredCases...)
}

func mustFixture(t testing.TB, name string) string {
	t.Helper()
	s, ok := fixtures[name]
	if !ok {
		t.Fatalf("no fixture %q", name)
	}
	return s
}

// TestResolutionTable checks every case in both directions the levels use:
// BACKWARD (the candidate is the reader) and FORWARD (the candidate is the
// writer, the history entry reads it).
func TestResolutionTable(t *testing.T) {
	cases := allCases()
	if len(cases) < 150 {
		t.Fatalf("the table has %d cases; keep at least 150", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.reader+"<-"+tc.writer, func(t *testing.T) {
			reader, err := avroschema.Parse(mustFixture(t, tc.reader))
			if err != nil {
				t.Fatalf("parse reader: %v", err)
			}
			writer, err := avroschema.Parse(mustFixture(t, tc.writer))
			if err != nil {
				t.Fatalf("parse writer: %v", err)
			}
			back := Check(Backward, reader, []avroSchema{writer})
			fwd := Check(Forward, writer, []avroSchema{reader})
			if back.Compatible != tc.compatible || fwd.Compatible != tc.compatible {
				t.Fatalf("BACKWARD compatible=%v FORWARD compatible=%v, want %v\n%v", back.Compatible, fwd.Compatible, tc.compatible, back.Incompatibilities())
			}
			var got []string
			for _, is := range back.Incompatibilities() {
				got = append(got, fmt.Sprintf("%s: %s", is.Path, is.Rule))
				if is.Message == "" || is.Pointer == "" {
					t.Errorf("incompatibility without message or pointer: %+v", is)
				}
			}
			want := slices.Clone(tc.want)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("incompatibilities\n got %q\nwant %q", got, want)
			}
			if !slices.Equal(back.Incompatibilities(), fwd.Incompatibilities()) {
				t.Errorf("BACKWARD and FORWARD disagree on the same pair")
			}
		})
	}
}

// tableFileCase is one entry of the repository's
// testdata/compat/resolution-table.json, the table in a form other packages'
// tests (the CLI's) can read.
type tableFileCase struct {
	Name       string   `json:"name"`
	Reader     string   `json:"reader"`
	Writer     string   `json:"writer"`
	Compatible bool     `json:"compatible"`
	Want       []string `json:"want,omitempty"`
}

// TestResolutionTableFile keeps testdata/compat/resolution-table.json equal
// to the table (go test -run TestResolutionTableFile -update rewrites it).
func TestResolutionTableFile(t *testing.T) {
	var cases []tableFileCase
	for _, c := range allCases() {
		cases = append(cases, tableFileCase{Name: c.reader + "<-" + c.writer, Reader: fixtures[c.reader],
			Writer: fixtures[c.writer], Compatible: c.compatible, Want: c.want})
	}
	data, err := json.MarshalIndent(cases, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	const file = "../../testdata/compat/resolution-table.json"
	if *update {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(have, data) {
		t.Fatalf("%s is out of date (%v): run go test ./registry/compat -run TestResolutionTableFile -update", file, err)
	}
}
