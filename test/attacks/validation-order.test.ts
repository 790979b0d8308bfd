import { test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { polytoken } from '@polytoken/express'
import { AuthInvalid, bearer, defineDialect, defineRoute, silentLogger, type PolytokenError } from '@polytoken/core'

const TOKEN = 'kit-valid-token-0123456789'
/** Words only the route's schema holds: an answer that carries one tells the caller about the schema. */
const SCHEMA_WORDS = /repository|visibility|maxLength|must |reasons|additional/i

/** One POST route with a schema and a Bearer check, validation first (the default) or authentication first. */
async function app(authenticateFirst: boolean) {
  const checks = { verify: 0 }
  const dialect = defineDialect({
    name: 'order',
    errorSchema: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, reasons: { type: 'object' } } },
    setup: () => ({
      routes: [
        defineRoute({
          method: 'POST',
          path: '/repos',
          accepts: ['json'],
          authenticateFirst,
          schema: {
            body: {
              type: 'object',
              required: ['repository', 'visibility'],
              additionalProperties: false,
              properties: { repository: { type: 'string', maxLength: 20 }, visibility: { enum: ['public', 'private'] } },
            },
          },
          auth: [
            bearer({
              realm: 'order',
              bearerFormat: 'opaque',
              verify: async (token) => {
                checks.verify++
                if (token !== TOKEN) throw new AuthInvalid('token is invalid')
                return { user: 'ada' }
              },
            }),
          ],
          handle: () => ({ status: 201, body: { ok: true } }),
        }),
      ],
      renderError: (error: PolytokenError) => ({
        status: error.status,
        headers: { ...error.headers, ...(error.challenges.length ? { 'WWW-Authenticate': error.challenges.join(', ') } : {}) },
        body: { message: error.message, ...(error.reasons ? { reasons: error.reasons } : {}) },
      }),
    }),
  })
  const router = await polytoken({ dialects: [dialect], logger: silentLogger })
  return { app: express().use(router), checks, close: () => router.close() }
}

const probes = [{}, { repository: 1 }, { repository: 'x'.repeat(50), visibility: 'secret' }, { repository: 'a', visibility: 'public', admin: true }]

test('authenticateFirst: a caller with a forged token learns nothing of the schema — every probe gets the same 401', async () => {
  const { app: server, close } = await app(true)
  const answers = new Set<string>()
  for (const probe of probes) {
    const response = await request(server).post('/repos').set('authorization', 'Bearer forged-token').send(probe)
    assert.equal(response.status, 401, JSON.stringify(probe))
    assert.doesNotMatch(response.text, SCHEMA_WORDS, `schema details in ${response.text}`)
    answers.add(`${response.status} ${response.text} ${String(response.headers['www-authenticate'])}`)
  }
  assert.equal(answers.size, 1, `the answers differ by body: ${[...answers].join('\n')}`)
  // The real token still gets the validation errors, then success.
  assert.equal((await request(server).post('/repos').set('authorization', `Bearer ${TOKEN}`).send({ repository: 1 })).status, 400)
  assert.equal((await request(server).post('/repos').set('authorization', `Bearer ${TOKEN}`).send({ repository: 'a', visibility: 'public' })).status, 201)
  await close()
})

test('validation first (the default) leaks the schema to a forged token, as docs/writing-a-dialect.md says, but costs it no credential check', async () => {
  const { app: server, checks, close } = await app(false)
  const response = await request(server).post('/repos').set('authorization', 'Bearer forged-token').send({ repository: 1 })
  assert.equal(response.status, 400)
  assert.match(response.text, /repository/, 'the field name is what a forged token learns under validation first')
  for (const probe of probes.slice(0, 3)) assert.equal((await request(server).post('/repos').set('authorization', 'Bearer forged-token').send(probe)).status, 400)
  assert.equal(checks.verify, 0, 'junk is refused before any credential check')
  await close()
})

test('either order: no credential at all is a 401 with the challenge, before the body is judged', async () => {
  for (const first of [true, false]) {
    const { app: server, close } = await app(first)
    const response = await request(server).post('/repos').send({ repository: 1 })
    assert.equal(response.status, 401)
    assert.match(String(response.headers['www-authenticate']), /^Bearer realm="order"/)
    assert.doesNotMatch(response.text, SCHEMA_WORDS)
    await close()
  }
})
