import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo, Server } from 'node:net'
import { createStore, type PasswordHasherOptions } from '@polytoken/core'
import { LEGACY_BASIC, startApp, testOptions, type TestServer } from '../zazz/fixture.js'

/**
 * Issue #13 item 4: scrypt and the SQLite driver share libuv's thread pool.
 * A burst of password grants must never starve the store: no store timeout,
 * /healthz 200 throughout, a cached Bearer call keeps answering, and every
 * grant gets a 4xx or a 503 with Retry-After. Over real HTTP, on SQLite, at
 * zazz's real scrypt cost (the starvation is about how long hashes hold the
 * pool's threads). POLYTOKEN_TEST_STARVATION_HASHING (JSON) overrides the hasher
 * settings: `{"concurrency":64,"maxQueue":1000}` shows the old behaviour fail.
 */
const hashing: PasswordHasherOptions | undefined = process.env.POLYTOKEN_TEST_STARVATION_HASHING ? JSON.parse(process.env.POLYTOKEN_TEST_STARVATION_HASHING) : undefined
/** zazz's default counting window. Windows are fixed (aligned to the epoch): a burst across a boundary meets two. */
const WINDOW_SEC = 900
const dir = mkdtempSync(join(tmpdir(), 'polytoken-starvation-'))
let server: TestServer
let http: Server
let base: string
let accessToken: string

before(async () => {
  server = await startApp(testOptions({ passwordHash: undefined, bruteForce: { windowSec: WINDOW_SEC } }), {
    store: await createStore(`sqlite://${join(dir, 'store.db')}`),
    ...(hashing ? { passwordHashing: hashing } : {}),
  })
  http = server.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => http.once('listening', resolve))
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const login = await grant('soroush', '123')
  assert.equal(login.status, 200, await login.clone().text())
  accessToken = ((await login.json()) as { access_token: string }).access_token
})
after(async () => {
  await new Promise((resolve) => http.close(resolve))
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

function grant(username: string, password: string): Promise<Response> {
  return fetch(`${base}/api/v1/token`, {
    method: 'POST',
    headers: { Authorization: LEGACY_BASIC, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'full' }),
  })
}

test('90 concurrent unknown-user password grants: no store timeout, /healthz 200 and a cached whoami answering throughout, every grant 4xx or 503 with Retry-After', async () => {
  const probes: { path: string; status: number }[] = []
  let bursting = true
  const probe = async (path: string, headers: Record<string, string> = {}) => {
    while (bursting) {
      const response = await fetch(`${base}${path}`, { headers })
      probes.push({ path, status: response.status })
      await response.arrayBuffer()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const probing = Promise.all([probe('/healthz'), probe('/api/v1/me', { Authorization: `Bearer ${accessToken}` })])
  const startedAt = Date.now()
  const answers = await Promise.all(
    Array.from({ length: 90 }, async (_, i) => {
      const response = await grant(`nobody-${i}`, 'guess')
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error: string; error_description: string } }
    }),
  )
  const endedAt = Date.now()
  bursting = false
  await probing

  for (const answer of answers) {
    assert.doesNotMatch(answer.body.error_description, /store/, JSON.stringify(answer))
    if (answer.status === 503) {
      assert.ok(Number(answer.retryAfter) > 0, `503 without Retry-After: ${JSON.stringify(answer)}`)
      assert.equal(answer.body.error, 'temporarily_unavailable')
    } else {
      assert.ok(answer.status === 400 || answer.status === 429, JSON.stringify(answer))
      if (answer.status === 429) assert.ok(Number(answer.retryAfter) > 0)
    }
  }
  const windows = Math.floor(endedAt / (WINDOW_SEC * 1000)) - Math.floor(startedAt / (WINDOW_SEC * 1000)) + 1
  assert.ok(answers.filter((a) => a.status === 400).length <= 50 * windows, 'no more than maxPerAddress passwords were tried in each window the burst met')
  assert.ok(probes.filter((p) => p.path === '/healthz').length >= 2 && probes.some((p) => p.path === '/api/v1/me'), 'the probes ran during the burst')
  assert.deepEqual(
    probes.filter((p) => p.status !== 200),
    [],
    'every /healthz and cached whoami answered 200',
  )
})
