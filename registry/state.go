package registry

import (
	"fmt"
	"maps"
	"sort"
)

// state is the registry's state: a pure, deterministic fold over the log.
// Applying the same records in the same order to a new state always gives
// the same state; a record that breaks a rule is rejected and changes
// nothing (so every replica skips it alike).
//
// A state is not safe for concurrent use; the Registry guards it.
type state struct {
	contexts  map[string]*contextState // by schema context
	subjects  map[string]*subjectState // by qualified subject
	configs   map[string]Config        // by scope
	modes     map[string]Mode          // by scope
	referrers map[svKey]int            // versions whose content references each subject-version
	applied   uint64                   // records applied, accepted or rejected
}

// contextState holds the ids of one schema context.
type contextState struct {
	maxID   int
	byID    map[int]*Content
	uses    map[int]int // versions (live or soft-deleted) using each id
	byKey   map[[32]byte]int
	retired map[int]bool // ids whose last version was removed: never reused
}

func newContextState() *contextState {
	return &contextState{byID: map[int]*Content{}, uses: map[int]int{}, byKey: map[[32]byte]int{}, retired: map[int]bool{}}
}

// subjectState holds the versions of one subject.
type subjectState struct {
	name     string
	versions []*Version // sorted by version number, soft-deleted included
}

type svKey struct {
	subject string
	version int
}

func (s *subjectState) find(v int) (int, bool) {
	i := sort.Search(len(s.versions), func(i int) bool { return s.versions[i].Version >= v })
	return i, i < len(s.versions) && s.versions[i].Version == v
}

func (s *subjectState) live() int {
	n := 0
	for _, v := range s.versions {
		if !v.Deleted {
			n++
		}
	}
	return n
}

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
	return &state{
		contexts:  map[string]*contextState{},
		subjects:  map[string]*subjectState{},
		configs:   map[string]Config{},
		modes:     map[string]Mode{},
		referrers: map[svKey]int{},
	}
}

// clone returns a deep copy that shares only immutable values.
func (st *state) clone() *state {
	c := newState()
	for k, cs := range st.contexts {
		c.contexts[k] = &contextState{maxID: cs.maxID, byID: maps.Clone(cs.byID), uses: maps.Clone(cs.uses),
			byKey: maps.Clone(cs.byKey), retired: maps.Clone(cs.retired)}
	}
	for k, s := range st.subjects {
		c.subjects[k] = &subjectState{name: s.name, versions: append([]*Version(nil), s.versions...)}
	}
	maps.Copy(c.configs, st.configs)
	maps.Copy(c.modes, st.modes)
	maps.Copy(c.referrers, st.referrers)
	c.applied = st.applied
	return c
}

// ensureContext returns the state of schema context name, creating it.
func (st *state) ensureContext(name string) *contextState {
	cs := st.contexts[name]
	if cs == nil {
		cs = newContextState()
		st.contexts[name] = cs
	}
	return cs
}

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
		st.configs[r.Subject] = *r.Config
	case configDeleted:
		if _, ok := st.configs[r.Subject]; !ok {
			return fmt.Errorf("ConfigDeleted: scope %q has no config", r.Subject)
		}
		delete(st.configs, r.Subject)
	case modeSet:
		if r.Mode == ModeForward && r.Subject != "" {
			return fmt.Errorf("ModeSet: FORWARD is only valid globally")
		}
		st.modes[r.Subject] = r.Mode
	case modeDeleted:
		if !r.Recursive {
			if _, ok := st.modes[r.Subject]; !ok {
				return fmt.Errorf("ModeDeleted: scope %q has no mode", r.Subject)
			}
			delete(st.modes, r.Subject)
			return nil
		}
		for k := range st.modes {
			if inScope(r.Subject, k) {
				delete(st.modes, k)
			}
		}
	}
	return nil
}

