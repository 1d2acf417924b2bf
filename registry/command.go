package registry

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
)

// execute folds one log record into st: a fact (the kinds of formats 1 and
// 2) is applied as it is; a command is decided against st, at its place in
// the log, and the facts the decision yields are applied. It returns the
// answer the command's writer gets (a RegisterResult, []int, int, Config
// or Mode) or the error it fails with; either way st is unchanged by a
// record that fails.
//
// This is the one write path: the sequencer runs it on a working state
// before appending to a log only it writes (bbolt), and the reader of a
// shared log (Kafka) runs it on every record, each instance alike. The
// decision depends only on st, the record and the registry's rules options
// (default level, work budget, id limit), so every instance reaches the same
// state and the same answer.
//
// cand, when not nil, is the candidate the record was prepared from on this
// instance (its parse is reused); otherwise it is rebuilt from the record.
func (r *Registry) execute(st *state, rec *record, cand *candidate) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.logger.Error("panic while folding a record", "kind", rec.Kind, "subject", rec.Subject, "panic", p)
			res, err = nil, fmt.Errorf("internal error: %v", p)
		}
	}()
	if !rec.Kind.isCommand() {
		return nil, st.apply(rec)
	}
	before := *st
	var facts []record
	switch rec.Kind {
	case cmdRegister:
		facts, res, err = r.decideRegister(st, rec, cand)
	case cmdDeleteSubject:
		facts, res, err = decideDeleteSubject(st, rec.Subject, rec.Permanent)
	case cmdDeleteVersion:
		facts, res, err = decideDeleteVersion(st, rec.Subject, rec.Version, rec.Permanent)
	case cmdSetConfig:
		facts, res, err = decideSetConfig(st, rec.Subject, rec.Update)
	case cmdDeleteConfig:
		facts, res, err = decideDeleteConfig(st, rec.Subject, r.cfg.defaultLevel)
	case cmdSetMode:
		facts, res, err = decideSetMode(st, rec.Subject, rec.Mode, rec.Force)
	case cmdDeleteMode:
		facts, res, err = decideDeleteMode(st, rec.Subject, rec.Recursive)
	}
	if err != nil {
		*st = before
		return nil, err
	}
	for i := range facts {
		facts[i].Format = rec.Format
		if err := st.apply(&facts[i]); err != nil {
			r.logger.Error("a command's decision produced a record the fold rejects", "kind", facts[i].Kind, "subject", facts[i].Subject, "error", err)
			*st = before
			return nil, fmt.Errorf("internal error: %w", err)
		}
		if afterApply != nil {
			afterApply(&facts[i])
		}
	}
	// A subject's only version is not remembered: most subjects never get
	// a second one, and a registry of many such subjects would otherwise
	// hold a parse of each (pointer-rich, so the collector marks it over
	// and over). The second version's check parses it once and caches it.
	if res, ok := res.(RegisterResult); ok && !res.Existing && cand != nil && cand.parsed != nil && rec.Checked != nil {
		if s := st.subject(rec.Subject); s != nil && len(s.versions) > 1 &&
			st.effectiveMode(rec.Subject) != ModeImport && st.effectiveConfig(rec.Subject, rec.Checked.Default).Compatibility != compat.None {
			schemaCtx, _ := SplitSubject(rec.Subject)
			r.remember(schemaCtx, cand)
		}
	}
	return res, nil
}

// afterApply, when set (by tests only), runs after each fact a command's
// decision yields is applied: a panic there is an internal error after the
// state changed.
var afterApply func(*record)

// registerCommand returns the command record of a registration prepared as
// cand; its checked verdict is filled in by setChecked.
func registerCommand(subject string, req *RegisterRequest, cand *candidate) record {
	rec := record{Kind: cmdRegister, Subject: subject, Schema: cand.canonical, References: cand.refs,
		Metadata: cand.metadata, ID: req.ID, Version: req.Version, Problems: cand.problems}
	for _, k := range cand.refKeys {
		rec.RefKeys = append(rec.RefKeys, hex.EncodeToString(k[:]))
	}
	return rec
}

