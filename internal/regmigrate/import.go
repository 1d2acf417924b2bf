package regmigrate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
)

// Action kinds of a Plan.
const (
	ActRegister   = "register"
	ActSoftDelete = "soft-delete"
	ActSetConfig  = "set-config"
	ActSetMode    = "set-mode"
)

// Action is one change an import makes to the target.
type Action struct {
	Kind  string `json:"action"`
	Entry Entry  `json:"entry"`
}

// String describes the action in one line.
func (a Action) String() string {
	e := a.Entry
	switch a.Kind {
	case ActRegister:
		return fmt.Sprintf("register %s version %d with id %d", e.Subject, e.SchemaVersion, e.ID)
	case ActSoftDelete:
		return fmt.Sprintf("soft delete %s version %d (id %d)", e.Subject, e.SchemaVersion, e.ID)
	case ActSetConfig:
		return fmt.Sprintf("set the config of %s: compatibility %s", scopeName(e.Subject), e.Compatibility)
	case ActSetMode:
		return fmt.Sprintf("set the mode of %s to %s", scopeName(e.Subject), e.Mode)
	}
	return a.Kind
}

// Plan is what an import changes on its target, in the order Apply makes
// the changes: registrations (referenced versions first), soft deletes
// (referrers first), configs, modes (the global one last).
type Plan struct {
	Actions []Action
	// Unchanged counts entries the target already holds as the source does.
	Unchanged int
}

