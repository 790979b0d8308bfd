import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import SwaggerParser from '@apidevtools/swagger-parser'
import express from 'express'
import { bearer, defineDialect, defineRoute, silentLogger, type PolytokenError } from '@polytoken/core'
import { polytoken } from '@polytoken/express'
import { createExampleServer, type ExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

interface Operation {
  operationId: string
  responses: Record<string, { description: string; headers?: Record<string, { example?: string }>; content?: Record<string, { schema: { $ref?: string } }> }>
}
type Document = { paths: Record<string, Record<string, Operation>> }

const operation = (doc: Document, path: string, method: string): Operation => {
  const found = doc.paths[path]?.[method]
  assert.ok(found, `${method} ${path} in ${Object.keys(doc.paths).join(', ')}`)
  return found
}

describe('/openapi.json of every dialect of the examples server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-openapi-'))
  let server: ExampleServer
  let doc: Document
  before(async () => {
    const env = { POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir }
    server = await createExampleServer(loadConfig(env), env, 'http://localhost:8080', silentLogger)
    doc = (await request(server.app).get('/openapi.json')).body as Document
  })
  after(async () => {
    await server.router.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    // validate() dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc) as never)
  })

  test('operationIds are code-generator safe: [A-Za-z0-9_], not starting with a digit, unique', () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    assert.ok(ids.length >= 10, `${ids.length} operations`)
    for (const id of ids) assert.match(id, /^[A-Za-z_][A-Za-z0-9_]*$/)
    assert.equal(new Set(ids).size, ids.length, `duplicates in ${ids.join(', ')}`)
    assert.equal(operation(doc, '/api/token/whoami', 'get').operationId, 'prodmanager_getTokenWhoami')
    assert.equal(operation(doc, '/1.0/{app_name}/{app_version}', 'get').operationId, 'sagrada_get10AppNameAppVersion')
  })

  test('a Bearer route lists 401 with its WWW-Authenticate challenge, in the dialect error schema', () => {
    const whoami = operation(doc, '/api/token/whoami', 'get')
    const unauthorized = whoami.responses['401']
    assert.ok(unauthorized, JSON.stringify(Object.keys(whoami.responses)))
    assert.match(unauthorized.headers?.['WWW-Authenticate']?.example ?? '', /^Bearer realm=/)
    assert.equal(unauthorized.content?.['application/json']?.schema.$ref, '#/components/schemas/prodmanager.Error')
    assert.ok(whoami.responses['503'], 'store outage')
    assert.ok(whoami.responses.default)
    assert.equal(whoami.responses['413'], undefined, 'a GET takes no body')
  })

  test('a body route lists 400, 413 and 415; a guessed secret 429 with Retry-After; a path parameter 404', () => {
    const create = operation(doc, '/api/token/create', 'post')
    for (const status of ['400', '401', '413', '415', '429', '503']) assert.ok(create.responses[status], `${status} in ${Object.keys(create.responses).join(', ')}`)
    assert.ok(create.responses['429']!.headers?.['Retry-After'])
    const sagrada = operation(doc, '/1.0/{app_name}/{app_version}', 'get')
    assert.ok(sagrada.responses['404'], Object.keys(sagrada.responses).join(', '))
    assert.match(sagrada.responses['401']!.headers?.['WWW-Authenticate']?.example ?? '', /BrowserID/)
  })
})

test("statuses are the dialect's own: a renderError that answers 422 for invalid input documents 422, not 400", async () => {
  const dialect = defineDialect({
    name: 'strict-api',
    errorSchema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    setup: () => ({
      routes: [
        defineRoute({
          method: 'POST',
          path: '/things/:id',
          accepts: ['json'],
          schema: { body: { type: 'object', properties: { name: { type: 'string' } } } },
          auth: [bearer({ realm: 'strict', bearerFormat: 'opaque', verify: () => Promise.resolve({}) })],
          handle: () => ({ status: 204 }),
        }),
      ],
      renderError: (error: PolytokenError) => ({
        status: error.code === 'ERR_REQUEST_INVALID' ? 422 : error.status,
        headers: { ...error.headers, ...(error.challenges.length ? { 'WWW-Authenticate': error.challenges.join(', ') } : {}) },
        body: { message: error.message },
      }),
    }),
  })
  const router = await polytoken({ dialects: [dialect], logger: silentLogger })
  const doc = (await request(express().use(router)).get('/openapi.json')).body as Document & { components: { securitySchemes: Record<string, unknown> } }
  await router.close()
  const op = operation(doc, '/things/{id}', 'post')
  assert.equal(op.operationId, 'strictApi_postThingsId')
  assert.equal(op.responses['422']?.description, 'ERR_REQUEST_INVALID')
  assert.equal(op.responses['400']?.description, 'ERR_REQUEST_MALFORMED')
  assert.deepEqual(Object.keys(op.responses).sort(), ['400', '401', '404', '413', '415', '422', '503', 'default'])
  assert.equal(op.responses['429'], undefined, 'no guessable secret on this route')
  assert.deepEqual(doc.components.securitySchemes['strict-api.bearer'], { type: 'http', scheme: 'bearer', bearerFormat: 'opaque' })
  await SwaggerParser.validate(structuredClone(doc) as never)
})
