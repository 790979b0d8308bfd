/**
 * Issue #16 item 5: sagrada's discovery document names the token server's URL, which clients then send
 * assertions to. Before: it was built from the Host header alone (the mount point dropped) and trusted
 * X-Forwarded-Proto whatever the host app's `trust proxy` said. A client (or anything in front of an app
 * without a proxy) could pick the scheme of the URL served to it; forwarded headers must count only when the
 * host app trusts its proxy, and a configured publicUrl must win over every header.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { MOUNT, startTypicalApp, type TypicalApp } from '../host-app/typical-app.js'

const discovery = (app: TypicalApp) => request(app.url).get(`${MOUNT}/sync/`)

describe('forwarded headers, trust proxy off (Express default)', () => {
  let app: TypicalApp
  before(async () => (app = await startTypicalApp()))
  after(() => app.close())

  test('a forged X-Forwarded-Host or X-Forwarded-Proto changes nothing in the discovery document', async () => {
    const honest = (await discovery(app)).body.auth
    assert.equal(honest, `${app.url}${MOUNT}/sync`)
    for (const [name, value] of [
      ['X-Forwarded-Host', 'attacker.example'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'attacker.example, other.example'],
      ['Forwarded', 'host=attacker.example;proto=https'],
    ] as const) {
      const response = await discovery(app).set(name, value)
      assert.equal(response.status, 200)
      assert.equal(response.body.auth, honest, `${name}: ${value}`)
    }
  })

  test('a Host header that is not a plain host[:port] is never echoed', async () => {
    for (const host of ['attacker.example/evil', 'user@attacker.example', 'a"b', 'attacker.example:99999999', '[::1']) {
      const response = await discovery(app).set('Host', host)
      assert.equal(response.status, 200, host)
      assert.equal(response.body.auth, '', host)
    }
  })
})

describe('forwarded headers, trust proxy on', () => {
  let app: TypicalApp
  before(async () => (app = await startTypicalApp({ trustProxy: true })))
  after(() => app.close())

  test("the trusted proxy's X-Forwarded-Host and X-Forwarded-Proto name the public URL, mount point kept", async () => {
    const response = await discovery(app).set('X-Forwarded-Host', 'id.example.com').set('X-Forwarded-Proto', 'https')
    assert.equal(response.body.auth, `https://id.example.com${MOUNT}/sync`)
  })

  test('a forwarded host that is not a plain host[:port] is refused like a Host header', async () => {
    const response = await discovery(app).set('X-Forwarded-Host', 'attacker.example/evil')
    assert.equal(response.body.auth, '')
  })
})

describe('a configured publicUrl', () => {
  let app: TypicalApp
  before(async () => (app = await startTypicalApp({ trustProxy: true, publicUrl: 'https://id.example.com/tokens/' })))
  after(() => app.close())

  test('wins over Host and every forwarded header, even from a trusted proxy', async () => {
    const response = await discovery(app).set('Host', 'attacker.example').set('X-Forwarded-Host', 'attacker.example').set('X-Forwarded-Proto', 'http')
    assert.equal(response.body.auth, 'https://id.example.com/tokens/sync')
  })
})
