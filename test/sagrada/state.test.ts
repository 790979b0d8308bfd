import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { Keyv } from 'keyv'
import { AUDIENCE, SECRET_A, assertion, createApp } from './fixture.js'

const token = (app: Parameters<typeof request>[0], auth: string) => request(app).get('/1.0/sync/1.5').set('authorization', auth)

test('allowNewUsers: false → 401 new-users-disabled for unknown users', async () => {
  const { app, router, clock } = await createApp({ allowNewUsers: false })
  try {
    const res = await token(app, `BrowserID ${assertion({ now: clock.now })}`)
    assert.equal(res.status, 401)
    assert.equal(res.body.status, 'new-users-disabled')
    assert.ok(res.headers['www-authenticate'])
  } finally {
    await router.close()
  }
})

test('uids and node assignments survive a restart on the same store; the switch then still lets known users in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagrada-'))
  const store = `sqlite://${join(dir, 'tokens.db')}`
  try {
    const first = await createApp({}, { now: Date.now() }, store)
    const alice = await token(first.app, `BrowserID ${assertion({ now: first.clock.now })}`)
    const bob = await token(first.app, `BrowserID ${assertion({ now: first.clock.now, email: 'bob@example.com' })}`)
    await first.router.close()
    assert.equal(alice.status, 200)

    const second = await createApp({ allowNewUsers: false }, { now: Date.now() }, store)
    try {
      const again = await token(second.app, `BrowserID ${assertion({ now: second.clock.now })}`)
      assert.equal(again.status, 200)
      assert.equal(again.body.uid, alice.body.uid)
      assert.equal(again.body.api_endpoint, alice.body.api_endpoint)
      assert.equal((await token(second.app, `BrowserID ${assertion({ now: second.clock.now, email: 'bob@example.com' })}`)).body.uid, bob.body.uid)
      assert.equal((await token(second.app, `BrowserID ${assertion({ now: second.clock.now, email: 'new@example.com' })}`)).body.status, 'new-users-disabled')
    } finally {
      await second.router.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('concurrent first logins of one user end with one uid', async () => {
  const { app, router, clock } = await createApp()
  try {
    const auth = `BrowserID ${assertion({ now: clock.now, email: 'race@example.com' })}`
    const answers = await Promise.all(Array.from({ length: 10 }, () => token(app, auth)))
    assert.ok(answers.every((res) => res.status === 200))
    assert.equal(new Set(answers.map((res) => res.body.uid)).size, 1)
    assert.equal((await token(app, auth)).body.uid, answers[0]!.body.uid)
  } finally {
    await router.close()
  }
})

/** A keyv adapter whose backend is gone. */
class DeadStore extends EventEmitter {
  namespace?: string
  get() {
    return new Promise(() => {})
  }
  set() {
    return new Promise(() => {})
  }
  delete() {
    return new Promise(() => {})
  }
  clear() {
    return new Promise(() => {})
  }
}

test('a store that does not answer → 503 with Retry-After in the envelope, within the timeout', async () => {
  const { app, router, clock } = await createApp({}, { now: Date.now() }, { keyv: new Keyv({ store: new DeadStore() }), timeoutMs: 200 })
  try {
    const started = Date.now()
    const res = await token(app, `BrowserID ${assertion({ now: clock.now })}`)
    assert.equal(res.status, 503)
    assert.equal(res.body.status, 'error')
    assert.equal(res.body.errors[0].description, 'Resource is not available')
    assert.equal(res.headers['retry-after'], '30')
    assert.ok(res.headers['x-timestamp'])
    assert.ok(Date.now() - started < 1500)
  } finally {
    await router.close()
  }
})

test('remote verifier: okay → token; down or slow → 503; failure → 401', async () => {
  let mode: 'okay' | 'failure' | 'slow' = 'okay'
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const { audience } = JSON.parse(body) as { audience: string }
      const answer = mode === 'failure' ? { status: 'failure', reason: 'bad' } : { status: 'okay', email: 'remote@example.com', audience, expires: Date.now() + 60_000, issuer: 'accounts.example.com' }
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)), mode === 'slow' ? 1000 : 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`
  const { app, router } = await createApp({ browserid: { audiences: [AUDIENCE], remote: { url, timeoutMs: 200 } } })
  try {
    const ok = await token(app, 'BrowserID remote~one')
    assert.equal(ok.status, 200)
    assert.equal(ok.body.uid > 0, true)
    mode = 'failure'
    assert.equal((await token(app, 'BrowserID remote~two')).body.status, 'invalid-credentials')
    mode = 'slow'
    const slow = await token(app, 'BrowserID remote~three')
    assert.equal(slow.status, 503)
    assert.ok(slow.headers['retry-after'])
  } finally {
    server.closeAllConnections()
    server.close()
    await router.close()
  }
  const down = await createApp({ browserid: { audiences: [AUDIENCE], remote: { url: 'http://127.0.0.1:1/v2', timeoutMs: 500 } } })
  try {
    const res = await token(down.app, 'BrowserID remote~four')
    assert.equal(res.status, 503)
    assert.equal(res.body.status, 'error')
  } finally {
    await down.router.close()
  }
})

test('configuration errors name the key', async () => {
  const { sagrada } = await import('@polytoken/plugins')
  const { options } = await import('./fixture.js')
  assert.throws(() => sagrada(options({ nodes: {} })), { code: 'ERR_CONFIG_INVALID', message: /sagrada\.nodes/ })
  assert.throws(() => sagrada(options({ applications: { sync: { '1.5': { endpoint: '{node}/1.5', nodes: ['https://sync-a.example.com'] } } } })), { code: 'ERR_CONFIG_INVALID', message: /endpoint/ })
  assert.throws(() => sagrada(options({ applications: { sync: { '1.5': { endpoint: '{node}/{uid}', nodes: ['https://unknown.example.com'] } } } })), {
    code: 'ERR_CONFIG_INVALID',
    message: /not in sagrada\.nodes/,
  })
  assert.throws(() => sagrada(options({ browserid: { audiences: [] } })), { code: 'ERR_CONFIG_INVALID', message: /audiences/ })
  assert.throws(() => sagrada(options({ browserid: { audiences: [AUDIENCE] } })), { code: 'ERR_CONFIG_INVALID', message: /trustedIssuers/ })
  assert.throws(() => sagrada(options({ nodes: { 'https://sync-a.example.com': { capacity: 0, secrets: [SECRET_A] } } })), { code: 'ERR_CONFIG_INVALID', message: /capacity/ })
})
