package gate

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
)

// Rule ids of waivers (edactl.yaml's waivers list).
const (
	// RuleWaiverExpired: a waiver's expiry date has passed. It is an
	// error, so accepted breaks are looked at again.
	RuleWaiverExpired = "WAIVER_EXPIRED"
	// RuleWaiverUnused: a waiver matches no finding (the problem was
	// fixed, or the waiver names the wrong event, version, path or rule).
	// It is a warning.
	RuleWaiverUnused = "WAIVER_UNUSED"
)

// WaiverRules lists the waiver rules with their purpose, for docs.
var WaiverRules = []struct {
	ID      string
	Purpose string
}{
	{RuleWaiverExpired, "a waiver holds until its expiry date: after it, the waived findings count again and the waiver itself fails the check"},
	{RuleWaiverUnused, "a waiver that matches no finding is removed, so waivers do not outlive the problems they were written for"},
}

// ErrWaiver marks a waiver in edactl.yaml that names an unknown rule. It
// is a usage error.
var ErrWaiver = errors.New("invalid waiver")

// knownRules returns every rule id a finding can carry.
func knownRules(extra []string) []string {
	var ids []string
	for _, r := range compat.Rules {
		ids = append(ids, string(r.ID))
	}
	for _, r := range schemas.TreeRules {
		ids = append(ids, r.ID)
	}
	ids = append(ids, schemas.LintRuleIDs()...)
	for _, r := range BaselineRules {
		ids = append(ids, r.ID)
	}
	ids = append(ids, extra...)
	sort.Strings(ids)
	return ids
}

// checkWaiverRules reports every waiver whose rule no check has, with the
// line of the waiver in edactl.yaml.
func checkWaiverRules(tree *schemas.Tree, extra []string) error {
	known := knownRules(extra)
	var msgs []string
	for i, w := range tree.Config.Waivers {
		if slices.Contains(known, w.Rule) {
			continue
		}
		hint := ""
		for _, k := range known {
			if strings.EqualFold(k, w.Rule) {
				hint = fmt.Sprintf(" (did you mean %q?)", k)
				break
			}
		}
		if k := schemas.Closest(w.Rule, known); hint == "" && k != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", k)
		}
		if hint == "" {
			hint = " (rules: " + strings.Join(known, ", ") + ")"
		}
		msgs = append(msgs, fmt.Sprintf("%s:%d: waivers[%d].rule: unknown rule %q%s", tree.ConfigFile, w.Line, i, w.Rule, hint))
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w: %s", ErrWaiver, strings.Join(msgs, "\n"))
	}
	return nil
}

// applyWaivers marks the findings an active waiver accepts and returns the
// findings about the waivers themselves: an expired waiver is an error
// (and waives nothing), a waiver that matches nothing a warning.
func applyWaivers(tree *schemas.Tree, findings []schemas.Finding, now time.Time) []schemas.Finding {
	var out []schemas.Finding
	for i := range tree.Config.Waivers {
		w := tree.Config.Waivers[i]
		matched := 0
		expired := w.Expired(now)
		for j := range findings {
			f := &findings[j]
			if f.Waived != nil || !w.Matches(*f) {
				continue
			}
			matched++
			if !expired {
				f.Waived = &tree.Config.Waivers[i]
			}
		}
		what := fmt.Sprintf("waiver of %s at %s in v%d of %s (owner %s)", w.Rule, orAny(w.Path), w.Version, w.Event, w.Owner)
		switch {
		case expired:
			out = append(out, schemas.Finding{File: tree.ConfigFile, Line: w.Line, Event: w.Event, Version: w.Version, Path: w.Path,
				Rule: RuleWaiverExpired, Severity: schemas.Error,
				Message: fmt.Sprintf("the %s expired on %s (it matches %d finding(s)): fix them, or renew the waiver with a new date", what, w.Expires, matched)})
		case matched == 0:
			out = append(out, schemas.Finding{File: tree.ConfigFile, Line: w.Line, Event: w.Event, Version: w.Version, Path: w.Path,
				Rule: RuleWaiverUnused, Severity: schemas.Warning,
				Message: fmt.Sprintf("the %s matches no finding: remove it", what)})
		}
	}
	return out
}

func orAny(path string) string {
	if path == "" {
		return "any path"
	}
	return strconv.Quote(path)
}
