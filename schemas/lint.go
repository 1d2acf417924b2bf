package schemas

import (
	"fmt"
	"strings"

	"github.com/edactl/edactl/internal/jsontree"
)

// LintRule is one event-design rule. Lint findings are warnings; `edactl
// check --strict` makes them errors. Each rule can be disabled in
// edactl.yaml under lint.disable.
type LintRule struct {
	// ID is the rule id, e.g. "missing-doc".
	ID string
	// Purpose says why the rule exists.
	Purpose string
	check   func(*lintTarget) []Finding
}

// Lint rule ids.
const (
	LintPassiveAggressiveEvent = "passive-aggressive-event"
	LintCommandPublishing      = "command-publishing"
	LintMissingDoc             = "missing-doc"
	LintEventNameTense         = "event-name-tense"
	LintMissingKey             = "missing-key"
	LintKeyNotAField           = "key-not-a-field"
	LintNullableWithoutDefault = "nullable-without-default"
)

// LintRules is the rule table, in the order rules run and are documented.
var LintRules = []LintRule{
	{LintPassiveAggressiveEvent, "an event tells consumers what changed: one that carries only identifiers (and timestamps) forces every consumer to call back for the state, coupling them to the producer's API", lintPassiveAggressive},
	{LintCommandPublishing, "a command asks one handler to act: declaring several consumers means it is really an event, or that several services will act on it", lintCommandPublishing},
	{LintMissingDoc, "records and fields are a contract between teams: each needs a doc saying what it means", lintMissingDoc},
	{LintEventNameTense, "events state facts and are named in the past tense (OrderPlaced); commands ask for an action and are named in the imperative (PlaceOrder)", lintNameTense},
	{LintMissingKey, "every message declares its partition key (x-eda-key), so ordering per entity is a decision, not an accident", lintMissingKey},
	{LintKeyNotAField, "the x-eda-key attribute must name a field of the record (dots reach into nested records)", lintKeyNotAField},
	{LintNullableWithoutDefault, "an optional (nullable) field needs \"default\": null, or adding it breaks readers of old data and removing it breaks old readers", lintNullableWithoutDefault},
}

// LintRuleByID returns the rule with id, or nil.
func LintRuleByID(id string) *LintRule {
	for i := range LintRules {
		if LintRules[i].ID == id {
			return &LintRules[i]
		}
	}
	return nil
}

// LintRuleIDs returns every rule id.
func LintRuleIDs() []string {
	ids := make([]string, len(LintRules))
	for i, r := range LintRules {
		ids[i] = r.ID
	}
	return ids
}

// Lint runs every enabled lint rule on the latest version of every event
// and returns the findings as warnings. Published versions never change,
// so older versions are not linted: a finding is fixed in the next version.
func Lint(t *Tree) []Finding {
	var out []Finding
	for _, e := range t.Events {
		v := e.Latest()
		if v == nil {
			continue
		}
		d := v.jdoc()
		if d == nil || d.root.Kind() != jsontree.Object {
			continue
		}
		lt := &lintTarget{tree: t, e: e, v: v, d: d}
		for _, r := range LintRules {
			if t.Config.LintDisabled(r.ID) {
				continue
			}
			for _, f := range r.check(lt) {
				f.Rule, f.Severity = r.ID, Warning
				f.Event, f.Subject = e.ID(), e.Subject
				if f.File == "" {
					f.File, f.Version = v.File, v.Number
				}
				out = append(out, f)
			}
		}
	}
	return SortFindings(out)
}

type lintTarget struct {
	tree *Tree
	e    *Event
	v    *Version
	d    *jdoc
}

func (lt *lintTarget) at(n *jsontree.Value, path, msg string) Finding {
	return Finding{Line: lt.d.lineOf(n), Path: path, Message: msg}
}

func (lt *lintTarget) rootName() string { return text(lt.d.root, "name") }

// walkFields calls fn for every record definition and field in the schema,
// with the field's path as registry/compat would print it.
func (lt *lintTarget) walk(onRecord func(rec *jsontree.Value, path string), onField func(f *jsontree.Value, path string)) {
	var visit func(n *jsontree.Value, path string, depth int)
	visit = func(n *jsontree.Value, path string, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind() {
		case jsontree.Array:
			for b := range n.Values() {
				visit(b, path, depth+1)
			}
		case jsontree.Object:
			switch text(n, "type") {
			case "record", "error":
				if onRecord != nil {
					onRecord(n, path)
				}
				if fields := n.First("fields"); fields != nil && fields.Kind() == jsontree.Array {
					for f := range fields.Values() {
						fp := path + "." + text(f, "name")
						if onField != nil {
							onField(f, fp)
						}
						visit(f.First("type"), fp, depth+1)
					}
				}
			case "array":
				visit(n.First("items"), path+"[]", depth+1)
			case "map":
				visit(n.First("values"), path+"{}", depth+1)
			default:
				if t := n.First("type"); t != nil && t.Kind() != jsontree.String {
					visit(t, path, depth+1)
				}
			}
		}
	}
	visit(lt.d.root, lt.rootName(), 0)
}

