package connect

import "strings"

// Setting is one connection setting. It has one name everywhere: Key in a
// context and under edactl.yaml's connection: (kafka_sasl_mechanism), Env
// (EDACTL_KAFKA_SASL_MECHANISM) and the global Flag
// (--kafka-sasl-mechanism).
type Setting struct {
	Key     string // context and edactl.yaml key, the name `edactl config` shows
	Flag    string // global flag name
	Env     string // environment variable
	Default string // default value
	Secret  bool   // never shown: `edactl config` says only whether it is set
	Bool    bool   // a flag without a value (--kafka-tls); "true" or "false"
	Usage   string
}

// Settings is the table of connection settings, in the order `edactl
// config` lists them. registry and brokers are edactl.yaml's top-level
// keys; the others live under its connection: key.
var Settings = []Setting{
	{Key: "registry", Flag: "registry", Env: "EDACTL_REGISTRY", Default: "http://127.0.0.1:8081", Usage: "schema registry URL, comma separated for several"},
	{Key: "brokers", Flag: "brokers", Env: "EDACTL_BROKERS", Default: "127.0.0.1:9092", Usage: "Kafka bootstrap brokers, comma separated"},

	{Key: "registry_user", Flag: "user", Env: "EDACTL_REGISTRY_USER", Usage: "registry HTTP basic auth user"},
	{Key: "registry_password", Flag: "password", Env: "EDACTL_REGISTRY_PASSWORD", Secret: true, Usage: "registry HTTP basic auth password (prefer the environment or --registry-password-file)"},
	{Key: "registry_password_file", Flag: "registry-password-file", Env: "EDACTL_REGISTRY_PASSWORD_FILE", Usage: "file holding the registry password"},
	{Key: "registry_token", Flag: "token", Env: "EDACTL_REGISTRY_TOKEN", Secret: true, Usage: "registry bearer token (prefer the environment or --registry-token-file)"},
	{Key: "registry_token_file", Flag: "registry-token-file", Env: "EDACTL_REGISTRY_TOKEN_FILE", Usage: "file holding the registry bearer token, read at every request"},
	{Key: "registry_ca_file", Flag: "registry-ca-file", Env: "EDACTL_REGISTRY_CA_FILE", Usage: "PEM CA certificates the registry's certificate must chain to"},
	{Key: "registry_cert_file", Flag: "registry-cert-file", Env: "EDACTL_REGISTRY_CERT_FILE", Usage: "PEM client certificate for the registry (mTLS)"},
	{Key: "registry_key_file", Flag: "registry-key-file", Env: "EDACTL_REGISTRY_KEY_FILE", Usage: "PEM private key of --registry-cert-file"},
	{Key: "registry_insecure_skip_verify", Flag: "registry-insecure-skip-verify", Env: "EDACTL_REGISTRY_INSECURE_SKIP_VERIFY", Bool: true, Default: "false", Usage: "do not verify the registry's certificate (warns; for tests only)"},

	{Key: "kafka_tls", Flag: "kafka-tls", Env: "EDACTL_KAFKA_TLS", Bool: true, Default: "false", Usage: "connect to the brokers with TLS (implied by the other --kafka-* TLS settings)"},
	{Key: "kafka_ca_file", Flag: "kafka-ca-file", Env: "EDACTL_KAFKA_CA_FILE", Usage: "PEM CA certificates the brokers' certificates must chain to"},
	{Key: "kafka_cert_file", Flag: "kafka-cert-file", Env: "EDACTL_KAFKA_CERT_FILE", Usage: "PEM client certificate for the brokers (mTLS)"},
	{Key: "kafka_key_file", Flag: "kafka-key-file", Env: "EDACTL_KAFKA_KEY_FILE", Usage: "PEM private key of --kafka-cert-file"},
	{Key: "kafka_server_name", Flag: "kafka-server-name", Env: "EDACTL_KAFKA_SERVER_NAME", Usage: "name the brokers' certificates must carry (default: each broker's host)"},
	{Key: "kafka_insecure_skip_verify", Flag: "kafka-insecure-skip-verify", Env: "EDACTL_KAFKA_INSECURE_SKIP_VERIFY", Bool: true, Default: "false", Usage: "do not verify the brokers' certificates (warns; for tests only)"},
	{Key: "kafka_sasl_mechanism", Flag: "kafka-sasl-mechanism", Env: "EDACTL_KAFKA_SASL_MECHANISM", Usage: "SASL mechanism: " + strings.Join(Mechanisms, ", ")},
	{Key: "kafka_sasl_user", Flag: "kafka-sasl-user", Env: "EDACTL_KAFKA_SASL_USER", Usage: "SASL user (AWS_MSK_IAM: the access key id, default AWS_ACCESS_KEY_ID)"},
	{Key: "kafka_sasl_password", Flag: "kafka-sasl-password", Env: "EDACTL_KAFKA_SASL_PASSWORD", Secret: true, Usage: "SASL password (AWS_MSK_IAM: the secret key); prefer the environment or --kafka-sasl-password-file"},
	{Key: "kafka_sasl_password_file", Flag: "kafka-sasl-password-file", Env: "EDACTL_KAFKA_SASL_PASSWORD_FILE", Usage: "file holding the SASL password"},
	{Key: "kafka_sasl_token", Flag: "kafka-sasl-token", Env: "EDACTL_KAFKA_SASL_TOKEN", Secret: true, Usage: "OAUTHBEARER token (AWS_MSK_IAM: the session token)"},
	{Key: "kafka_sasl_token_file", Flag: "kafka-sasl-token-file", Env: "EDACTL_KAFKA_SASL_TOKEN_FILE", Usage: "file holding the OAUTHBEARER token, read again at every authentication"},
}

// Lookup returns the setting named key.
func Lookup(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// Keys returns the settings' keys, in table order.
func Keys() []string {
	keys := make([]string, len(Settings))
	for i, s := range Settings {
		keys[i] = s.Key
	}
	return keys
}
