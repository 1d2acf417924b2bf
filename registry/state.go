package registry

import (
	"fmt"
	"slices"
	"sort"
)

// state is the registry's state: a pure, deterministic fold over the log.
// Applying the same records in the same order to a new state always gives
// the same state; a record that breaks a rule is rejected and changes
// nothing (so every replica skips it alike).
//
// A state is built from persistent maps (pmap) and immutable values, so
// copying one (copy) is O(1) and the copy shares everything. The rule that
// makes lock-free reads safe: a state, and every contextState and
// subjectState it holds, is never modified once it has been published or
// copied; apply replaces what it changes (copy on write) instead of
// mutating it. Only the goroutine that owns a state (the sequencer, or Open
// while replaying) calls apply on it.
type state struct {
	h         *hashers
	contexts  pmap[string, *contextState] // by schema context
	subjects  pmap[string, *subjectState] // by qualified subject
	configs   pmap[string, Config]        // by scope
	modes     pmap[string, Mode]          // by scope
	referrers pmap[svKey, refCount]       // versions whose content references each subject-version
	applied   uint64                      // fact records applied, accepted or rejected
	next      uint64                      // the log offset after the last record folded
	// edit, when open, lets apply change in place the nodes of the maps
	// that it made itself since the edit was opened (see pmap.setIn): the
	// sequencer opens one per group commit on its working state and
	// closes it before publishing the state.
	edit *edit
}

// refCount counts the versions that reference one subject-version: all of
// them, and the live ones among them.
type refCount struct{ all, live int }

// contextState holds the ids of one schema context.
type contextState struct {
	// maxID is the highest id ever used in the context; new ids are
	// maxID+1 until that would pass the largest id.
	maxID int
	// freeFrom is the lowest id never used in the context (every id below
	// it is bound or retired), where allocation goes once maxID is the
	// largest id.
	freeFrom int
	byID     pmap[int, *Content]
	uses     pmap[int, int] // versions (live or soft-deleted) using each id
	byKey    pmap[[32]byte, int]
	retired  pmap[int, struct{}] // ids whose last version was removed: never reused
}

func (st *state) newContextState() *contextState {
	return &contextState{freeFrom: 1, byID: newPmap[int, *Content](st.h.id), uses: newPmap[int, int](st.h.id),
		byKey: newPmap[[32]byte, int](st.h.key), retired: newPmap[int, struct{}](st.h.id)}
}

// used reports whether id was ever used in the context.
func (cs *contextState) used(id int) bool { return cs.byID.has(id) || cs.retired.has(id) }

// subjectState holds the versions of one subject.
type subjectState struct {
	name     string
	versions []*Version // sorted by version number, soft-deleted included
	nlive    int        // versions not soft deleted
	// first is where versions points for a subject made by its first
	// version (newSubjectState): most subjects keep one version, and the
	// array inside the state saves the collector an object each.
	first [1]*Version
}

// newSubjectState returns the state of a subject that has no versions yet.
func newSubjectState(name string) *subjectState {
	s := &subjectState{name: name}
	s.versions = s.first[:0]
	return s
}

// clone returns a copy of s that apply may change.
func (s *subjectState) clone() *subjectState {
	return &subjectState{name: s.name, versions: slices.Clone(s.versions), nlive: s.nlive}
}

type svKey struct {
	subject string
	version int
}

func (s *subjectState) find(v int) (int, bool) {
	i := sort.Search(len(s.versions), func(i int) bool { return s.versions[i].Version >= v })
	return i, i < len(s.versions) && s.versions[i].Version == v
}

func (s *subjectState) live() int { return s.nlive }

// latest returns the newest version d admits.
func (s *subjectState) latest(d Deleted) *Version {
	for i := len(s.versions) - 1; i >= 0; i-- {
		if d.admits(s.versions[i].Deleted) {
			return s.versions[i]
		}
	}
	return nil
}

func (s *subjectState) maxVersion() int {
	if len(s.versions) == 0 {
		return 0
	}
	return s.versions[len(s.versions)-1].Version
}

// newState returns the empty state.
func newState() *state {
	h := newHashers()
	return &state{
		h:         h,
		contexts:  newPmap[string, *contextState](h.str),
		subjects:  newPmap[string, *subjectState](h.str),
		configs:   newPmap[string, Config](h.str),
		modes:     newPmap[string, Mode](h.str),
		referrers: newPmap[svKey, refCount](h.sv),
	}
}

// copy returns a state that shares everything with st and that apply may
// change without changing st: O(1).
func (st *state) copy() *state {
	c := *st
	return &c
}

