import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'
import { ROOT } from './harness.js'
import { redisPair } from './pair.js'

/**
 * Sagrada on two examples-server processes sharing one Redis: one email gets
 * one uid and one node whichever instance it asks, concurrently too; a new
 * X-Client-State on one instance moves the user to a new uid the other then
 * returns; an old client state is refused on both.
 */
const AUDIENCE = 'https://token.scale-out.test' // the one public origin in front of both instances
const ISSUER = 'example-issuer.localhost'
const ISSUER_KEY_FILE = 'examples/sagrada/example-issuer-key.EXAMPLE-ONLY.pem'
const NODE_1 = 'https://sync-1.scale-out.test'
const NODE_2 = 'https://sync-2.scale-out.test'

const config = {
  sagrada: {
    applications: { sync: { '1.5': { endpoint: '{node}/1.5/{uid}', nodes: [NODE_1, NODE_2] } } },
    // Two nodes with equal room: which one a new user lands on is a real choice, made once for both instances.
    nodes: {
      [NODE_1]: { capacity: 100, secrets: ['scale-out-node-secret-1-0123456789abcdef'] },
      [NODE_2]: { capacity: 100, secrets: ['scale-out-node-secret-2-0123456789abcdef'] },
    },
    browserid: { audiences: [AUDIENCE], trustedIssuers: [{ issuer: ISSUER, publicKeyFile: ISSUER_KEY_FILE }] },
    durationSeconds: 300,
    allowNewUsers: true,
  },
}

const issuerKey = createPrivateKey(readFileSync(join(ROOT, ISSUER_KEY_FILE), 'utf8'))
const userKey = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })

/** What examples/sagrada/make-assertion.ts prints, for `email` and the shared audience. */
function assertion(email: string): string {
  const now = Date.now()
  const certificate = createBrowserIdCertificate({ issuer: ISSUER, issuerKey, email, publicKey: userKey.publicKey, issuedAt: now - 1000, expiresAt: now + 3_600_000 })
  return createBrowserIdAssertion({ certificates: [certificate], userKey: userKey.privateKey, audience: AUDIENCE, expiresAt: now + 300_000 })
}

interface SagradaAnswer {
  uid?: number
  api_endpoint?: string
  id?: string
  key?: string
  hashed_fxa_uid?: string
  duration?: number
  status?: string
  errors?: Array<{ location: string; name: string; description: string }>
}

async function sync(server: { url: string }, browserId: string, clientState?: string): Promise<{ status: number; body: SagradaAnswer }> {
  const headers: Record<string, string> = { authorization: `BrowserID ${browserId}` }
  if (clientState !== undefined) headers['x-client-state'] = clientState
  const response = await fetch(`${server.url}/1.0/sync/1.5`, { headers })
  return { status: response.status, body: (await response.json()) as SagradaAnswer }
}

function ok(answer: { status: number; body: SagradaAnswer }, what: string): SagradaAnswer & { uid: number; api_endpoint: string } {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`)
  assert.equal(typeof answer.body.uid, 'number', what)
  assert.ok(
    [NODE_1, NODE_2].some((node) => answer.body.api_endpoint === `${node}/1.5/${answer.body.uid}`),
    `${what}: api_endpoint ${answer.body.api_endpoint}`,
  )
  return answer.body as SagradaAnswer & { uid: number; api_endpoint: string }
}

function refusedClientState(answer: { status: number; body: SagradaAnswer }, what: string): void {
  assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`)
  assert.equal(answer.body.status, 'invalid-client-state', what)
}

describe('sagrada on two examples-server processes on one Redis', () => {
  const pair = redisPair('sagrada', config, ['sagrada', 'polytoken'])
  const run = randomBytes(4).toString('hex')

  it('new users asking A and B at once (10 requests each, split across both): one uid and one node per email, no uid shared between emails', async (t) => {
    if (pair.skip) return t.skip(pair.skip)
    const emails = Array.from({ length: 4 }, (_, i) => `user${i}-${run}@example.com`)
    const assertions = new Map(emails.map((email) => [email, assertion(email)]))
    const requests = emails.flatMap((email) => Array.from({ length: 10 }, (_, i) => ({ email, on: i % 2 ? pair.b : pair.a })))
    const answers = await Promise.all(requests.map(async ({ email, on }) => ({ email, body: ok(await sync(on, assertions.get(email)!), email) })))
    const uidOf = new Map<string, number>()
    for (const email of emails) {
      const mine = answers.filter((answer) => answer.email === email).map((answer) => answer.body)
      assert.equal(mine.length, 10)
      assert.deepEqual(new Set(mine.map((body) => body.uid)).size, 1, `${email} got uids ${mine.map((body) => body.uid).join(', ')}`)
      assert.deepEqual(new Set(mine.map((body) => body.api_endpoint)).size, 1, `${email} got endpoints ${mine.map((body) => body.api_endpoint).join(', ')}`)
      assert.equal(new Set(mine.map((body) => body.hashed_fxa_uid)).size, 1)
      uidOf.set(email, mine[0]!.uid)
    }
    assert.equal(new Set(uidOf.values()).size, emails.length, `two emails share a uid: ${[...uidOf.values()].join(', ')}`)
    t.diagnostic(`uids ${[...uidOf.values()].join(', ')}; endpoints ${[...new Set(answers.map((answer) => answer.body.api_endpoint))].join(', ')}`)
  })

  it('X-Client-State: a new state on A moves the user to a new uid on the same node, which B returns; going back to an old state is refused on both', async (t) => {
    if (pair.skip) return t.skip(pair.skip)
    const { a, b } = pair
    const browserId = assertion(`keys-${run}@example.com`)

    // First sight, concurrently on both, with a client state.
    const initial = (await Promise.all(Array.from({ length: 10 }, (_, i) => sync(i % 2 ? b : a, browserId, 'aaaa')))).map((answer, i) => ok(answer, `initial request ${i}`))
    assert.equal(new Set(initial.map((body) => body.uid)).size, 1, `uids ${initial.map((body) => body.uid).join(', ')}`)
    const first = initial[0]!
    const node = first.api_endpoint.slice(0, -`/1.5/${first.uid}`.length)

    // A new key generation, on A: a new uid, same node.
    const moved = ok(await sync(a, browserId, 'bbbb'), 'new client state on A')
    assert.notEqual(moved.uid, first.uid, 'a new client state must get a new uid')
    assert.equal(moved.api_endpoint, `${node}/1.5/${moved.uid}`, 'the user stays on its node')
    // B sees the move.
    const seenOnB = ok(await sync(b, browserId, 'bbbb'), 'the new client state on B')
    assert.equal(seenOnB.uid, moved.uid)
    assert.equal(seenOnB.api_endpoint, moved.api_endpoint)

    // Back to the old state on B, then on A; and no state at all after one was seen.
    refusedClientState(await sync(b, browserId, 'aaaa'), 'old client state on B')
    refusedClientState(await sync(a, browserId, 'aaaa'), 'old client state on A')
    refusedClientState(await sync(b, browserId), 'no client state on B')
    // The refusals changed nothing: the current state still gets the moved uid on both.
    for (const server of [a, b]) assert.equal(ok(await sync(server, browserId, 'bbbb'), 'current state again').uid, moved.uid)
    t.diagnostic(`uid ${first.uid} → ${moved.uid} on ${node}`)
  })
})
