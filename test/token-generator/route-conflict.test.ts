import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime, defineDialect, defineRoute, silentLogger, type PolytokenError } from '@polytoken/core'
import { tokenGenerator } from '@polytoken/plugins'
import { testOptions } from './helpers.js'

/** A stand-in for zazz: another dialect that also answers POST /api/v1/token. */
const other = () =>
  defineDialect({
    name: 'other-token-api',
    errorSchema: { type: 'object' },
    setup: () => ({
      routes: [defineRoute({ method: 'POST', path: '/api/v1/token', accepts: ['json'], handle: () => ({ status: 200, body: {} }) })],
      renderError: (error: PolytokenError) => ({ status: error.status, body: { error: error.message } }),
    }),
  })

const base = { store: 'memory://', masterKey: 'token-generator-test-master-key-0123456789', logger: silentLogger }

test('two dialects on POST /api/v1/token at one prefix: refused at start-up', async () => {
  await assert.rejects(createRuntime({ ...base, dialects: [tokenGenerator(testOptions()), other()] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_ROUTE_CONFLICT')
    assert.match(error.message, /token-generator/)
    assert.match(error.message, /other-token-api/)
    return true
  })
})

test('the other one under its own prefix (as zazz is, under /zazz): both mount', async () => {
  const runtime = await createRuntime({
    ...base,
    dialects: [
      { dialect: tokenGenerator(testOptions()), prefix: '' },
      { dialect: other(), prefix: '/zazz' },
    ],
  })
  try {
    assert.deepEqual(runtime.routes.map((route) => `${route.method} ${route.fullPath}`).sort(), ['POST /api/v1/token', 'POST /zazz/api/v1/token'])
  } finally {
    await runtime.close()
  }
})

test('start-up fails with the key named when a session or resource secret is missing', async () => {
  assert.throws(() => tokenGenerator({ ...testOptions(), sessionKeys: [] }), { code: 'ERR_CONFIG_INVALID', message: /token-generator\.sessionKeys/ })
  // A key source the ring cannot load fails setup, not the first request.
  await assert.rejects(createRuntime({ ...base, dialects: [tokenGenerator({ ...testOptions(), resourceKeys: [{ pem: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }] })] }), {
    code: 'ERR_KEY_INVALID',
  })
})
