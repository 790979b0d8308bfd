import { after, describe, test } from 'node:test'
import express from 'express'
import { silentLogger, type DialectDefinition, type PolytokenOptions } from '@polytoken/core'
import { polytoken } from '../polytoken.js'
import type { Credentials } from './malformed-requests.js'
import type { ValidRequest } from './valid-request.js'
import { describeJwtAttacks, type JwtAttackRoute } from './jwt-attacks.js'
import { registrationChecks } from './registration-checks.js'
import { routeChecks, type ConformanceCheck, type ConformanceKit, type RequestSource } from './route-checks.js'

export interface ConformanceOptions<D extends DialectDefinition = DialectDefinition> {
  /** Suite title. */
  name: string
  /** A fresh definition of the dialect under test, with a working test configuration (the kit sets it up on its own routers). */
  dialect: () => D
  /** Mount prefix inside the router. Default none. */
  prefix?: string
  /** Router options besides dialects (store, masterKey, ...). Default: memory store, a test master key. */
  options?: Partial<Omit<PolytokenOptions, 'dialects'>>
  /**
   * A request each route answers with success (credentials, body, query, path parameters), made with the kit's own
   * router (`kit.app`, `kit.instance`): create the user or the token it needs there. The kit sends it as is — it must
   * succeed, so the handler is reached — then changes one thing at a time (drops and alters each header, field and
   * parameter, wrong types, extra keys, other body types), each of which must get a 4xx in the envelope or a success,
   * never a 5xx. Called again before every request, so a request may consume what it names. When given, it must give
   * a request for every route (`{}` for one that needs nothing).
   */
  validRequest?: RequestSource<D, ValidRequest>
  /**
   * Valid credentials for a route (headers, body fields, path parameters that exist), so the malformed table is run a
   * second time past authentication. Superseded by `validRequest`, which gives these and more.
   */
  credentials?: RequestSource<D, Credentials>
  /**
   * Routes that verify a JWT (a Bearer route, say): each gets the JWT attack
   * table (describeJwtAttacks) against this dialect, with the same prefix
   * and options. Paths are as the application serves them, prefix included.
   */
  jwt?: JwtAttackRoute[]
}

const TEST_MASTER_KEY = 'conformance-master-key-0123456789abcdef'

function routerOptions(options: ConformanceOptions<DialectDefinition>): Omit<PolytokenOptions, 'dialects'> {
  return { store: 'memory://', masterKey: TEST_MASTER_KEY, logger: silentLogger, ...options.options }
}

/** The kit's own router with one instance of the dialect, as handed to `validRequest` and `credentials`. */
async function openKit<D extends DialectDefinition>(options: ConformanceOptions<D>): Promise<ConformanceKit<D>> {
  const dialect = options.dialect()
  const router = await polytoken({ ...routerOptions(options), dialects: [{ dialect, prefix: options.prefix ?? '' }] })
  const app = express()
  app.use(router)
  return { app, router, runtime: router.runtime, instance: router.runtime.instance(dialect) }
}

/**
 * The dialect conformance kit: registration rules, the envelope for every
 * error of the catalogue, a table of malformed requests against every
 * route, each of which must get a 4xx in the dialect's envelope — never a
 * 5xx, never HTML, never a stack trace — and, from a valid request per
 * route, the handler reached and every one-field change answered in the
 * envelope. Any dialect, built-in or custom, runs it against itself.
 */
export function describeConformance<D extends DialectDefinition>(options: ConformanceOptions<D>): void {
  const prefix = options.prefix ?? ''
  describe(`${options.name}: dialect conformance`, () => {
    describe('registration', () => {
      for (const check of registrationChecks(options.dialect, routerOptions(options), prefix)) test(check.name, () => check.run())
    })
    // The checks are built from the routes, which exist once the dialect's setup() has run on a
    // router: the suite sets one up while node:test collects it (an async describe).
    describe('requests', async () => {
      const kit = await openKit(options)
      after(() => kit.router.close())
      for (const check of routeChecks({ kit, prefix, credentials: options.credentials, validRequest: options.validRequest })) test(check.name, () => check.run())
    })
  })

  if (options.jwt?.length) {
    describeJwtAttacks({ name: options.name, dialect: options.dialect, prefix, ...(options.options ? { options: options.options } : {}), routes: options.jwt })
  }
}

/** What runConformance found: every check by name, and the failures with their messages. */
export interface ConformanceReport {
  passed: string[]
  failed: Array<{ name: string; error: string }>
}

/**
 * The same checks as describeConformance (the JWT table aside), run outside node:test: for a CI step of your own, or
 * to assert that a broken dialect fails the kit.
 */
export async function runConformance<D extends DialectDefinition>(options: ConformanceOptions<D>): Promise<ConformanceReport> {
  const prefix = options.prefix ?? ''
  const report: ConformanceReport = { passed: [], failed: [] }
  const run = async (checks: ConformanceCheck[]) => {
    for (const check of checks) {
      try {
        await check.run()
        report.passed.push(check.name)
      } catch (error) {
        report.failed.push({ name: check.name, error: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  await run(registrationChecks(options.dialect, routerOptions(options), prefix))
  const kit = await openKit(options)
  try {
    await run(routeChecks({ kit, prefix, credentials: options.credentials, validRequest: options.validRequest }))
  } finally {
    await kit.router.close()
  }
  return report
}

export { malformedCases, samplePath, type MalformedCase, type Credentials } from './malformed-requests.js'
export { mutations, toCase, type ValidRequest, type Mutation } from './valid-request.js'
export type { ConformanceKit, ConformanceCheck, RouteRef, RequestSource } from './route-checks.js'
export { describeJwtAttacks, type JwtAttackOptions, type JwtAttackRoute } from './jwt-attacks.js'
export { jwtForgeries, type JwtForgery, type ForgeryInput, type ForeignKey, type JwtRouteAlgorithm } from './jwt-forgeries.js'
export { signJwt } from './jwt-signing.js'
