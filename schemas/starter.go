package schemas

// StarterFiles returns the files `edactl init` writes: a commented
// edactl.yaml and one example event, keyed by slash-separated path relative
// to the project directory. The starter passes `edactl check` with no
// finding. It is a pure function; writing is the caller's job.
func StarterFiles() map[string][]byte {
	return map[string][]byte{
		ConfigFile:       []byte(starterConfig),
		StarterEventFile: []byte(starterEvent),
	}
}

const starterConfig = `# edactl project configuration. Reference: docs/schema-tree.md
#
# The schema tree lives under schemas/<domain>/<event>/vN.avsc. A published
# version never changes: a change is a new file, v2.avsc, v3.avsc, ...

# Schema registry URL (overridden by EDACTL_REGISTRY and --registry).
registry: http://127.0.0.1:8081
# Kafka bootstrap brokers (overridden by EDACTL_BROKERS and --brokers).
brokers: 127.0.0.1:9092

# Root of the schema tree, relative to this file.
schemas: schemas

# How value subjects are named, as Confluent's serializers do:
#   topic         <topic>-value                (TopicNameStrategy, the default)
#   record        <record full name>           (RecordNameStrategy)
#   topic-record  <topic>-<record full name>   (TopicRecordNameStrategy)
subject_strategy: topic

# Default compatibility level: BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
# FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.
compatibility: BACKWARD

# Per-event settings, keyed by folder <domain>/<event>.
events:
  customers/customer-registered:
    # compatibility: FULL            # override the default level
    # topic: customers.registered    # or set x-eda-topic in the schema
    producers: [accounts]
    consumers: [newsletter, analytics]

# Code generation: edactl gen go writes Go types and codecs for every event
# into out (a package named package). The code imports
# github.com/edactl/edactl/serde: add it to your module with go get.
gen:
  go:
    out: internal/events
    package: events

# Event-design lint rules run by edactl check (warnings unless --strict).
lint:
  disable: []
  # disable: [missing-doc]
`

// StarterEventFile is the example event edactl init writes, relative to
// the project root. It is not one of the sample catalogue's events, so a
// fresh project checks clean against a registry holding the catalogue
// (edactl dev).
const StarterEventFile = DefaultSchemasDir + "/customers/customer-registered/v1.avsc"

const starterEvent = `{
  "type": "record",
  "name": "CustomerRegistered",
  "namespace": "example.customers",
  "doc": "A customer created an account.",
  "x-eda-kind": "event",
  "x-eda-key": "customerId",
  "x-eda-topic": "customers.registered",
  "x-eda-owner": "team-accounts",
  "fields": [
    {"name": "customerId", "type": "string", "doc": "Customer identifier (UUID)."},
    {"name": "email", "type": "string", "doc": "Address the customer registered with."},
    {"name": "referralCode", "type": ["null", "string"], "default": null, "doc": "Code of the customer who referred this one, if any."},
    {"name": "registeredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the account was created."}
  ]
}
`
