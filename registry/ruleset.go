package registry

import (
	"slices"
	"strings"
)

// RuleSet is Confluent's data-contract rule set. A registration's rule set
// is validated and then dropped, as Confluent's community edition does.
type RuleSet struct {
	MigrationRules []Rule `json:"migrationRules,omitempty"`
	DomainRules    []Rule `json:"domainRules,omitempty"`
}

// Rule is one data-contract rule.
type Rule struct {
	Name      string            `json:"name"`
	Doc       string            `json:"doc,omitempty"`
	Kind      string            `json:"kind"`
	Mode      string            `json:"mode"`
	Type      string            `json:"type"`
	Tags      []string          `json:"tags,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	Expr      string            `json:"expr,omitempty"`
	OnSuccess string            `json:"onSuccess,omitempty"`
	OnFailure string            `json:"onFailure,omitempty"`
	Disabled  bool              `json:"disabled,omitempty"`
}

// validate checks a rule set the way Confluent does before it accepts one
// (42210): every rule named once, with a known kind and mode and a type.
func (rs *RuleSet) validate() error {
	if rs == nil {
		return nil
	}
	names := map[string]bool{}
	check := func(list string, rules []Rule) error {
		for i, r := range rules {
			switch {
			case r.Name == "":
				return newErr(CodeInvalidRuleSet, "Invalid rule set: %s[%d] has no name", list, i)
			case names[r.Name]:
				return newErr(CodeInvalidRuleSet, "Invalid rule set: duplicate rule name %q", r.Name)
			case !slices.Contains([]string{"TRANSFORM", "CONDITION"}, strings.ToUpper(r.Kind)):
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has kind %q (want TRANSFORM or CONDITION)", r.Name, r.Kind)
			case !slices.Contains([]string{"UPGRADE", "DOWNGRADE", "UPDOWN", "WRITE", "READ", "WRITEREAD"}, strings.ToUpper(r.Mode)):
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has mode %q (want UPGRADE, DOWNGRADE, UPDOWN, WRITE, READ or WRITEREAD)", r.Name, r.Mode)
			case r.Type == "":
				return newErr(CodeInvalidRuleSet, "Invalid rule set: rule %q has no type", r.Name)
			}
			names[r.Name] = true
		}
		return nil
	}
	if err := check("migrationRules", rs.MigrationRules); err != nil {
		return err
	}
	return check("domainRules", rs.DomainRules)
}
