import { after } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Keyv } from 'keyv'
import KeyvSqlite from '@keyv/sqlite'
import KeyvRedis from '@keyv/redis'
import KeyvPostgres from '@keyv/postgres'
import { createStore, type StoreBackend } from '@polytoken/core'
import { keyvStore } from '@polytoken/store-keyv'
import { describeStoreCompliance } from '@polytoken/store-test-suite'
import { POSTGRES_URL, REDIS_URL, runPrefix, unreachable } from './services.js'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-own-keyv-'))
const adapters: Array<{ disconnect(): Promise<unknown> }> = []
after(async () => {
  for (const adapter of adapters) await adapter.disconnect().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

/** `store: { keyv }` — a Keyv the application built; every namespace shares its adapter. */
const own = (adapter: { disconnect(): Promise<unknown> } & object, prefix?: string): Promise<StoreBackend> => {
  adapters.push(adapter)
  return createStore({ keyv: new Keyv({ store: adapter as never }), prefix })
}

describeStoreCompliance({ name: 'keyv of your own: Map', create: () => createStore({ keyv: new Keyv() }) })
describeStoreCompliance({ name: 'keyvStore(new Map()) of @polytoken/store-keyv', create: () => keyvStore(new Map()) })
describeStoreCompliance({ name: 'keyv of your own: KeyvSqlite', create: () => own(new KeyvSqlite({ uri: `sqlite://${join(dir, 'own.db')}`, busyTimeout: 5000 })), shared: true })
const redisPrefix = runPrefix('own-redis')
describeStoreCompliance({ name: 'keyv of your own: KeyvRedis', create: () => own(new KeyvRedis(REDIS_URL), redisPrefix), unavailable: () => unreachable('Redis', REDIS_URL, 6379), shared: true })
const pgPrefix = runPrefix('own-pg')
describeStoreCompliance({
  name: 'keyv of your own: KeyvPostgres',
  create: () => own(new KeyvPostgres({ uri: POSTGRES_URL }), pgPrefix),
  unavailable: () => unreachable('Postgres', POSTGRES_URL, 5432),
  shared: true,
})
