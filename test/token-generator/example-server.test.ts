import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import request from 'supertest'
import { jwtVerify } from 'jose'
import { silentLogger } from '@polytoken/core'
import { createExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'
import { DOCUMENT_BODY, decodeJwt } from './helpers.js'

const root = new URL('../..', import.meta.url).pathname
const mint = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'examples/token-generator/mint-session-token.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()

async function exampleServer(env: NodeJS.ProcessEnv) {
  const config = loadConfig({ ...env, POLYTOKEN_STORE: 'memory://' })
  // Only this dialect's section: the others are not under test here.
  return createExampleServer({ ...config, sections: { 'token-generator': config.sections['token-generator']! } }, env, 'http://localhost:8080', silentLogger)
}

test('the README session: mint a session token with the script, exchange it at the examples server', async () => {
  const server = await exampleServer({})
  try {
    assert.ok(
      server.warnings.some((w) => w.includes('token-generator.sessionSecret')),
      'example secrets are warned about',
    )
    const token = mint(['--user', 'f551a1cb-930e-4501-87a9-f51a0718da3e', '--ttl', '600'])
    assert.match(token, /^eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9\.[\w-]+\.[\w-]+$/)
    const claims = decodeJwt(token)
    assert.equal(claims.user_id, 'f551a1cb-930e-4501-87a9-f51a0718da3e')
    assert.equal(claims.exp! - claims.iat!, 600)
    const response = await request(server.app).post('/api/v1/token').set('Authorization', `Token token="${token}"`).type('form').send(DOCUMENT_BODY)
    assert.equal(response.status, 200, response.text)
    assert.equal(response.body.endpoint, 'localhost:5001')
    const config = loadConfig({})
    await jwtVerify(response.body.token, new TextEncoder().encode(config.sections['token-generator']!.resourceSecret as string))
  } finally {
    await server.router.close()
  }
})

test('the script and the server read the same environment override', async () => {
  const env = { TOKEN_GENERATOR_SESSION_SECRET: 'env-session-secret-0123456789abcdef', TOKEN_GENERATOR_RESOURCE_SECRET: 'env-resource-secret-0123456789abcdef' }
  const server = await exampleServer(env)
  try {
    assert.ok(!server.warnings.some((w) => w.startsWith('token-generator')))
    const fromEnv = mint(['--user', '42'], env)
    const fromFile = mint(['--user', '42'])
    const send = (token: string) => request(server.app).post('/api/v1/token').set('Authorization', `Token token="${token}"`).type('form').send(DOCUMENT_BODY)
    assert.equal((await send(fromEnv)).status, 200)
    assert.equal((await send(fromFile)).status, 401)
  } finally {
    await server.router.close()
  }
})

test('the script refuses to run without --user', () => {
  assert.throws(
    () => mint([]),
    (error: { status?: number; stderr?: string }) => error.status === 2 && /--user is required/.test(String(error.stderr)),
  )
})
