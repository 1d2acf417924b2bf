package main

import (
	"github.com/edactl/edactl/internal/connect"
	"maps"
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

// setting is one connection setting (connect.Settings holds the table).
type setting = connect.Setting

// settingByKey returns the setting named key.
func settingByKey(key string) (setting, bool) { return connect.Lookup(key) }

// settingKeys returns the keys of the connection settings, in table order.
func settingKeys() []string { return connect.Keys() }

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
	for _, s := range connect.Settings {
		usage := s.Usage + " (env " + s.Env + ")"
		switch {
		case s.Bool:
			g.flags.bools[s.Key] = fs.Bool(s.Flag, s.Default == "true", usage)
		case s.Key == "registry":
			fs.StringVar(&g.Registry, s.Flag, s.Default, usage)
			g.flags.strs[s.Key] = &g.Registry
		case s.Key == "brokers":
			fs.StringVar(&g.Brokers, s.Flag, s.Default, usage)
			g.flags.strs[s.Key] = &g.Brokers
		default:
			g.flags.strs[s.Key] = fs.String(s.Flag, s.Default, usage)
		}
	}
}

// flagValue returns the value of s's flag as given on the command line.
func (f settingFlags) flagValue(s setting) string {
	if s.Bool {
		return strconv.FormatBool(*f.bools[s.Key])
	}
	return *f.strs[s.Key]
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
	for _, s := range connect.Settings {
		var v, src string
		switch {
		case flags.Changed(s.Flag):
			v, src = g.flags.flagValue(s), "flag --"+s.Flag
		case g.getenv(s.Env) != "":
			v, src = g.getenv(s.Env), "env "+s.Env
		case context[s.Key] != "":
			v, src = context[s.Key], "context "+g.context.name
		case file[s.Key] != "":
			v, src = file[s.Key], g.ConfigPath
		default:
			v, src = s.Default, "default"
		}
		if s.Bool {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return usageErrorf("%s (%s): %q is not true or false", s.Key, src, v)
			}
			v = strconv.FormatBool(b)
		}
		g.values[s.Key], g.sources[s.Key] = v, src
	}
	g.Registry, g.Brokers = g.values["registry"], g.values["brokers"]
	return nil
}

// setting returns the resolved value of the connection setting key.
// registry and brokers are g.Registry and g.Brokers, which a command may
// have changed after resolve.
func (g *globals) setting(key string) string {
	switch key {
	case "registry":
		return g.Registry
	case "brokers":
		return g.Brokers
	}
	if _, ok := settingByKey(key); !ok {
		panic("edactl: no connection setting " + key) // a programming error, caught by every test
	}
	return g.values[key]
}

// settingOn reports whether the boolean connection setting key is true.
func (g *globals) settingOn(key string) bool { return g.setting(key) == "true" }

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
	if s.Secret && v != "" {
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
