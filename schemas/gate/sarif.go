package gate

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
)

// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the
// subset code-scanning tools read: one run, the tool's rules with their
// purpose, and one result per finding with its file, line, logical
// location (the field path), suppression (a waiver) and fix.

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// sarifInfoURI is where people read about the tool.
	sarifInfoURI = "https://github.com/edactl/edactl"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	ColumnKind string         `json:"columnKind"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           map[string]any  `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Fixes        []sarifFix         `json:"fixes,omitempty"`
	Properties   map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical     `json:"physicalLocation"`
	LogicalLocations []sarifLogicalLoc `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int  `json:"startLine,omitempty"`
	StartColumn int  `json:"startColumn,omitempty"`
	ByteOffset  *int `json:"byteOffset,omitempty"`
	ByteLength  *int `json:"byteLength,omitempty"`
}

type sarifLogicalLoc struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status"`
	Justification string         `json:"justification"`
	Properties    map[string]any `json:"properties,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion  `json:"deletedRegion"`
	InsertedContent *sarifInsert `json:"insertedContent,omitempty"`
}

type sarifInsert struct {
	Text string `json:"text"`
}

// rulePurposes maps every rule id edactl reports to its purpose.
func rulePurposes() map[string]string {
	m := map[string]string{}
	for _, r := range compat.Rules {
		m[string(r.ID)] = r.Purpose
	}
	for _, r := range schemas.TreeRules {
		m[r.ID] = r.Purpose
	}
	for _, r := range schemas.LintRules {
		m[r.ID] = r.Purpose
	}
	for _, r := range BaselineRules {
		m[r.ID] = r.Purpose
	}
	for _, r := range WaiverRules {
		m[r.ID] = r.Purpose
	}
	return m
}

// sarifURI is a finding's file as a relative URI reference (slashes kept,
// other reserved characters escaped).
func sarifURI(file string) string {
	parts := strings.Split(file, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func sarifLevel(s schemas.Severity) string {
	if s == schemas.Error {
		return "error"
	}
	return "warning"
}

// writeSARIF writes the report as a SARIF 2.1.0 log: file paths are
// relative to the directory edactl ran in (uriBaseId %SRCROOT%), waived
// findings carry an accepted external suppression with the waiver's
// reason, and suggested fixes are SARIF fixes (byte-range replacements).
func writeSARIF(w io.Writer, r *Report) error {
	purposes := rulePurposes()
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "edactl", InformationURI: sarifInfoURI, Rules: []sarifRule{}}},
		Results:    []sarifResult{},
		ColumnKind: "unicodeCodePoints",
	}
	index := map[string]int{}
	for _, f := range r.Findings {
		i, ok := index[f.Rule]
		if !ok {
			purpose := purposes[f.Rule]
			if purpose == "" {
				purpose = f.Rule
			}
			short := purpose
			if j := strings.IndexAny(short, ":;("); j > 0 {
				short = strings.TrimSpace(short[:j])
			}
			rule := sarifRule{ID: f.Rule, ShortDescription: sarifText{short}, FullDescription: sarifText{purpose},
				DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(f.Severity)}}
			if f.Rule == strings.ToLower(f.Rule) {
				rule.Properties = map[string]any{"tags": []string{"lint"}}
			} else if purposes[f.Rule] != "" {
				rule.Properties = map[string]any{"tags": []string{"compatibility"}}
			}
			i = len(run.Tool.Driver.Rules)
			index[f.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		}
		msg := f.Message
		if f.Subject != "" {
			msg = f.Subject + ": " + msg
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: sarifURI(f.File), URIBaseID: "%SRCROOT%"}}}
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		if f.Path != "" {
			loc.LogicalLocations = []sarifLogicalLoc{{FullyQualifiedName: f.Path, Kind: "member"}}
		}
		res := sarifResult{RuleID: f.Rule, RuleIndex: i, Level: sarifLevel(f.Severity), Message: sarifText{msg}, Locations: []sarifLocation{loc}}
		if wv := f.Waived; wv != nil {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: wv.Reason,
				Properties: map[string]any{"owner": wv.Owner, "expires": wv.Expires}}}
		}
		for fx := f.Fix; fx != nil; fx = fx.Alternative {
			off, length := fx.Offset, fx.Length
			res.Fixes = append(res.Fixes, sarifFix{Description: sarifText{fx.Description}, ArtifactChanges: []sarifArtifactChange{{
				ArtifactLocation: sarifArtifactLoc{URI: sarifURI(fx.File), URIBaseID: "%SRCROOT%"},
				Replacements: []sarifReplacement{{DeletedRegion: sarifRegion{ByteOffset: &off, ByteLength: &length},
					InsertedContent: &sarifInsert{Text: fx.Text}}},
			}}})
		}
		run.Results = append(run.Results, res)
	}
	if r.Baseline != "" {
		run.Properties = map[string]any{"baseline": r.Baseline, "hiddenByBaseline": r.Hidden}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
