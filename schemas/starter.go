package schemas

// StarterFiles returns the files `edactl init` writes: a commented
// edactl.yaml and one example event, keyed by slash-separated path relative
// to the project directory. The starter passes `edactl check` with no
// finding. It is a pure function; writing is the caller's job.
func StarterFiles() map[string][]byte {
	return map[string][]byte{
		ConfigFile: []byte(starterConfig),
		DefaultSchemasDir + "/orders/order-placed/v1.avsc": []byte(starterEvent),
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
  orders/order-placed:
    # compatibility: FULL        # override the default level
    # topic: orders.placed       # or set x-eda-topic in the schema
    producers: [checkout]
    consumers: [billing, shipping]

# Event-design lint rules run by edactl check (warnings unless --strict).
lint:
  disable: []
  # disable: [missing-doc]
`

const starterEvent = `{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "example.orders",
  "doc": "A customer placed an order.",
  "x-eda-kind": "event",
  "x-eda-key": "orderId",
  "x-eda-topic": "orders.placed",
  "x-eda-owner": "team-checkout",
  "fields": [
    {"name": "orderId", "type": "string", "doc": "Order identifier (UUID)."},
    {"name": "customerId", "type": "string", "doc": "The customer who placed the order."},
    {"name": "totalCents", "type": "long", "doc": "Order total in cents."},
    {"name": "currency", "type": "string", "default": "EUR", "doc": "ISO 4217 currency of the total."},
    {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the order was placed."}
  ]
}
`
