import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalid } from '../errors.js'
import { createStore, importStorePackage, storePackageFor } from './create-store.js'

/** What Node throws for `import('name')` when the package is not installed. */
const notInstalled = (name: string) => async () => {
  throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/@polytoken/core/dist/storage/create-store.js`), { code: 'ERR_MODULE_NOT_FOUND' })
}

describe('createStore: a store package for each URL', () => {
  it('maps every scheme, and a Keyv of your own by its adapter, to its package; memory:// is built in', () => {
    const cases: Array<[Parameters<typeof storePackageFor>[0], string | undefined]> = [
      [{}, undefined],
      [{ url: 'memory://' }, undefined],
      [{ url: 'sqlite://data/x.db' }, '@polytoken/store-sqlite'],
      [{ url: 'SQLite://:memory:' }, '@polytoken/store-sqlite'],
      [{ url: 'redis://127.0.0.1:6379' }, '@polytoken/store-redis'],
      [{ url: 'rediss://cache:6380' }, '@polytoken/store-redis'],
      [{ url: 'postgres://u@db/x' }, '@polytoken/store-postgres'],
      [{ url: 'postgresql://u@db/x' }, '@polytoken/store-postgres'],
      [{ keyv: { store: new Map() } }, '@polytoken/store-keyv'],
      [{ keyv: { store: { opts: { dialect: 'sqlite' } } } }, '@polytoken/store-sqlite'],
      [{ keyv: { store: { opts: { dialect: 'redis' } } } }, '@polytoken/store-redis'],
      [{ keyv: { store: { opts: { dialect: 'postgres' } } } }, '@polytoken/store-postgres'],
      [{ keyv: { store: { opts: { dialect: 'mysql' } } } }, '@polytoken/store-keyv'],
      [{ keyv: { store: { opts: { dialect: 'constructor' } } } }, '@polytoken/store-keyv'],
    ]
    for (const [options, name] of cases) assert.equal(storePackageFor(options), name, JSON.stringify(options))
    for (const url of ['memory://x', 'toString://x', 'constructor://x', 'nothing']) assert.throws(() => storePackageFor({ url }), ConfigInvalid, url)
  })

  it('a store whose package is not installed: ConfigInvalid that says what to install', async () => {
    const expected: Array<[string, string]> = [
      ['sqlite://data/polytoken.db', '@polytoken/store-sqlite'],
      ['redis://admin:hunter2@cache:6379', '@polytoken/store-redis'],
      ['postgres://app:hunter2@db/tokens', '@polytoken/store-postgres'],
    ]
    for (const [url, name] of expected) {
      await assert.rejects(createStore(url, notInstalled(name)), (error: unknown) => {
        assert.ok(error instanceof ConfigInvalid, String(error))
        assert.ok(error.message.includes(`npm install ${name}`), error.message)
        assert.ok(!error.message.includes('hunter2'), error.message)
        return true
      })
    }
    await assert.rejects(createStore({ keyv: { store: new Map() } }, notInstalled('@polytoken/store-keyv')), /npm install @polytoken\/store-keyv/)
  })

  it('a package that is there but fails to load (a dependency of its own missing) keeps its own error', async () => {
    const broken = async () => {
      throw Object.assign(new Error(`Cannot find package '@keyv/sqlite' imported from /app/node_modules/@polytoken/store-sqlite/dist/index.js`), { code: 'ERR_MODULE_NOT_FOUND' })
    }
    await assert.rejects(importStorePackage('@polytoken/store-sqlite', broken), (error: unknown) => !(error instanceof ConfigInvalid) && /@keyv\/sqlite/.test(String(error)))
    await assert.rejects(
      importStorePackage('@polytoken/store-sqlite', async () => ({})),
      /does not export createStoreBackend/,
    )
  })

  it('hands the options to the package it loaded; memory:// loads nothing', async () => {
    const seen: unknown[] = []
    const importer = async (name: string) => ({ createStoreBackend: (options: unknown) => (seen.push([name, options]), { kind: 'fake' }) })
    const backend = await createStore({ url: 'redis://cache', prefix: 'p-' }, importer)
    assert.equal(backend.kind, 'fake')
    assert.deepEqual(seen, [['@polytoken/store-redis', { url: 'redis://cache', prefix: 'p-' }]])
    assert.equal((await createStore('memory://', importer)).kind, 'memory')
    assert.equal(seen.length, 1)
  })

  it('memory:// refuses a prefix or timeout that would break keys or never fire', async () => {
    await assert.rejects(createStore({ url: 'memory://', prefix: 'a:b' }), ConfigInvalid)
    await assert.rejects(createStore({ url: 'memory://', timeoutMs: Number.NaN }), ConfigInvalid)
    await assert.rejects(createStore({ url: 'memory://', timeoutMs: -1 }), ConfigInvalid)
  })
})
