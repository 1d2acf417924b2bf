package gate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/edactl/edactl/schemas"
)

func sampleReport() *Report {
	return &Report{
		Against: []string{"local"}, Events: 1, Versions: 2, Errors: 1, Warnings: 1,
		Files:    []string{"s/a/b/v1.avsc", "s/a/b/v2.avsc"},
		Subjects: map[string]string{"s/a/b/v1.avsc": "b-value", "s/a/b/v2.avsc": "b-value"},
		Findings: []schemas.Finding{
			{File: "s/a/b/v2.avsc", Line: 3, Column: 2, Subject: "b-value", Path: "B.x", Rule: "TYPE_MISMATCH", Severity: schemas.Error,
				Message: "100% wrong: a, b\nnext line <&>"},
			{File: "edactl.yaml", Line: 4, Rule: "command-publishing", Severity: schemas.Warning, Message: "two consumers"},
		},
	}
}

func TestGitHubEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReport(&b, sampleReport(), "github"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines (one per finding + summary), got %q", b.String())
	}
	if want := "::error file=s/a/b/v2.avsc,line=3,col=2,title=TYPE_MISMATCH in b-value::B.x: 100%25 wrong: a, b%0Anext line <&>"; lines[0] != want {
		t.Errorf("got  %s\nwant %s", lines[0], want)
	}
	if want := "::warning file=edactl.yaml,line=4,title=command-publishing::two consumers"; lines[1] != want {
		t.Errorf("got  %s\nwant %s", lines[1], want)
	}
}

func TestJUnitAndJSONAreValid(t *testing.T) {
	var b bytes.Buffer
	if err := WriteReport(&b, sampleReport(), "junit"); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, b.String())
	}
	if suites.Tests != 3 || suites.Failures != 1 || len(suites.Suites) != 2 {
		t.Errorf("suites: %+v", suites)
	}
	if f := suites.Suites[0].Cases[1].Failures; len(f) != 1 || !strings.Contains(f[0].Text, "next line <&>") {
		t.Errorf("failure text lost: %+v", suites.Suites[0])
	}
	b.Reset()
	if err := WriteReport(&b, sampleReport(), "json"); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Findings) != 2 || back.Findings[0].Column != 2 {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
	if err := WriteReport(&b, sampleReport(), "yaml"); err == nil {
		t.Error("unknown format: want an error")
	}
}

func TestSameSchema(t *testing.T) {
	a := []byte(`{"type":"record","name":"A","namespace":"n","fields":[{"name":"x","type":{"type":"string"},"doc":"d"}]}`)
	for _, tt := range []struct {
		b    string
		want bool
	}{
		{`{"name":"A", "type":"record","namespace":"n","fields":[{"doc":"d","name":"x","type":{"type":"string"}}]}`, true},
		{`{"type":"record","name":"n.A","fields":[{"name":"x","type":"string","doc":"d"}]}`, true},
		{`{"type":"record","name":"A","namespace":"n","fields":[{"name":"x","type":"string","doc":"changed"}]}`, false},
		{`{"type":"record","name":"A","namespace":"n","fields":[{"name":"x","type":"string","doc":"d","default":""}]}`, false},
		{`not json`, false},
	} {
		if got := sameSchema(a, []byte(tt.b)); got != tt.want {
			t.Errorf("sameSchema(%s) = %v", tt.b, got)
		}
	}
	if firstDiffLine([]byte("a\nb\nc"), []byte("a\nx\nc")) != 2 || firstDiffLine([]byte("a\nb\nc"), []byte("a\nb")) != 3 || firstDiffLine([]byte("a"), []byte("a\nb")) != 1 {
		t.Error("firstDiffLine")
	}
}
