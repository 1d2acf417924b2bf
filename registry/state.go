package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Content is one schema as an id addresses it: the canonical text, its
// references and metadata. A Content never changes once created.
type Content struct {
	ID         int
	Context    string
	SchemaType string // "" means AVRO
	Schema     string
	References []Reference
	Metadata   *Metadata

	key    [32]byte
	ssJSON []byte
}

// SchemaStringJSON returns the precomputed body of GET /schemas/ids/{id}:
// {"schema":…} plus schemaType, references and metadata when set. Callers
// must not modify it.
func (c *Content) SchemaStringJSON() []byte { return c.ssJSON }

// Version is one version of a subject. A Version never changes: a soft
// delete replaces it with a copy marked Deleted.
type Version struct {
	Subject string
	Version int
	Content *Content
	Deleted bool

	json []byte
}

// JSON returns the precomputed Confluent Schema entity of the version:
// {"subject","version","id","schemaType"?,"references"?,"metadata"?,"schema"}.
// Callers must not modify it.
func (v *Version) JSON() []byte { return v.json }

// ID returns the version's schema id.
func (v *Version) ID() int { return v.Content.ID }

type svKey struct {
	subject string
	version int
}

type ctxState struct {
	maxID   int
	byID    map[int]*Content
	uses    map[int]int // versions (live or soft-deleted) using each id
	byKey   map[[32]byte]int
	retired map[int]bool // ids whose last version was removed: never reused
}

