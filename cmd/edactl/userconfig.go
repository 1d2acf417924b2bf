package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// The user config file holds named contexts: the brokers, registry and
// security settings of one cluster each, as kubectl's kubeconfig and
// kafkactl's config do. It lives in the XDG config directory,
// $XDG_CONFIG_HOME/edactl/config.yaml (default ~/.config/edactl/config.yaml),
// or where EDACTL_USER_CONFIG says:
//
//	current_context: prod
//	contexts:
//	  prod:
//	    brokers: kafka-1.example.com:9093
//	    registry: https://registry.example.com
//	    kafka_sasl_mechanism: SCRAM-SHA-512
//	    kafka_sasl_user: svc-orders
//	    kafka_sasl_password_file: /run/secrets/kafka
//
// A context's keys are the connection settings' keys (settings.go).

// userConfigName is the file's name inside the edactl config directory.
const userConfigName = "config.yaml"

// userConfig is the user config file.
type userConfig struct {
	CurrentContext string                       `yaml:"current_context,omitempty"`
	Contexts       map[string]map[string]string `yaml:"contexts,omitempty"`
}

// activeContext is the context a command runs with.
type activeContext struct {
	name     string
	source   string // "flag --context", "env EDACTL_CONTEXT" or the file's current_context
	settings map[string]string
}

// userConfigPath returns the path of the user config file: EDACTL_USER_CONFIG,
// else $XDG_CONFIG_HOME/edactl/config.yaml, else
// $HOME/.config/edactl/config.yaml; "" when none of them is set.
func (g *globals) userConfigPath() string {
	if p := g.getenv("EDACTL_USER_CONFIG"); p != "" {
		return p
	}
	if x := g.getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "edactl", userConfigName)
	}
	if h := g.getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "edactl", userConfigName)
	}
	return ""
}

// loadUserConfig reads the user config file at path; a missing file is an
// empty config. Unknown keys, in the file or in a context, are errors
// naming the file.
func loadUserConfig(path string) (*userConfig, error) {
	uc := &userConfig{}
	if path == "" {
		return uc, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return uc, nil
	}
	if err != nil {
		return nil, usageErrorf("user config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(uc); err != nil && !errors.Is(err, io.EOF) {
		return nil, usageErrorf("user config %s: %w", path, err)
	}
	for name, c := range uc.Contexts {
		if err := validContextKeys(fmt.Sprintf("user config %s: context %q", path, name), c); err != nil {
			return nil, err
		}
	}
	return uc, nil
}

// save writes the user config file at path, readable by its owner only
// (a context may hold a password), creating its directory.
func (uc *userConfig) save(path string) error {
	if path == "" {
		return usageErrorf("no user config file: set XDG_CONFIG_HOME, HOME or EDACTL_USER_CONFIG")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("user config: %w", err)
	}
	data, err := yaml.Marshal(uc)
	if err != nil {
		return fmt.Errorf("user config: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("user config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("user config: %w", err)
	}
	return nil
}

// selectContext picks the context of the command being run: --context,
// else EDACTL_CONTEXT, else the file's current_context; none when none is
// named. A named context that the file does not hold is a configuration
// error.
func (g *globals) selectContext(flagGiven bool) error {
	g.context = nil
	path := g.userConfigPath()
	uc, err := loadUserConfig(path)
	if err != nil {
		return err
	}
	name, source := g.ContextName, "flag --context"
	switch {
	case flagGiven:
	case g.getenv("EDACTL_CONTEXT") != "":
		name, source = g.getenv("EDACTL_CONTEXT"), "env EDACTL_CONTEXT"
	case uc.CurrentContext != "":
		name, source = uc.CurrentContext, "current_context in "+path
	default:
		return nil
	}
	settings, ok := uc.Contexts[name]
	if !ok && g.contextCommand {
		return nil // `edactl context` repairs what points nowhere
	}
	if !ok {
		where := path
		if where == "" {
			where = "(no user config file)"
		}
		return usageErrorf("context %q (%s) is not in %s; see edactl context list", name, source, where)
	}
	g.context = &activeContext{name: name, source: source, settings: settings}
	return nil
}