// setChecked stores checked in a Register command: the rules it ran by and
// every version found compatible, so that folding the command again (a
// replay) compares with nothing that was compared already.
func (rec *record) setChecked(checked *verdict) {
	c := &checkedRecord{Level: checked.level, Default: checked.def, Budget: checked.budget}
	keys := make([][32]byte, 0, len(checked.ok))
	for k, ok := range checked.ok {
		if ok {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		// Sorted as bytes, which sorts their fixed-width lower-case hex
		// the same; encoded into one string the keys are slices of.
		slices.SortFunc(keys, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
		var sb strings.Builder
		sb.Grow(hex.EncodedLen(32) * len(keys))
		var h [64]byte
		for i := range keys {
			hex.Encode(h[:], keys[i][:])
			sb.Write(h[:])
		}
		all := sb.String()
		c.Keys = make([]string, len(keys))
		for i := range keys {
			c.Keys[i] = all[64*i : 64*(i+1)]
		}
	}
	rec.Checked = c
}

// verdictOf returns the verdict rec.Checked records, nil if it records
// none: cand's own verdict when rec.Checked is still the record
// setChecked made of it (its keys are exactly the verdict's true ones),
// otherwise decoded from its hex keys.
func verdictOf(rec *record, cand *candidate) *verdict {
	c := rec.Checked
	if c == nil {
		return nil
	}
	if cand != nil && cand.checked != nil && cand.checkedRec == c {
		// Taken, not copied: Register hands its verdict over with the
		// command, which is decided once; deciding it again decodes.
		v := cand.checked
		cand.checked = nil
		if v.ok == nil {
			v.ok = map[[32]byte]bool{}
		}
		return v
	}
	v := &verdict{level: c.Level, ok: map[[32]byte]bool{}, def: c.Default, budget: c.Budget}
	for _, k := range c.Keys {
		key, _ := hexKey(k)
		v.ok[key] = true
	}
	return v
}

// decideRegister decides a Register command against st with the rules of
// Register (r.register), by the default level and budget the command
// carries.
func (r *Registry) decideRegister(st *state, rec *record, cand *candidate) ([]record, any, error) {
	if cand == nil {
		md := rec.Metadata
		if md.empty() {
			md = nil
		}
		cand = &candidate{canonical: rec.Schema, refs: rec.References, metadata: md,
			key: contentKey("", rec.Schema, rec.References, md), problems: rec.Problems}
		for _, k := range rec.RefKeys {
			key, _ := hexKey(k) // validated with the record
			cand.refKeys = append(cand.refKeys, key)
		}
	}
	checked := verdict{def: r.cfg.defaultLevel, budget: r.cfg.compatBudget}
	if v := verdictOf(rec, cand); v != nil {
		checked = *v
	}
	req := RegisterRequest{ID: rec.ID, Version: rec.Version}
	fact, res, err := r.register(st, rec.Subject, &req, cand, &checked)
	if err != nil || fact.Kind == "" {
		return nil, res, err
	}
	if c := rec.Checked; c == nil || cand.checkedRec != c || !sameVerdict(&checked, c) {
		rec.setChecked(&checked)
	}
	return []record{fact}, res, nil
}

// sameVerdict reports whether checked, a verdict started from the one c
// records (cand's own, whose keys are c's keys) and then perhaps extended,
// still records exactly c: a check only adds keys, or starts afresh under
// another level.
func sameVerdict(checked *verdict, c *checkedRecord) bool {
	return checked.level == c.Level && checked.def == c.Default && checked.budget == c.Budget && len(checked.ok) == len(c.Keys)
}

// parsedCandidate returns cand's schema parsed, parsing it (with its
// references resolved in st) if the candidate was rebuilt from a record.
func parsedCandidate(st *state, cand *candidate) error {
	if cand.parsed != nil {
		return nil
	}
	refs, err := st.referenceTexts(cand.refs)
	if err != nil {
		return newErr(CodeInvalidSchema, "Invalid schema: %v", err)
	}
	s, err := avroschema.ParseWithReferences(cand.canonical, refs...)
	if err != nil {
		return errInvalidSchema(err)
	}
	cand.parsed = s
	return nil
}

// decideDeleteSubject decides DeleteSubject.
func decideDeleteSubject(st *state, subject string, permanent bool) ([]record, any, error) {
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
}

// decideDeleteVersion decides DeleteVersion.
func decideDeleteVersion(st *state, subject string, version int, permanent bool) ([]record, any, error) {
	if st.effectiveMode(subject).readOnly() {
		return nil, nil, errReadOnly(subject)
	}
	sub := st.subject(subject)
	if sub == nil {
		return nil, nil, errSubjectNotFound(subject)
	}
	var v *Version
	if version == -1 {
		latestOf := LiveOnly
		if permanent {
			latestOf = IncludeDeleted
		}
		if v = sub.latest(latestOf); v == nil {
			return nil, nil, errSubjectNotFound(subject)
		}
	} else {
		i, ok := sub.find(version)
		if !ok {
			return nil, nil, errVersionNotFound(version)
		}
		v = sub.versions[i]
	}
	if !permanent && v.Deleted {
		return nil, nil, newErr(CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, v.Version)
	}
	if permanent && !v.Deleted {
		return nil, nil, newErr(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, v.Version)
	}
	if st.deleteBlocked(subject, v.Version, permanent, recordFormat) {
		return nil, nil, errReferenced(subject, v.Version)
	}
	return []record{{Kind: versionDeleted, Subject: subject, Version: v.Version, Permanent: permanent}}, v.Version, nil
}

// decideSetConfig decides SetConfig.
func decideSetConfig(st *state, scope string, u *ConfigUpdate) ([]record, any, error) {
	if m := st.effectiveMode(scope); m.readOnly() {
		return nil, nil, errReadOnly(scopeName(scope))
	}
	c := st.configs.at(scope)
	if u.Compatibility != nil {
		c.Compatibility = compat.Level(*u.Compatibility)
	}
	if u.Normalize != nil {
		n := *u.Normalize
		c.Normalize = &n
	}
	if u.CompatibilityGroup != nil {
		c.CompatibilityGroup = *u.CompatibilityGroup
	}
	cc := c
	return []record{{Kind: configSet, Subject: scope, Config: &cc}}, c, nil
}

// decideDeleteConfig decides DeleteConfig; def is the server's default
// level, which the old global config reports when it set none.
func decideDeleteConfig(st *state, scope string, def compat.Level) ([]record, any, error) {
	if m := st.effectiveMode(scope); m.readOnly() {
		return nil, nil, errReadOnly(scopeName(scope))
	}
	old, ok := st.configs.get(scope)
	if scope == "" {
		if old.Compatibility == "" {
			old.Compatibility = def
		}
		if !ok {
			return nil, old, nil
		}
	} else if !ok {
		return nil, nil, errSubjectNotFound(scope)
	}
	return []record{{Kind: configDeleted, Subject: scope}}, old, nil
}

// decideSetMode decides SetMode.
func decideSetMode(st *state, scope string, m Mode, force bool) ([]record, any, error) {
	if m == ModeImport && !force {
		for name, sub := range st.subjects.all {
			if inScope(scope, name) && sub.live() > 0 {
				return nil, nil, newErr(CodeOperationNotPermitted, "Cannot import since found existing subjects")
			}
		}
	}
	return []record{{Kind: modeSet, Subject: scope, Mode: m}}, m, nil
}

// decideDeleteMode decides DeleteMode.
func decideDeleteMode(st *state, scope string, recursive bool) ([]record, any, error) {
	old, ok := st.modes.get(scope)
	if scope == "" && !ok {
		old = ModeReadWrite
	}
	if !recursive {
		if !ok {
			if scope == "" {
				return nil, old, nil
			}
			return nil, nil, errSubjectNotFound(scope)
		}
		return []record{{Kind: modeDeleted, Subject: scope}}, old, nil
	}
	found := false
	for k := range st.modes.all {
		if inScope(scope, k) {
			found = true
		}
	}
	if !found {
		return nil, old, nil
	}
	return []record{{Kind: modeDeleted, Subject: scope, Recursive: true}}, old, nil
}
