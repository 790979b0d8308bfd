import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createBrowserIdAssertion, createBrowserIdCertificate } from '@polytoken/browserid'
import { ROOT, tempDir } from '../scale-out/harness.js'
import { spawnExamplesServer, untilReady, type ExamplesServer } from '../helpers/examples-server-process.js'

/**
 * The `polytoken` bin as a child process next to a running examples server on one store (SQLite file or Redis with a
 * random key prefix), both reading one config.json written here with the test's own secrets: what an operator does.
 */

/** Long and distinctive, so a grep for one in the CLI's output cannot match by chance. */
export const SECRETS = {
  masterKey: 'examples-server-test-master-key-0123456789',
  prodmanager: 'cli-prodmanager-secret-4c9e1b7a2d',
  crewPassword: 'cli-crew-password-7f3a9c1e',
  zazzClientSecret: 'cli-zazz-client-secret-b2e8d4f6',
  zazzPassword: 'cli-zazz-password-9a1c3e5f',
  nodeSecret: 'cli-sagrada-node-a-secret-0123456789abcdef',
  sharedSecret: 'cli-sagrada-shared-secret-fedcba9876543210',
} as const

/** The verification cache bound of the test server: a revocation is seen by every instance within it. */
export const CACHE_MAX_TTL_MS = 1500
export const NODE_A = 'http://node-a.test'
export const NODE_B = 'http://node-b.test'

export type StoreKind = 'sqlite' | 'redis'
export const STORES: StoreKind[] = process.env.CLI_STORES ? (process.env.CLI_STORES.split(',') as StoreKind[]) : ['sqlite', 'redis']

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliWorld {
  server: ExamplesServer
  issuerKey: KeyObject
  /** Run `polytoken <args>` with the server's configuration and store. */
  cli(args: string[], stdin?: string): Promise<CliResult>
  /** Every value that must never reach the CLI's output: the secrets and every token the test received. */
  secrets: string[]
  close(): Promise<void>
}

