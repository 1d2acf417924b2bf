package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Connection settings. Each one has one name everywhere: the key in a
// context and under edactl.yaml's connection: (kafka_sasl_mechanism), the
// environment variable (EDACTL_KAFKA_SASL_MECHANISM) and the global flag
// (--kafka-sasl-mechanism). resolve applies the precedence edactl.yaml <
// context < environment < flags to every one of them the same way, and
// records where each value came from for `edactl config`. The client
// constructors in clients.go are their only readers (through
// globals.clientOptions).

// setting is one connection setting.
type setting struct {
	key    string // context and edactl.yaml key, the name `edactl config` shows
	flag   string // global flag name
	env    string // environment variable
	def    string // default value
	secret bool   // never shown: `edactl config` says only whether it is set
	isBool bool   // a flag without a value (--kafka-tls); "true" or "false"
	usage  string
}

// connectionSettings is the table of connection settings, in the order
// `edactl config` lists them. registry and brokers are edactl.yaml's
// top-level keys; the others live under its connection: key.
var connectionSettings = []setting{
	{key: "registry", flag: "registry", env: "EDACTL_REGISTRY", def: defaultReg, usage: "schema registry URL, comma separated for several"},
	{key: "brokers", flag: "brokers", env: "EDACTL_BROKERS", def: defaultBrok, usage: "Kafka bootstrap brokers, comma separated"},

	{key: "registry_user", flag: "user", env: "EDACTL_REGISTRY_USER", usage: "registry HTTP basic auth user"},
	{key: "registry_password", flag: "password", env: "EDACTL_REGISTRY_PASSWORD", secret: true, usage: "registry HTTP basic auth password (prefer the environment or --registry-password-file)"},
	{key: "registry_password_file", flag: "registry-password-file", env: "EDACTL_REGISTRY_PASSWORD_FILE", usage: "file holding the registry password"},
	{key: "registry_token", flag: "token", env: "EDACTL_REGISTRY_TOKEN", secret: true, usage: "registry bearer token (prefer the environment or --registry-token-file)"},
	{key: "registry_token_file", flag: "registry-token-file", env: "EDACTL_REGISTRY_TOKEN_FILE", usage: "file holding the registry bearer token, read at every request"},
	{key: "registry_ca_file", flag: "registry-ca-file", env: "EDACTL_REGISTRY_CA_FILE", usage: "PEM CA certificates the registry's certificate must chain to"},
	{key: "registry_cert_file", flag: "registry-cert-file", env: "EDACTL_REGISTRY_CERT_FILE", usage: "PEM client certificate for the registry (mTLS)"},
	{key: "registry_key_file", flag: "registry-key-file", env: "EDACTL_REGISTRY_KEY_FILE", usage: "PEM private key of --registry-cert-file"},
	{key: "registry_insecure_skip_verify", flag: "registry-insecure-skip-verify", env: "EDACTL_REGISTRY_INSECURE_SKIP_VERIFY", isBool: true, def: "false", usage: "do not verify the registry's certificate (warns; for tests only)"},

	{key: "kafka_tls", flag: "kafka-tls", env: "EDACTL_KAFKA_TLS", isBool: true, def: "false", usage: "connect to the brokers with TLS (implied by the other --kafka-* TLS settings)"},
	{key: "kafka_ca_file", flag: "kafka-ca-file", env: "EDACTL_KAFKA_CA_FILE", usage: "PEM CA certificates the brokers' certificates must chain to"},
	{key: "kafka_cert_file", flag: "kafka-cert-file", env: "EDACTL_KAFKA_CERT_FILE", usage: "PEM client certificate for the brokers (mTLS)"},
	{key: "kafka_key_file", flag: "kafka-key-file", env: "EDACTL_KAFKA_KEY_FILE", usage: "PEM private key of --kafka-cert-file"},
	{key: "kafka_server_name", flag: "kafka-server-name", env: "EDACTL_KAFKA_SERVER_NAME", usage: "name the brokers' certificates must carry (default: each broker's host)"},
	{key: "kafka_insecure_skip_verify", flag: "kafka-insecure-skip-verify", env: "EDACTL_KAFKA_INSECURE_SKIP_VERIFY", isBool: true, def: "false", usage: "do not verify the brokers' certificates (warns; for tests only)"},
	{key: "kafka_sasl_mechanism", flag: "kafka-sasl-mechanism", env: "EDACTL_KAFKA_SASL_MECHANISM", usage: "SASL mechanism: " + strings.Join(saslMechanisms, ", ")},
	{key: "kafka_sasl_user", flag: "kafka-sasl-user", env: "EDACTL_KAFKA_SASL_USER", usage: "SASL user (AWS_MSK_IAM: the access key id, default AWS_ACCESS_KEY_ID)"},
	{key: "kafka_sasl_password", flag: "kafka-sasl-password", env: "EDACTL_KAFKA_SASL_PASSWORD", secret: true, usage: "SASL password (AWS_MSK_IAM: the secret key); prefer the environment or --kafka-sasl-password-file"},
	{key: "kafka_sasl_password_file", flag: "kafka-sasl-password-file", env: "EDACTL_KAFKA_SASL_PASSWORD_FILE", usage: "file holding the SASL password"},
	{key: "kafka_sasl_token", flag: "kafka-sasl-token", env: "EDACTL_KAFKA_SASL_TOKEN", secret: true, usage: "OAUTHBEARER token (AWS_MSK_IAM: the session token)"},
	{key: "kafka_sasl_token_file", flag: "kafka-sasl-token-file", env: "EDACTL_KAFKA_SASL_TOKEN_FILE", usage: "file holding the OAUTHBEARER token, read again at every authentication"},
}

