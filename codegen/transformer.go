package codegen

import (
	"bytes"
	"fmt"
	"go/format"
	"path"
	"slices"
	"strings"
)

// TransformerInput is what Transformer scaffolds a service from.
type TransformerInput struct {
	// Input is the schema history (as for Go); Event names the event the
	// service republishes (its id, e.g. payments/payment-captured, or its
	// Go type name).
	Input Input
	Event string
	// Version is the version records are republished in (0: the latest).
	Version int
	// Import is the Go import path of the package `edactl gen go` writes
	// (Input.Package is its name).
	Import string
	// Dir is the directory of the service, for its doc comment (slash
	// separated, relative to the module root).
	Dir string
}

// Transformer scaffolds a small main package that republishes an event's
// records of any version in one version, with the generated conversions
// and the user's hooks: main.go, which the user owns (it does not start
// with Header; write it only where it does not exist yet). It is a pure
// function like Go.
func Transformer(in TransformerInput) (map[string][]byte, error) {
	var ev *eventModel
	var names []string
	for _, e := range in.Input.Events {
		m, err := buildEvent(e)
		if err != nil {
			return nil, err
		}
		names = append(names, e.ID)
		if e.ID == in.Event || m.GoName == in.Event {
			ev = m
		}
	}
	if ev == nil {
		slices.Sort(names)
		return nil, fmt.Errorf("no event %q (events: %s)", in.Event, strings.Join(names, ", "))
	}
	vm := ev.Latest
	if in.Version != 0 {
		vm = nil
		for _, v := range ev.Versions {
			if v.Number == in.Version {
				vm = v
			}
		}
		if vm == nil {
			var vs []string
			for _, v := range ev.Versions {
				vs = append(vs, fmt.Sprint(v.Number))
			}
			return nil, fmt.Errorf("%s has no version %d (versions %s)", ev.ID, in.Version, strings.Join(vs, ", "))
		}
	}
	topic := strings.TrimSuffix(vm.Subject, "-value")
	name := snake(ev.GoName)
	name = strings.ReplaceAll(name, "_", "-") + fmt.Sprintf("-v%d-transformer", vm.Number)
	build := path.Clean(in.Dir)
	if !path.IsAbs(build) && !strings.HasPrefix(build, "..") {
		build = "./" + build
	}
	var buf bytes.Buffer
	err := templates.ExecuteTemplate(&buf, "transformer_main.go.tmpl", map[string]any{
		"Name": name, "EventID": ev.ID, "Version": vm.Number, "Pkg": in.Input.Package, "Type": vm.GoName,
		"Import": in.Import, "Build": build, "Topic": topic, "Target": fmt.Sprintf("%s.v%d", topic, vm.Number),
	})
	if err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the scaffold does not parse (a generator bug): %w\n%s", err, buf.Bytes())
	}
	return map[string][]byte{"main.go": src}, nil
}
