import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'

/**
 * Every dialect of the examples server through its flows over real HTTP, with secrets of the test's own (long and
 * distinctive, so a grep for one cannot match by chance): what an operator's log must never hold.
 */
export const SECRETS = {
  masterKey: 'lt-master-key-5b8e1c0f7a2d4e6b9c3f',
  prodmanager: 'lt-prodmanager-secret-9d41a7e2c6b0',
  sessionSecret: 'lt-tg-session-secret-2f7c9e1a4b6d8f0a3c5e',
  resourceSecret: 'lt-tg-resource-secret-8a6c4e2b0d9f7a5c3e1b',
  crewPassword: 'lt-crew-password-c0ffee-7e3d',
  zazzClientSecret: 'lt-zazz-client-secret-41f9b2d7',
  zazzPassword: 'lt-zazz-password-a8d3f6c1',
  sagradaNodeSecret: 'lt-sagrada-node-secret-0123456789abcdef',
  /** Tried and refused: a failed login's password must not reach the log either. */
  wrongPassword: 'lt-wrong-password-6e2a9c4f1b',
} as const

export interface FlowSetup {
  /** A config.json for the examples server with SECRETS, and the sagrada issuer's private key beside it. */
  configFile: string
  issuerKey: KeyObject
}

/** Write the examples server's config.json with the test's secrets (and a fresh BrowserID issuer key) into `dir`. */
export function writeFlowConfig(root: string, dir: string): FlowSetup {
  const config = JSON.parse(readFileSync(join(root, 'examples/server/config.json'), 'utf8'))
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyFile = join(dir, 'issuer-key.pem')
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  config.masterKey = SECRETS.masterKey
  config.prodmanager.secret = SECRETS.prodmanager
  config['token-generator'].sessionSecret = SECRETS.sessionSecret
  config['token-generator'].resourceSecret = SECRETS.resourceSecret
  for (const user of Object.values<{ password: string }>(config.crew.users)) user.password = SECRETS.crewPassword
  config.zazz.clients[1].secret = SECRETS.zazzClientSecret
  config.zazz.users[0].password = SECRETS.zazzPassword
  config.sagrada.nodes['http://localhost:8000'].secrets = [SECRETS.sagradaNodeSecret]
  config.sagrada.browserid.trustedIssuers = [{ issuer: 'lt-issuer.localhost', publicKeyFile: keyFile }]
  const configFile = join(dir, 'config.json')
  writeFileSync(configFile, JSON.stringify(config))
  return { configFile, issuerKey: privateKey }
}

export interface FlowResult {
  /** Every credential sent and every token or key received: none may appear in a log. */
  secrets: string[]
  /** The X-Request-Id of every answer, in order. */
  requestIds: string[]
}