// settingByKey returns the setting named key.
func settingByKey(key string) (setting, bool) {
	for _, s := range connectionSettings {
		if s.key == key {
			return s, true
		}
	}
	return setting{}, false
}

// settingKeys returns the keys of the connection settings, in table order.
func settingKeys() []string {
	keys := make([]string, len(connectionSettings))
	for i, s := range connectionSettings {
		keys[i] = s.key
	}
	return keys
}

// settingFlags are the global flags of the connection settings; their
// values are read only when the flag was given (pflag's Changed).
type settingFlags struct {
	strs  map[string]*string
	bools map[string]*bool
}

// addSettingFlags registers the connection settings' global flags on fs.
// registry and brokers write into g.Registry and g.Brokers, which commands
// read after resolve.
func addSettingFlags(fs *pflag.FlagSet, g *globals) {
	g.flags = settingFlags{strs: map[string]*string{}, bools: map[string]*bool{}}
	for _, s := range connectionSettings {
		usage := s.usage + " (env " + s.env + ")"
		switch {
		case s.isBool:
			g.flags.bools[s.key] = fs.Bool(s.flag, s.def == "true", usage)
		case s.key == "registry":
			fs.StringVar(&g.Registry, s.flag, s.def, usage)
			g.flags.strs[s.key] = &g.Registry
		case s.key == "brokers":
			fs.StringVar(&g.Brokers, s.flag, s.def, usage)
			g.flags.strs[s.key] = &g.Brokers
		default:
			g.flags.strs[s.key] = fs.String(s.flag, s.def, usage)
		}
	}
}

// flagValue returns the value of s's flag as given on the command line.
func (f settingFlags) flagValue(s setting) string {
	if s.isBool {
		return strconv.FormatBool(*f.bools[s.key])
	}
	return *f.strs[s.key]
}

// resolveSettings applies edactl.yaml < context < environment < flags to
// every connection setting and records each one's source.
func (g *globals) resolveSettings(flags *pflag.FlagSet) error {
	g.values = map[string]string{}
	var file map[string]string
	if g.Config != nil {
		file = map[string]string{}
		for k, v := range g.Config.Connection {
			if _, ok := settingByKey(k); !ok || k == "registry" || k == "brokers" {
				return usageErrorf("%s:%d: unknown key %q in connection (known keys: %s)", g.ConfigPath,
					g.Config.Line("connection", k), k, strings.Join(settingKeys()[2:], ", "))
			}
			file[k] = v
		}
		file["registry"], file["brokers"] = g.Config.Registry, g.Config.Brokers
	}
	var context map[string]string
	if g.context != nil {
		context = g.context.settings
	}
	for _, s := range connectionSettings {
		var v, src string
		switch {
		case flags.Changed(s.flag):
			v, src = g.flags.flagValue(s), "flag --"+s.flag
		case g.getenv(s.env) != "":
			v, src = g.getenv(s.env), "env "+s.env
		case context[s.key] != "":
			v, src = context[s.key], "context "+g.context.name
		case file[s.key] != "":
			v, src = file[s.key], g.ConfigPath
		default:
			v, src = s.def, "default"
		}
		if s.isBool {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return usageErrorf("%s (%s): %q is not true or false", s.key, src, v)
			}
			v = strconv.FormatBool(b)
		}
		g.values[s.key], g.sources[s.key] = v, src
	}
	g.Registry, g.Brokers = g.values["registry"], g.values["brokers"]
	return nil
}

// setting returns the resolved value of the connection setting key.
func (g *globals) setting(key string) string {
	if _, ok := settingByKey(key); !ok {
		panic("edactl: no connection setting " + key) // a programming error, caught by every test
	}
	return g.values[key]
}

// settingOn reports whether the boolean connection setting key is true.
func (g *globals) settingOn(key string) bool { return g.setting(key) == "true" }

// readSecretFile reads a secret from path, named by flag in errors; the
// trailing newline is dropped. An empty file is an error.
func readSecretFile(path, flag string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return "", usageErrorf("--%s: %w", flag, err)
		}
		return "", fmt.Errorf("--%s: %w", flag, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", usageErrorf("--%s: %s is empty", flag, path)
	}
	return s, nil
}

// mustSetting returns the setting named key, which the table has.
func mustSetting(key string) setting {
	s, ok := settingByKey(key)
	if !ok {
		panic("edactl: no connection setting " + key) // a programming error
	}
	return s
}

// shownValue is how `edactl config` shows the value of s: a secret only
// as set or not.
func shownValue(s setting, v string) string {
	if s.secret && v != "" {
		return "(set, hidden)"
	}
	return v
}

// validContextKeys checks the keys of a context, named where, against the
// table.
func validContextKeys(where string, m map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, ok := settingByKey(k); !ok {
			return usageErrorf("%s: unknown key %q (known keys: %s)", where, k, strings.Join(settingKeys(), ", "))
		}
	}
	return nil
}