// context returns the state of a schema context, nil if it has none.
func (st *state) context(schemaCtx string) *contextState { return st.contexts.at(schemaCtx) }

// subject returns the state of a subject, nil if it has no versions.
func (st *state) subject(name string) *subjectState { return st.subjects.at(name) }

// apply folds one record into the state. It returns an error, and leaves
// the state unchanged, if the record breaks a rule.
func (st *state) apply(r *record) error {
	st.applied++
	if err := r.validate(); err != nil {
		return err
	}
	switch r.Kind {
	case schemaRegistered:
		return st.applyRegistered(r)
	case versionDeleted:
		return st.applyVersionDeleted(r)
	case subjectDeleted:
		return st.applySubjectDeleted(r)
	case configSet:
		st.configs = st.configs.setIn(st.edit, r.Subject, *r.Config)
	case configDeleted:
		if !st.configs.has(r.Subject) {
			return fmt.Errorf("ConfigDeleted: scope %q has no config", r.Subject)
		}
		st.configs = st.configs.delIn(st.edit, r.Subject)
	case modeSet:
		if r.Mode == ModeForward && r.Subject != "" {
			return fmt.Errorf("ModeSet: FORWARD is only valid globally")
		}
		st.modes = st.modes.setIn(st.edit, r.Subject, r.Mode)
	case modeDeleted:
		if !r.Recursive {
			if !st.modes.has(r.Subject) {
				return fmt.Errorf("ModeDeleted: scope %q has no mode", r.Subject)
			}
			st.modes = st.modes.delIn(st.edit, r.Subject)
			return nil
		}
		var drop []string
		for k := range st.modes.all {
			if inScope(r.Subject, k) {
				drop = append(drop, k)
			}
		}
		for _, k := range drop {
			st.modes = st.modes.delIn(st.edit, k)
		}
	}
	return nil
}

func (st *state) applyRegistered(r *record) error {
	schemaCtx, _ := SplitSubject(r.Subject)
	old := st.subject(r.Subject)
	if old != nil {
		if _, ok := old.find(r.Version); ok {
			return fmt.Errorf("SchemaRegistered: %q version %d already exists", r.Subject, r.Version)
		}
	}
	for _, ref := range r.References {
		rs := st.subject(ref.Subject)
		if rs == nil {
			return fmt.Errorf("SchemaRegistered: reference %q: subject %q does not exist", ref.Name, ref.Subject)
		}
		if _, ok := rs.find(ref.Version); !ok {
			return fmt.Errorf("SchemaRegistered: reference %q: version %d of %q does not exist", ref.Name, ref.Version, ref.Subject)
		}
	}
	schemaType := r.SchemaType
	if schemaType == "AVRO" {
		schemaType = ""
	}
	md := r.Metadata
	if md.empty() {
		md = nil
	}
	var key [32]byte
	if r.key != nil && schemaType == "" {
		key = *r.key
	} else {
		key = contentKey(schemaType, r.Schema, r.References, md)
	}
	var content *Content
	cs := st.context(schemaCtx)
	// An id above the highest one ever used was never used: nothing to
	// look up (the common case, a new schema).
	fresh := cs == nil || r.ID > cs.maxID
	if !fresh {
		if c := cs.byID.at(r.ID); c != nil {
			if c.key != key {
				return fmt.Errorf("SchemaRegistered: id %d already names a different schema", r.ID)
			}
			content = c
		} else if cs.retired.has(r.ID) {
			return fmt.Errorf("SchemaRegistered: id %d was deleted and is never reused", r.ID)
		}
	}
	// Checks done: change copies of what the record touches.
	if cs == nil {
		cs = st.newContextState()
	} else {
		c := *cs
		cs = &c
	}
	created := content == nil
	var version *Version
	if created {
		version, content = newVersionAndContent(r.Subject, r.Version, r.ID, schemaCtx, schemaType, r.Schema, r.References, md, key)
		cs.byID = cs.byID.setIn(st.edit, r.ID, content)
		switch {
		case fresh && cs.freeFrom == r.ID:
			cs.freeFrom = r.ID + 1 // every id above r.ID is unused
		case !fresh:
			for cs.freeFrom <= maxIDOrVersion && cs.used(cs.freeFrom) {
				cs.freeFrom++
			}
		}
	}
	if !cs.byKey.has(key) {
		cs.byKey = cs.byKey.setIn(st.edit, key, r.ID)
	}
	if r.ID > cs.maxID {
		cs.maxID = r.ID
	}
	var sub *subjectState
	if old == nil {
		sub = newSubjectState(r.Subject)
	} else {
		sub = old.clone()
	}
	if version == nil {
		version = newVersion(r.Subject, r.Version, content)
	}
	st.insertVersion(sub, cs, version, created)
	// Registering a schema again after its version was soft deleted makes a
	// new version with the same id; the deleted one is tombstoned, unless
	// (from record format 2 on, as Confluent does) some version, live or
	// soft deleted, still references it: references name a subject and
	// version, so removing it would leave them dangling.
	for i := 0; i < len(sub.versions); i++ {
		v := sub.versions[i]
		if !v.Deleted || v.Content.ID != r.ID || v.Version == r.Version {
			continue
		}
		if r.Format >= 2 && st.referenced(r.Subject, v.Version) {
			continue
		}
		st.removeVersion(sub, cs, i)
		i--
	}
	st.contexts = st.contexts.setIn(st.edit, schemaCtx, cs)
	st.putSubject(sub)
	return nil
}

