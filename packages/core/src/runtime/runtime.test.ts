import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRuntime } from './runtime.js'
import { defineDialect, defineRoute, type DialectDefinition, type DialectServices } from '../dialect.js'
import { silentLogger } from '../util/logger.js'
import { memoryStore } from '../storage/memory-store.js'

const base = { logger: silentLogger, masterKey: 'runtime-test-master-key-0123456789abcdef' }
const renderError = (error: { status: number; code: string }) => ({ status: error.status, body: { error: error.code } })

/** A dialect whose one route reads what setup() built from its services: a counter in its store. */
const counter = (calls: DialectServices[] = []) =>
  defineDialect({
    name: 'counter',
    errorSchema: { type: 'object' },
    setup(services) {
      calls.push(services)
      const next = async () => {
        const value = (await services.store.get<number>('n')) ?? 0
        await services.store.set('n', value + 1)
        return value + 1
      }
      return {
        routes: [defineRoute({ method: 'POST', path: '/n', handle: async () => ({ status: 200, body: { n: await next() } }) })],
        renderError,
        next,
      }
    },
  })

const request = (path: string) => ({ method: 'POST', path, headers: {}, query: {}, params: {}, body: undefined, ip: '127.0.0.1' }) as never

test("setup runs once per router with that router's services; the routes use what it built", async () => {
  const calls: DialectServices[] = []
  const runtime = await createRuntime({ ...base, dialects: [counter(calls)] })
  try {
    assert.equal(calls.length, 1)
    const [route] = runtime.routes
    assert.deepEqual((await route!.execute(request('/n'))).body, { n: 1 })
    assert.deepEqual((await route!.execute(request('/n'))).body, { n: 2 })
    // The instance (with its extras) is reachable through the runtime, typed.
    assert.equal(await runtime.instance(runtime.routes[0]!.dialect as ReturnType<typeof counter>).next(), 3)
  } finally {
    await runtime.close()
  }
})

test('one definition on two routers: two independent instances', async () => {
  const calls: DialectServices[] = []
  const dialect = counter(calls)
  const one = await createRuntime({ ...base, dialects: [dialect], store: memoryStore() })
  const two = await createRuntime({ ...base, dialects: [dialect], store: memoryStore() })
  try {
    assert.equal(calls.length, 2)
    assert.notEqual(calls[0]!.store, calls[1]!.store)
    assert.notEqual(one.instance(dialect), two.instance(dialect))
    assert.deepEqual((await one.routes[0]!.execute(request('/n'))).body, { n: 1 })
    assert.deepEqual((await one.routes[0]!.execute(request('/n'))).body, { n: 2 })
    assert.deepEqual((await two.routes[0]!.execute(request('/n'))).body, { n: 1 }, 'the second router counts in its own store')
  } finally {
    await Promise.all([one.close(), two.close()])
  }
})

test('a broken definition fails before any setup runs; a broken instance fails naming the dialect', async () => {
  let setUp = false
  const spy = (name: string): DialectDefinition => ({
    name,
    errorSchema: { type: 'object' },
    setup: () => ((setUp = true), { routes: [defineRoute({ method: 'GET', path: '/x', handle: () => ({ status: 200 }) })], renderError }),
  })
  await assert.rejects(createRuntime({ ...base, dialects: [spy('good'), spy('Not_Kebab')] }), { code: 'ERR_DIALECT_INVALID', message: /dialect "Not_Kebab": name must be kebab-case/ })
  await assert.rejects(createRuntime({ ...base, dialects: [spy('good'), { ...spy('bad-schema'), errorSchema: { type: 'nope' } }] }), {
    code: 'ERR_DIALECT_INVALID',
    message: /dialect "bad-schema": errorSchema/,
  })
  await assert.rejects(createRuntime({ ...base, dialects: [{ dialect: spy('good'), prefix: '/a/:b?' }] }), { code: 'ERR_DIALECT_INVALID', message: /prefix/ })
  assert.equal(setUp, false, 'no setup ran (no key was loaded or generated)')

  const returning = (instance: unknown): DialectDefinition => ({ name: 'broken', errorSchema: { type: 'object' }, setup: () => instance as never })
  await assert.rejects(createRuntime({ ...base, dialects: [returning({ routes: [], renderError })] }), { code: 'ERR_DIALECT_INVALID', message: /dialect "broken": needs at least one route/ })
  await assert.rejects(createRuntime({ ...base, dialects: [returning({ renderError })] }), { code: 'ERR_DIALECT_INVALID', message: /dialect "broken": needs at least one route/ })
  await assert.rejects(createRuntime({ ...base, dialects: [returning({ routes: [defineRoute({ method: 'GET', path: '/x', handle: () => ({ status: 200 }) })], renderError: 'no' })] }), {
    code: 'ERR_DIALECT_INVALID',
    message: /dialect "broken": renderError must be a function/,
  })
  await assert.rejects(createRuntime({ ...base, dialects: [returning(undefined)] }), { code: 'ERR_DIALECT_INVALID', message: /dialect "broken": setup\(\) must return/ })
})

test('errors of a route leave through the renderError its instance returned', async () => {
  const dialect = defineDialect({
    name: 'failing',
    errorSchema: { type: 'object' },
    setup: () => ({
      routes: [
        defineRoute({
          method: 'GET',
          path: '/x',
          handle: () => {
            throw new Error('boom')
          },
        }),
      ],
      renderError: (error) => ({ status: error.status, body: { rendered: 'by the instance', code: error.code } }),
    }),
  })
  const runtime = await createRuntime({ ...base, dialects: [dialect] })
  try {
    const answer = await runtime.routes[0]!.execute({ ...(request('/x') as object), method: 'GET' } as never)
    assert.deepEqual(answer, { status: 500, body: { rendered: 'by the instance', code: 'ERR_INTERNAL' } })
  } finally {
    await runtime.close()
  }
})