func (st *state) applyRegistered(r *record) error {
	schemaCtx, _ := SplitSubject(r.Subject)
	sub := st.subjects[r.Subject]
	if sub != nil {
		if _, ok := sub.find(r.Version); ok {
			return fmt.Errorf("SchemaRegistered: %q version %d already exists", r.Subject, r.Version)
		}
	}
	for _, ref := range r.References {
		rs := st.subjects[ref.Subject]
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
	key := contentKey(schemaType, r.Schema, r.References, md)
	cs := st.contexts[schemaCtx]
	var content *Content
	if cs != nil {
		if c := cs.byID[r.ID]; c != nil {
			if c.key != key {
				return fmt.Errorf("SchemaRegistered: id %d already names a different schema", r.ID)
			}
			content = c
		} else if cs.retired[r.ID] {
			return fmt.Errorf("SchemaRegistered: id %d was deleted and is never reused", r.ID)
		}
	}
	// Checks done: mutate.
	cs = st.ensureContext(schemaCtx)
	if content == nil {
		content = newContent(r.ID, schemaCtx, schemaType, r.Schema, r.References, md, key)
		cs.byID[r.ID] = content
	}
	if _, ok := cs.byKey[key]; !ok {
		cs.byKey[key] = r.ID
	}
	if r.ID > cs.maxID {
		cs.maxID = r.ID
	}
	if sub == nil {
		sub = &subjectState{name: r.Subject}
		st.subjects[r.Subject] = sub
	}
	st.insertVersion(sub, newVersion(r.Subject, r.Version, content))
	// Registering a schema again after its version was soft deleted makes a
	// new version with the same id; the deleted one is tombstoned.
	for i := 0; i < len(sub.versions); i++ {
		if v := sub.versions[i]; v.Deleted && v.Content.ID == r.ID && v.Version != r.Version {
			st.removeVersion(sub, i)
			i--
		}
	}
	return nil
}

func (st *state) insertVersion(sub *subjectState, v *Version) {
	i, _ := sub.find(v.Version)
	sub.versions = append(sub.versions, nil)
	copy(sub.versions[i+1:], sub.versions[i:])
	sub.versions[i] = v
	cs := st.contexts[v.Content.Context]
	cs.uses[v.Content.ID]++
	for _, ref := range v.Content.References {
		st.referrers[svKey{ref.Subject, ref.Version}]++
	}
}

// removeVersion drops sub.versions[i] for good; an id no version uses any
// more is retired.
func (st *state) removeVersion(sub *subjectState, i int) {
	v := sub.versions[i]
	sub.versions = append(sub.versions[:i], sub.versions[i+1:]...)
	for _, ref := range v.Content.References {
		k := svKey{ref.Subject, ref.Version}
		if st.referrers[k]--; st.referrers[k] <= 0 {
			delete(st.referrers, k)
		}
	}
	cs := st.contexts[v.Content.Context]
	id := v.Content.ID
	if cs.uses[id]--; cs.uses[id] <= 0 {
		delete(cs.uses, id)
		delete(cs.byID, id)
		if cs.byKey[v.Content.key] == id {
			delete(cs.byKey, v.Content.key)
		}
		cs.retired[id] = true
	}
	if len(sub.versions) == 0 {
		delete(st.subjects, sub.name)
		delete(st.configs, sub.name)
		delete(st.modes, sub.name)
	}
}

// referenced reports whether some version (live or soft-deleted) references
// version version of subject.
func (st *state) referenced(subject string, version int) bool {
	return st.referrers[svKey{subject, version}] > 0
}

func (st *state) applyVersionDeleted(r *record) error {
	sub := st.subjects[r.Subject]
	if sub == nil {
		return fmt.Errorf("VersionDeleted: subject %q does not exist", r.Subject)
	}
	i, ok := sub.find(r.Version)
	if !ok {
		return fmt.Errorf("VersionDeleted: %q has no version %d", r.Subject, r.Version)
	}
	v := sub.versions[i]
	if st.referenced(r.Subject, r.Version) {
		return fmt.Errorf("VersionDeleted: %q version %d is referenced", r.Subject, r.Version)
	}
	if !r.Permanent {
		if v.Deleted {
			return fmt.Errorf("VersionDeleted: %q version %d is already soft deleted", r.Subject, r.Version)
		}
		sub.versions[i] = v.softDeleted()
		return nil
	}
	if !v.Deleted {
		return fmt.Errorf("VersionDeleted: %q version %d must be soft deleted first", r.Subject, r.Version)
	}
	st.removeVersion(sub, i)
	return nil
}

func (st *state) applySubjectDeleted(r *record) error {
	sub := st.subjects[r.Subject]
	if sub == nil {
		return fmt.Errorf("SubjectDeleted: subject %q does not exist", r.Subject)
	}
	live := sub.live()
	if !r.Permanent && live == 0 {
		return fmt.Errorf("SubjectDeleted: %q is already soft deleted", r.Subject)
	}
	if r.Permanent && live > 0 {
		return fmt.Errorf("SubjectDeleted: %q must be soft deleted first", r.Subject)
	}
	for _, v := range sub.versions {
		if st.referenced(r.Subject, v.Version) {
			return fmt.Errorf("SubjectDeleted: %q version %d is referenced", r.Subject, v.Version)
		}
	}
	if !r.Permanent {
		for i, v := range sub.versions {
			if !v.Deleted {
				sub.versions[i] = v.softDeleted()
			}
		}
		return nil
	}
	for len(sub.versions) > 0 {
		st.removeVersion(sub, len(sub.versions)-1)
	}
	return nil
}
