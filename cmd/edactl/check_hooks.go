package main

import (
	"fmt"
	"strings"

	"github.com/edactl/edactl/codegen"
	"github.com/edactl/edactl/schemas"
)

// ruleConversionHook is the check rule of a step between adjacent versions
// that Avro resolution cannot derive: the generated conversion calls a hook
// the user writes.
const ruleConversionHook = "conversion-hook"

// hookFindings reports, for every step of a conversion chain that cannot
// be completed without code, the target fields and why, on the target
// version's file. They are warnings (errors with --strict). A tree with
// problems has no conversions to report, and an event with an error
// finding so far (an incompatible version) none either.
func hookFindings(tree *schemas.Tree, findings []schemas.Finding, strict bool) []schemas.Finding {
	if len(tree.Problems) > 0 {
		return nil
	}
	in, err := codegen.FromTree(tree, "events")
	if err != nil {
		return nil
	}
	hooks, err := codegen.Hooks(in)
	if err != nil {
		return nil // gen go reports what it cannot generate
	}
	// An event with an error (an incompatible version) already says what
	// is wrong with its steps.
	failed := map[string]bool{}
	for _, f := range findings {
		if f.Severity == schemas.Error && f.Rule == strings.ToUpper(f.Rule) { // not a lint rule
			failed[f.Event] = true
		}
	}
	sev := schemas.Warning
	if strict {
		sev = schemas.Error
	}
	var out []schemas.Finding
	for _, h := range hooks {
		ev := tree.Event(h.Event)
		if ev == nil || failed[h.Event] {
			continue
		}
		file := ev.Dir
		for _, v := range ev.Versions {
			if v.Number == h.To {
				file = v.File
			}
		}
		root := h.Signature[strings.Index(h.Signature, "out *")+5:]
		root = strings.TrimSuffix(root, ") error")
		for _, f := range h.Fields {
			out = append(out, schemas.Finding{
				File: file, Line: 1, Event: h.Event, Version: h.To, Subject: ev.Subject, Path: f.Path, Rule: ruleConversionHook, Severity: sev,
				Message: fmt.Sprintf("the conversion v%d → v%d needs code: %s; the generated code calls %s (%s), which you write", h.From, h.To, f.Why, h.Func, root),
			})
		}
	}
	return out
}
