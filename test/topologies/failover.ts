import { describe, it, before, after, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { runPrefix, withParam } from '../storage/services.js'
import { createToken, prodmanagerConfig, revoke, sleep, startServer, whoami, type ServerProcess } from '../scale-out/harness.js'

export const STORE_TIMEOUT_MS = 1_000
/** A loaded machine (two cores, many test processes) answers late; a hang would be far beyond this. */
const SLACK_MS = 1_500
const CACHE_MS = 1_000
/** Sentinel judges the master down after 2 s and elects; a Cluster after 3 s: both well inside this. */
const RECOVERY_LIMIT_MS = 90_000

const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string

export interface FailoverTarget {
  /** The store URL of the topology (no prefix). */
  url(): string
  /** SIGKILLs the master holding the revocation mark of `jti` (a Sentinel's master; a Cluster shard's master); returns its port. */
  killMasterHolding(jti: string, prefix: string): Promise<number>
  /** True once a replica serves as master in place of `killedPort`. */
  promoted(killedPort: number): Promise<boolean>
  /** Starts the killed node again: it comes back as a replica, so writes that wait for one replica can resume. */
  restartKilled(): Promise<void>
}

interface Outcome {
  on: 'a' | 'b'
  status: number
  ms: number
  body: string
}

async function timed(on: 'a' | 'b', request: () => Promise<Response>): Promise<Outcome> {
  const start = Date.now()
  try {
    const response = await request()
    return { on, status: response.status, ms: Date.now() - start, body: await response.text() }
  } catch (error) {
    return { on, status: 0, ms: Date.now() - start, body: String(error) }
  }
}

function assertStoreEnvelope(outcome: Outcome) {
  assert.equal(outcome.status, 503, `${outcome.on}: ${outcome.status} ${outcome.body}`)
  const parsed = JSON.parse(outcome.body) as { code?: unknown; message?: unknown }
  assert.equal(parsed.code, 'ERR_STORE_UNAVAILABLE', outcome.body)
  assert.equal(typeof parsed.message, 'string', outcome.body)
}

/**
 * Two examples-server processes (prodmanager) on the topology with `?waitReplicas=1`; a revocation is acknowledged,
 * then the master holding it is killed while creations flow from both instances.
 */
export function describeFailover(title: string, target: FailoverTarget) {
  describe(`failover while requests flow: ${title}`, () => {
    const prefix = runPrefix('failover')
    let a: ServerProcess
    let b: ServerProcess

    before(async () => {
      const store = withParam(withParam(withParam(target.url(), 'prefix', prefix), 'waitReplicas', '1'), 'timeoutMs', String(STORE_TIMEOUT_MS))
      const config = prodmanagerConfig({ cache: { maxTtlMs: CACHE_MS } })
      ;[a, b] = await Promise.all([startServer({ store, config }), startServer({ store, config })])
    })

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()])
    })

    it('requests in the window get the 503 envelope within the store timeout; service returns without a restart; the revocation acknowledged before the kill is still in force', async (t: TestContext) => {
      const live = await (await createToken(a, 'failover-live')).text()
      const doomed = await (await createToken(b, 'failover-revoked')).text()
      for (const server of [a, b]) for (const token of [live, doomed]) assert.equal((await whoami(server, token)).status, 200)

      // Acknowledged: with ?waitReplicas=1 the store answered only once the replica held the mark.
      const revoked = await revoke(a, jtiOf(doomed))
      assert.equal(revoked.status, 200, await revoked.clone().text())
      const killedPort = await target.killMasterHolding(jtiOf(doomed), prefix)
      const killedAt = Date.now()

      const outcomes: Outcome[] = []
      let back: number | undefined
      let promotedAfter: number | undefined
      let streak = 0
      while (Date.now() - killedAt < RECOVERY_LIMIT_MS) {
        // With ?waitReplicas=1 and one replica per master, the promoted node has no replica: writes wait for the
        // killed node to come back (as a supervisor restarts it) and rejoin as its replica.
        if (promotedAfter === undefined && (await target.promoted(killedPort))) {
          promotedAfter = Date.now() - killedAt
          await target.restartKilled()
        }
        const round = await Promise.all([timed('a', () => createToken(a, 'during-failover')), timed('b', () => createToken(b, 'during-failover'))])
        outcomes.push(...round)
        const sawOutage = outcomes.some((o) => o.status !== 200)
        // Counted from the promotion on: in a Cluster, creations whose keys live on other shards succeed all along.
        streak = promotedAfter !== undefined && round.every((o) => o.status === 200) ? streak + 1 : 0
        // Back: both instances create again, three rounds in a row, after the outage was seen and a replica promoted.
        if (sawOutage && streak >= 3) {
          back = Date.now() - killedAt
          break
        }
        await sleep(100)
      }
      const failed = outcomes.filter((o) => o.status !== 200)
      const slowest = Math.max(...failed.map((o) => o.ms), 0)
      t.diagnostic(
        `${outcomes.length} creations during the failover: ${failed.length} got 503 (slowest answer ${slowest} ms); replica promoted ${promotedAfter} ms and service back ${back} ms after the kill`,
      )
      assert.ok(failed.length > 0, 'no request met the failover window: the kill did not reach the store')
      for (const outcome of failed) {
        assertStoreEnvelope(outcome)
        assert.ok(outcome.ms <= STORE_TIMEOUT_MS + SLACK_MS, `a 503 took ${outcome.ms} ms (store timeout ${STORE_TIMEOUT_MS} ms): the request hung on the store`)
      }
      assert.ok(back !== undefined, `the service did not come back within ${RECOVERY_LIMIT_MS} ms of the kill:\n${a.output().slice(-2000)}`)
      assert.ok(promotedAfter !== undefined, 'no replica was promoted in place of the killed master')

      // The acknowledged revocation survived the promotion: both instances (their caches long expired) refuse.
      await sleep(CACHE_MS + 200)
      for (const server of [a, b]) {
        const answer = await whoami(server, doomed)
        assert.equal(answer.status, 401, `the revoked token came back after the failover: ${await answer.clone().text()}`)
        assert.equal(((await answer.json()) as { code: string }).code, 'ERR_TOKEN_REVOKED')
      }
      // Nothing else was lost either, and tokens made after the failover verify across instances.
      for (const server of [a, b]) assert.equal((await whoami(server, live)).status, 200)
      const after = await (await createToken(a, 'after-failover')).text()
      assert.equal((await whoami(b, after)).status, 200)
    })
  })
}