// keptOnRegister returns the soft-deleted versions of subject with id that
// registering id again as a new version keeps because they are referenced
// (see applyRegistered).
func (st *state) keptOnRegister(subject string, id int) []int {
	sub := st.subject(subject)
	if sub == nil {
		return nil
	}
	var out []int
	for _, v := range sub.versions {
		if v.Deleted && v.Content.ID == id && st.referenced(subject, v.Version) {
			out = append(out, v.Version)
		}
	}
	return out
}

// putSubject stores sub (a copy apply changed); a subject left without
// versions is removed with its config and mode.
func (st *state) putSubject(sub *subjectState) {
	if len(sub.versions) > 0 {
		st.subjects = st.subjects.setIn(st.edit, sub.name, sub)
		return
	}
	st.subjects = st.subjects.delIn(st.edit, sub.name)
	st.configs = st.configs.delIn(st.edit, sub.name)
	st.modes = st.modes.delIn(st.edit, sub.name)
}

// insertVersion adds the live version v to sub and counts it in cs and in
// the referrers of what it references. sub and cs are copies apply owns.
// created says v.Content was just added to cs, so no version uses it yet.
func (st *state) insertVersion(sub *subjectState, cs *contextState, v *Version, created bool) {
	i, _ := sub.find(v.Version)
	sub.versions = slices.Insert(sub.versions, i, v)
	sub.nlive++
	uses := 1 // created: the content was just added, no version uses it yet
	if !created {
		uses += cs.uses.at(v.Content.ID)
	}
	cs.uses = cs.uses.setIn(st.edit, v.Content.ID, uses)
	for _, ref := range v.Content.References {
		k := svKey{ref.Subject, ref.Version}
		rc := st.referrers.at(k)
		rc.all++
		rc.live++
		st.referrers = st.referrers.setIn(st.edit, k, rc)
	}
}

// softDelete marks sub.versions[i] deleted; its references stop counting
// as live ones.
func (st *state) softDelete(sub *subjectState, i int) {
	v := sub.versions[i]
	sub.versions[i] = v.softDeleted()
	sub.nlive--
	for _, ref := range v.Content.References {
		k := svKey{ref.Subject, ref.Version}
		rc := st.referrers.at(k)
		rc.live--
		st.referrers = st.referrers.setIn(st.edit, k, rc)
	}
}

// removeVersion drops sub.versions[i] for good; an id no version uses any
// more is retired. sub and cs are copies apply owns; the caller stores them.
func (st *state) removeVersion(sub *subjectState, cs *contextState, i int) {
	v := sub.versions[i]
	sub.versions = slices.Delete(sub.versions, i, i+1)
	if !v.Deleted {
		sub.nlive--
	}
	for _, ref := range v.Content.References {
		k := svKey{ref.Subject, ref.Version}
		rc := st.referrers.at(k)
		rc.all--
		if !v.Deleted {
			rc.live--
		}
		if rc.all <= 0 {
			st.referrers = st.referrers.delIn(st.edit, k)
		} else {
			st.referrers = st.referrers.setIn(st.edit, k, rc)
		}
	}
	id := v.Content.ID
	if n := cs.uses.at(id) - 1; n > 0 {
		cs.uses = cs.uses.setIn(st.edit, id, n)
		return
	}
	cs.uses = cs.uses.delIn(st.edit, id)
	cs.byID = cs.byID.delIn(st.edit, id)
	if cs.byKey.at(v.Content.key) == id {
		cs.byKey = cs.byKey.delIn(st.edit, v.Content.key)
	}
	cs.retired = cs.retired.setIn(st.edit, id, struct{}{})
}

