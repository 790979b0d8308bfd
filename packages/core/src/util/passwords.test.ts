import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.js'

const cheap = { N: 1024, r: 8, p: 1 }

test('hash and verify; a salt per hash; the cost is recorded in the hash', async () => {
  const a = await hashPassword('correct horse', cheap)
  const b = await hashPassword('correct horse', cheap)
  assert.notEqual(a, b)
  assert.match(a, /^scrypt\$1024\$8\$1\$/)
  assert.equal(await verifyPassword('correct horse', a), true)
  assert.equal(await verifyPassword('correct horsE', a), false)
  assert.equal(await verifyPassword('x', 'not-a-hash'), false)
})

test('the decoy hash has the cost it was asked for, whoever asked first', async () => {
  const low = await decoyPasswordHash(cheap)
  const other = await decoyPasswordHash({ N: 2048, r: 8, p: 2 })
  assert.match(low, /^scrypt\$1024\$8\$1\$/)
  assert.match(other, /^scrypt\$2048\$8\$2\$/)
  assert.equal(await decoyPasswordHash(cheap), low)
})
