package registry

import "context"

// Deletion says how DeleteSubject and DeleteVersion delete.
type Deletion int

const (
	// SoftDelete marks live versions deleted: they leave listings, but their
	// ids keep resolving. Confluent's default.
	SoftDelete Deletion = iota
	// PermanentDelete removes versions that were soft deleted first; an id
	// no version uses any more is retired (?permanent=true).
	PermanentDelete
)

// DeleteSubject soft deletes every live version of subject, or permanently
// deletes every (already soft-deleted) version. It returns the versions
// deleted.
func (r *Registry) DeleteSubject(ctx context.Context, subject string, deletion Deletion) ([]int, error) {
	subject = NormalizeSubject(subject)
	if !validSubject(subject) {
		// No subject can have this name (empty, reserved, control
		// characters, invalid UTF-8): as on Confluent, it is not found.
		return nil, errSubjectNotFound(subject)
	}
	return submit[[]int](ctx, r, record{Kind: cmdDeleteSubject, Subject: subject, Permanent: deletion == PermanentDelete}, nil)
}

// DeleteVersion soft deletes one version (-1 = the latest live one), or
// permanently deletes an already soft-deleted one (-1 = the latest, deleted
// or not). It returns the version number. As on Confluent, a version a live
// version references cannot be soft deleted, and one any version (soft
// deleted ones too) references cannot be deleted permanently (42206).
func (r *Registry) DeleteVersion(ctx context.Context, subject string, version int, deletion Deletion) (int, error) {
	subject = NormalizeSubject(subject)
	if !validSubject(subject) {
		return 0, errSubjectNotFound(subject)
	}
	if version < 1 && version != -1 {
		if r.snapshot().subject(subject) == nil {
			return 0, errSubjectNotFound(subject)
		}
		return 0, errVersionNotFound(version)
	}
	return submit[int](ctx, r, record{Kind: cmdDeleteVersion, Subject: subject, Version: version, Permanent: deletion == PermanentDelete}, nil)
}
