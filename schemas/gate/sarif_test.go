package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/edactl/edactl/schemas"
)

// sarifTree is a tree with a fixable break, a waived break, an unused
// waiver and a lint warning.
func sarifTree(t *testing.T) *schemas.Tree {
	t.Helper()
	v1 := `{"type": "record", "name": "OrderPlaced", "x-eda-key": "orderId", "x-eda-topic": "orders.placed",
 "fields": [{"name": "orderId", "type": "string"}, {"name": "qty", "type": "long"}]}`
	v2 := `{"type": "record", "name": "OrderPlaced", "x-eda-key": "orderId", "x-eda-topic": "orders.placed",
 "fields": [{"name": "orderId", "type": "string"}, {"name": "qty", "type": "int"},
  {"name": "note", "type": "string"}]}`
	cfg := `waivers:
  - {event: orders/order-placed, version: 2, path: OrderPlaced.qty, rule: TYPE_MISMATCH, reason: "counts stay small", owner: team-orders, expires: 2099-12-31}
  - {event: orders/order-placed, version: 1, rule: TYPE_MISMATCH, reason: "nothing", owner: team-orders, expires: 2099-12-31}
`
	fsys := fstest.MapFS{
		"edactl.yaml":                         {Data: []byte(cfg)},
		"schemas/orders/order-placed/v1.avsc": {Data: []byte(v1)},
		"schemas/orders/order-placed/v2.avsc": {Data: []byte(v2)},
	}
	tree, err := schemas.LoadFS(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestSARIFValidatesAgainstTheSchema checks a real report's SARIF against
// the SARIF 2.1.0 JSON schema in testdata, and what the log says: rule
// metadata, file and line, the waiver as a suppression, fixes as byte
// replacements.
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	tree := sarifTree(t)
	report, err := Check(context.Background(), tree, Options{Now: func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteReport(&b, report, "sarif"); err != nil {
		t.Fatal(err)
	}
	sch := compileSARIFSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF output does not validate: %v\n%s", err, b.String())
	}

	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Name != "edactl" {
		t.Errorf("version %q, driver %q", log.Version, run.Tool.Driver.Name)
	}
	if len(run.Results) != len(report.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(report.Findings))
	}
	byRule := map[string]sarifResult{}
	for _, r := range run.Results {
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("result %s points at rule %s", r.RuleID, got)
		}
		byRule[r.RuleID] = r
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.FullDescription.Text == rule.ID {
			t.Errorf("rule %s has no purpose", rule.ID)
		}
	}
	tm := byRule["TYPE_MISMATCH"]
	if len(tm.Suppressions) != 1 || tm.Suppressions[0].Justification != "counts stay small" || tm.Suppressions[0].Status != "accepted" {
		t.Errorf("waived finding: suppressions %+v", tm.Suppressions)
	}
	md := byRule["READER_FIELD_MISSING_DEFAULT_VALUE"]
	loc := md.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "schemas/orders/order-placed/v2.avsc" || loc.Region == nil || loc.Region.StartLine != 3 {
		t.Errorf("location %+v %+v", loc.ArtifactLocation, loc.Region)
	}
	if len(md.Fixes) != 1 || !strings.Contains(md.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text, `"default": ""`) {
		t.Errorf("fix: %+v", md.Fixes)
	}
	if _, ok := byRule[RuleWaiverUnused]; !ok {
		t.Errorf("no %s result", RuleWaiverUnused)
	}
}

// TestSARIFSchemaRejects makes sure the validation above can fail: logs
// that break the schema are refused.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	for name, doc := range map[string]string{
		"no version":     `{"runs": []}`,
		"wrong version":  `{"version": "2.0.0", "runs": []}`,
		"level":          `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
		"zero startLine": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}]}]}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
