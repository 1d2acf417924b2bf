package gate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
)

// subjectState is what the registry holds for one subject.
type subjectState struct {
	subject  string
	exists   bool
	versions []sr.SubjectSchema // ascending by version
	level    compat.Level       // effective level (subject's, else global)
}

// isNotFound reports whether err is the registry's "subject not found".
func isNotFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && (re.ErrorCode == sr.ErrSubjectNotFound.Code || re.StatusCode == 404 && re.ErrorCode == 0)
}

// fetchSubject reads every version of subject and its effective level.
func fetchSubject(ctx context.Context, cl *sr.Client, subject string) (*subjectState, error) {
	st := &subjectState{subject: subject}
	vs, err := cl.Schemas(ctx, subject)
	switch {
	case err == nil:
		st.exists = true
		st.versions = vs
		sort.Slice(st.versions, func(i, j int) bool { return st.versions[i].Version < st.versions[j].Version })
	case isNotFound(err):
	default:
		return nil, fmt.Errorf("read subject %q: %w", subject, err)
	}
	res := cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), subject)
	if len(res) == 1 && res[0].Err != nil {
		// Registries without defaultToGlobal answer 404 for subjects
		// without their own level: fall back to the global one.
		res = cl.Compatibility(ctx)
	}
	if len(res) != 1 || res[0].Err != nil {
		var err error
		if len(res) == 1 {
			err = res[0].Err
		}
		return nil, fmt.Errorf("read compatibility level of %q: %w", subject, err)
	}
	level, err := compat.ParseLevel(res[0].Level.String())
	if err != nil {
		return nil, fmt.Errorf("compatibility level of %q: %w", subject, err)
	}
	st.level = level
	return st, nil
}

// fetchSubjects reads the state of every event's subject, a few at a time.
func fetchSubjects(ctx context.Context, cl *sr.Client, events []*schemas.Event) (map[*schemas.Event]*subjectState, error) {
	out := make(map[*schemas.Event]*subjectState, len(events))
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, e := range events {
		if e.Subject == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st, err := fetchSubject(ctx, cl, e.Subject)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			out[e] = st
		}()
	}
	wg.Wait()
	return out, firstErr
}

// subjectPlan matches an event's versions with what the registry holds.
type subjectPlan struct {
	e  *schemas.Event
	st *subjectState
	// held maps local version numbers to the registry version holding them.
	held map[int]int
	// pending are the local versions the registry does not hold, in order.
	pending []*schemas.Version
	// conflicts are published versions whose content differs, and
	// registered versions the tree lacks.
	conflicts []schemas.Finding
	// aligned is true when the registry holds exactly v1..vK by number.
	aligned bool
}

// sameAsHeld finds a live registry version with v's content.
func sameAsHeld(v *schemas.Version, st *subjectState) (sr.SubjectSchema, bool) {
	for _, rs := range st.versions {
		if sameSchema(v.Source, []byte(rs.Schema.Schema)) {
			return rs, true
		}
	}
	return sr.SubjectSchema{}, false
}

