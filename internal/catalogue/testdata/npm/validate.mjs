// Validates an AsyncAPI document with the AsyncAPI Initiative's parser, then
// every Avro payload with its Avro schema parser (the parser checks an
// AsyncAPI 3 document's Avro payloads against the specification's Avro JSON
// Schema only, which lets an unknown type name through; the Avro schema
// parser compiles each schema with avsc). Prints one JSON object:
// {"errors": [...], "warnings": [...], "channels": N, "operations": N, "messages": N, "avro": N}.
// Usage: node validate.mjs FILE
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { AvroSchemaParser } from "@asyncapi/avro-schema-parser";
import yaml from "js-yaml";

const file = process.argv[2];
const parser = new Parser();
const avro = AvroSchemaParser();
parser.registerSchemaParser(avro);
const text = readFileSync(file, "utf8");
const { document, diagnostics } = await parser.parse(text, { source: file });
const describe = (d) => ({ code: String(d.code), message: d.message, path: (d.path || []).join(".") });
const out = {
  errors: diagnostics.filter((d) => d.severity === 0).map(describe),
  warnings: diagnostics.filter((d) => d.severity === 1).map(describe),
  channels: document ? document.channels().length : 0,
  operations: document ? document.operations().length : 0,
  messages: document ? document.messages().length : 0,
  version: document ? document.version() : "",
  avro: 0,
};
if (document) {
  // The parser has replaced each payload by its JSON Schema form: read the
  // Avro schemas from the file as written.
  const raw = yaml.load(text);
  for (const [id, message] of Object.entries((raw.components || {}).messages || {})) {
    const payload = message.payload;
    if (!payload || !avro.getMimeTypes().includes(payload.schemaFormat)) continue;
    const problems = await avro.validate({ data: payload.schema, path: ["components", "messages", id, "payload", "schema"] });
    for (const p of problems) out.errors.push({ code: "avro-schema", message: p.message, path: p.path.join(".") });
    out.avro++;
  }
}
console.log(JSON.stringify(out));
process.exit(out.errors.length > 0 || !document ? 1 : 0);
