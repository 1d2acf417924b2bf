package schemas

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the name of the project configuration file edactl looks for
// in the current directory.
const ConfigFile = "edactl.yaml"

// Config is the content of edactl.yaml. Unknown keys are an error, reported
// with their line, so a typo never silently changes behaviour.
type Config struct {
	// Registry is the schema registry URL.
	Registry string `yaml:"registry,omitempty"`
	// Brokers is the Kafka bootstrap list, comma separated.
	Brokers string `yaml:"brokers,omitempty"`
	// SchemasDir is the root of the schema tree (default "schemas").
	SchemasDir string `yaml:"schemas,omitempty"`
	// SubjectStrategy names Confluent's subject naming strategy:
	// "topic" (default), "record" or "topic-record".
	SubjectStrategy string `yaml:"subject_strategy,omitempty"`
	// Compatibility is the default compatibility level (default BACKWARD).
	Compatibility string `yaml:"compatibility,omitempty"`
	// Events holds per-event settings keyed by "<domain>/<event>" folder path.
	Events map[string]EventConfig `yaml:"events,omitempty"`
	// Lint configures the event-design lint rules.
	Lint LintConfig `yaml:"lint,omitempty"`
	// Gen configures code generation.
	Gen GenConfig `yaml:"gen,omitempty"`
}

// EventConfig overrides project defaults for one event.
type EventConfig struct {
	Compatibility string   `yaml:"compatibility,omitempty"`
	Topic         string   `yaml:"topic,omitempty"`
	Subject       string   `yaml:"subject,omitempty"`
	Producers     []string `yaml:"producers,omitempty"`
	Consumers     []string `yaml:"consumers,omitempty"`
}

// LintConfig selects lint rules.
type LintConfig struct {
	// Disable lists rule ids that are not run.
	Disable []string `yaml:"disable,omitempty"`
}

// GenConfig configures `edactl gen`.
type GenConfig struct {
	Go GoGenConfig `yaml:"go,omitempty"`
}

// GoGenConfig configures `edactl gen go`.
type GoGenConfig struct {
	// Out is the output directory.
	Out string `yaml:"out,omitempty"`
	// Package is the Go package name of the generated code.
	Package string `yaml:"package,omitempty"`
}

// LoadConfig reads and strictly decodes the configuration file at path.
// A missing file gives an error wrapping os.ErrNotExist.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig strictly decodes edactl.yaml content.
func ParseConfig(data []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &cfg, nil
}