type Send = (method: string, path: string, init?: { headers?: Record<string, string>; body?: string | FormData }) => Promise<Response>

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** Run every dialect's flows against `baseUrl` (the examples server with writeFlowConfig's config). */
export async function runDialectFlows(baseUrl: string, setup: FlowSetup): Promise<FlowResult> {
  const secrets: string[] = [...Object.values(SECRETS), pemBody(setup.issuerKey)]
  const requestIds: string[] = []
  const send: Send = async (method, path, init = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: init.headers, body: init.body })
    requestIds.push(response.headers.get('x-request-id') ?? '')
    return response
  }
  const json = async (response: Response, status: number) => {
    const text = await response.text()
    assert.equal(response.status, status, text)
    return JSON.parse(text) as Record<string, unknown>
  }
  const expect = async (response: Response, status: number) => assert.equal(response.status, status, await response.text())
  const keep = (...values: unknown[]) => {
    for (const value of values) {
      assert.equal(typeof value, 'string', `expected a token, got ${String(value)}`)
      secrets.push(value as string)
      // A JWT's signature alone would be a leak too (a log that cut the token short).
      if ((value as string).split('.').length === 3) secrets.push((value as string).split('.')[2]!)
    }
  }

  // prodmanager: create (form secret), whoami, list and revoke (the secret as a Basic password), a wrong secret.
  const create = new FormData()
  create.append('secret', SECRETS.prodmanager)
  create.append('name', 'log-secrets')
  create.append('description', 'a token for the log-secrets test')
  create.append('permission', 'scope_api')
  const createdResponse = await send('POST', '/api/token/create', { headers: { accept: 'text/plain' }, body: create })
  const token = await createdResponse.text()
  assert.equal(createdResponse.status, 200, token)
  keep(token)
  const whoami = await json(await send('GET', '/api/token/whoami', { headers: { authorization: `Bearer ${token}` } }), 200)
  await json(await send('GET', '/api/token/list', { headers: { authorization: basic('admin', SECRETS.prodmanager) } }), 200)
  await json(await send('POST', '/api/token/revoke', { headers: { authorization: basic('admin', SECRETS.prodmanager), ...FORM }, body: form({ jti: whoami.jti as string }) }), 200)
  await expect(await send('GET', '/api/token/whoami', { headers: { authorization: `Bearer ${token}` } }), 401)
  const wrong = new FormData()
  wrong.append('secret', SECRETS.wrongPassword)
  wrong.append('name', 'wrong-secret')
  wrong.append('description', 'a wrong secret')
  await expect(await send('POST', '/api/token/create', { body: wrong }), 400)

  // token-generator: a session token signed with the session secret, exchanged for a resource token.
  const now = Math.floor(Date.now() / 1000)
  const session = await new SignJWT({ user_id: 'log-secrets-user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(SECRETS.sessionSecret))
  keep(session)
  const permission = JSON.stringify({ abilities: { album_id: { Access: { see: true } } }, Id: 'album_id' })
  const resource = await json(await send('POST', '/api/v1/token', { headers: { authorization: `Token token="${session}"`, ...FORM }, body: form({ permission }) }), 200)
  keep(resource.token)

  // crew: Basic login with an offline token, refresh, revoke; anonymous pull; a wrong password.
  const scope = 'service=registry.local&scope=repository:genedna/app:pull,push&account=genedna&offline_token=true&client_id=curl'
  const login = await json(await send('GET', `/v1/token?${scope}`, { headers: { authorization: basic('genedna', SECRETS.crewPassword) } }), 200)
  keep(login.token, login.refresh_token)
  const refreshed = await json(
    await send('POST', '/v1/token', {
      headers: FORM,
      body: form({ grant_type: 'refresh_token', refresh_token: login.refresh_token as string, service: 'registry.local', client_id: 'curl', scope: 'repository:genedna/app:pull' }),
    }),
    200,
  )
  keep(refreshed.token)
  await json(await send('POST', '/v1/token/revoke', { headers: FORM, body: form({ token: login.refresh_token as string }) }), 200)
  await json(await send('GET', '/v1/token?service=registry.local&scope=repository:library/alpine:pull'), 200)
  await expect(await send('GET', `/v1/token?${scope}`, { headers: { authorization: basic('genedna', SECRETS.wrongPassword) } }), 401)

  // zazz: password grant, me, introspect, refresh, revoke; a wrong password and a wrong client secret.
  const client = basic('zazz-web', SECRETS.zazzClientSecret)
  const grant = await json(
    await send('POST', '/zazz/api/v1/token', {
      headers: { authorization: client, ...FORM },
      body: form({ grant_type: 'password', username: 'soroush', password: SECRETS.zazzPassword, scope: 'full' }),
    }),
    200,
  )
  keep(grant.access_token, grant.refresh_token)
  await json(await send('GET', '/zazz/api/v1/me', { headers: { authorization: `Bearer ${grant.access_token as string}` } }), 200)
  await json(await send('POST', '/zazz/api/v1/token/introspect', { headers: { authorization: client, ...FORM }, body: form({ token: grant.access_token as string }) }), 200)
  const renewed = await json(
    await send('POST', '/zazz/api/v1/token', { headers: { authorization: client, ...FORM }, body: form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token as string }) }),
    200,
  )
  keep(renewed.access_token, renewed.refresh_token)
  await json(await send('POST', '/zazz/api/v1/token/revoke', { headers: { authorization: client, ...FORM }, body: form({ token: renewed.refresh_token as string }) }), 200)
  await expect(
    await send('POST', '/zazz/api/v1/token', {
      headers: { authorization: client, ...FORM },
      body: form({ grant_type: 'password', username: 'soroush', password: SECRETS.wrongPassword, scope: 'full' }),
    }),
    400,
  )
  await expect(await send('POST', '/zazz/api/v1/token', { headers: { authorization: basic('zazz-web', SECRETS.wrongPassword), ...FORM }, body: form({ grant_type: 'password' }) }), 401)

  // sagrada: a BrowserID assertion for a node token and its Hawk key; a forged assertion.
  const assertion = browserIdAssertion(setup.issuerKey, new URL(baseUrl).origin.replace('127.0.0.1', 'localhost'))
  keep(assertion)
  const node = await json(await send('GET', '/1.0/sync/1.5', { headers: { authorization: `BrowserID ${assertion}` } }), 200)
  keep(node.id, node.key)
  const forged = browserIdAssertion(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, new URL(baseUrl).origin)
  keep(forged)
  await expect(await send('GET', '/1.0/sync/1.5', { headers: { authorization: `BrowserID ${forged}` } }), 401)

  return { secrets, requestIds }
}

function browserIdAssertion(issuerKey: KeyObject, audience: string): string {
  const user = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const now = Date.now()
  const certificate = createBrowserIdCertificate({ issuer: 'lt-issuer.localhost', issuerKey, email: 'log-secrets@example.com', publicKey: user.publicKey, issuedAt: now, expiresAt: now + 3_600_000 })
  return createBrowserIdAssertion({ certificates: [certificate], userKey: user.privateKey, audience, expiresAt: now + 300_000 })
}

/** A line from the middle of the issuer's private key PEM: enough to find any print of it. */
function pemBody(key: KeyObject): string {
  const lines = String(key.export({ type: 'pkcs8', format: 'pem' })).split('\n')
  return lines[Math.floor(lines.length / 2)]!
}