type subjectState struct {
	name     string
	versions []*Version // sorted by version number, soft-deleted included
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

// latest returns the newest version, the newest live one unless deleted.
func (s *subjectState) latest(deleted bool) *Version {
	for i := len(s.versions) - 1; i >= 0; i-- {
		if deleted || !s.versions[i].Deleted {
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

// State is the registry's state: a pure, deterministic fold over the log.
// Applying the same records in the same order to a new State always gives
// the same State; a record that breaks a rule is rejected and changes
// nothing (so every replica skips it alike).
//
// A State is not safe for concurrent use; the Registry guards it.
type State struct {
	contexts  map[string]*ctxState
	subjects  map[string]*subjectState
	configs   map[string]Config
	modes     map[string]Mode
	referrers map[svKey]int // versions whose content references each subject-version
	applied   uint64
}

// NewState returns the empty state.
func NewState() *State {
	return &State{
		contexts:  map[string]*ctxState{},
		subjects:  map[string]*subjectState{},
		configs:   map[string]Config{},
		modes:     map[string]Mode{},
		referrers: map[svKey]int{},
	}
}

// Clone returns a deep copy that shares only immutable values.
func (st *State) Clone() *State {
	c := NewState()
	for k, cs := range st.contexts {
		n := &ctxState{maxID: cs.maxID, byID: make(map[int]*Content, len(cs.byID)), uses: make(map[int]int, len(cs.uses)),
			byKey: make(map[[32]byte]int, len(cs.byKey)), retired: make(map[int]bool, len(cs.retired))}
		for id, v := range cs.byID {
			n.byID[id] = v
		}
		for id, v := range cs.uses {
			n.uses[id] = v
		}
		for key, v := range cs.byKey {
			n.byKey[key] = v
		}
		for id := range cs.retired {
			n.retired[id] = true
		}
		c.contexts[k] = n
	}
	for k, s := range st.subjects {
		c.subjects[k] = &subjectState{name: s.name, versions: append([]*Version(nil), s.versions...)}
	}
	for k, v := range st.configs {
		c.configs[k] = v
	}
	for k, v := range st.modes {
		c.modes[k] = v
	}
	for k, v := range st.referrers {
		c.referrers[k] = v
	}
	c.applied = st.applied
	return c
}

// Applied returns how many records were applied (accepted or rejected).
func (st *State) Applied() uint64 { return st.applied }

func (st *State) ctx(name string) *ctxState {
	cs := st.contexts[name]
	if cs == nil {
		cs = &ctxState{byID: map[int]*Content{}, uses: map[int]int{}, byKey: map[[32]byte]int{}, retired: map[int]bool{}}
		st.contexts[name] = cs
	}
	return cs
}

// contentKey is what ids are content-addressed by: type, canonical text,
// references and metadata.
func contentKey(schemaType, schema string, refs []Reference, md *Metadata) [32]byte {
	h := sha256.New()
	h.Write([]byte(schemaType))
	h.Write([]byte{0})
	h.Write([]byte(schema))
	h.Write([]byte{0})
	for _, r := range refs {
		fmt.Fprintf(h, "%q %q %d\x00", r.Name, r.Subject, r.Version)
	}
	if !md.empty() {
		b, _ := json.Marshal(md) // maps marshal with sorted keys
		h.Write(b)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// Apply folds one record into the state. It returns an error, and leaves
// the state unchanged, if the record breaks a rule.
func (st *State) Apply(r *Record) error {
	st.applied++
	if err := r.validate(); err != nil {
		return err
	}
	switch r.Kind {
	case SchemaRegistered:
		return st.applyRegistered(r)
	case VersionDeleted:
		return st.applyVersionDeleted(r)
	case SubjectDeleted:
		return st.applySubjectDeleted(r)
	case ConfigSet:
		st.configs[r.Subject] = *r.Config
	case ConfigDeleted:
		if _, ok := st.configs[r.Subject]; !ok {
			return fmt.Errorf("ConfigDeleted: scope %q has no config", r.Subject)
		}
		delete(st.configs, r.Subject)
	case ModeSet:
		if r.Mode == ModeForward && r.Subject != "" {
			return fmt.Errorf("ModeSet: FORWARD is only valid globally")
		}
		st.modes[r.Subject] = r.Mode
	case ModeDeleted:
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

// inScope reports whether key (a scope) is scope itself or inside it.
func inScope(scope, key string) bool {
	if key == scope || scope == "" {
		return true
	}
	ctx, name := SplitSubject(scope)
	if name != "" {
		return false
	}
	kctx, _ := SplitSubject(key)
	return kctx == ctx
}

func (st *State) applyRegistered(r *Record) error {
	ctx, _ := SplitSubject(r.Subject)
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
	cs := st.contexts[ctx]
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
	cs = st.ctx(ctx)
	if content == nil {
		content = newContent(r.ID, ctx, schemaType, r.Schema, r.References, md, key)
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
	st.insertVersion(sub, newVersion(r.Subject, r.Version, content, false))
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

func (st *State) insertVersion(sub *subjectState, v *Version) {
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
func (st *State) removeVersion(sub *subjectState, i int) {
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

func (st *State) referenced(subject string, version int) bool {
	return st.referrers[svKey{subject, version}] > 0
}

func (st *State) applyVersionDeleted(r *Record) error {
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
		sub.versions[i] = newVersion(v.Subject, v.Version, v.Content, true)
		return nil
	}
	if !v.Deleted {
		return fmt.Errorf("VersionDeleted: %q version %d must be soft deleted first", r.Subject, r.Version)
	}
	st.removeVersion(sub, i)
	return nil
}

func (st *State) applySubjectDeleted(r *Record) error {
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
				sub.versions[i] = newVersion(v.Subject, v.Version, v.Content, true)
			}
		}
		return nil
	}
	for len(sub.versions) > 0 {
		st.removeVersion(sub, len(sub.versions)-1)
	}
	return nil
}

func newContent(id int, ctx, schemaType, schema string, refs []Reference, md *Metadata, key [32]byte) *Content {
	c := &Content{ID: id, Context: ctx, SchemaType: schemaType, Schema: schema, References: refs, Metadata: md, key: key}
	var b bytes.Buffer
	b.WriteByte('{')
	if schemaType != "" {
		b.WriteString(`"schemaType":`)
		writeJSONString(&b, schemaType)
		b.WriteByte(',')
	}
	b.WriteString(`"schema":`)
	writeJSONString(&b, schema)
	c.writeRefsAndMetadata(&b)
	b.WriteByte('}')
	c.ssJSON = b.Bytes()
	return c
}

func (c *Content) writeRefsAndMetadata(b *bytes.Buffer) {
	if len(c.References) > 0 {
		refs, _ := json.Marshal(c.References)
		b.WriteString(`,"references":`)
		b.Write(refs)
	}
	if c.Metadata != nil {
		md, _ := json.Marshal(c.Metadata)
		b.WriteString(`,"metadata":`)
		b.Write(md)
	}
}

func newVersion(subject string, version int, c *Content, deleted bool) *Version {
	v := &Version{Subject: subject, Version: version, Content: c, Deleted: deleted}
	var b bytes.Buffer
	b.WriteString(`{"subject":`)
	writeJSONString(&b, subject)
	b.WriteString(`,"version":`)
	b.WriteString(strconv.Itoa(version))
	b.WriteString(`,"id":`)
	b.WriteString(strconv.Itoa(c.ID))
	if c.SchemaType != "" {
		b.WriteString(`,"schemaType":`)
		writeJSONString(&b, c.SchemaType)
	}
	c.writeRefsAndMetadata(&b)
	b.WriteString(`,"schema":`)
	writeJSONString(&b, c.Schema)
	b.WriteByte('}')
	v.json = b.Bytes()
	return v
}
