import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import {
  AuthInvalid,
  AuthRequired,
  MethodNotAllowed,
  RequestInvalid,
  RequestMalformed,
  RequestTooLarge,
  StoreUnavailable,
  TokenExpired,
  TokenInvalid,
  UnsupportedMediaType,
  compileValidator,
  createRuntime,
  silentLogger,
  type DialectDefinition,
  type PolytokenError,
  type PolytokenOptions,
} from '@polytoken/core'
import { polytoken, type PolytokenRouter } from '../polytoken.js'
import { malformedCases, samplePath, type Credentials } from './malformed-requests.js'
import { describeJwtAttacks, type JwtAttackRoute } from './jwt-attacks.js'

export interface ConformanceOptions {
  /** Suite title. */
  name: string
  /** A fresh definition of the dialect under test, with a working test configuration (the kit sets it up on its own routers). */
  dialect: () => DialectDefinition
  /** Mount prefix inside the router. Default none. */
  prefix?: string
  /** Router options besides dialects (store, masterKey, ...). Default: memory store, a test master key. */
  options?: Partial<Omit<PolytokenOptions, 'dialects'>>
  /**
   * Valid credentials for a route (headers, body fields), so the table is run
   * a second time past authentication, into validation and the handler.
   * Return undefined for routes that need none or that you cannot serve.
   * `params` fills path parameters with values that exist, so the table gets
   * past a 404 too.
   */
  credentials?: (route: { method: string; path: string }) => Promise<Credentials | undefined> | Credentials | undefined
  /**
   * Routes that verify a JWT (a Bearer route, say): each gets the JWT attack
   * table (describeJwtAttacks) against this dialect, with the same prefix
   * and options. Paths are as the application serves them, prefix included.
   */
  jwt?: JwtAttackRoute[]
}

const TEST_MASTER_KEY = 'conformance-master-key-0123456789abcdef'

/**
 * The dialect conformance kit: registration rules, the envelope for every
 * error of the catalogue, and a table of malformed requests against every
 * route, each of which must get a 4xx in the dialect's envelope — never a
 * 5xx, never HTML, never a stack trace. Any dialect, built-in or custom,
 * runs it against itself.
 */
