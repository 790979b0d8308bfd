import assert from 'node:assert/strict'
import express from 'express'
import request from 'supertest'
import { compileValidator, type CompiledRoute, type DialectDefinition, type InstanceOf, type Runtime } from '@polytoken/core'
import type { PolytokenRouter } from '../polytoken.js'
import { malformedCases, samplePath, type Credentials, type MalformedCase } from './malformed-requests.js'
import { mutations, toCase, type ValidRequest } from './valid-request.js'

/** The kit's own router, handed to `credentials` and `validRequest` so they can create what they need through it. */
export interface ConformanceKit<D extends DialectDefinition = DialectDefinition> {
  /** An Express app with only the kit's router mounted: issue a token or log in through it (supertest). */
  app: express.Express
  router: PolytokenRouter
  runtime: Runtime
  /** What the dialect's setup() returned on the kit's router (its extras too: a user directory, an admin API). */
  instance: InstanceOf<D>
}

/** A route as the dialect declared it, relative to its mount point. */
export interface RouteRef {
  method: string
  path: string
}

export type RequestSource<D extends DialectDefinition, R> = (route: RouteRef, kit: ConformanceKit<D>) => Promise<R | undefined> | R | undefined

/** One named check of the kit: describeConformance runs each as a node:test test; runConformance runs them and reports. */
export interface ConformanceCheck {
  name: string
  run(): Promise<void>
}

/** Send one case and hold its answer to the rules every answer keeps; returns the response for stricter checks. */
export async function sendCase(app: express.Express, item: MalformedCase, checkEnvelope: (body: unknown) => unknown, label: string): Promise<request.Response> {
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
  return response
}

export interface RouteCheckOptions<D extends DialectDefinition> {
  kit: ConformanceKit<D>
  prefix: string
  credentials?: RequestSource<D, Credentials> | undefined
  validRequest?: RequestSource<D, ValidRequest> | undefined
}

/** The checks of every route the kit's instance serves: malformed requests, and the valid request with its mutations. */
export function routeChecks<D extends DialectDefinition>({ kit, prefix, credentials, validRequest }: RouteCheckOptions<D>): ConformanceCheck[] {
  const { app, router, instance } = kit
  const routes = instance.routes
  const base = prefix.replace(/\/+$/, '')
  const checks: ConformanceCheck[] = []
  const compiledOf = (route: RouteRef): CompiledRoute => router.runtime.routes.find((r) => r.method === route.method && r.fullPath === `${base}${route.path}`)!

  for (const declared of routes) {
    const ref = { method: declared.method, path: declared.path }
    const label = `${declared.method} ${prefix}${declared.path}`
    checks.push({
      name: `${label}: every malformed request gets a 4xx in the envelope`,
      async run() {
        const compiled = compiledOf(ref)
        const checkEnvelope = compileValidator(compiled.dialect.errorSchema, 'json', 'body')
        const given = (await validRequest?.(ref, kit)) ?? (await credentials?.(ref, kit))
        const table = [...malformedCases(compiled), ...(given ? malformedCases(compiled, given) : [])]
        for (const item of table) await sendCase(app, item, checkEnvelope, label)
      },
    })
    if (!validRequest) continue
    checks.push({
      name: `${label}: the valid request reaches the handler and succeeds`,
      async run() {
        const compiled = compiledOf(ref)
        const checkEnvelope = compileValidator(compiled.dialect.errorSchema, 'json', 'body')
        const valid = await validRequest(ref, kit)
        assert.ok(valid, `${label}: validRequest() gave no request for this route; give one for every route ({} for a route that needs nothing)`)
        const response = await sendCase(app, toCase(compiled, 'the valid request', valid, 'no-5xx'), checkEnvelope, label)
        const expected = valid.status
        const ok = expected === undefined ? response.status >= 200 && response.status < 300 : response.status === expected
        assert.ok(ok, `${label}: the valid request got ${response.status} (expected ${expected ?? '2xx'}): ${response.text.slice(0, 300)}`)
      },
    })
    checks.push({
      name: `${label}: every change to the valid request gets an answer in the envelope, never a 5xx`,
      async run() {
        const compiled = compiledOf(ref)
        const checkEnvelope = compileValidator(compiled.dialect.errorSchema, 'json', 'body')
        const sample = await validRequest(ref, kit)
        assert.ok(sample, `${label}: validRequest() gave no request for this route`)
        for (const mutation of mutations(compiled, sample)) {
          // A fresh valid request each time: the last one may have consumed what it named (a delete, a one-time code).
          const valid = (await validRequest(ref, kit)) ?? sample
          await sendCase(app, toCase(compiled, mutation.name, mutation.apply(valid), mutation.expect), checkEnvelope, label)
        }
      },
    })
  }

  checks.push({
    name: 'a method the path does not serve gets 405 with Allow, in the envelope',
    async run() {
      const route = routes[0]!
      const path = samplePath(`${base}${route.path}`)
      const used = new Set(routes.filter((r) => r.path === route.path).map((r) => r.method))
      const method = ['DELETE', 'PUT', 'PATCH', 'POST'].find((m) => !used.has(m as never))!.toLowerCase() as 'delete'
      const response = await request(app)[method](path)
      assert.equal(response.status, 405)
      assert.ok(response.headers.allow, 'Allow header')
      assert.match(String(response.headers['content-type']), /json/)
    },
  })
  return checks
}
