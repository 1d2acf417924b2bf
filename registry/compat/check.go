package compat

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"
)

// Rule identifies the resolution rule an incompatibility breaks. The names
// are Avro Java's SchemaIncompatibilityType values, as Confluent prints them.
type Rule string

// The rules.
const (
	// NameMismatch: a named type (record, enum, fixed) whose reader name is
	// neither the writer's name nor, through an alias, its full name.
	NameMismatch Rule = "NAME_MISMATCH"
	// FixedSizeMismatch: fixed types of different sizes.
	FixedSizeMismatch Rule = "FIXED_SIZE_MISMATCH"
	// MissingEnumSymbols: the writer can write enum symbols the reader lacks,
	// and the reader enum has no default symbol.
	MissingEnumSymbols Rule = "MISSING_ENUM_SYMBOLS"
	// ReaderFieldMissingDefault: a reader field the writer does not have and
	// that has no default value to fill it with.
	ReaderFieldMissingDefault Rule = "READER_FIELD_MISSING_DEFAULT_VALUE"
	// TypeMismatch: the reader's type cannot be resolved from the writer's,
	// not even by promotion.
	TypeMismatch Rule = "TYPE_MISMATCH"
	// MissingUnionBranch: a type the writer can write (a writer union branch
	// or a non-union writer) that no branch of the reader union can read.
	MissingUnionBranch Rule = "MISSING_UNION_BRANCH"
)

// Rules lists every rule with its purpose, for documentation and --help.
var Rules = []struct {
	ID      Rule
	Purpose string
}{
	{NameMismatch, "a record, enum or fixed must keep its name, or list the old full name in its aliases"},
	{FixedSizeMismatch, "a fixed type must keep its size"},
	{MissingEnumSymbols, "every symbol the writer can write must exist in the reader enum, unless the reader enum has a default"},
	{ReaderFieldMissingDefault, "a field the reader expects but the writer lacks needs a default value"},
	{TypeMismatch, "the reader's type must equal the writer's or be a promotion of it (int→long→float→double, string↔bytes)"},
	{MissingUnionBranch, "every type the writer can write must be readable by some branch of the reader union"},
}

// Incompatibility is one reason a reader cannot read a writer's data.
type Incompatibility struct {
	// Rule is the broken rule.
	Rule Rule `json:"rule"`
	// Path locates the problem for people: the root record's name, then
	// field names, "[]" for array items and "{}" for map values, e.g.
	// "OrderPlaced.items[].price".
	Path string `json:"path"`
	// Pointer locates it in the reader schema as a JSON pointer, the way Avro
	// Java reports it, e.g. "/fields/2/type/items/fields/0/type".
	Pointer string `json:"pointer"`
	// Message explains the problem in one sentence.
	Message string `json:"message"`
	// Reader and Writer describe the two types involved.
	Reader string `json:"reader"`
	Writer string `json:"writer"`
}

// String formats the incompatibility as "<path>: <RULE>: <message>".
func (i Incompatibility) String() string {
	return i.Path + ": " + string(i.Rule) + ": " + i.Message
}

// Direction says which schema reads which in one comparison.
type Direction string

const (
	// DirBackward: the new schema reads data written with an old one.
	DirBackward Direction = "BACKWARD"
	// DirForward: an old schema reads data written with the new one.
	DirForward Direction = "FORWARD"
)

// Comparison is the result of checking the candidate against one history
// entry in one direction.
type Comparison struct {
	// Against is the index of the history entry (0 is the newest).
	Against int `json:"against"`
	// Direction is BACKWARD (candidate reads history) or FORWARD (history reads candidate).
	Direction Direction `json:"direction"`
	// Incompatibilities lists every problem found; empty means compatible.
	Incompatibilities []Incompatibility `json:"incompatibilities"`
}

// Compatible reports whether the comparison found no problem.
func (c Comparison) Compatible() bool { return len(c.Incompatibilities) == 0 }

// Report is the verdict of Check.
type Report struct {
	Level       Level        `json:"level"`
	Compatible  bool         `json:"compatible"`
	Comparisons []Comparison `json:"comparisons"`
}

// Incompatibilities returns every problem of every comparison, in order.
func (r Report) Incompatibilities() []Incompatibility {
	var out []Incompatibility
	for _, c := range r.Comparisons {
		out = append(out, c.Incompatibilities...)
	}
	return out
}