export function describeConformance(options: ConformanceOptions): void {
  const base = { store: 'memory://', masterKey: TEST_MASTER_KEY, logger: silentLogger, ...options.options }
  const prefix = options.prefix ?? ''

  describe(`${options.name}: dialect conformance`, () => {
    describe('registration', () => {
      test('registers and sets up', async () => {
        const runtime = await createRuntime({ ...base, dialects: [{ dialect: options.dialect(), prefix }] })
        assert.ok(runtime.routes.length > 0)
        await runtime.close()
      })
      test('a second dialect of the same name is refused at start-up', async () => {
        await assert.rejects(
          createRuntime({
            ...base,
            dialects: [
              { dialect: options.dialect(), prefix },
              { dialect: options.dialect(), prefix: '/elsewhere' },
            ],
          }),
          { code: 'ERR_DIALECT_INVALID' },
        )
      })
      test('the same routes twice on one path are refused at start-up', async () => {
        const twin = { ...options.dialect(), name: `${options.dialect().name}-twin` }
        await assert.rejects(
          createRuntime({
            ...base,
            dialects: [
              { dialect: options.dialect(), prefix },
              { dialect: twin, prefix },
            ],
          }),
          { code: 'ERR_ROUTE_CONFLICT' },
        )
      })
      test('renderError puts every catalogue error in the envelope, with a sane status', async () => {
        const dialect = options.dialect()
        // renderError comes from what setup() returned on a router.
        const runtime = await createRuntime({ ...base, dialects: [{ dialect, prefix }] })
        const instance = runtime.instance(dialect)
        await runtime.close()
        const checkEnvelope = compileValidator(dialect.errorSchema, 'json', 'body')
        const samples: PolytokenError[] = [
          new RequestMalformed('m'),
          new RequestInvalid('i', { reasons: { field: ['is required'] }, location: 'body', field: 'field' }),
          new RequestTooLarge('t'),
          new UnsupportedMediaType('u'),
          new MethodNotAllowed('n', { headers: { Allow: 'GET' } }),
          new AuthRequired('a'),
          new AuthInvalid('b'),
          new TokenInvalid('c'),
          new TokenExpired('d'),
          new StoreUnavailable('s'),
        ]
        for (const error of samples) {
          const response = instance.renderError(error, undefined)
          assert.ok(response.status >= 400 && response.status <= 599, `${error.code} → ${response.status}`)
          if (error.status < 500) assert.ok(response.status < 500, `${error.code} must stay a client error, got ${response.status}`)
          assert.doesNotThrow(() => checkEnvelope(response.body), `${error.code}: body does not match errorSchema: ${JSON.stringify(response.body)}`)
        }
      })
    })

    // The table is built from the routes, which exist once the dialect's setup() has run on a
    // router: the suite sets one up while node:test collects it (an async describe).
    describe('malformed requests', async () => {
      const dialect = options.dialect()
      const router: PolytokenRouter = await polytoken({ ...base, dialects: [{ dialect, prefix }] })
      const app = express()
      app.use(router)
      after(() => router.close())

      const { routes } = router.runtime.instance(dialect)
      for (const route of routes) {
        const label = `${route.method} ${prefix}${route.path}`
        test(`${label}: every malformed request gets a 4xx in the envelope`, async () => {
          const compiled = router.runtime.routes.find((r) => r.method === route.method && r.fullPath === `${prefix.replace(/\/+$/, '')}${route.path}`)!
          const checkEnvelope = compileValidator(compiled.dialect.errorSchema, 'json', 'body')
          const given = await options.credentials?.({ method: route.method, path: route.path })
          const table = [...malformedCases(compiled), ...(given ? malformedCases(compiled, given) : [])]
          for (const item of table) {
            const req = request(app)[item.method.toLowerCase() as 'get'](item.path)
            for (const [name, value] of Object.entries(item.headers)) req.set(name, value)
            const response = item.body === undefined ? await req : await req.send(item.body)
            const what = `${label} [${item.name}] → ${response.status} ${response.text.slice(0, 200)}`
            assert.ok(response.status < 500, `no 5xx: ${what}`)
            assert.ok(!/<html|<!doctype/i.test(response.text), `no HTML: ${what}`)
            assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(response.text), `no stack trace: ${what}`)
            if (item.expect === '4xx') assert.ok(response.status >= 400, `4xx expected: ${what}`)
            if (response.status >= 400) {
              assert.match(String(response.headers['content-type']), /json/, `JSON error: ${what}`)
              assert.doesNotThrow(() => checkEnvelope(response.body), `envelope: ${what}`)
            }
          }
        })
      }

      test('a method the path does not serve gets 405 with Allow, in the envelope', async () => {
        const route = routes[0]!
        const path = samplePath(`${prefix.replace(/\/+$/, '')}${route.path}`)
        const used = new Set(routes.filter((r) => r.path === route.path).map((r) => r.method))
        const method = ['DELETE', 'PUT', 'PATCH', 'POST'].find((m) => !used.has(m as never))!.toLowerCase() as 'delete'
        const response = await request(app)[method](path)
        assert.equal(response.status, 405)
        assert.ok(response.headers.allow, 'Allow header')
        assert.match(String(response.headers['content-type']), /json/)
      })
    })
  })

  if (options.jwt?.length) {
    describeJwtAttacks({ name: options.name, dialect: options.dialect, prefix, ...(options.options ? { options: options.options } : {}), routes: options.jwt })
  }
}

export { malformedCases, samplePath, type MalformedCase, type Credentials } from './malformed-requests.js'
export { describeJwtAttacks, type JwtAttackOptions, type JwtAttackRoute } from './jwt-attacks.js'
export { jwtForgeries, type JwtForgery, type ForgeryInput, type ForeignKey, type JwtRouteAlgorithm } from './jwt-forgeries.js'
export { signJwt } from './jwt-signing.js'
