import { test } from 'node:test'
import assert from 'node:assert/strict'
import { memoryStore } from '@polytoken/core'
import { createZazzUsers, normalizeUsername } from './users.js'

const cheap = { passwordHash: { N: 1024, r: 8, p: 1 } }
const fresh = () => memoryStore().namespace('zazz')

test('a user is stored with an scrypt hash and its own salt, never the password', async () => {
  const store = fresh()
  const users = createZazzUsers(store, cheap)
  const a = await users.add({ username: 'alice', password: 'same password' })
  const b = await users.add({ username: 'bob', password: 'same password' })
  assert.match(a.passwordHash, /^scrypt\$1024\$8\$1\$/)
  assert.notEqual(a.passwordHash, b.passwordHash, 'per-user salt')
  for await (const [, value] of store.entries()) assert.ok(!JSON.stringify(value).includes('same password'))
  assert.notEqual(a.userId, b.userId)
})

test('verifyLogin: right password → the user; wrong password or unknown user → undefined; usernames are case-insensitive', async () => {
  const users = createZazzUsers(fresh(), cheap)
  await users.add({ username: 'Soroush', password: '123', userId: 7 })
  assert.equal((await users.verifyLogin('soroush', '123'))?.userId, 7)
  assert.equal((await users.verifyLogin('SOROUSH', '123'))?.username, 'Soroush')
  assert.equal(await users.verifyLogin('soroush', '1234'), undefined)
  assert.equal(await users.verifyLogin('nobody', '123'), undefined)
  assert.equal(normalizeUsername('Ｓoroush'), 'soroush', 'NFKC folds full-width letters')
})

test('add refuses duplicates (any case) unless updating; update keeps the id and changes the password', async () => {
  const users = createZazzUsers(fresh(), cheap)
  const first = await users.add({ username: 'carol', password: 'one' })
  await assert.rejects(users.add({ username: 'CAROL', password: 'two' }), /already exists/)
  const updated = await users.add({ username: 'carol', password: 'two', displayName: 'Carol' }, { update: true })
  assert.equal(updated.userId, first.userId)
  assert.equal(await users.verifyLogin('carol', 'one'), undefined)
  assert.equal((await users.verifyLogin('carol', 'two'))?.displayName, 'Carol')
})

test('re-seeding a user with the same password keeps its hash (no salt churn on every start)', async () => {
  const users = createZazzUsers(fresh(), cheap)
  const first = await users.add({ username: 'dave', password: 'pw' }, { update: true })
  const again = await users.add({ username: 'dave', password: 'pw' }, { update: true })
  assert.equal(again.passwordHash, first.passwordHash)
})

test('a hash made at an older cost is upgraded at the next successful login', async () => {
  const store = fresh()
  await createZazzUsers(store, cheap).add({ username: 'erin', password: 'pw', userId: 3 })
  const stronger = createZazzUsers(store, { passwordHash: { N: 2048, r: 8, p: 1 } })
  assert.ok(await stronger.verifyLogin('erin', 'pw'))
  assert.match((await stronger.get(3))!.passwordHash, /^scrypt\$2048\$8\$1\$/)
  assert.ok(await stronger.verifyLogin('erin', 'pw'))
})

test('the default cost is N=2^14, r=8, p=5 (README: why)', async () => {
  const users = createZazzUsers(fresh())
  const record = await users.add({ username: 'frank', password: 'pw' })
  assert.match(record.passwordHash, /^scrypt\$16384\$8\$5\$/)
})

test('bad input is refused with a message naming the field', async () => {
  const users = createZazzUsers(fresh(), cheap)
  await assert.rejects(users.add({ username: '', password: 'x' }), /username/)
  await assert.rejects(users.add({ username: 'x', password: '' }), /password/)
  await assert.rejects(users.add({ username: 'x', password: 'a', passwordHash: 'scrypt$...' }), /exactly one/)
  await assert.rejects(users.add({ username: 'x', password: 'a', accountType: 'Admin' as never }), /accountType/)
  await assert.rejects(users.add({ username: 'x', password: 'a', userId: -1 }), /userId/)
})

test('two instances seeding the same configured user at once both start, with one record', async () => {
  const store = fresh()
  // Instance A writes its user record, then is slow to write the login: B arrives in between.
  const slowLogin: typeof store = {
    ...store,
    namespace: store.namespace,
    get: (key) => store.get(key),
    set: (key, value, ttl) => store.set(key, value, ttl),
    delete: (key) => store.delete(key),
    take: (key) => store.take(key),
    increment: (key, ttl) => store.increment(key, ttl),
    entries: (prefix) => store.entries(prefix),
    add: async (key, value, ttl) => {
      if (key.startsWith('login:')) await new Promise((resolve) => setTimeout(resolve, 100))
      return store.add(key, value, ttl)
    },
  }
  const a = createZazzUsers(slowLogin, cheap)
  const b = createZazzUsers(store, cheap)
  const seed = { username: 'soroush', password: '123', userId: 1 }
  const first = a.add(seed, { update: true })
  await new Promise((resolve) => setTimeout(resolve, 60))
  const [x, y] = await Promise.all([first, b.add(seed, { update: true })])
  assert.equal(x.userId, 1)
  assert.equal(y.userId, 1)
  assert.equal((await b.get(1))?.username, 'soroush')
})