// Check checks candidate against history (newest first) under level.
// Non-transitive levels compare with history[0] only; NONE compares nothing.
// Every comparison is run to the end, so the report lists every problem.
func Check(level Level, candidate avro.Schema, history []avro.Schema) Report {
	r, _ := check(level, candidate, history, -1)
	return r
}

// ErrTooComplex is returned by CheckBounded when a check needs more work
// than its budget allows.
var ErrTooComplex = errors.New("compatibility check exceeds its work budget")

// DefaultBudget is a work budget (see CheckBounded) that real schemas stay
// far below: a 50-field record against 100 versions under FULL_TRANSITIVE
// takes about 94,000 steps, two unions of 50,000 records about 300,000.
const DefaultBudget = 10_000_000

// CheckBounded is Check with a bound on its work, for checks a client can
// ask for (the registry's): budget counts steps, a step being one
// comparison of a reader and a writer type, or one record field, union
// branch or enum symbol looked at. When the budget runs out the check stops
// and the error wraps ErrTooComplex; the report is then incomplete and must
// not be used.
func CheckBounded(level Level, candidate avro.Schema, history []avro.Schema, budget int) (Report, error) {
	if budget <= 0 {
		return Report{}, fmt.Errorf("compat: the work budget must be positive, got %d", budget)
	}
	return check(level, candidate, history, budget)
}

func check(level Level, candidate avro.Schema, history []avro.Schema, budget int) (Report, error) {
	return checkWith(level, candidate, history, budget, nil)
}

// checkWith is check; before comparing with history[i] it calls before (if
// not nil) with the checker, which CheckPrepared uses to hand it the
// prepared indexes of the two schemas.
func checkWith(level Level, candidate avro.Schema, history []avro.Schema, budget int, before func(c *checker, i int)) (Report, error) {
	r := Report{Level: level, Compatible: true, Comparisons: []Comparison{}}
	if level == None || len(history) == 0 {
		return r, nil
	}
	n := len(history)
	if !level.Transitive() {
		n = 1
	}
	dirs := 0
	if level.ChecksBackward() {
		dirs++
	}
	if level.ChecksForward() {
		dirs++
	}
	r.Comparisons = make([]Comparison, 0, n*dirs)
	c := newChecker() // shared: memoised pairs and field indexes serve every comparison
	c.memo = make(map[pairKey]*pairResult, n*dirs)
	c.budget = budget
	for i := 0; i < n; i++ {
		if before != nil {
			before(c, i)
		}
		if level.ChecksBackward() {
			r.add(Comparison{Against: i, Direction: DirBackward, Incompatibilities: c.pair(candidate, history[i])})
		}
		if level.ChecksForward() {
			r.add(Comparison{Against: i, Direction: DirForward, Incompatibilities: c.pair(history[i], candidate)})
		}
		if c.exceeded {
			return Report{}, fmt.Errorf("%w of %d steps (after %d of %d version(s)): the schemas are too large or too intricate to check",
				ErrTooComplex, budget, i, n)
		}
	}
	return r, nil
}

func (r *Report) add(c Comparison) {
	if c.Incompatibilities == nil {
		c.Incompatibilities = []Incompatibility{}
	}
	if !c.Compatible() {
		r.Compatible = false
	}
	r.Comparisons = append(r.Comparisons, c)
}

// MaxIncompatibilities bounds the problems reported for one pair, so that a
// hostile schema sharing one broken named type along exponentially many
// paths cannot make a report explode. Real schemas never come near it.
const MaxIncompatibilities = 10000

// CheckPair reports every reason reader cannot read data written with
// writer; nil means compatible.
func CheckPair(reader, writer avro.Schema) []Incompatibility {
	return newChecker().pair(reader, writer)
}

func newChecker() *checker {
	return &checker{memo: map[pairKey]*pairResult{}, fields: map[*avro.RecordSchema]*recordIndex{},
		unions: map[*avro.UnionSchema]*unionIndex{}, budget: -1}
}

