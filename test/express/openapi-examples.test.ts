/**
 * The API documents' own requests in /openapi.json (route definitions' `examples`): where the docs page finds them
 * (the request body's media type, the form fields' schemas, the path parameters), and that each one passes its
 * route's own input schema, so "Try it out" does not start from a request the route refuses.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { compileValidator, silentLogger } from '@polytoken/core'
import { createExampleServer, type ExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

interface MediaType {
  schema: { properties?: Record<string, { examples?: unknown[] }> }
  examples?: Record<string, { summary: string; value: unknown }>
  encoding?: Record<string, { style: string; explode: boolean }>
}
interface Operation {
  parameters: Array<{ name: string; in: string; examples?: Record<string, { value: unknown }> }>
  requestBody?: { content: Record<string, MediaType> }
}
type Document = { paths: Record<string, Record<string, Operation>> }

describe("the API documents' requests in the examples server's /openapi.json", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-openapi-examples-'))
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

  const media = (path: string, type: string) => doc.paths[path]!.post!.requestBody!.content[type]!

  test("prodmanager.md's curl -F: the multipart example, its fields in the form's schema, permission sent repeated", () => {
    const multipart = media('/api/token/create', 'multipart/form-data')
    const value = { secret: 'changeit', name: 'api-documentation', description: 'Token for documentation example', permission: ['scope_api', 'service_api'] }
    assert.deepEqual(multipart.examples?.['prodmanager.md']?.value, value)
    assert.deepEqual(multipart.schema.properties?.secret?.examples, ['changeit'])
    assert.deepEqual(multipart.schema.properties?.permission?.examples, [['scope_api', 'service_api']])
    // Fields the document leaves out start empty, not as a made-up value.
    assert.deepEqual(multipart.schema.properties?.not_before_date?.examples, [''])
    assert.deepEqual(multipart.encoding, { permission: { style: 'form', explode: true } })
    // Only the type the document sends carries it.
    assert.equal(media('/api/token/create', 'application/json').examples, undefined)
  })

  test("crew.md's JSON request, zazz.md's and token-generator.md's forms, sagrada.rst's path", () => {
    assert.equal((media('/v1/token', 'application/json').examples?.['crew.md']?.value as { service: string }).service, 'containerops.me')
    assert.deepEqual(media('/zazz/api/v1/token', 'application/x-www-form-urlencoded').examples?.['zazz.md']?.value, { grant_type: 'password', username: 'soroush', password: '123', scope: 'full' })
    const permission = (media('/api/v1/token', 'application/x-www-form-urlencoded').examples?.['token-generator.md']?.value as { permission: string }).permission
    assert.equal(
      encodeURIComponent(permission),
      '%7B%22abilities%22%3A%7B%22album_id%22%3A%7B%22Access%22%3A%7B%22see%22%3Atrue%2C%22image_list%22%3Atrue%2C%22image_upload%22%3Atrue%2C%22image_delete%22%3Atrue%2C%22fullscreen%22%3Atrue%2C%22image_caption%22%3Atrue%7D%7D%2C%22tags%22%3A%7B%22auto_tag%22%3A%22test%22%7D%7D%2C%22Id%22%3A%22album_id%22%7D',
      'token-generator.md’s body, byte for byte',
    )
    const sagrada = doc.paths['/1.0/{app_name}/{app_version}']!.get!.parameters
    assert.deepEqual(
      sagrada.filter((parameter) => parameter.in === 'path').map((parameter) => [parameter.name, parameter.examples?.['sagrada.rst']?.value]),
      [
        ['app_name', 'sync'],
        ['app_version', '2.0'],
      ],
    )
  })

  test('every example passes its route’s input schema', () => {
    let checked = 0
    for (const route of server.router.runtime.routes) {
      for (const example of route.route.examples ?? []) {
        const where = `${route.dialect.name} ${route.method} ${route.fullPath} ${example.name}`
        if (example.body) {
          assert.ok(route.accepts.includes(example.body.type), `${where}: sent as a type the route accepts`)
          const schema = route.route.schema?.body ?? {}
          compileValidator(schema, example.body.type === 'json' ? 'json' : 'coerce', 'body')(structuredClone(example.body.value))
        }
        if (example.query && route.route.schema?.query) compileValidator(route.route.schema.query, 'coerce', 'querystring')(structuredClone(example.query))
        checked++
      }
    }
    assert.equal(checked, 5, 'one per API document')
  })
})
