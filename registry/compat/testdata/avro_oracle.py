"""Reads JSON lines {"reader": schema, "writer": schema} on stdin and prints,
for each, {"compatible": bool} (or {"error": text}) as decided by the Apache
Avro Python library's port of Avro Java's SchemaCompatibility. Used by
TestDifferentialAgainstAvro as an independent oracle."""
import json
import sys

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import parse

for line in sys.stdin:
    case = json.loads(line)
    try:
        reader = parse(case["reader"])
        writer = parse(case["writer"])
        result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
        out = {"compatible": result.compatibility == SchemaCompatibilityType.compatible}
    except Exception as e:  # a schema this library rejects is skipped by the test
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(out) + "\n")