// referenced reports whether some version (live or soft-deleted) references
// version version of subject.
func (st *state) referenced(subject string, version int) bool {
	return st.referrers.at(svKey{subject, version}).all > 0
}

// referencedLive reports whether some live version references version
// version of subject.
func (st *state) referencedLive(subject string, version int) bool {
	return st.referrers.at(svKey{subject, version}).live > 0
}

// deleteBlocked reports whether a reference forbids deleting version
// version of subject, as Confluent's deleteSchemaVersion decides: a soft
// delete is refused while a live version references it, a permanent one
// while any version (soft-deleted ones too) does. Records of format 1 were
// written under the older rule, which refused both while any version did.
func (st *state) deleteBlocked(subject string, version int, permanent bool, format int) bool {
	if permanent || format < 2 {
		return st.referenced(subject, version)
	}
	return st.referencedLive(subject, version)
}

func (st *state) applyVersionDeleted(r *record) error {
	old := st.subject(r.Subject)
	if old == nil {
		return fmt.Errorf("VersionDeleted: subject %q does not exist", r.Subject)
	}
	i, ok := old.find(r.Version)
	if !ok {
		return fmt.Errorf("VersionDeleted: %q has no version %d", r.Subject, r.Version)
	}
	v := old.versions[i]
	if st.deleteBlocked(r.Subject, r.Version, r.Permanent, r.Format) {
		return fmt.Errorf("VersionDeleted: %q version %d is referenced", r.Subject, r.Version)
	}
	if !r.Permanent {
		if v.Deleted {
			return fmt.Errorf("VersionDeleted: %q version %d is already soft deleted", r.Subject, r.Version)
		}
		sub := old.clone()
		st.softDelete(sub, i)
		st.putSubject(sub)
		return nil
	}
	if !v.Deleted {
		return fmt.Errorf("VersionDeleted: %q version %d must be soft deleted first", r.Subject, r.Version)
	}
	sub, cs := old.clone(), st.editContext(v.Content.Context)
	st.removeVersion(sub, cs, i)
	st.contexts = st.contexts.setIn(st.edit, v.Content.Context, cs)
	st.putSubject(sub)
	return nil
}

// editContext returns a copy of an existing schema context's state that
// apply may change; the caller stores it.
func (st *state) editContext(schemaCtx string) *contextState {
	c := *st.context(schemaCtx)
	return &c
}

func (st *state) applySubjectDeleted(r *record) error {
	old := st.subject(r.Subject)
	if old == nil {
		return fmt.Errorf("SubjectDeleted: subject %q does not exist", r.Subject)
	}
	live := old.live()
	if !r.Permanent && live == 0 {
		return fmt.Errorf("SubjectDeleted: %q is already soft deleted", r.Subject)
	}
	if r.Permanent && live > 0 {
		return fmt.Errorf("SubjectDeleted: %q must be soft deleted first", r.Subject)
	}
	for _, v := range old.versions {
		if st.referenced(r.Subject, v.Version) {
			return fmt.Errorf("SubjectDeleted: %q version %d is referenced", r.Subject, v.Version)
		}
	}
	sub := old.clone()
	if !r.Permanent {
		for i, v := range sub.versions {
			if !v.Deleted {
				st.softDelete(sub, i)
			}
		}
		st.putSubject(sub)
		return nil
	}
	schemaCtx, _ := SplitSubject(r.Subject)
	cs := st.editContext(schemaCtx)
	for len(sub.versions) > 0 {
		st.removeVersion(sub, cs, len(sub.versions)-1)
	}
	st.contexts = st.contexts.setIn(st.edit, schemaCtx, cs)
	st.putSubject(sub)
	return nil
}

// nextID returns the id a new schema in schemaCtx gets, deterministically
// from the state (every replica folding the same log allocates the same
// ids): the context's highest id plus one, as Confluent's counter does;
// once that would pass limit, the lowest id never used in the context (ids
// of hard-deleted schemas stay retired). ok is false when every id up to
// limit has been used.
func (st *state) nextID(schemaCtx string, limit int) (id int, ok bool) {
	cs := st.context(schemaCtx)
	switch {
	case cs == nil:
		return 1, limit >= 1
	case cs.maxID < limit:
		return cs.maxID + 1, true
	case cs.freeFrom <= limit:
		return cs.freeFrom, true
	}
	return 0, false
}