// fieldWords classifies field names for passive-aggressive-event.
var (
	idWords       = map[string]bool{"id": true, "ids": true, "uuid": true, "uuids": true, "key": true, "ref": true, "reference": true}
	metadataNames = map[string]bool{"timestamp": true, "time": true, "ts": true, "version": true, "source": true,
		"occurredat": true, "occurredon": true, "createdat": true, "eventtime": true, "publishedat": true, "recordedat": true}
)

func isIdentifierOrMetadata(name string) bool {
	ws := words(name)
	if len(ws) == 0 {
		return true
	}
	last := strings.ToLower(ws[len(ws)-1])
	lower := normName(name)
	return idWords[last] || metadataNames[lower] || last == "at" || last == "on" && len(ws) > 1
}

func lintPassiveAggressive(lt *lintTarget) []Finding {
	if lt.e.Kind != KindEvent {
		return nil
	}
	fields := lt.d.root.First("fields")
	if fields == nil || fields.Kind() != jsontree.Array {
		return nil
	}
	var names []string
	for f := range fields.Values() {
		name := text(f, "name")
		if !isIdentifierOrMetadata(name) {
			return nil
		}
		names = append(names, name)
	}
	what := "no fields"
	if len(names) > 0 {
		what = "only identifiers and timestamps (" + strings.Join(names, ", ") + ")"
	}
	return []Finding{lt.at(lt.d.root, lt.rootName(), fmt.Sprintf(
		"event %s carries %s: add the state that changed so consumers need not call back to learn it",
		lt.rootName(), what))}
}

func lintCommandPublishing(lt *lintTarget) []Finding {
	if lt.e.Kind != KindCommand || len(lt.e.Consumers) <= 1 {
		return nil
	}
	cfg := lt.tree.Config
	return []Finding{{File: lt.tree.ConfigFile, Line: cfg.Line("events", lt.e.ID(), "consumers"), Path: lt.rootName(),
		Message: fmt.Sprintf("command %s declares %d consumers (%s): a command has exactly one handler; publish an event if several services react",
			lt.rootName(), len(lt.e.Consumers), strings.Join(lt.e.Consumers, ", "))}}
}

func lintMissingDoc(lt *lintTarget) []Finding {
	var out []Finding
	lt.walk(func(rec *jsontree.Value, path string) {
		if strings.TrimSpace(text(rec, "doc")) == "" {
			out = append(out, lt.at(rec, path, fmt.Sprintf("record %s has no doc", text(rec, "name"))))
		}
	}, func(f *jsontree.Value, path string) {
		if strings.TrimSpace(text(f, "doc")) == "" {
			out = append(out, lt.at(f, path, fmt.Sprintf("field %s has no doc", text(f, "name"))))
		}
	})
	return out
}

// Irregular past participles. ambiguousPast are also present-tense verbs
// ("ResetPassword" is an imperative), so they only count for events.
var (
	irregularPast = map[string]bool{
		"sent": true, "paid": true, "built": true, "rebuilt": true, "made": true, "held": true, "sold": true,
		"bought": true, "taken": true, "given": true, "done": true, "undone": true, "lost": true, "won": true,
		"spent": true, "kept": true, "left": true, "begun": true, "broken": true, "chosen": true, "drawn": true,
		"driven": true, "eaten": true, "fallen": true, "forgotten": true, "frozen": true, "gotten": true,
		"got": true, "grown": true, "hidden": true, "known": true, "laid": true, "led": true, "lent": true,
		"met": true, "ridden": true, "risen": true, "seen": true, "shaken": true, "shown": true, "sung": true,
		"spoken": true, "stolen": true, "struck": true, "sworn": true, "taught": true, "thrown": true,
		"told": true, "understood": true, "woken": true, "worn": true, "withdrawn": true, "written": true,
		"rewritten": true, "found": true, "brought": true, "caught": true, "thought": true, "bound": true,
		"fed": true, "fled": true, "hung": true, "lit": true, "overridden": true, "upheld": true,
		"withheld": true, "sped": true, "agreed": true, "freed": true, "guaranteed": true, "decreed": true,
		"became": true, "came": true, "went": true, "gone": true, "ran": true, "sat": true, "stood": true,
		"dealt": true, "felt": true, "meant": true, "slept": true, "swept": true, "dug": true,
	}
	ambiguousPast = map[string]bool{
		"set": true, "reset": true, "put": true, "cut": true, "read": true, "quit": true, "split": true,
		"spread": true, "shut": true, "hit": true, "let": true, "cast": true, "broadcast": true, "forecast": true,
		"upset": true, "bid": true, "cost": true, "run": true, "come": true, "become": true, "overrun": true,
	}
)

