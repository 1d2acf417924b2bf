// Drives @kafkajs/confluent-schema-registry against an edactl registry.
// Run by TestKafkaJSInterop (registry/api/interop_node_test.go):
//
//   node kafkajs.js <registry URL>
//
// Env EDACTL_FRAMED is a hex record that edactl's serde encoded with schema
// id EDACTL_FRAMED_ID; EDACTL_FRAMED_JSON is its value. Prints one JSON line
// for the Go test to check against the server; exits 1 with the failed
// assertion on stderr.
'use strict'

const assert = require('node:assert/strict')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const url = process.argv[2]
const subject = 'orders/eu-value' // sent as orders%2Feu-value

const v1 = { type: 'record', name: 'Order', namespace: 'com.acme', fields: [{ name: 'id', type: 'string' }] }
const v2 = { ...v1, fields: [...v1.fields, { name: 'amount', type: 'double', default: 0 }] }
const bad = { ...v1, fields: [...v1.fields, { name: 'note', type: 'string' }] }
const avro = (s) => ({ type: SchemaType.AVRO, schema: JSON.stringify(s) })

async function rejectsWithStatus (promise, status, what) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.status, status, `${what}: status ${err.status} (${err.message}), want ${status}`)
    return true
  }, what)
}

async function main () {
  const registry = new SchemaRegistry({ host: url, retry: { retries: 0 } })

  // First registration: GET /config/{subject} must be 404 (40408), then the
  // client registers and PUTs {"compatibility":"BACKWARD"} for the subject.
  const { id: id1 } = await registry.register(avro(v1), { subject })
  assert.ok(id1 > 0, `register v1 id ${id1}`)
  // Again: now GET /config/{subject} answers BACKWARD, which must match.
  const again = await new SchemaRegistry({ host: url, retry: { retries: 0 } }).register(avro(v1), { subject })
  assert.equal(again.id, id1, 're-register gives the same id')
  const { id: id2 } = await registry.register(avro(v2), { subject })
  assert.notEqual(id2, id1, 'v2 gets a new id')
  await rejectsWithStatus(registry.register(avro(bad), { subject }), 409, 'incompatible register')

  assert.equal(await registry.getLatestSchemaId(subject), id2, 'getLatestSchemaId')
  assert.equal(await registry.getRegistryId(subject, 1), id1, 'getRegistryId(1)')
  assert.equal(await registry.getRegistryId(subject, 'latest'), id2, 'getRegistryId(latest)')
  assert.equal(await registry.getRegistryIdBySchema(subject, avro(v1)), id1, 'lookup v1')
  await assert.rejects(registry.getRegistryIdBySchema(subject, avro(bad)), /Schema not found/, 'lookup of an unregistered schema')
  await rejectsWithStatus(registry.getLatestSchemaId('no-such-subject'), 404, 'latest of a missing subject')

  const compatible = async (s) => (await registry.api.Subject.compatible({ subject, body: { schema: JSON.stringify(s) } })).data().is_compatible
  assert.equal(await compatible(v2), true, 'v2 is compatible with latest')
  assert.equal(await compatible(bad), false, 'bad is not compatible with latest')
  const subjects = (await registry.api.Subject.all()).data()
  assert.ok(subjects.includes(subject), `subjects ${JSON.stringify(subjects)} include ${subject}`)

  // Wire format both ways.
  const order = { id: 'o-1' }
  const framed = await new SchemaRegistry({ host: url, retry: { retries: 0 } }).encode(id1, order)
  assert.equal(framed[0], 0, 'magic byte')
  assert.equal(framed.readUInt32BE(1), id1, 'schema id in the frame')
  assert.deepEqual({ ...(await new SchemaRegistry({ host: url }).decode(framed)) }, order, 'decode own record')
  const upgraded = await registry.decode(framed, { [SchemaType.AVRO]: { readerSchema: v2 } })
  assert.deepEqual({ ...upgraded }, { id: 'o-1', amount: 0 }, 'v1 record read with v2')

  const fromEdactl = Buffer.from(process.env.EDACTL_FRAMED, 'hex')
  assert.equal(fromEdactl.readUInt32BE(1), Number(process.env.EDACTL_FRAMED_ID), 'edactl frame id')
  const decoded = await new SchemaRegistry({ host: url }).decode(fromEdactl)
  assert.deepEqual({ ...decoded }, JSON.parse(process.env.EDACTL_FRAMED_JSON), 'decode edactl record')

  process.stdout.write(JSON.stringify({ subject, id1, id2, framed: framed.toString('hex') }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`)
  process.exit(1)
})
