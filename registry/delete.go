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
	permanent := deletion == PermanentDelete
	return submit(ctx, r, func(st *state) ([]record, []int, error) {
		if st.effectiveMode(subject).readOnly() {
			return nil, nil, errReadOnly(subject)
		}
		sub := st.subject(subject)
		if sub == nil {
			return nil, nil, errSubjectNotFound(subject)
		}
		live := sub.live()
		if !permanent && live == 0 {
			return nil, nil, newErr(CodeSubjectSoftDeleted, "Subject '%s' was soft deleted.Set permanent=true to delete permanently", subject)
		}
		if permanent && live > 0 {
			return nil, nil, newErr(CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", subject)
		}
		var versions []int
		for _, v := range sub.versions {
			if st.referenced(subject, v.Version) {
				return nil, nil, errReferenced(subject, v.Version)
			}
			if permanent || !v.Deleted {
				versions = append(versions, v.Version)
			}
		}
		return []record{{Kind: subjectDeleted, Subject: subject, Permanent: permanent}}, versions, nil
	})
}

// DeleteVersion soft deletes one version (-1 = the latest live one), or
// permanently deletes an already soft-deleted one (-1 = the latest, deleted
// or not). It returns the version number. As on Confluent, a version a live
// version references cannot be soft deleted, and one any version (soft
// deleted ones too) references cannot be deleted permanently (42206).
func (r *Registry) DeleteVersion(ctx context.Context, subject string, version int, deletion Deletion) (int, error) {
	subject = NormalizeSubject(subject)
	permanent := deletion == PermanentDelete
	return submit(ctx, r, func(st *state) ([]record, int, error) {
		if st.effectiveMode(subject).readOnly() {
			return nil, 0, errReadOnly(subject)
		}
		sub := st.subject(subject)
		if sub == nil {
			return nil, 0, errSubjectNotFound(subject)
		}
		var v *Version
		if version == -1 {
			latestOf := LiveOnly
			if permanent {
				latestOf = IncludeDeleted
			}
			if v = sub.latest(latestOf); v == nil {
				return nil, 0, errSubjectNotFound(subject)
			}
		} else {
			i, ok := sub.find(version)
			if !ok {
				return nil, 0, errVersionNotFound(version)
			}
			v = sub.versions[i]
		}
		if !permanent && v.Deleted {
			return nil, 0, newErr(CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, v.Version)
		}
		if permanent && !v.Deleted {
			return nil, 0, newErr(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, v.Version)
		}
		if st.deleteBlocked(subject, v.Version, permanent, recordFormat) {
			return nil, 0, errReferenced(subject, v.Version)
		}
		return []record{{Kind: versionDeleted, Subject: subject, Version: v.Version, Permanent: permanent}}, v.Version, nil
	})
}
