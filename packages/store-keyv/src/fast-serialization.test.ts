import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Keyv } from 'keyv'
import { fastDeserializer, fastSerializer, useFastSerialization } from './fast-serialization.js'

const defaults = new Keyv()
const serialize = defaults.serialize as (data: unknown) => string
const deserialize = defaults.deserialize as (data: string) => unknown
const fastWrite = fastSerializer(serialize)
const fastRead = fastDeserializer(deserialize)

const values: unknown[] = [
  { value: { jti: 'a', exp: 1, permissions: [1, 2] }, expires: 123 },
  { value: 'plain', expires: undefined },
  { value: ':starts with a colon' },
  { value: '::two colons' },
  { value: { nested: [':x', 'y:', 'a":b', '\\":'] } },
  { value: { ':key': 1, 'a,': ':v' } },
  { value: Buffer.from('bytes') },
  { value: { deep: { buffer: Buffer.from([0, 1, 2]) } } },
  { value: [undefined, null, 1.5, true, 'x'] },
  { value: { date: new Date(0), text: 'é\u2028"\\' } },
  { value: 'a:b', expires: null },
  { value: '' },
  ':top-level',
  'top-level',
  42,
  null,
]

describe('fast keyv serialization', () => {
  it('writes exactly what @keyv/serialize writes', () => {
    for (const value of values) assert.equal(fastWrite(value), serialize(value), JSON.stringify(String(value)))
  })

  it('reads back exactly what @keyv/serialize reads, from either writer', () => {
    for (const value of values) {
      const text = serialize(value)
      assert.deepEqual(fastRead(text), deserialize(text))
      assert.deepEqual(fastRead(fastWrite(value) as string), deserialize(text))
    }
  })

  it('keeps Buffers and colon-prefixed strings round-tripping', () => {
    const record = { value: { key: Buffer.from('k'), note: ':x' } }
    assert.deepEqual(fastRead(fastWrite(record) as string), record)
  })

  it('is used only where keyv still has its default serializer', () => {
    const plain = new Keyv()
    useFastSerialization(plain)
    assert.notEqual(plain.deserialize, defaults.deserialize)
    const own = (text: string) => ({ value: text })
    const custom = new Keyv({ deserialize: own as never })
    useFastSerialization(custom)
    assert.equal(custom.deserialize, own)
  })

  it('stores and loads through keyv unchanged', async () => {
    const keyv = new Keyv({ store: new Map() })
    useFastSerialization(keyv)
    await keyv.set('k', { a: ':b', c: [1, 2], d: Buffer.from('z') })
    assert.deepEqual(await keyv.get('k'), { a: ':b', c: [1, 2], d: Buffer.from('z') })
  })
})
