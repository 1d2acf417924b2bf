"""Interop peer of edactl transform: Confluent's Python client (librdkafka)
with Apache Avro's Python library, no Go.

  transform.py produce BROKERS REGISTRY TOPIC SUBJECT VERSION N
      writes N records (key k-<i>) in the Confluent wire format, encoded
      with SUBJECT's VERSION as the registry serves it;
  transform.py consume BROKERS REGISTRY TOPIC N
      reads N records from the start, decodes each with the writer schema
      the registry serves for its id, and prints one JSON line per record:
      {"key": ..., "id": ..., "value": {...}}.
"""
import datetime
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema
from confluent_kafka import Consumer, Producer


def registry_get(base, path):
    with urllib.request.urlopen(base.rstrip("/") + path, timeout=10) as r:
        return json.load(r)


def produce(brokers, registry, topic, subject, version, n):
    sv = registry_get(registry, "/subjects/%s/versions/%s" % (subject, version))
    schema = avro.schema.parse(sv["schema"])
    writer = avro.io.DatumWriter(schema)
    p = Producer({"bootstrap.servers": brokers, "linger.ms": 5})
    for i in range(n):
        value = {"orderId": "o-%d" % i, "customerId": "c-%d" % (i % 7), "status": "PENDING",
                 "totalCents": 100 * i,
                 "updatedAt": datetime.datetime.fromtimestamp((1714560000000 + i) / 1000, tz=datetime.timezone.utc)}
        buf = io.BytesIO()
        buf.write(struct.pack(">bI", 0, sv["id"]))
        writer.write(value, avro.io.BinaryEncoder(buf))
        p.produce(topic, key=("k-%d" % i).encode(), value=buf.getvalue(), partition=i % 3)
    if p.flush(30) != 0:
        sys.exit("not every record was delivered")


def consume(brokers, registry, topic, n):
    c = Consumer({"bootstrap.servers": brokers, "group.id": "py-interop", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe([topic])
    schemas = {}
    got = 0
    empty = 0
    while got < n:
        m = c.poll(1.0)
        if m is None:
            empty += 1
            if empty > 30:
                sys.exit("only %d of %d records arrived" % (got, n))
            continue
        if m.error():
            sys.exit(str(m.error()))
        data = m.value()
        magic, sid = struct.unpack(">bI", data[:5])
        if magic != 0:
            sys.exit("record %r: magic byte %d" % (m.key(), magic))
        if sid not in schemas:
            schemas[sid] = avro.schema.parse(registry_get(registry, "/schemas/ids/%d" % sid)["schema"])
        reader = avro.io.DatumReader(schemas[sid])
        value = reader.read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))
        print(json.dumps({"key": m.key().decode(), "id": sid, "partition": m.partition(), "value": value}, sort_keys=True, default=str))
        got += 1
    c.close()


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        produce(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]))
    else:
        consume(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
