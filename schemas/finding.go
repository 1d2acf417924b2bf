package schemas

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says whether a finding fails a check.
type Severity string

// Severities.
const (
	// Error findings fail `edactl check` (exit 1).
	Error Severity = "error"
	// Warning findings are shown but fail the check only with --strict.
	Warning Severity = "warning"
)

// Finding is one problem in a schema tree: a loading problem, a broken
// compatibility rule or a lint finding. The same list feeds every output
// format (text, JSON, CI annotations, JUnit).
type Finding struct {
	// File is the file the problem is in, relative to the working directory
	// the tree was loaded from (slash separated).
	File string `json:"file"`
	// Line and Column are 1-based; 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Event is the event folder "<domain>/<event>", when the finding is
	// about one event.
	Event string `json:"event,omitempty"`
	// Version is the version number of the file, when it is a version file.
	Version int `json:"version,omitempty"`
	// Subject is the registry subject of the event, when known.
	Subject string `json:"subject,omitempty"`
	// Path locates the problem inside the schema: the record name, then
	// field names, "[]" for array items, "{}" for map values.
	Path string `json:"path,omitempty"`
	// Rule is the rule id: an upper-case tree or compatibility rule
	// (VERSION_GAP, TYPE_MISMATCH, ...) or a lower-case lint rule
	// (missing-doc, ...).
	Rule string `json:"rule"`
	// Severity is error or warning.
	Severity Severity `json:"severity"`
	// Message explains the problem in one sentence.
	Message string `json:"message"`
	// Fix is the smallest change to the file that removes the finding,
	// when one exists.
	Fix *Fix `json:"fix,omitempty"`
	// Waived is set when a waiver in edactl.yaml accepts the finding: it
	// is reported, and does not count as an error or a warning.
	Waived *Waiver `json:"waived,omitempty"`
}

// String formats the finding as "file:line: subject: path: RULE: message",
// with "-" for an unknown subject or path and " (warning)" after warnings.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
	}
	b.WriteString(": ")
	b.WriteString(orDash(f.Subject))
	b.WriteString(": ")
	b.WriteString(orDash(f.Path))
	b.WriteString(": ")
	b.WriteString(f.Rule)
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Severity == Warning {
		b.WriteString(" (warning)")
	}
	if w := f.Waived; w != nil {
		fmt.Fprintf(&b, " (waived until %s, owner %s: %s)", w.Expires, w.Owner, w.Reason)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SortFindings orders findings by file, line, rule and message, and drops
// exact duplicates, so reports are stable.
func SortFindings(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(fs, func(a, b Finding) bool {
		a.Fix, a.Waived, b.Fix, b.Waived = nil, nil, nil, nil
		return a == b
	})
}

// Tree rule ids: problems found while loading a tree. They are errors.
const (
	RuleInvalidJSON      = "INVALID_JSON"
	RuleInvalidSchema    = "INVALID_SCHEMA"
	RuleNotARecord       = "NOT_A_RECORD"
	RuleFileName         = "BAD_FILE_NAME"
	RuleLayout           = "BAD_LAYOUT"
	RuleVersionGap       = "VERSION_GAP"
	RuleNameNotFolder    = "NAME_NOT_FOLDER"
	RuleInvalidAttribute = "INVALID_ATTRIBUTE"
	RuleTopicConflict    = "TOPIC_CONFLICT"
	RuleDuplicateSubject = "DUPLICATE_SUBJECT"
	RuleSubjectChanges   = "SUBJECT_CHANGES"
	RuleUnknownEvent     = "UNKNOWN_EVENT"
)

// TreeRules lists the tree rules with their purpose, for documentation.
var TreeRules = []struct {
	ID      string
	Purpose string
}{
	{RuleInvalidJSON, "a version file must be valid JSON; the report gives the line and column of the syntax error"},
	{RuleInvalidSchema, "a version file must be a valid Avro schema"},
	{RuleNotARecord, "an event, command, document or query is an Avro record"},
	{RuleFileName, "version files are named v1.avsc, v2.avsc, ... (no leading zeros)"},
	{RuleLayout, "the tree is <schemas>/<domain>/<event>/vN.avsc and nothing else holds .avsc files"},
	{RuleVersionGap, "versions are numbered 1, 2, 3, ... without gaps, so every version has a predecessor to be checked against"},
	{RuleNameNotFolder, "the record's name matches its folder (OrderPlaced in order-placed/, order_placed/ or OrderPlaced/)"},
	{RuleInvalidAttribute, "x-eda-kind is event, command, document or query; x-eda-key, x-eda-topic and x-eda-owner are strings"},
	{RuleTopicConflict, "a topic set in edactl.yaml and in x-eda-topic must agree; under the topic strategy two events cannot share a topic"},
	{RuleDuplicateSubject, "two events never share a registry subject"},
	{RuleSubjectChanges, "under the record and topic-record strategies every version keeps the record's full name, which is part of the subject"},
	{RuleUnknownEvent, "every event configured in edactl.yaml exists in the tree"},
}