// PlanImport compares entries with what target holds and returns the
// changes that make the target hold them. A version the target holds with
// another id or schema, or live where the source has it soft deleted the
// other way round, is a conflict: the import refuses to start.
func PlanImport(ctx context.Context, target *sr.Client, entries []Entry) (*Plan, error) {
	p := &Plan{}
	var registers, deletes []Entry
	var conflicts []string
	schemas := map[string]Entry{}
	for _, e := range entries {
		if e.Kind != KindSchema {
			continue
		}
		schemas[svKey(e.Subject, e.SchemaVersion)] = e
		var b versionBody
		err := target.Do(sr.WithParams(ctx, sr.ShowDeleted), http.MethodGet, subjectPath(e.Subject, fmt.Sprintf("/versions/%d", e.SchemaVersion)), nil, &b)
		if notFound(err) {
			registers = append(registers, e)
			if e.Deleted {
				deletes = append(deletes, e)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("target: %s version %d: %w", e.Subject, e.SchemaVersion, err)
		}
		if b.ID != e.ID {
			conflicts = append(conflicts, fmt.Sprintf("%s version %d has id %d on the target, %d in the source", e.Subject, e.SchemaVersion, b.ID, e.ID))
			continue
		}
		targetDeleted, err := softDeleted(ctx, target, e.Subject, e.SchemaVersion)
		if err != nil {
			return nil, err
		}
		switch {
		case e.Deleted && !targetDeleted:
			deletes = append(deletes, e)
		case !e.Deleted && targetDeleted:
			conflicts = append(conflicts, fmt.Sprintf("%s version %d is soft deleted on the target but live in the source", e.Subject, e.SchemaVersion))
		default:
			p.Unchanged++
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("the target holds other content than the source (import into an empty registry):\n  %s", strings.Join(conflicts, "\n  "))
	}
	ordered, err := referencesFirst(registers, schemas)
	if err != nil {
		return nil, err
	}
	for _, e := range ordered {
		p.Actions = append(p.Actions, Action{Kind: ActRegister, Entry: e})
	}
	deletes, err = referencesFirst(deletes, schemas)
	if err != nil {
		return nil, err
	}
	slices.Reverse(deletes)
	for _, e := range deletes {
		p.Actions = append(p.Actions, Action{Kind: ActSoftDelete, Entry: e})
	}
	var globalMode *Entry
	for _, e := range entries {
		switch e.Kind {
		case KindConfig:
			var c configBody
			err := target.Do(ctx, http.MethodGet, scopePath("/config", e.Subject), nil, &c)
			if err != nil && !notFound(err) {
				return nil, fmt.Errorf("target: config of %s: %w", scopeName(e.Subject), err)
			}
			if err == nil && sameConfig(c, e) {
				p.Unchanged++
				continue
			}
			p.Actions = append(p.Actions, Action{Kind: ActSetConfig, Entry: e})
		case KindMode:
			var m modeBody
			err := target.Do(ctx, http.MethodGet, scopePath("/mode", e.Subject), nil, &m)
			if err != nil && !notFound(err) {
				return nil, fmt.Errorf("target: mode of %s: %w", scopeName(e.Subject), err)
			}
			if e.Subject == "" {
				globalMode = &e
				if err == nil && m.Mode == e.Mode && len(registers) == 0 && len(deletes) == 0 {
					p.Unchanged++
					globalMode = nil
				}
				continue
			}
			if err == nil && m.Mode == e.Mode {
				p.Unchanged++
				continue
			}
			p.Actions = append(p.Actions, Action{Kind: ActSetMode, Entry: e})
		}
	}
	if globalMode != nil {
		p.Actions = append(p.Actions, Action{Kind: ActSetMode, Entry: *globalMode})
	}
	return p, nil
}

func svKey(subject string, version int) string { return fmt.Sprintf("%s\x00%d", subject, version) }

// softDeleted reports whether version of subject is soft deleted on cl.
func softDeleted(ctx context.Context, cl *sr.Client, subject string, version int) (bool, error) {
	var live []int
	err := cl.Do(ctx, http.MethodGet, subjectPath(subject, "/versions"), nil, &live)
	if notFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("target: versions of %s: %w", subject, err)
	}
	return !slices.Contains(live, version), nil
}

func sameConfig(c configBody, e Entry) bool {
	if !strings.EqualFold(c.Compatibility, e.Compatibility) || c.CompatibilityGroup != e.CompatibilityGroup {
		return false
	}
	a, b := c.Normalize != nil && *c.Normalize, e.Normalize != nil && *e.Normalize
	return a == b
}

// referencesFirst orders es so that a version comes after every version of
// es it references (directly or not); otherwise it keeps the id order.
// all holds every schema entry of the export, to follow references through
// versions the target already has.
func referencesFirst(es []Entry, all map[string]Entry) ([]Entry, error) {
	Sort(es)
	in := map[string]bool{}
	for _, e := range es {
		in[svKey(e.Subject, e.SchemaVersion)] = true
	}
	state := map[string]int{} // 1 visiting, 2 done
	var out []Entry
	var visit func(e Entry, path []string) error
	visit = func(e Entry, path []string) error {
		k := svKey(e.Subject, e.SchemaVersion)
		switch state[k] {
		case 1:
			return fmt.Errorf("references form a cycle: %s", strings.Join(append(path, e.Subject), " → "))
		case 2:
			return nil
		}
		state[k] = 1
		for _, r := range e.References {
			rk := svKey(r.Subject, r.Version)
			if dep, ok := all[rk]; ok {
				if err := visit(dep, append(path, e.Subject)); err != nil {
					return err
				}
			}
		}
		state[k] = 2
		if in[k] {
			out = append(out, e)
		}
		return nil
	}
	for _, e := range es {
		if err := visit(e, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// registerBody is POST /subjects/{subject}/versions in IMPORT mode.
type registerBody struct {
	Schema     string          `json:"schema"`
	SchemaType string          `json:"schemaType,omitempty"`
	References []Reference     `json:"references,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	ID         int             `json:"id"`
	Version    int             `json:"version"`
}

// Apply makes plan's changes on target. Registrations run with the target
// in IMPORT mode (switched with force, since a re-run finds subjects), each
// with its id and version; the global mode is then set to the source's (or
// put back as it was). progress, if not nil, hears of every action.
func Apply(ctx context.Context, target *sr.Client, plan *Plan, progress Progress) error {
	needImport := false
	for _, a := range plan.Actions {
		if a.Kind == ActRegister || a.Kind == ActSoftDelete {
			needImport = true
		}
	}
	restore := ""
	if needImport {
		var m modeBody
		if err := target.Do(ctx, http.MethodGet, "/mode", nil, &m); err != nil {
			return fmt.Errorf("target: global mode: %w", err)
		}
		restore = m.Mode
		if m.Mode != "IMPORT" {
			if err := target.Do(sr.WithParams(ctx, sr.Force), http.MethodPut, "/mode", modeBody{Mode: "IMPORT"}, nil); err != nil {
				return fmt.Errorf("target: switch to IMPORT mode: %w", err)
			}
		}
	}
	setGlobal := false
	for i, a := range plan.Actions {
		e := a.Entry
		var err error
		switch a.Kind {
		case ActRegister:
			var res struct{ ID int }
			err = target.Do(ctx, http.MethodPost, subjectPath(e.Subject, "/versions"), registerBody{
				Schema: e.Schema, SchemaType: e.SchemaType, References: e.References, Metadata: e.Metadata, ID: e.ID, Version: e.SchemaVersion,
			}, &res)
			if err == nil && res.ID != e.ID {
				err = fmt.Errorf("the target answered id %d", res.ID)
			}
		case ActSoftDelete:
			err = target.Do(ctx, http.MethodDelete, subjectPath(e.Subject, fmt.Sprintf("/versions/%d", e.SchemaVersion)), nil, nil)
		case ActSetConfig:
			body := map[string]any{}
			if e.Compatibility != "" {
				body["compatibility"] = e.Compatibility
			}
			if e.Normalize != nil {
				body["normalize"] = *e.Normalize
			}
			if e.CompatibilityGroup != "" {
				body["compatibilityGroup"] = e.CompatibilityGroup
			}
			err = target.Do(ctx, http.MethodPut, scopePath("/config", e.Subject), body, nil)
		case ActSetMode:
			setGlobal = setGlobal || e.Subject == ""
			err = target.Do(sr.WithParams(ctx, sr.Force), http.MethodPut, scopePath("/mode", e.Subject), modeBody{Mode: e.Mode}, nil)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		if progress != nil {
			progress(i+1, len(plan.Actions), a.String())
		}
	}
	if needImport && !setGlobal && restore != "IMPORT" {
		if err := target.Do(sr.WithParams(ctx, sr.Force), http.MethodPut, "/mode", modeBody{Mode: restore}, nil); err != nil {
			return fmt.Errorf("target: put the global mode back to %s: %w", restore, err)
		}
	}
	return nil
}
