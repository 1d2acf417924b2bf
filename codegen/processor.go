package codegen

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

//go:embed templates/processor/*.tmpl
var processorFS embed.FS

// processorTemplates are parsed once; read-only after package init.
var processorTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"quote":   strconv.Quote,
	"comment": comment,
}).ParseFS(processorFS, "templates/processor/*.tmpl"))

// ProcessorInput is what the processor generator reads.
type ProcessorInput struct {
	// Name is the service's name (its consumer group and topic prefix),
	// e.g. "order-summary".
	Name string
	// EventsImport is the import path of the package `edactl gen go`
	// writes (the Go types of the events).
	EventsImport string
	// Events are the schema tree's events (the Go generator's input).
	Events []Event
	// Join are the IDs of the joined events, in order.
	Join []string
	// Key is the join key: a string field of every joined event and of
	// the emitted one.
	Key string
	// Emit is the ID of the emitted event.
	Emit string
	// PackageDir is the service's directory relative to the module root,
	// slash-separated (for the Dockerfile): "cmd/order-summary".
	PackageDir string
}

// ProcessorFiles are the processor generator's output.
type ProcessorFiles struct {
	// Generated files are rewritten by every run.
	Generated map[string][]byte
	// User files are written once, when missing, and never again: join.go.
	User map[string][]byte
}

var serviceNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// procEvent is one event of the processor as the templates see it.
type procEvent struct {
	ID       string
	GoName   string // OrderPlaced
	Field    string // the Inputs field: OrderPlaced
	Var      string // orderPlaced
	Topic    string
	Rekey    bool
	KeyField string // Go name of the join key field: OrderID
	OwnKey   string // the x-eda-key of the event
	Subject  string
	Sample   []sampleField // fields the generated tests set
	fields   []fieldModel
}

type sampleField struct{ GoName, Value string }

type copyField struct {
	GoName string
}

type copyGroup struct {
	Input  procEvent
	Fields []copyField
}

type processorModel struct {
	Header, Name, EventsImport, Key, PackageDir string
	Inputs                                      []procEvent
	Emit                                        procEvent
	Copies                                      []copyGroup
	JoinIDs                                     string
}

