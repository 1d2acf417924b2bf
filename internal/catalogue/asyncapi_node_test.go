package catalogue

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const npmDir = "testdata/npm"

// TestAsyncAPIValidWithAsyncAPIParser validates the sample catalogue's
// AsyncAPI document with the AsyncAPI Initiative's own parser
// (@asyncapi/parser, pinned in testdata/npm/package-lock.json and installed
// by .ci/run), then every Avro payload with @asyncapi/avro-schema-parser:
// a third party's reading of the document, not ours. It skips, saying
// why, where Node or the packages are absent.
func TestAsyncAPIValidWithAsyncAPIParser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed, so the AsyncAPI document is not checked by @asyncapi/parser (.ci/run installs it)")
	}
	for _, pkg := range []string{"@asyncapi/parser", "@asyncapi/avro-schema-parser", "js-yaml"} {
		if _, err := os.Stat(filepath.Join(npmDir, "node_modules", pkg, "package.json")); err != nil {
			t.Skipf("%s is not installed (run `npm ci` in internal/catalogue/%s, as .ci/run does): %v", pkg, npmDir, err)
		}
	}
	tree := sampleTree(t)
	files, err := Generate(tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "asyncapi.yaml")
	if err := os.WriteFile(doc, files["asyncapi.yaml"], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "validate.mjs", doc)
	cmd.Dir = npmDir
	out, runErr := cmd.Output()
	var res struct {
		Errors []struct {
			Code, Message, Path string
		} `json:"errors"`
		Warnings   []json.RawMessage `json:"warnings"`
		Channels   int               `json:"channels"`
		Operations int               `json:"operations"`
		Messages   int               `json:"messages"`
		Avro       int               `json:"avro"`
		Version    string            `json:"version"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		var stderr []byte
		if ee, ok := runErr.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("validate.mjs: %v %v\nstdout: %s\nstderr: %s", runErr, err, out, stderr)
	}
	for _, e := range res.Errors {
		t.Errorf("@asyncapi/parser: %s: %s (%s)", e.Path, e.Message, e.Code)
	}
	if runErr != nil && len(res.Errors) == 0 {
		t.Errorf("validate.mjs failed: %v", runErr)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("@asyncapi/parser warnings: %s", res.Warnings)
	}
	// What the parser read must be the whole catalogue.
	topics := map[string]bool{}
	ops := map[string]bool{}
	for _, e := range tree.Events {
		topics[e.Topic] = true
		for _, p := range e.Producers {
			ops["send "+p+" "+e.Topic] = true
		}
		for _, c := range e.Consumers {
			ops["receive "+c+" "+e.Topic] = true
		}
	}
	if res.Version != "3.0.0" || res.Channels != len(topics) || res.Operations != len(ops) ||
		res.Messages != tree.NumVersions() || res.Avro != tree.NumVersions() {
		t.Errorf("parser read version %q, %d channels, %d operations, %d messages (%d Avro payloads checked); want 3.0.0, %d, %d, %d, %d",
			res.Version, res.Channels, res.Operations, res.Messages, res.Avro, len(topics), len(ops), tree.NumVersions(), tree.NumVersions())
	}
}
