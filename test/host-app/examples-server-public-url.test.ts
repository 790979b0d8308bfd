/**
 * The examples server behind a proxy that serves it under a path (POLYTOKEN_BASE_URL=https://id.example.com/tokens/):
 * what it prints (crew's registry realm) and what it serves (sagrada's discovery document) name the same public
 * URL, path included, and sagrada accepts assertions for that URL's origin. /openapi.json's server is that URL too, so
 * a generated client (or the docs page's "try it") sends to the prefix the proxy strips.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { silentLogger } from '@polytoken/core'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'
import { createExampleServer, type ExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

const PUBLIC = 'https://id.example.com/tokens'
const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-public-url-'))
let server: ExampleServer

before(async () => {
  const env = { POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir, POLYTOKEN_BASE_URL: `${PUBLIC}/` }
  const config = loadConfig(env)
  config.sections.sagrada = { ...config.sections.sagrada, discovery: true }
  // main.ts hands the server its base URL without the trailing slash.
  server = await createExampleServer(config, env, PUBLIC, silentLogger)
})
after(async () => {
  await server.router.close()
  rmSync(dataDir, { recursive: true, force: true })
})

test("crew's printed registry realm is the public URL with its path", () => {
  const notes = server.mounts.find((mount) => mount.key === 'crew')!.notes!
  assert.ok(notes.includes(`      realm: ${PUBLIC}/v1/token`), notes.join('\n'))
})

test("sagrada's discovery document names the same URL whatever Host the request carried, and a token is bought under it", async () => {
  const discovery = await request(server.app).get('/').set('Host', 'attacker.example')
  assert.equal(discovery.status, 200, discovery.text)
  assert.equal(discovery.body.auth, PUBLIC)
  const issuerKey = createPrivateKey(readFileSync(new URL('../../examples/sagrada/example-issuer-key.EXAMPLE-ONLY.pem', import.meta.url), 'utf8'))
  const user = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })
  const now = Date.now()
  const certificate = createBrowserIdCertificate({ issuer: 'example-issuer.localhost', issuerKey, email: 'alice@example.com', publicKey: user.publicKey, issuedAt: now, expiresAt: now + 60_000 })
  const assertion = createBrowserIdAssertion({ certificates: [certificate], userKey: user.privateKey, audience: new URL(PUBLIC).origin, expiresAt: now + 60_000 })
  // The proxy strips /tokens: the app sees the path under it.
  const token = await request(server.app)
    .get(new URL(`${discovery.body.auth}/1.0/sync/1.5`).pathname.slice('/tokens'.length))
    .set('Authorization', `BrowserID ${assertion}`)
  assert.equal(token.status, 200, token.text)
  assert.ok(token.body.id)
})

test('/openapi.json names the public URL, path included, as its server', async () => {
  const openapi = await request(server.app).get('/openapi.json').set('Host', 'attacker.example')
  assert.equal(openapi.status, 200)
  assert.deepEqual(openapi.body.servers, [{ url: PUBLIC }])
})
