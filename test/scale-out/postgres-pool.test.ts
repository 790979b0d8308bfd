import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import { createStore } from '@polytoken/core'
import { POSTGRES_URL, runPrefix, unreachable, withParam } from '../storage/services.js'
import { createToken, prodmanagerConfig, revoke, sleep, startServer, type ServerProcess } from './harness.js'

const STORE_TIMEOUT_MS = 4_000
const ACQUIRE_TIMEOUT_MS = 300
const STATEMENT_TIMEOUT_MS = 1_000
/** A loaded machine answers late; still far below the store timeout, which is what a hang would run into. */
const SLACK_MS = 1_200
const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string

async function timed(request: () => Promise<Response>): Promise<{ status: number; ms: number; body: string }> {
  const start = Date.now()
  const response = await request()
  return { status: response.status, ms: Date.now() - start, body: await response.text() }
}

/**
 * The pool settings of a postgres:// store URL, end to end: a row of our own is locked from outside, a request that
 * writes it holds the only connection of `?pool_max=1`; the next request fails with prodmanager's 503 envelope after
 * `?pool_acquire_timeout_ms=` (not the store timeout, not a hang), an instance with the default pool is not affected,
 * and `?statement_timeout_ms=` gives the connection back while the lock is still held.
 */
describe('PostgreSQL pool settings from the store URL (pool_max, pool_acquire_timeout_ms, statement_timeout_ms)', () => {
  const prefix = runPrefix('pgpool')
  const shared = withParam(withParam(POSTGRES_URL, 'prefix', prefix), 'timeoutMs', String(STORE_TIMEOUT_MS))
  let skip: string | undefined
  let small: ServerProcess
  let large: ServerProcess
  let locker: pg.Client | undefined

  before(async () => {
    skip = await unreachable('Postgres', POSTGRES_URL, 5432)
    if (skip) return
    const smallStore = withParam(withParam(withParam(shared, 'pool_max', '1'), 'pool_acquire_timeout_ms', String(ACQUIRE_TIMEOUT_MS)), 'statement_timeout_ms', String(STATEMENT_TIMEOUT_MS))
    ;[small, large] = await Promise.all([startServer({ store: smallStore, config: prodmanagerConfig() }), startServer({ store: shared, config: prodmanagerConfig() })])
  })

  after(async () => {
    await locker?.query('ROLLBACK').catch(() => undefined)
    await locker?.end().catch(() => undefined)
    await Promise.all([small?.stop(), large?.stop()])
    if (skip) return
    const backend = await createStore({ url: POSTGRES_URL, prefix })
    const ns = backend.namespace('prodmanager')
    for await (const [key] of ns.entries()) await ns.delete(key)
    await backend.close()
  })

  it('an exhausted pool answers 503 in the envelope after the acquire timeout; the statement timeout frees it', async (t) => {
    if (skip) return t.skip(skip)
    const token = await (await createToken(small, 'pool-victim')).text()
    const key = `${prefix}prodmanager:token:${jtiOf(token)}`
    locker = new pg.Client({ connectionString: POSTGRES_URL })
    await locker.connect()
    await locker.query('BEGIN')
    const locked = await locker.query('SELECT key FROM keyv WHERE key = $1 FOR UPDATE', [key])
    assert.equal(locked.rowCount, 1, `no row ${key}: the token record is not where the test expects it`)

    // The revocation's second write waits on our lock, holding small's only connection.
    const blockedAt = Date.now()
    const stuck = timed(() => revoke(small, jtiOf(token)))
    await sleep(300)

    const exhausted = await timed(() => createToken(small, 'while-exhausted'))
    t.diagnostic(`pool exhausted: ${exhausted.status} after ${exhausted.ms} ms (acquire timeout ${ACQUIRE_TIMEOUT_MS} ms, store timeout ${STORE_TIMEOUT_MS} ms)`)
    assert.equal(exhausted.status, 503, exhausted.body)
    assert.equal((JSON.parse(exhausted.body) as { code: string }).code, 'ERR_STORE_UNAVAILABLE')
    assert.ok(exhausted.ms < ACQUIRE_TIMEOUT_MS + SLACK_MS, `the 503 took ${exhausted.ms} ms: it waited for the store timeout, not the acquire timeout`)

    const roomy = await timed(() => createToken(large, 'default-pool'))
    assert.equal(roomy.status, 200, `the instance with the default pool (10) should not be exhausted by one stuck statement: ${roomy.body}`)

    // PostgreSQL cancels the stuck statement after statement_timeout_ms: small serves again while the lock is still held.
    const revoked = await stuck
    assert.equal(revoked.status, 503, `the revocation stuck on the lock should fail: ${revoked.body}`)
    await sleep(Math.max(0, blockedAt + STATEMENT_TIMEOUT_MS + 500 - Date.now()))
    const freed = await timed(() => createToken(small, 'after-statement-timeout'))
    t.diagnostic(`after the statement timeout: ${freed.status} in ${freed.ms} ms, ${Date.now() - blockedAt} ms after the block`)
    assert.equal(freed.status, 200, `the connection did not come back while the lock is held: ${freed.body}`)
    await locker.query('ROLLBACK')
  })
})
