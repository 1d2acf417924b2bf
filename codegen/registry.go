package codegen

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"
)

// FromRegistry reads every version of each subject from a schema registry
// and returns generator input, one event per subject. Schemas that use
// schema references are not supported yet.
func FromRegistry(ctx context.Context, cl *sr.Client, pkg string, subjects []string) (Input, error) {
	in := Input{Package: pkg}
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
			if len(ss.References) > 0 {
				return Input{}, fmt.Errorf("subject %q version %d uses schema references, which gen go does not support yet", subject, v)
			}
			ev.Versions = append(ev.Versions, Version{Number: v, Schema: ss.Schema.Schema, Source: fmt.Sprintf("subject %s version %d", subject, v)})
		}
		in.Events = append(in.Events, ev)
	}
	return in, nil
}