func (c *checker) pair(reader, writer avro.Schema) []Incompatibility {
	root := rootName(reader)
	res := c.check(reader, writer)
	out := make([]Incompatibility, 0, len(res.issues))
	for _, is := range res.issues {
		out = append(out, is.materialise(root))
		if len(out) >= MaxIncompatibilities {
			break
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// relIssue is an incompatibility whose location is relative to the pair
// being checked. Locations are built from the leaf up, as reversed segment
// lists shared between results, so a memoised named-type result can be
// reused under many paths at the cost of its output only.
type relIssue struct {
	rule           Rule
	msg            string
	reader, writer string
	loc            *segment // innermost segment first
}

// segment is one step of a location: a human path piece and a JSON pointer
// piece.
type segment struct {
	human   string // ".name", "[]", "{}" or "" (union branches are transparent)
	pointer string // "/fields/3/type", "/items", "/values", "/2"
	next    *segment
}

func (is relIssue) materialise(root string) Incompatibility {
	var segs []*segment
	for s := is.loc; s != nil; s = s.next {
		segs = append(segs, s)
	}
	var hp, pp strings.Builder
	hp.WriteString(root)
	for i := len(segs) - 1; i >= 0; i-- {
		hp.WriteString(segs[i].human)
		pp.WriteString(segs[i].pointer)
	}
	path := strings.TrimPrefix(hp.String(), ".")
	if path == "" {
		path = "(root)"
	}
	ptr := pp.String()
	if ptr == "" {
		ptr = "/"
	}
	return Incompatibility{Rule: is.rule, Path: path, Pointer: ptr, Message: is.msg, Reader: is.reader, Writer: is.writer}
}

type pairKey struct{ reader, writer avro.Schema }

type pairResult struct {
	done   bool
	issues []relIssue
}

var compatible = &pairResult{done: true}

type checker struct {
	memo   map[pairKey]*pairResult
	fields map[*avro.RecordSchema]*recordIndex
	unions map[*avro.UnionSchema]*unionIndex

	// prepared are the Prepared schemas of the comparison running (the
	// candidate's and the history entry's), whose record indexes are
	// looked up before fields; nil for checks of plain schemas.
	prepared [2]*Prepared

	// budget is the number of steps left (negative: unlimited); when it
	// runs out, exceeded is set and every further comparison answers
	// "compatible" at once, so the walk unwinds quickly.
	budget   int
	exceeded bool

	// alwaysIndex makes even small unions go through unionIndex (tests
	// compare both paths).
	alwaysIndex bool
}

// spend charges n steps and reports whether the check may go on.
func (c *checker) spend(n int) bool {
	if c.budget < 0 {
		return true
	}
	if c.exceeded || n > c.budget {
		c.budget, c.exceeded = 0, true
		return false
	}
	c.budget -= n
	return true
}

// unionIndex finds the branches of a reader union that may read a writer
// type without trying them all: a named writer type (record, enum, fixed)
// can only be read by a branch of the same type whose unqualified name
// equals the writer's or whose aliases hold the writer's full name, and an
// unnamed writer type only by one of the union's few unnamed branches (a
// union holds at most one of each unnamed type). Matching through maps keeps
// a check of two unions of n named types near-linear in n instead of n².
type unionIndex struct {
	byName  map[string][]int // unqualified name of a named branch → branch indices
	byAlias map[string][]int // alias (full name) of a named branch → branch indices
	unnamed []int            // indices of the branches that are not named types
}

// smallUnion is the size up to which a reader union's branches are simply
// all tried: cheaper than building an index for the common ["null", T].
const smallUnion = 16

// unionCandidates returns the indices of the branches of reader union u
// that may read writer, in branch order.
func (c *checker) unionCandidates(u *avro.UnionSchema, writer avro.Schema) []int {
	if n := len(u.Types()); n <= smallUnion && !c.alwaysIndex {
		return allBranches[:n]
	}
	return c.unionIndex(u).candidates(writer)
}

// allBranches is 0 ... smallUnion-1, shared (never modified).
var allBranches = func() []int {
	s := make([]int, smallUnion)
	for i := range s {
		s[i] = i
	}
	return s
}()

func (c *checker) unionIndex(u *avro.UnionSchema) *unionIndex {
	if ix, ok := c.unions[u]; ok {
		return ix
	}
	ix := &unionIndex{byName: map[string][]int{}, byAlias: map[string][]int{}}
	c.spend(len(u.Types()))
	for i, b := range u.Types() {
		n, ok := deref(b).(avro.NamedSchema)
		if !ok {
			ix.unnamed = append(ix.unnamed, i)
			continue
		}
		ix.byName[n.Name()] = append(ix.byName[n.Name()], i)
		for _, a := range n.Aliases() {
			ix.byAlias[a] = append(ix.byAlias[a], i)
		}
	}
	c.unions[u] = ix
	return ix
}

// candidates returns, in branch order, the indices of the branches that
// may read writer: every other branch certainly fails with a TYPE_MISMATCH
// or NAME_MISMATCH, and is neither the branch Avro would pick nor the
// closest one (sameKind).
func (ix *unionIndex) candidates(writer avro.Schema) []int {
	writer = deref(writer)
	wn, named := writer.(avro.NamedSchema)
	if !named {
		return ix.unnamed
	}
	byName, byAlias := ix.byName[wn.Name()], ix.byAlias[wn.FullName()]
	if len(byAlias) == 0 {
		return byName
	}
	out := append(slices.Clone(byName), byAlias...)
	slices.Sort(out)
	return slices.Compact(out)
}

// deref follows hamba's references to named types.
func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

func (c *checker) check(reader, writer avro.Schema) *pairResult {
	if !c.spend(1) {
		return compatible
	}
	reader, writer = deref(reader), deref(writer)
	_, rNamed := reader.(avro.NamedSchema)
	_, wNamed := writer.(avro.NamedSchema)
	if !rNamed && !wNamed {
		// Anonymous types are trees: no memo needed, no cycle possible.
		return c.compute(reader, writer)
	}
	key := pairKey{reader, writer}
	if r, ok := c.memo[key]; ok {
		if !r.done {
			// The pair is being compared further up: assume compatible,
			// as Avro Java does, so recursive types terminate.
			return compatible
		}
		return r
	}
	r := &pairResult{}
	c.memo[key] = r
	res := c.compute(reader, writer)
	r.issues, r.done = res.issues, true
	return r
}

func (c *checker) compute(reader, writer avro.Schema) *pairResult {
	rt, wt := reader.Type(), writer.Type()
	if rt == wt {
		switch rt {
		case avro.Null, avro.Boolean, avro.Int, avro.Long, avro.Float, avro.Double, avro.Bytes, avro.String:
			return compatible
		case avro.Array:
			sub := c.check(reader.(*avro.ArraySchema).Items(), writer.(*avro.ArraySchema).Items())
			return wrap(sub, &segment{human: "[]", pointer: "/items"})
		case avro.Map:
			sub := c.check(reader.(*avro.MapSchema).Values(), writer.(*avro.MapSchema).Values())
			return wrap(sub, &segment{human: "{}", pointer: "/values"})
		case avro.Fixed:
			r, w := reader.(*avro.FixedSchema), writer.(*avro.FixedSchema)
			res := &pairResult{done: true}
			if is, ok := nameIssue(r, w); !ok {
				res.issues = append(res.issues, is)
			}
			if r.Size() != w.Size() {
				res.issues = append(res.issues, relIssue{rule: FixedSizeMismatch,
					msg:    fmt.Sprintf("reader expects fixed %s of size %d, writer wrote size %d", r.FullName(), r.Size(), w.Size()),
					reader: describe(r), writer: describe(w)})
			}
			return res
		case avro.Enum:
			r, w := reader.(*avro.EnumSchema), writer.(*avro.EnumSchema)
			res := &pairResult{done: true}
			if is, ok := nameIssue(r, w); !ok {
				res.issues = append(res.issues, is)
			}
			if !c.spend(len(r.Symbols()) + len(w.Symbols())) {
				return compatible
			}
			if is, ok := enumIssue(r, w); !ok {
				res.issues = append(res.issues, is)
			}
			return res
		case avro.Record:
			r, w := reader.(*avro.RecordSchema), writer.(*avro.RecordSchema)
			res := &pairResult{done: true}
			if is, ok := nameIssue(r, w); !ok {
				res.issues = append(res.issues, is)
			}
			res.issues = append(res.issues, c.recordFields(r, w)...)
			return res
		case avro.Union:
			return c.writerUnion(reader, writer.(*avro.UnionSchema))
		}
	}
	if wu, ok := writer.(*avro.UnionSchema); ok {
		return c.writerUnion(reader, wu)
	}
	switch rt {
	case avro.Long:
		if wt == avro.Int {
			return compatible
		}
	case avro.Float:
		if wt == avro.Int || wt == avro.Long {
			return compatible
		}
	case avro.Double:
		if wt == avro.Int || wt == avro.Long || wt == avro.Float {
			return compatible
		}
	case avro.Bytes:
		if wt == avro.String {
			return compatible
		}
	case avro.String:
		if wt == avro.Bytes {
			return compatible
		}
	case avro.Union:
		ru := reader.(*avro.UnionSchema)
		var closest *pairResult
		branches := ru.Types()
		for _, i := range c.unionCandidates(ru, writer) {
			branch := branches[i]
			if !mayResolve(deref(branch).Type(), wt) {
				continue // certainly a TYPE_MISMATCH: skip building it
			}
			sub := c.check(branch, writer)
			if len(sub.issues) == 0 {
				return compatible
			}
			if closest == nil && sameKind(branch, writer) {
				closest = sub
			}
		}
		if closest != nil {
			// The branch Avro would pick (same name, or same kind of
			// array or map) exists but cannot read the writer: its
			// problems explain more than "no branch" would.
			return closest
		}
		return &pairResult{done: true, issues: []relIssue{{rule: MissingUnionBranch,
			msg:    fmt.Sprintf("reader union %s has no branch that can read writer type %s", describe(ru), describe(writer)),
			reader: describe(ru), writer: describe(writer)}}}
	}
	return &pairResult{done: true, issues: []relIssue{{rule: TypeMismatch,
		msg:    fmt.Sprintf("reader expects %s, writer wrote %s", describe(reader), describe(writer)),
		reader: describe(reader), writer: describe(writer)}}}
}

// writerUnion checks that every branch of a writer union can be read.
func (c *checker) writerUnion(reader avro.Schema, w *avro.UnionSchema) *pairResult {
	res := &pairResult{done: true}
	var wdesc string // described once: a union's description is as long as the union
	for i, branch := range w.Types() {
		sub := c.check(reader, branch)
		if len(sub.issues) == 0 {
			continue
		}
		// Avro Java reports the branch index in the location; the human
		// path stays on the field, the message names the branch.
		seg := &segment{pointer: "/" + strconv.Itoa(i)}
		for _, is := range sub.issues {
			if is.loc == nil && is.rule == TypeMismatch || is.loc == nil && is.rule == MissingUnionBranch {
				if wdesc == "" {
					wdesc = describe(w)
				}
				is.msg += fmt.Sprintf(" (writer union %s, branch %d)", wdesc, i)
			}
			is.loc = prepend(is.loc, seg)
			res.issues = append(res.issues, is)
		}
	}
	if len(res.issues) == 0 {
		return compatible
	}
	return res
}

// record returns the index of record rec: the Prepared one if rec belongs
// to a schema of the comparison that was prepared, otherwise one built (by
// field name only, without shapes) and kept for the rest of the check.
func (c *checker) record(rec *avro.RecordSchema) *recordIndex {
	for _, p := range c.prepared {
		if p != nil {
			if ix, ok := p.records[rec]; ok {
				return ix
			}
		}
	}
	ix, ok := c.fields[rec]
	if !ok {
		ix = newRecordIndex(rec)
		c.fields[rec] = ix
	}
	return ix
}

func (c *checker) recordFields(r, w *avro.RecordSchema) []relIssue {
	var out []relIssue
	ri, wi := c.record(r), c.record(w)
	wfields := w.Fields()
	if !c.spend(len(r.Fields()) + len(wfields)) {
		return nil
	}
	flat := ri.shapes != nil && wi.shapes != nil && !c.alwaysIndex
	if flat && c.flatCompatible(ri, wi) {
		return nil
	}
	for i, rf := range r.Fields() {
		if flat && ri.plain[i] {
			// A field without aliases, from prepared indexes: the common
			// cases decided without looking into the schemas.
			name := ri.names[i]
			j := -1
			if i < len(wi.names) && wi.names[i] == name && wi.unique {
				j = i
			} else if !wi.bloom.mayHave(ri.hashes[i]) {
				// Certainly not a writer field's name.
			} else if k, ok := wi.byName[name]; ok {
				j = k
			}
			if j < 0 && ri.hasDefault[i] {
				continue
			}
			if j >= 0 {
				if rs := ri.shapes[i]; rs.same(wi.shapes[j]) {
					c.spend(rs.steps)
					continue
				}
			}
		}
		seg := func(suffix string) *segment {
			return &segment{human: "." + rf.Name(), pointer: "/fields/" + strconv.Itoa(i) + suffix}
		}
		direct, hasDirect := wi.field(wfields, rf.Name(), i)
		matches := 0
		match := -1
		if hasDirect {
			matches, match = 1, direct
		}
		for _, a := range rf.Aliases() {
			if j, ok := wi.byName[a]; ok && j != match {
				matches++
				if match < 0 {
					match = j
				}
			}
		}
		switch {
		case matches == 0:
			if rf.HasDefault() {
				continue
			}
			out = append(out, relIssue{rule: ReaderFieldMissingDefault,
				msg:    fmt.Sprintf("reader field %q is not in the writer's record %s and has no default value", rf.Name(), w.FullName()),
				reader: describe(rf.Type()), writer: "(absent)", loc: seg("")})
		case matches > 1:
			var names []string
			for _, cand := range append([]string{rf.Name()}, rf.Aliases()...) {
				if _, ok := wi.byName[cand]; ok {
					names = append(names, strconv.Quote(cand))
				}
			}
			out = append(out, relIssue{rule: TypeMismatch,
				msg:    fmt.Sprintf("reader field %q matches several writer fields (%s) by name and alias", rf.Name(), strings.Join(names, ", ")),
				reader: describe(rf.Type()), writer: describe(w), loc: seg("")})
		default:
			if steps, ok := sameShape(ri, i, wi, match); ok && !c.alwaysIndex {
				// Identical types without named types read each other:
				// charge what the walk below would, skip the walk.
				c.spend(steps)
				continue
			}
			sub := c.check(rf.Type(), wfields[match].Type())
			if len(sub.issues) == 0 {
				continue
			}
			typeSeg := seg("/type")
			for _, is := range sub.issues {
				is.loc = prepend(is.loc, typeSeg)
				out = append(out, is)
				if len(out) >= MaxIncompatibilities {
					return out
				}
			}
		}
	}
	return out
}

// flatCompatible decides, from prepared indexes alone, the common case of
// recordFields: every reader field has no aliases, each writer field is
// either absent from the reader or a reader field of the same anonymous
// type, and every reader field the writer lacks has a default. It walks
// the writer's fields (hashes and interned names, looked up in the
// reader's hash table, which one check reuses for its whole history)
// rather than looking each reader field up in the writer, and charges the
// budget what the reader-ordered walk below charges. It reports false,
// having charged nothing, whenever that walk might find an issue, spend
// differently or exceed the budget: then the walk decides.
func (c *checker) flatCompatible(ri, wi *recordIndex) bool {
	if !ri.allPlain || ri.byHash == nil || !wi.unique || wi.hashes == nil {
		return false
	}
	steps, matchedNoDefault := 0, 0
	for j, h := range wi.hashes {
		// Versions of a record mostly keep their fields in place: the
		// reader's field j, when it has the name, is the one byHash
		// holds (its hashes are distinct), found without hashing.
		i := j
		if j >= len(ri.hashes) || ri.hashes[j] != h || ri.names[j] != wi.names[j] {
			var ok bool
			if i, ok = ri.byHash[h]; !ok || ri.names[i] != wi.names[j] {
				continue // not a reader field's name: the reader ignores it
			}
		}
		rs := ri.shapes[i]
		if !rs.same(wi.shapes[j]) {
			return false
		}
		steps += rs.steps
		if !ri.hasDefault[i] {
			matchedNoDefault++
		}
	}
	if matchedNoDefault != ri.noDefault {
		return false // a reader field without default is missing
	}
	if c.budget >= 0 {
		if steps > c.budget {
			return false
		}
		c.budget -= steps
	}
	return true
}

// prepend adds an outer segment: locations are stored innermost first, so
// the outer segment goes to the end of the chain. Chains are copied, never
// mutated, because memoised results share them.
func prepend(loc *segment, outer *segment) *segment {
	if loc == nil {
		return &segment{human: outer.human, pointer: outer.pointer}
	}
	cp := *loc
	cp.next = prepend(loc.next, outer)
	return &cp
}

func wrap(sub *pairResult, seg *segment) *pairResult {
	if len(sub.issues) == 0 {
		return compatible
	}
	res := &pairResult{done: true, issues: make([]relIssue, len(sub.issues))}
	for i, is := range sub.issues {
		is.loc = prepend(is.loc, seg)
		res.issues[i] = is
	}
	return res
}

// nameIssue applies Avro Java's schemaNameEquals: equal unqualified names, or
// the writer's full name among the reader's aliases.
func nameIssue(r, w avro.NamedSchema) (relIssue, bool) {
	if r.Name() == w.Name() {
		return relIssue{}, true
	}
	for _, a := range r.Aliases() {
		if a == w.FullName() {
			return relIssue{}, true
		}
	}
	kind := string(r.Type())
	return relIssue{rule: NameMismatch,
		msg: fmt.Sprintf("reader expects %s named %s, writer wrote %s (add %q to the reader's aliases to rename)",
			kind, r.FullName(), w.FullName(), w.FullName()),
		reader: describe(r), writer: describe(w)}, false
}

func enumIssue(r, w *avro.EnumSchema) (relIssue, bool) {
	have := make(map[string]bool, len(r.Symbols()))
	for _, s := range r.Symbols() {
		have[s] = true
	}
	var missing []string
	for _, s := range w.Symbols() {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 || r.HasDefault() && have[r.Default()] {
		return relIssue{}, true
	}
	sort.Strings(missing)
	return relIssue{rule: MissingEnumSymbols,
		msg: fmt.Sprintf("writer enum %s can write %s, which reader enum %s lacks, and the reader has no default symbol",
			w.FullName(), "["+strings.Join(missing, ", ")+"]", r.FullName()),
		reader: describe(r), writer: describe(w)}, false
}

// mayResolve reports whether a reader of type r can possibly read a writer of
// type w: the same type, or a promotion the specification allows.
func mayResolve(r, w avro.Type) bool {
	if r == w {
		return true
	}
	switch r {
	case avro.Long:
		return w == avro.Int
	case avro.Float:
		return w == avro.Int || w == avro.Long
	case avro.Double:
		return w == avro.Int || w == avro.Long || w == avro.Float
	case avro.Bytes:
		return w == avro.String
	case avro.String:
		return w == avro.Bytes
	}
	return false
}

// sameKind reports whether a reader union branch is the one meant to read
// writer: a named type with a matching name, or the same kind of array or map.
func sameKind(branch, writer avro.Schema) bool {
	branch, writer = deref(branch), deref(writer)
	if branch.Type() != writer.Type() {
		return false
	}
	bn, ok1 := branch.(avro.NamedSchema)
	wn, ok2 := writer.(avro.NamedSchema)
	if ok1 && ok2 {
		_, ok := nameIssue(bn, wn)
		return ok
	}
	return branch.Type() == avro.Array || branch.Type() == avro.Map
}

// maxDescribedBranches is how many branches of a union describe names: a
// message about one branch of a huge union stays short.
const maxDescribedBranches = 16

// describe names a type briefly: primitives by name, named types as
// "record com.example.Order", unions as "[null, string]".
func describe(s avro.Schema) string {
	s = deref(s)
	switch t := s.(type) {
	case avro.NamedSchema:
		return string(t.Type()) + " " + t.FullName()
	case *avro.ArraySchema:
		return "array<" + describe(t.Items()) + ">"
	case *avro.MapSchema:
		return "map<" + describe(t.Values()) + ">"
	case *avro.UnionSchema:
		types := t.Types()
		parts := make([]string, 0, min(len(types), maxDescribedBranches+1))
		for _, b := range types[:min(len(types), maxDescribedBranches)] {
			parts = append(parts, describe(b))
		}
		if more := len(types) - maxDescribedBranches; more > 0 {
			parts = append(parts, fmt.Sprintf("... %d more", more))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return string(s.Type())
}

// rootName is how paths start: the reader root's unqualified name when it is
// named, nothing otherwise.
func rootName(s avro.Schema) string {
	if n, ok := deref(s).(avro.NamedSchema); ok {
		return n.Name()
	}
	return ""
}
