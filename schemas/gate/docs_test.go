package gate

import (
	"os"
	"strings"
	"testing"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
)

// docs/schema-tree.md documents every rule the gate can report.
func TestDocsListEveryRule(t *testing.T) {
	data, err := os.ReadFile("../../docs/schema-tree.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var ids []string
	for _, r := range schemas.TreeRules {
		ids = append(ids, r.ID)
	}
	ids = append(ids, schemas.LintRuleIDs()...)
	for _, r := range BaselineRules {
		ids = append(ids, r.ID)
	}
	for _, r := range WaiverRules {
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		if !strings.Contains(doc, "`"+id+"`") {
			t.Errorf("docs/schema-tree.md does not document rule %s", id)
		}
	}
}

// docs/schema-tree.md documents every kind of suggested fix.
func TestDocsListEveryFixKind(t *testing.T) {
	data, err := os.ReadFile("../../docs/schema-tree.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range compat.FixKinds {
		if !strings.Contains(string(data), "| `"+string(k.Kind)+"` |") {
			t.Errorf("docs/schema-tree.md does not document fix kind %s", k.Kind)
		}
	}
}
