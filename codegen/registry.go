package codegen

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
)

// FromRegistry reads every version of each subject from a schema registry
// and returns generator input, one event per subject. A version that uses
// schema references (named types registered under other subjects) is
// resolved through them and generated from a self-contained schema: the
// referenced types inlined where first used, docs, custom attributes and
// defaults exactly as registered. Its Avro canonical form, and so its fingerprint, is the registered
// schema's, which is how the generated codec finds its id.
func FromRegistry(ctx context.Context, cl *sr.Client, pkg string, subjects []string) (Input, error) {
	in := Input{Package: pkg}
	refs := &refResolver{cl: cl, texts: map[subjectVersion][]string{}}
	for _, subject := range subjects {
		versions, err := cl.SubjectVersions(ctx, subject)
		if err != nil {
			return Input{}, fmt.Errorf("subject %q: list versions: %w", subject, err)
		}
		ev := Event{ID: subject, Subject: subject}
		for _, v := range versions {
			ss, err := cl.SchemaByVersion(ctx, subject, v)
			if err != nil {
				return Input{}, fmt.Errorf("subject %q version %d: %w", subject, v, err)
			}
			if ss.Type != sr.TypeAvro {
				return Input{}, fmt.Errorf("subject %q version %d is a %s schema: edactl generates Go from Avro", subject, v, ss.Type)
			}
			text, source := ss.Schema.Schema, fmt.Sprintf("subject %s version %d", subject, v)
			if len(ss.References) > 0 {
				if text, err = refs.inline(ctx, ss); err != nil {
					return Input{}, fmt.Errorf("subject %q version %d: %w", subject, v, err)
				}
				names := make([]string, len(ss.References))
				for i, r := range ss.References {
					names[i] = fmt.Sprintf("%s from %s version %d", r.Name, r.Subject, r.Version)
				}
				source += ", references inlined: " + strings.Join(names, ", ")
			}
			ev.Versions = append(ev.Versions, Version{Number: v, Schema: text, Source: source})
		}
		in.Events = append(in.Events, ev)
	}
	return in, nil
}

type subjectVersion struct {
	subject string
	version int
}

// refResolver fetches referenced schemas, each subject-version once.
type refResolver struct {
	cl *sr.Client
	// texts holds, per referenced subject-version, the texts it needs
	// (its own references, transitively, dependencies first) and itself
	// last.
	texts map[subjectVersion][]string
}

// inline returns ss's schema with every referenced named type defined
// inline, as one self-contained Avro schema.
func (r *refResolver) inline(ctx context.Context, ss sr.SubjectSchema) (string, error) {
	deps, err := r.deps(ctx, ss.References, nil)
	if err != nil {
		return "", err
	}
	return inlineSchema(ss.Schema.Schema, deps)
}

// deps returns the texts of refs and everything they reference,
// dependencies first, each once. chain is the path of references that led
// here, to refuse a cycle.
func (r *refResolver) deps(ctx context.Context, refs []sr.SchemaReference, chain []subjectVersion) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, ref := range refs {
		key := subjectVersion{ref.Subject, ref.Version}
		texts, ok := r.texts[key]
		if !ok {
			if slices.Contains(chain, key) {
				return nil, fmt.Errorf("reference %q: subject %q version %d references itself", ref.Name, ref.Subject, ref.Version)
			}
			dep, err := r.cl.SchemaByVersion(ctx, ref.Subject, ref.Version)
			if err != nil {
				return nil, fmt.Errorf("reference %q (subject %q version %d): %w", ref.Name, ref.Subject, ref.Version, err)
			}
			if dep.Type != sr.TypeAvro {
				return nil, fmt.Errorf("reference %q (subject %q version %d) is a %s schema", ref.Name, ref.Subject, ref.Version, dep.Type)
			}
			inner, err := r.deps(ctx, dep.References, append(chain[:len(chain):len(chain)], key))
			if err != nil {
				return nil, fmt.Errorf("reference %q: %w", ref.Name, err)
			}
			texts = append(inner, dep.Schema.Schema)
			r.texts[key] = texts
		}
		for _, t := range texts {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out, nil
}
