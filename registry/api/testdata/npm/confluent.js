// Drives Confluent's JavaScript client, @confluentinc/schemaregistry, against
// an edactl registry. Run by TestConfluentJSInterop
// (registry/api/interop_node_test.go):
//
//   node confluent.js <registry URL>
//
// Env EDACTL_FRAMED is a hex record that edactl's serde encoded with schema
// id EDACTL_FRAMED_ID under subject EDACTL_FRAMED_TOPIC-value;
// EDACTL_FRAMED_JSON is its value. Prints one JSON line for the Go test to
// check against the server; exits 1 with the failed assertion on stderr.
//
// The client's serializers default to the ASSOCIATED subject name strategy:
// they first GET /associations/resources/-/{topic} and fall back to the
// topic strategy on a 404.
//
// Two calls of this client version do not URL-encode the subject
// (getAllVersions, updateConfig), so they fail against any registry for a
// subject with "/"; they are called with a plain subject here.
'use strict'

const assert = require('node:assert/strict')
const {
  SchemaRegistryClient, SerdeType, AvroSerializer, AvroDeserializer, Compatibility,
} = require('@confluentinc/schemaregistry')

const url = process.argv[2]
const client = () => new SchemaRegistryClient({ baseURLs: [url], maxRetries: 0 })

// Canonical texts, so what the server returns compares byte for byte.
const v1 = '{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long"}]}'
const v2 = '{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long"},{"name":"note","type":"string","default":""}]}'
const bad = '{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long"},{"name":"must","type":"int"}]}'
const avro = (schema, props) => ({ schemaType: 'AVRO', schema, ...(props ? { metadata: { properties: props } } : {}) })

async function rejectsWithCode (promise, errorCode, what) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.errorCode, errorCode, `${what}: error_code ${err.errorCode} (${err.message}), want ${errorCode}`)
    return true
  }, what)
}