func planSubject(e *schemas.Event, st *subjectState) *subjectPlan {
	p := &subjectPlan{e: e, st: st, held: map[int]int{}, aligned: true}
	byNum := map[int]sr.SubjectSchema{}
	for _, rs := range st.versions {
		byNum[rs.Version] = rs
	}
	matched := map[int]bool{}
	maxLocal := 0
	for _, v := range e.Versions {
		maxLocal = max(maxLocal, v.Number)
		if v.Schema == nil {
			continue
		}
		if rs, ok := byNum[v.Number]; ok {
			matched[rs.Version] = true
			if sameSchema(v.Source, []byte(rs.Schema.Schema)) {
				p.held[v.Number] = rs.Version
				continue
			}
			p.aligned = false
			p.conflicts = append(p.conflicts, schemas.Finding{File: v.File, Line: 1, Event: e.ID(), Version: v.Number,
				Subject: e.Subject, Rule: RulePublishedChanged, Severity: schemas.Error,
				Message: fmt.Sprintf("v%d.avsc differs from version %d (id %d) of subject %s in the registry: published versions never change; put the change in v%d.avsc",
					v.Number, rs.Version, rs.ID, e.Subject, e.Versions[len(e.Versions)-1].Number+1)})
			continue
		}
		found := false
		for _, rs := range st.versions {
			if !matched[rs.Version] && sameSchema(v.Source, []byte(rs.Schema.Schema)) {
				matched[rs.Version] = true
				p.held[v.Number] = rs.Version
				p.aligned = false
				found = true
				break
			}
		}
		if !found {
			if rs, ok := sameAsHeld(v, st); ok {
				// Registering it would only return the existing version
				// (Confluent's rule), so it can never become the latest.
				p.aligned = false
				p.conflicts = append(p.conflicts, schemas.Finding{File: v.File, Line: 1, Event: e.ID(), Version: v.Number,
					Subject: e.Subject, Rule: RuleRepeatsPublished, Severity: schemas.Error,
					Message: fmt.Sprintf("v%d.avsc has the content of version %d (id %d) of subject %s: the registry would answer with that version and create none; change the new version (its doc, say) or remove the file",
						v.Number, rs.Version, rs.ID, e.Subject)})
				continue
			}
			p.pending = append(p.pending, v)
		}
	}
	for _, rs := range st.versions {
		if matched[rs.Version] {
			continue
		}
		p.aligned = false
		latest := e.Versions[len(e.Versions)-1]
		p.conflicts = append(p.conflicts, schemas.Finding{File: latest.File, Line: 1, Event: e.ID(), Version: latest.Number,
			Subject: e.Subject, Rule: RuleNotInTree, Severity: schemas.Error,
			Message: fmt.Sprintf("the registry holds version %d (id %d) of subject %s, which has no file in %s: add it to the tree (after v%d.avsc) so it is checked",
				rs.Version, rs.ID, e.Subject, e.Dir, maxLocal)})
	}
	return p
}

// history returns the registry's versions as a compatibility history,
// newest first. Versions that do not parse as Avro are left out.
func (p *subjectPlan) history() []schemas.HistoryEntry {
	var h []schemas.HistoryEntry
	for i := len(p.st.versions) - 1; i >= 0; i-- {
		rs := p.st.versions[i]
		if rs.Type != sr.TypeAvro || len(rs.References) > 0 {
			continue
		}
		s, err := avroschema.Parse(rs.Schema.Schema)
		if err != nil {
			continue
		}
		h = append(h, schemas.HistoryEntry{Label: fmt.Sprintf("registry version %d", rs.Version), Schema: s})
	}
	return h
}

// checkPending checks every pending version against the registry's history
// (and the pending versions before it) under the registry's level.
func (p *subjectPlan) checkPending() []schemas.Finding {
	var out []schemas.Finding
	h := p.history()
	for _, v := range p.pending {
		if len(h) > 0 {
			out = append(out, schemas.CheckVersion(p.e, v, p.st.level, h)...)
		}
		h = append([]schemas.HistoryEntry{{Label: fmt.Sprintf("v%d", v.Number), Schema: v.Schema}}, h...)
	}
	return out
}

// checkRegistry compares the tree with the registry.
func checkRegistry(ctx context.Context, tree *schemas.Tree, cl *sr.Client) ([]schemas.Finding, error) {
	states, err := fetchSubjects(ctx, cl, tree.Events)
	if err != nil {
		return nil, err
	}
	var out []schemas.Finding
	for _, e := range tree.Events {
		st, ok := states[e]
		if !ok {
			continue
		}
		p := planSubject(e, st)
		out = append(out, p.conflicts...)
		// When the registry holds exactly the local predecessors under the
		// local level, the local history check has already said it all.
		if p.aligned && st.level == e.Level {
			continue
		}
		out = append(out, p.checkPending()...)
	}
	return out, nil
}