export async function startWorld(kind: StoreKind): Promise<CliWorld> {
  const dir = tempDir('cli-tokens')
  const store = kind === 'sqlite' ? `sqlite://${join(dir.path, 'polytoken.db')}` : `redis://127.0.0.1:6379/0?prefix=cli-${randomBytes(6).toString('hex')}-`
  const { privateKey: issuerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyFile = join(dir.path, 'issuer-key.pem')
  writeFileSync(keyFile, issuerKey.export({ type: 'pkcs8', format: 'pem' }))
  const config = JSON.parse(readFileSync(join(ROOT, 'examples/server/config.json'), 'utf8'))
  config.masterKey = SECRETS.masterKey
  config.cache = { maxTtlMs: CACHE_MAX_TTL_MS }
  config.prodmanager.secret = SECRETS.prodmanager
  for (const user of Object.values<{ password: string }>(config.crew.users)) user.password = SECRETS.crewPassword
  config.zazz.clients[1].secret = SECRETS.zazzClientSecret
  config.zazz.users[0].password = SECRETS.zazzPassword
  // Node A is configured with its own secret; the shared secrets let a node be added at run time (node B).
  config.sagrada.applications.sync['1.5'].nodes = [NODE_A]
  config.sagrada.nodes = { [NODE_A]: { capacity: 2, secrets: [SECRETS.nodeSecret] } }
  config.sagrada.secrets = [SECRETS.sharedSecret]
  config.sagrada.browserid.trustedIssuers = [{ issuer: 'cli-issuer.localhost', publicKeyFile: keyFile }]
  const configFile = join(dir.path, 'config.json')
  writeFileSync(configFile, JSON.stringify(config))

  const server = await spawnExamplesServer({ store, config, env: { POLYTOKEN_CONFIG: configFile } })
  try {
    await untilReady(server)
  } catch (error) {
    await server.cleanup()
    dir.remove()
    throw error
  }
  const env = { ...process.env, NODE_ENV: 'test', POLYTOKEN_CONFIG: configFile, POLYTOKEN_DATA_DIR: dir.path, POLYTOKEN_STORE: store, POLYTOKEN_MASTER_KEY: SECRETS.masterKey }
  return {
    server,
    issuerKey,
    secrets: [...Object.values(SECRETS)],
    cli: (args, stdin) => runBin(args, env, stdin),
    async close() {
      await server.cleanup()
      dir.remove()
    },
  }
}

export function runBin(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples/server/bin/polytoken.mjs'), ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

/** A listing printed with --json, checked to be exit 0 and a JSON array. */
export function rowsOf(result: CliResult): Array<Record<string, unknown>> {
  assert.equal(result.code, 0, result.stderr)
  const rows = JSON.parse(result.stdout) as unknown
  assert.ok(Array.isArray(rows), result.stdout)
  return rows as Array<Record<string, unknown>>
}

/** No secret and no token in what the CLI printed. */
export function assertNoSecrets(result: CliResult, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a secret or token (${secret.slice(0, 6)}...) was printed`)
  }
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** POST /api/token/create: a prodmanager token (text). */
export async function createProdmanagerToken(world: CliWorld, name = 'cli-tokens-app'): Promise<string> {
  const body = new URLSearchParams({ secret: SECRETS.prodmanager, name, description: 'a token for the CLI test', permission: 'read_api' })
  const response = await fetch(`${world.server.url}/api/token/create`, { method: 'POST', headers: { ...FORM, accept: 'text/plain' }, body })
  const token = await response.text()
  assert.equal(response.status, 200, token)
  world.secrets.push(token, token.split('.')[2]!)
  return token
}

export const whoami = (world: CliWorld, token: string) => fetch(`${world.server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` } })

/** A zazz password grant: access and refresh token. */
export async function zazzLogin(world: CliWorld): Promise<{ access_token: string; refresh_token: string }> {
  const response = await fetch(`${world.server.url}/zazz/api/v1/token`, {
    method: 'POST',
    headers: { authorization: basic('zazz-web', SECRETS.zazzClientSecret), ...FORM },
    body: new URLSearchParams({ grant_type: 'password', username: 'soroush', password: SECRETS.zazzPassword, scope: 'full' }),
  })
  const body = (await response.json()) as { access_token: string; refresh_token: string }
  assert.equal(response.status, 200, JSON.stringify(body))
  world.secrets.push(body.access_token, body.refresh_token, body.access_token.split('.')[2]!)
  return body
}

export const zazzRefresh = (world: CliWorld, refreshToken: string) =>
  fetch(`${world.server.url}/zazz/api/v1/token`, {
    method: 'POST',
    headers: { authorization: basic('zazz-web', SECRETS.zazzClientSecret), ...FORM },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  })

export const zazzMe = (world: CliWorld, accessToken: string) => fetch(`${world.server.url}/zazz/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })

/** A crew login with an offline (refresh) token. */
export async function crewLogin(world: CliWorld): Promise<string> {
  const query = 'service=registry.local&scope=repository:genedna/app:pull&account=genedna&offline_token=true&client_id=cli-test'
  const response = await fetch(`${world.server.url}/v1/token?${query}`, { headers: { authorization: basic('genedna', SECRETS.crewPassword) } })
  const body = (await response.json()) as { token: string; refresh_token: string }
  assert.equal(response.status, 200, JSON.stringify(body))
  world.secrets.push(body.token, body.refresh_token, body.token.split('.')[2]!)
  return body.refresh_token
}

export const crewRefresh = (world: CliWorld, refreshToken: string) =>
  fetch(`${world.server.url}/v1/token`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, service: 'registry.local', client_id: 'cli-test', scope: 'repository:genedna/app:pull' }),
  })

/** GET /1.0/sync/1.5 with a BrowserID assertion for `email` (and a client state, when given). */
export async function sagradaLogin(world: CliWorld, email: string, clientState?: string): Promise<Record<string, unknown>> {
  const audience = new URL(world.server.url).origin.replace('127.0.0.1', 'localhost')
  const user = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const now = Date.now()
  const certificate = createBrowserIdCertificate({ issuer: 'cli-issuer.localhost', issuerKey: world.issuerKey, email, publicKey: user.publicKey, issuedAt: now, expiresAt: now + 3_600_000 })
  const assertion = createBrowserIdAssertion({ certificates: [certificate], userKey: user.privateKey, audience, expiresAt: now + 300_000 })
  const response = await fetch(`${world.server.url}/1.0/sync/1.5`, {
    headers: { authorization: `BrowserID ${assertion}`, ...(clientState !== undefined ? { 'x-client-state': clientState } : {}) },
  })
  const body = (await response.json()) as Record<string, unknown>
  assert.equal(response.status, 200, JSON.stringify(body))
  world.secrets.push(assertion, body.id as string, body.key as string)
  return body
}