async function main () {
  const topic = 'shop/orders'
  const subject = topic + '-value' // sent as shop%2Forders-value
  const c = client()

  const id1 = await c.register(subject, avro(v1, { owner: 'team-a', major: '1' }))
  const md2 = await client().registerFullResponse(subject, avro(v2, { owner: 'team-a', major: '2' }))
  const id2 = md2.id
  assert.ok(id1 > 0 && id2 > 0 && id1 !== id2, `ids ${id1} ${id2}`)
  assert.equal(await client().register(subject, avro(v1, { owner: 'team-a', major: '1' })), id1, 're-register')
  await rejectsWithCode(c.register(subject, avro(bad)), 409, 'incompatible register')
  await rejectsWithCode(c.register(subject, avro('{"type":"nope"}')), 42201, 'invalid schema')

  // Reads.
  const byID = await client().getBySubjectAndId(subject, id1)
  assert.equal(byID.schema, v1, 'getBySubjectAndId schema')
  assert.deepEqual(byID.metadata, { properties: { owner: 'team-a', major: '1' } }, 'getBySubjectAndId metadata')
  await rejectsWithCode(client().getBySubjectAndId(subject, 9999), 40403, 'unknown id')
  const latest = await client().getLatestSchemaMetadata(subject)
  assert.deepEqual([latest.subject, latest.version, latest.id, latest.schema], [subject, 2, id2, v2], 'latest')
  const first = await client().getSchemaMetadata(subject, 1, false)
  assert.deepEqual([first.version, first.id, first.schema], [1, id1, v1], 'version 1')
  await rejectsWithCode(client().getSchemaMetadata(subject, 5, false), 40402, 'missing version')
  await rejectsWithCode(client().getLatestSchemaMetadata('no-such-subject'), 40401, 'missing subject')
  const withMD = await client().getLatestWithMetadata(subject, { major: '1' })
  assert.deepEqual([withMD.version, withMD.id], [1, id1], 'getLatestWithMetadata major 1')
  await rejectsWithCode(client().getLatestWithMetadata(subject, { major: '9' }), 40403, 'no version with major 9')
  assert.equal(await client().getId(subject, avro(v2, { owner: 'team-a', major: '2' })), id2, 'getId (lookup)')
  const full = await client().getIdFullResponse(subject, avro(v1, { owner: 'team-a', major: '1' }))
  assert.deepEqual([full.version, full.id], [1, id1], 'getIdFullResponse')
  assert.equal(await client().getVersion(subject, avro(v2, { owner: 'team-a', major: '2' })), 2, 'getVersion')
  await rejectsWithCode(client().getId(subject, avro(bad)), 40403, 'lookup of an unregistered schema')
  assert.ok((await c.getAllSubjects()).includes(subject), 'getAllSubjects')

  // Compatibility and config ("compatibilityLevel" in GETs, "compatibility" in PUTs).
  assert.equal(await c.testSubjectCompatibility(subject, avro(v2)), true, 'v2 vs latest')
  assert.equal(await c.testSubjectCompatibility(subject, avro(bad)), false, 'bad vs latest')
  assert.equal(await c.testCompatibility(subject, 1, avro(bad)), false, 'bad vs version 1')
  await rejectsWithCode(c.getCompatibility(subject), 40408, 'no subject-level config yet')
  assert.equal(await c.getDefaultCompatibility(), 'BACKWARD', 'default compatibility')
  assert.equal(await c.updateCompatibility(subject, Compatibility.FULL), 'FULL', 'updateCompatibility echo')
  assert.equal(await c.getCompatibility(subject), 'FULL', 'getCompatibility')
  assert.equal((await c.getConfig(subject)).compatibilityLevel, 'FULL', 'getConfig')
  assert.equal(await c.updateDefaultCompatibility(Compatibility.FORWARD), 'FORWARD', 'updateDefaultCompatibility echo')
  assert.equal((await c.getDefaultConfig()).compatibilityLevel, 'FORWARD', 'getDefaultConfig')
  assert.equal((await c.updateDefaultConfig({ compatibility: 'BACKWARD' })).compatibility, 'BACKWARD', 'updateDefaultConfig echo')
  const plain = 'plain-value'
  await c.register(plain, avro(v1))
  assert.deepEqual(await c.updateConfig(plain, { compatibility: 'NONE', normalize: true }), { compatibility: 'NONE', normalize: true }, 'updateConfig echo')
  assert.deepEqual(await c.getConfig(plain), { compatibilityLevel: 'NONE', normalize: true }, 'getConfig after updateConfig')
  assert.ok(await c.register(plain, avro(bad)) > 0, 'NONE lets anything in')
  assert.deepEqual(await c.getAllVersions(plain), [1, 2], 'getAllVersions')

  // Deletes.
  assert.equal(await c.deleteSubjectVersion(plain, 1, false), 1, 'soft delete version')
  await rejectsWithCode(c.deleteSubjectVersion(plain, 1, false), 40406, 'soft delete twice')
  await rejectsWithCode(c.deleteSubjectVersion(plain, 2, true), 40407, 'hard delete before soft')
  assert.equal((await client().getSchemaMetadata(plain, 1, true)).version, 1, 'deleted version with deleted=true')
  assert.equal(await client().getVersion(plain, avro(v1), false, true), 1, 'lookup with deleted=true')
  await rejectsWithCode(c.deleteSubject(plain, true), 40405, 'hard delete subject before soft')
  assert.deepEqual(await c.deleteSubject(plain, false), [2], 'soft delete subject')
  await rejectsWithCode(c.deleteSubject(plain, false), 40404, 'soft delete subject twice')
  assert.deepEqual(await c.deleteSubject(plain, true), [1, 2], 'hard delete subject')

  // Serdes with the default (ASSOCIATED, falling back to TOPIC) strategy.
  const order = { id: 'o-1', qty: 3n }
  const framed = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestWithMetadata: { major: '1' } }).serialize(topic, { id: 'o-1', qty: 3 })
  assert.equal(framed[0], 0, 'magic byte')
  assert.equal(framed.readUInt32BE(1), id1, 'frame id is major 1')
  const back = await new AvroDeserializer(client(), SerdeType.VALUE, {}).deserialize(topic, framed)
  assert.deepEqual([back.id, BigInt(back.qty)], [order.id, order.qty], 'round trip')
  const upgraded = await new AvroDeserializer(client(), SerdeType.VALUE, { useLatestVersion: true }).deserialize(topic, framed)
  assert.equal(upgraded.note, '', 'read with the latest version: the default')
  const latestFramed = await new AvroSerializer(client(), SerdeType.VALUE, { useLatestVersion: true }).serialize(topic, { id: 'o-2', qty: 4, note: 'n' })
  assert.equal(latestFramed.readUInt32BE(1), id2, 'useLatestVersion frame id')
  const auto = await new AvroSerializer(client(), SerdeType.VALUE, { autoRegisterSchemas: true }).serialize('auto', { id: 'a-1', n: 7 })
  const autoMD = await client().getLatestSchemaMetadata('auto-value')
  assert.equal(auto.readUInt32BE(1), autoMD.id, 'auto-registered id')

  const seedTopic = process.env.EDACTL_FRAMED_TOPIC
  const fromEdactl = Buffer.from(process.env.EDACTL_FRAMED, 'hex')
  assert.equal(fromEdactl.readUInt32BE(1), Number(process.env.EDACTL_FRAMED_ID), 'edactl frame id')
  const decoded = await new AvroDeserializer(client(), SerdeType.VALUE, {}).deserialize(seedTopic, fromEdactl)
  assert.equal(JSON.stringify(decoded, (k, v) => typeof v === 'bigint' ? Number(v) : v), process.env.EDACTL_FRAMED_JSON, 'decode edactl record')

  process.stdout.write(JSON.stringify({ subject, topic, id1, id2, framed: latestFramed.toString('hex') }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`)
  process.exit(1)
})
