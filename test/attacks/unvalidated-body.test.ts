/**
 * A handler's input is typed from its route's schema, so a body must never reach it unvalidated. The Express router
 * always names the parser it used; a host built on createRuntime hands requests to `route.execute` itself and may
 * not. Forged here: bodies with no parser named, or one the route does not accept, carrying what the schema refuses.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime, defineDialect, defineRoute, silentLogger, type BodyType, type PolyRequest } from '@polytoken/core'
import { greeting } from '../../examples/custom-dialect/greeting-dialect.js'

const reached: unknown[] = []

const probe = defineDialect({
  name: 'probe',
  errorSchema: { type: 'object' },
  setup: () => ({
    routes: [
      defineRoute({
        method: 'POST',
        path: '/grant',
        accepts: ['urlencoded'],
        schema: { body: { type: 'object', required: ['scope'], additionalProperties: false, properties: { scope: { type: 'string', maxLength: 16 } } } },
        handle({ input }) {
          reached.push(input.body)
          return { status: 200, body: { scope: input.body.scope.toUpperCase() } }
        },
      }),
    ],
    renderError: (error) => ({ status: error.status, body: { error: error.code } }),
  }),
})

const forged = (path: string, bodyType: BodyType | undefined, body: unknown, headers: Record<string, string> = {}): PolyRequest => ({
  method: 'POST',
  path,
  params: {},
  query: {},
  headers,
  body,
  bodyType,
  ip: '203.0.113.9',
  receivedAt: 0,
})

test('a body no declared parser produced never reaches a handler: 415 in the dialect envelope', async () => {
  const runtime = await createRuntime({ logger: silentLogger, masterKey: 'unvalidated-body-master-key-0123456789', dialects: [probe, greeting({ apiKey: 'k' })] })
  try {
    const grant = runtime.routes.find((route) => route.fullPath === '/grant')!
    const greet = runtime.routes.find((route) => route.fullPath === '/greet')!
    const attempts: Array<[typeof grant, PolyRequest]> = [
      // No parser named: an object where a string is wanted, an unknown key, a prototype key.
      [grant, forged('/grant', undefined, { scope: { toUpperCase: 1 } })],
      [grant, forged('/grant', undefined, JSON.parse('{"scope":"read","__proto__":{"admin":true}}'))],
      [grant, forged('/grant', undefined, 'scope=admin')],
      // A parser the route does not declare (multipart, JSON on a form-only route).
      [grant, forged('/grant', 'multipart', { scope: 'x'.repeat(100_000) })],
      [grant, forged('/grant', 'json', { scope: ['read', 'write'] })],
      // The example custom dialect: its handler signs whatever name it is given.
      [greet, forged('/greet', undefined, { name: { length: 1 } }, { 'x-api-key': 'k' })],
      [greet, forged('/greet', 'multipart', { name: 'x'.repeat(10_000) }, { 'x-api-key': 'k' })],
    ]
    for (const [route, request] of attempts) {
      const answer = await route.execute(request)
      assert.equal(answer.status, 415, JSON.stringify(request.body).slice(0, 80))
      const code = (answer.body as { error?: string; code?: string }).error ?? (answer.body as { code?: string }).code
      assert.equal(code, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE')
    }
    assert.deepEqual(reached, [], 'no handler saw an unvalidated body')

    // The same route still serves a body its declared parser produced (coerced and checked).
    const ok = await grant.execute(forged('/grant', 'urlencoded', { scope: 'read' }))
    assert.deepEqual(ok, { status: 200, body: { scope: 'READ' } })
  } finally {
    await runtime.close()
  }
})