// pastTense reports whether word is a past participle; ambiguous words
// ("reset") count only when lenient.
func pastTense(word string, lenient bool) bool {
	w := strings.ToLower(word)
	if irregularPast[w] || lenient && ambiguousPast[w] {
		return true
	}
	return len(w) > 3 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed")
}

func lintNameTense(lt *lintTarget) []Finding {
	name := lt.rootName()
	ws := words(name)
	switch lt.e.Kind {
	case KindEvent:
		ws = trimSuffixWord(ws, "event")
		if len(ws) == 0 || !pastTense(ws[len(ws)-1], true) {
			return []Finding{lt.at(lt.d.root.First("name"), name, fmt.Sprintf(
				"event %s is not named in the past tense: events state facts that happened (e.g. OrderPlaced, PaymentCaptured)", name))}
		}
	case KindCommand:
		ws = trimSuffixWord(ws, "command")
		if len(ws) > 0 && (pastTense(ws[0], false) || pastTense(ws[len(ws)-1], false)) {
			return []Finding{lt.at(lt.d.root.First("name"), name, fmt.Sprintf(
				"command %s is named in the past tense: commands ask for an action and are named in the imperative (e.g. PlaceOrder, not OrderPlaced)", name))}
		}
	}
	return nil
}

// trimSuffixWord drops a trailing w ("Event", "Command") and a trailing
// version tag ("V2") from the words of a name.
func trimSuffixWord(ws []string, w string) []string {
	if len(ws) > 1 && isVersionTag(ws[len(ws)-1]) {
		ws = ws[:len(ws)-1]
	}
	if len(ws) > 1 && strings.EqualFold(ws[len(ws)-1], w) {
		ws = ws[:len(ws)-1]
	}
	return ws
}

func isVersionTag(w string) bool {
	if len(w) < 2 || w[0] != 'V' && w[0] != 'v' {
		return false
	}
	for _, c := range w[1:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func lintMissingKey(lt *lintTarget) []Finding {
	if lt.d.root.First(AttrKey) != nil {
		return nil
	}
	return []Finding{lt.at(lt.d.root, lt.rootName(), fmt.Sprintf(
		"%s %s declares no partition key: add %q naming the field that identifies the entity", lt.e.Kind, lt.rootName(), AttrKey))}
}

func lintKeyNotAField(lt *lintTarget) []Finding {
	key := lt.e.Key
	if key == "" {
		return nil
	}
	keyNode := lt.d.root.First(AttrKey)
	typ := lt.d.root
	for _, part := range strings.Split(key, ".") {
		rec := lt.d.find(typ, func(n *jsontree.Value) bool {
			t := text(n, "type")
			return t == "record" || t == "error"
		})
		var f *jsontree.Value
		if rec != nil {
			if fields := rec.First("fields"); fields != nil && fields.Kind() == jsontree.Array {
				for fn := range fields.Values() {
					if text(fn, "name") == part {
						f = fn
					}
				}
			}
		}
		if f == nil {
			return []Finding{lt.at(keyNode, lt.rootName(), fmt.Sprintf(
				"%s is %q but %s has no field %q", AttrKey, key, lt.rootName(), part))}
		}
		typ = f.First("type")
	}
	return nil
}

func lintNullableWithoutDefault(lt *lintTarget) []Finding {
	var out []Finding
	lt.walk(nil, func(f *jsontree.Value, path string) {
		if f.First("default") != nil || !nullable(f.First("type")) {
			return
		}
		out = append(out, lt.at(f, path, fmt.Sprintf(
			"field %s is nullable but has no default: add \"default\": null (with null as the union's first branch)", text(f, "name"))))
	})
	return out
}

// nullable reports whether a field type is a union with a null branch.
func nullable(t *jsontree.Value) bool {
	if t == nil || t.Kind() != jsontree.Array {
		return false
	}
	for b := range t.Values() {
		if b.Kind() == jsontree.String && b.Text() == "null" || b.Kind() == jsontree.Object && text(b, "type") == "null" {
			return true
		}
	}
	return false
}
