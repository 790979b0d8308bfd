import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RouteNotFound, bearer, defineDialect, defineRoute, randomString, TokenInvalid, type PolytokenError } from '@polytoken/core'
import { runConformance, type ConformanceOptions } from '@polytoken/express/conformance'

type Fault = 'none' | 'post-throws' | 'crashes-on-a-number'

/** A small dialect: tokens live in the store; POST /notes keeps a note, GET /notes/:id reads it. `fault` breaks it on purpose. */
function notes(fault: Fault) {
  return defineDialect({
    name: 'notes',
    errorSchema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    setup(services) {
      const auth = [
        bearer({
          realm: 'notes',
          bearerFormat: 'opaque',
          verify: async (token) => {
            if ((await services.store.get(`token:${token}`)) === undefined) throw new TokenInvalid('unknown token')
            return { token }
          },
        }),
      ]
      return {
        // What the kit's validRequest uses to create a token on the kit's own router.
        issueToken: async () => {
          const token = randomString(24)
          await services.store.set(`token:${token}`, true)
          return token
        },
        addNote: async (text: string) => {
          const id = randomString(8)
          await services.store.set(`note:${id}`, text)
          return id
        },
        routes: [
          defineRoute({
            method: 'POST',
            path: '/notes',
            accepts: ['json', 'urlencoded'],
            auth,
            // `tags` has no type on purpose: a handler must not trust what the schema does not check.
            schema: { body: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 200 }, tags: {} } } },
            async handle({ input }) {
              if (fault === 'post-throws') throw new Error('the handler is broken')
              const body = input.body as { text: string; tags?: unknown }
              const tags = fault === 'crashes-on-a-number' ? (body.tags as string[] | undefined)?.map((tag) => tag.toLowerCase()) : Array.isArray(body.tags) ? body.tags.map(String) : []
              const id = randomString(8)
              await services.store.set(`note:${id}`, { text: body.text, tags })
              return { status: 201, body: { id } }
            },
          }),
          defineRoute({
            method: 'GET',
            path: '/notes/:id',
            auth,
            schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } },
            async handle({ input }) {
              const note = await services.store.get(`note:${String(input.params.id)}`)
              if (note === undefined) throw new RouteNotFound('no such note')
              return { status: 200, body: { note } }
            },
          }),
        ],
        renderError: (error: PolytokenError) => ({ status: error.status, headers: error.headers, body: { error: error.message } }),
      }
    },
  })
}

function kitOptions(fault: Fault): ConformanceOptions<ReturnType<typeof notes>> {
  return {
    name: `notes (${fault})`,
    dialect: () => notes(fault),
    // Made on the kit's own router: a token in its store, and a note for the GET route to find.
    validRequest: async ({ method }, kit) => {
      const authorization = `Bearer ${await kit.instance.issueToken()}`
      if (method === 'POST') return { headers: { authorization }, body: { text: 'hello', tags: ['a', 'b'] }, status: 201 }
      return { headers: { authorization }, params: { id: await kit.instance.addNote('hi') } }
    },
  }
}

test('a correct dialect passes every check of the kit, the valid requests and their changes included', async () => {
  const report = await runConformance(kitOptions('none'))
  assert.deepEqual(report.failed, [])
  assert.ok(report.passed.includes('POST /notes: the valid request reaches the handler and succeeds'), report.passed.join('\n'))
  assert.ok(report.passed.includes('GET /notes/:id: every change to the valid request gets an answer in the envelope, never a 5xx'))
})

test('a dialect whose POST handler always throws fails the kit: the valid request gets a 500', async () => {
  const report = await runConformance(kitOptions('post-throws'))
  const names = report.failed.map((failure) => failure.name)
  assert.ok(names.includes('POST /notes: the valid request reaches the handler and succeeds'), names.join('\n'))
  assert.match(report.failed.find((failure) => failure.name.startsWith('POST /notes: the valid request'))!.error, /no 5xx: .*→ 500/)
  assert.ok(!names.some((name) => name.startsWith('GET')), 'the GET route still passes')
})

test('a handler that trusts a field the schema does not check fails on the changed request that reaches it', async () => {
  const report = await runConformance(kitOptions('crashes-on-a-number'))
  const failure = report.failed.find((item) => item.name === 'POST /notes: every change to the valid request gets an answer in the envelope, never a 5xx')
  assert.ok(failure, JSON.stringify(report.failed))
  assert.match(failure.error, /the field tags as .* → 500/)
  assert.ok(report.passed.includes('POST /notes: the valid request reaches the handler and succeeds'))
})

test('without a valid request the malformed table alone never reaches the throwing handler (why validRequest exists)', async () => {
  const options = kitOptions('post-throws')
  delete options.validRequest
  const report = await runConformance(options)
  assert.deepEqual(report.failed, [])
})

test('a validRequest that gives nothing for a route fails the kit instead of skipping the route', async () => {
  const options = kitOptions('none')
  const given = options.validRequest!
  options.validRequest = (route, kit) => (route.method === 'GET' ? undefined : given(route, kit))
  const report = await runConformance(options)
  const failure = report.failed.find((item) => item.name === 'GET /notes/:id: the valid request reaches the handler and succeeds')
  assert.match(failure?.error ?? '', /gave no request for this route/)
})

test('credentials (the malformed table only) also gets the kit, and makes what it needs on the kit router', async () => {
  const options = kitOptions('none')
  delete options.validRequest
  let made = 0
  options.credentials = async (_route, kit) => {
    made++
    return { headers: { authorization: `Bearer ${await kit.instance.issueToken()}` } }
  }
  const report = await runConformance(options)
  assert.deepEqual(report.failed, [])
  assert.equal(made, 2, 'once per route')
})