// Processor generates a processor service: a main package that joins the
// events of in.Join by in.Key into in.Emit with package processor. It is a
// pure function; errors name the event and field.
func Processor(in ProcessorInput) (ProcessorFiles, error) {
	if !serviceNameRE.MatchString(in.Name) {
		return ProcessorFiles{}, fmt.Errorf("processor name %q: want lower-case words joined by '-' (order-summary)", in.Name)
	}
	if in.EventsImport == "" {
		return ProcessorFiles{}, fmt.Errorf("no import path for the generated event types")
	}
	if len(in.Join) < 2 {
		return ProcessorFiles{}, fmt.Errorf("--join names %d event(s): a join needs at least 2", len(in.Join))
	}
	if in.Key == "" {
		return ProcessorFiles{}, fmt.Errorf("no join key")
	}
	if in.PackageDir == "" {
		in.PackageDir = "cmd/" + in.Name
	}
	byID := map[string]Event{}
	for _, e := range in.Events {
		byID[e.ID] = e
	}
	m := processorModel{Header: Header, Name: in.Name, PackageDir: strings.Trim(in.PackageDir, "./"), EventsImport: in.EventsImport, Key: in.Key, JoinIDs: strings.Join(in.Join, ", ")}
	seen := map[string]bool{}
	build := func(id, role string) (procEvent, error) {
		ev, ok := byID[id]
		if !ok {
			var ids []string
			for k := range byID {
				ids = append(ids, k)
			}
			slices.Sort(ids)
			return procEvent{}, fmt.Errorf("%s %s: no such event in the schema tree (it has %s)", role, id, strings.Join(ids, ", "))
		}
		em, err := buildEvent(ev)
		if err != nil {
			return procEvent{}, err
		}
		lv := em.Latest
		root := lv.Records[0]
		pe := procEvent{ID: id, GoName: em.GoName, Field: em.GoName, Var: unexported(em.GoName), Subject: ev.Subject,
			OwnKey: lv.Key.Field, fields: root.Fields}
		pe.Topic = strings.TrimSuffix(ev.Subject, "-value")
		if t := topicOf(ev); t != "" {
			pe.Topic = t
		}
		var keyType string
		for _, f := range root.Fields {
			if f.AvroName == in.Key {
				pe.KeyField, keyType = f.GoName, f.Type
			}
		}
		if pe.KeyField == "" {
			return procEvent{}, fmt.Errorf("%s %s: its latest version has no field %q to join by", role, id, in.Key)
		}
		if keyType != "string" {
			return procEvent{}, fmt.Errorf("%s %s: the join key %s is a %s; it must be a string", role, id, in.Key, keyType)
		}
		pe.Rekey = pe.OwnKey != in.Key
		enums := map[string]string{}
		for _, e := range lv.Enums {
			if len(e.Symbols) > 0 {
				enums[e.GoName] = "events." + e.Symbols[0].GoName
			}
		}
		for _, f := range root.Fields {
			switch {
			case f.AvroName == in.Key:
			case f.AvroName == pe.OwnKey && f.Type == "string":
				pe.Sample = append(pe.Sample, sampleField{f.GoName, `"k-` + unexported(em.GoName) + `"`})
			case enums[f.Type] != "":
				pe.Sample = append(pe.Sample, sampleField{f.GoName, enums[f.Type]})
			}
		}
		return pe, nil
	}
	for _, id := range in.Join {
		if seen[id] {
			return ProcessorFiles{}, fmt.Errorf("--join names %s twice", id)
		}
		seen[id] = true
		pe, err := build(id, "joined event")
		if err != nil {
			return ProcessorFiles{}, err
		}
		m.Inputs = append(m.Inputs, pe)
	}
	if seen[in.Emit] {
		return ProcessorFiles{}, fmt.Errorf("--emit %s is also joined", in.Emit)
	}
	emit, err := build(in.Emit, "emitted event")
	if err != nil {
		return ProcessorFiles{}, err
	}
	emit.Rekey = false
	m.Emit = emit
	topics := map[string]string{emit.Topic: emit.ID}
	for _, pe := range m.Inputs {
		if other, ok := topics[pe.Topic]; ok {
			return ProcessorFiles{}, fmt.Errorf("%s and %s share the topic %s", other, pe.ID, pe.Topic)
		}
		topics[pe.Topic] = pe.ID
	}
	// The join copies each output field from the first input that has a
	// field of the same name and plain Go type.
	taken := map[string]bool{emit.KeyField: true}
	outType := map[string]string{}
	for _, f := range emit.fields {
		outType[f.GoName] = f.Type
	}
	for _, pe := range m.Inputs {
		g := copyGroup{Input: pe}
		for _, f := range pe.fields {
			if taken[f.GoName] || outType[f.GoName] != f.Type || !plainType(f.Type) {
				continue
			}
			taken[f.GoName] = true
			g.Fields = append(g.Fields, copyField{f.GoName})
		}
		m.Copies = append(m.Copies, g)
	}

	out := ProcessorFiles{Generated: map[string][]byte{}, User: map[string][]byte{}}
	for _, f := range []struct {
		tmpl, name  string
		gofmt, user bool
	}{
		{"main.go.tmpl", "main.go", true, false},
		{"spec.go.tmpl", "processor.go", true, false},
		{"test.go.tmpl", "processor_test.go", true, false},
		{"join.go.tmpl", "join.go", true, true},
		{"README.md.tmpl", "README.md", false, false},
		{"Dockerfile.tmpl", "Dockerfile", false, false},
	} {
		var buf bytes.Buffer
		if err := processorTemplates.ExecuteTemplate(&buf, f.tmpl, m); err != nil {
			return ProcessorFiles{}, fmt.Errorf("%s: %w", f.name, err)
		}
		src := buf.Bytes()
		if f.gofmt {
			if src, err = formatGo(src); err != nil {
				return ProcessorFiles{}, fmt.Errorf("%s: %w", f.name, err)
			}
		}
		if f.user {
			out.User[f.name] = src
		} else {
			out.Generated[f.name] = src
		}
	}
	return out, nil
}

// topicOf returns the x-eda-topic of the event's latest version.
func topicOf(ev Event) string {
	latest := slices.MaxFunc(ev.Versions, func(a, b Version) int { return a.Number - b.Number })
	m, err := decodeSchemaJSON(latest.Schema)
	if err != nil {
		return ""
	}
	if obj, ok := m.(map[string]any); ok {
		if t, ok := obj["x-eda-topic"].(string); ok {
			return t
		}
	}
	return ""
}

// plainType reports whether a Go field type names no generated type, so
// that the same type string means the same type in two events.
func plainType(t string) bool {
	t = strings.TrimLeft(t, "*[]")
	t = strings.TrimPrefix(t, "map[string]")
	t = strings.TrimLeft(t, "*[]")
	switch t {
	case "string", "bool", "int32", "int64", "float32", "float64", "byte", "time.Time", "time.Duration":
		return true
	}
	return false
}

func formatGo(src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("generated code does not parse (a generator bug): %w\n%s", err, src)
	}
	return out, nil
}
