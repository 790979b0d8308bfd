import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime, defineDialect, defineRoute, silentLogger, type BodyType, type JsonSchema, type PolyRequest } from './index.js'

/**
 * Typed input, checked twice: by the compiler (`npm run typecheck` reads this file; each `@ts-expect-error` line must
 * be an error, or the check fails) and at run time (what ajv hands the handler has the shape the type claims).
 */

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assertType = <T extends true>(): T | undefined => undefined

/** A form route: every value arrives as a string and is coerced to the schema's types. */
const countRoute = defineRoute({
  method: 'POST',
  path: '/things/:id',
  accepts: ['urlencoded', 'json'],
  schema: {
    body: {
      type: 'object',
      required: ['count'],
      additionalProperties: false,
      properties: {
        count: { type: 'integer', minimum: 1 },
        tags: { type: 'array', items: { type: 'string' } },
        mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
        note: { type: 'string' },
      },
    },
    query: { type: 'object', properties: { verbose: { type: 'boolean' } } },
    params: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
  },
  handle({ input }) {
    // Required: present; `default`: present (ajv's useDefaults); others optional.
    assertType<Equal<typeof input.body, { count: number; tags?: string[]; mode: 'fast' | 'slow'; note?: string }>>()
    // No additionalProperties: false on the query: other keys may be there, unknown.
    assertType<Equal<typeof input.query.verbose, boolean | undefined>>()
    assertType<Equal<typeof input.query.other, unknown>>()
    assertType<Equal<typeof input.params.id, number>>()
    const { body } = input
    return { status: 200, body: { body, query: input.query, params: input.params, countType: typeof body.count, idType: typeof input.params.id } }
  },
})

/** Never called: lines the compiler must refuse. */
function refusedAtCompileTime() {
  defineRoute({
    method: 'POST',
    path: '/x',
    accepts: ['urlencoded'],
    schema: { body: { type: 'object', required: ['count'], additionalProperties: false, properties: { count: { type: 'integer' }, note: { type: 'string' } } } },
    handle({ input }) {
      // @ts-expect-error -- a property the schema does not declare (additionalProperties: false)
      void input.body.cuont
      // @ts-expect-error -- count is a number after validation, not a string
      const count: string = input.body.count
      // @ts-expect-error -- note is optional: possibly undefined
      void input.body.note.length
      return { status: 200, body: count }
    },
  })
  defineRoute({
    method: 'GET',
    path: '/y',
    schema: { query: { type: 'object', properties: { verbose: { type: 'boolean' } } } },
    handle({ input }) {
      // @ts-expect-error -- a query value the schema types as boolean is coerced: no string left
      const verbose: string | undefined = input.query.verbose
      return { status: 200, body: verbose }
    },
  })
  // No schema: the untyped contract, as before.
  defineRoute({
    method: 'POST',
    path: '/z',
    accepts: ['json'],
    handle({ input }) {
      assertType<Equal<typeof input.query, Record<string, unknown>>>()
      // @ts-expect-error -- body is unknown: nothing says what it holds
      void input.body.anything
      return { status: 200 }
    },
  })
  // A schema typed only as JsonSchema says nothing about its shape: unknown, not any.
  const wide: JsonSchema = { type: 'object' }
  defineRoute({
    method: 'POST',
    path: '/w',
    accepts: ['json'],
    schema: { body: wide },
    handle({ input }) {
      // @ts-expect-error -- body is unknown
      void input.body.anything
      return { status: 200 }
    },
  })
}
void refusedAtCompileTime

const dialect = defineDialect({
  name: 'typed-input',
  errorSchema: { type: 'object' },
  setup: () => ({ routes: [countRoute], renderError: (error) => ({ status: error.status, body: { error: error.code, reasons: error.reasons } }) }),
})

function request(bodyType: BodyType | undefined, body: unknown, query: Record<string, string | string[]> = {}): PolyRequest {
  return { method: 'POST', path: '/things/7', params: { id: '7' }, query, headers: {}, body, bodyType, ip: '127.0.0.1', receivedAt: 0 }
}

test("a form route's handler receives what its type says: coerced numbers and booleans, arrays, defaults", async () => {
  const runtime = await createRuntime({ logger: silentLogger, masterKey: 'typed-input-test-master-key-0123456789', dialects: [dialect] })
  try {
    const route = runtime.routes[0]!
    const answer = await route.execute(request('urlencoded', { count: '5', tags: 'one' }, { verbose: 'true' }))
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.body, {
      body: { count: 5, tags: ['one'], mode: 'fast' },
      query: { verbose: true },
      params: { id: 7 },
      countType: 'number',
      idType: 'number',
    })

    // JSON is taken as typed: a string where the schema wants an integer is refused, never handed over as a string.
    const json = await route.execute(request('json', { count: '5' }))
    assert.equal(json.status, 400)
    assert.deepEqual((json.body as { reasons: unknown }).reasons, { count: ['must be integer'] })

    // A body no declared parser produced (a host that set no bodyType) is refused, not handed over unchecked.
    const unparsed = await route.execute(request(undefined, { count: 'not a number' }))
    assert.equal(unparsed.status, 415)
    assert.equal((unparsed.body as { error: string }).error, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE')
  } finally {
    await runtime.close()
  }
})
