import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { JsonSchema } from '@polytoken/core'
import { resolveOptions as resolveCrew, crewOptionsSchema } from './crew/options.js'
import { resolveOptions as resolveProdManager, prodmanagerOptionsSchema } from './prodmanager/options.js'
import { resolveOptions as resolveSagrada, sagradaOptionsSchema } from './sagrada/options.js'
import { resolveOptions as resolveTokenGenerator, tokenGeneratorOptionsSchema } from './token-generator/options.js'
import { resolveOptions as resolveZazz, zazzOptionsSchema } from './zazz/options.js'
import * as plugins from './index.js'

const NODE = 'https://sync-a.example.com'

/** The least each dialect needs; each test adds one mistake to a fresh copy. */
const dialects = {
  crew: { schema: crewOptionsSchema, resolve: (o: any) => resolveCrew(o), minimal: () => ({ service: 'registry.test', users: { alice: { password: 'alice-password' } } }) },
  prodmanager: { schema: prodmanagerOptionsSchema, resolve: (o: any) => resolveProdManager(o), minimal: () => ({ secret: 'application-secret-0123', permissions: { scope_api: 1 } }) },
  sagrada: {
    schema: sagradaOptionsSchema,
    resolve: (o: any) => resolveSagrada(o),
    minimal: () => ({
      applications: { sync: { '1.5': { endpoint: '{node}/1.5/{uid}', nodes: [NODE] } } },
      nodes: { [NODE]: { capacity: 10, secrets: ['node-secret-0123456789abcdefghijklmnop'] } },
      browserid: { audiences: ['https://tokens.example.com'], allowPrimaryIssuers: true },
    }),
  },
  'token-generator': {
    schema: tokenGeneratorOptionsSchema,
    resolve: (o: any) => resolveTokenGenerator(o),
    minimal: () => ({ sessionKeys: [{ secret: 'session-secret-0123456789abcdefgh' }], resourceKeys: [{ secret: 'resource-secret-0123456789abcdefgh' }], endpoint: 'localhost:5001' }),
  },
  zazz: { schema: zazzOptionsSchema, resolve: (o: any) => resolveZazz(o), minimal: () => ({ clients: [{ id: 'web' }] }) },
}

function refused(resolve: () => unknown, message: RegExp): void {
  assert.throws(resolve, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_CONFIG_INVALID')
    assert.match(error.message, message)
    return true
  })
}

test('every dialect resolves its minimal options', () => {
  for (const dialect of Object.values(dialects)) assert.doesNotThrow(() => dialect.resolve(dialect.minimal()))
})

test('an unknown key inside the options is refused, naming its path', () => {
  const crew = dialects.crew.minimal() as any
  crew.users.alice.pasword = 'x'
  refused(() => dialects.crew.resolve(crew), /^crew\.users\.alice\.pasword: is not an option \(unknown key\)$/)
  refused(() => dialects.crew.resolve({ ...dialects.crew.minimal(), loginAttempts: { maxx: 3 } }), /crew\.loginAttempts\.maxx: is not an option/)
  refused(() => dialects.prodmanager.resolve({ ...dialects.prodmanager.minimal(), permision: {} }), /^prodmanager\.permision: is not an option/)
  const sagrada = dialects.sagrada.minimal() as any
  sagrada.nodes[NODE].capcity = 5
  refused(() => dialects.sagrada.resolve(sagrada), /sagrada\.nodes\["https:\/\/sync-a\.example\.com"\]\.capcity: is not an option/)
  const tokenGenerator = dialects['token-generator'].minimal() as any
  tokenGenerator.sessionKeys[0].secrt = 'x'
  refused(() => dialects['token-generator'].resolve(tokenGenerator), /token-generator\.sessionKeys\[0\]\.secrt: is not an option/)
  refused(() => dialects.zazz.resolve({ clients: [{ id: 'web', secert: 'x' }] }), /zazz\.clients\[0\]\.secert: is not an option/)
})

test('a wrong type is refused, naming its path', () => {
  const crew = dialects.crew.minimal() as any
  crew.users.alice.password = 5
  refused(() => dialects.crew.resolve(crew), /^crew\.users\.alice\.password: must be a string$/)
  refused(() => dialects.crew.resolve({ service: 7 }), /^crew\.service: must be a string or an array$/)
  refused(() => dialects.prodmanager.resolve({ ...dialects.prodmanager.minimal(), permissions: { scope_api: '1' } }), /^prodmanager\.permissions\.scope_api: must be an integer$/)
  refused(() => dialects.sagrada.resolve({ ...dialects.sagrada.minimal(), durationSeconds: '300' }), /^sagrada\.durationSeconds: must be an integer$/)
  refused(() => dialects['token-generator'].resolve({ ...dialects['token-generator'].minimal(), echoToken: 'yes' }), /^token-generator\.echoToken: must be a boolean$/)
  refused(() => dialects.zazz.resolve({ ...dialects.zazz.minimal(), bruteForce: { windowSec: '900' } }), /^zazz\.bruteForce\.windowSec: must be a number$/)
  refused(() => dialects.zazz.resolve({ ...dialects.zazz.minimal(), algorithm: 'none' }), /^zazz\.algorithm: must be one of HS256/)
})

test('every problem is named, not only the first', () => {
  refused(() => dialects.crew.resolve({ service: 'registry.test', realm: 1, maxScopes: 0 }), /crew\.realm: must be a string; crew\.maxScopes: must be >= 1/)
})

test('a required option that is missing is named', () => {
  refused(() => dialects.crew.resolve({}), /^crew\.service: is required$/)
  refused(() => dialects.zazz.resolve({ clients: [{}] }), /^zazz\.clients\[0\]\.id: is required$/)
})

test('defaults are filled from the schema', () => {
  for (const [name, dialect] of Object.entries(dialects)) {
    const resolved = dialect.resolve(dialect.minimal()) as Record<string, unknown>
    const properties = (dialect.schema as { properties: Record<string, JsonSchema> }).properties
    for (const [key, property] of Object.entries(properties)) {
      if (!('default' in property) || !(key in resolved)) continue
      const value = resolved[key]
      // Sets and Maps are the resolved form; an object default `{}` is filled with its own properties' defaults (checked below).
      if (value instanceof Set || value instanceof Map || (typeof property.default === 'object' && !Array.isArray(property.default))) continue
      assert.deepEqual(value, property.default, `${name}.${key}`)
    }
  }
  const crew = resolveCrew({ service: 'registry.test' })
  assert.deepEqual(crew.loginAttempts, { max: 10, windowMs: 900_000, maxPerAddress: 50, slowAccountAfter: 100, slowMaxMs: 60_000, maxRevokeFailuresPerAddress: 20 })
  assert.equal(crew.tokenLifetimeSec, 300)
  assert.equal(crew.certificateSubject, 'polytoken-crew')
  const zazz = resolveZazz({ clients: [{ id: 'web' }] })
  assert.deepEqual(zazz.bruteForce, {
    windowSec: 900,
    maxPerUsernameAddress: 10,
    maxPerAddress: 50,
    slowUsernameAfter: 100,
    slowMaxSec: 60,
    maxClientFailuresPerAddress: 20,
    maxInactiveIntrospectionsPerAddress: 100,
  })
  assert.deepEqual([...zazz.clients[0]!.grantTypes], ['password', 'refresh_token'])
  assert.deepEqual(zazz.clients[0]!.scopes, ['full'])
  assert.equal(resolveSagrada(dialects.sagrada.minimal() as never).nodes.get(NODE)!.type, 'mysql')
  assert.deepEqual(resolveProdManager(dialects.prodmanager.minimal()).nameLength, [8, 64])
  // A given value wins over the default; a nested object keeps its own defaults for what it leaves out.
  assert.deepEqual(resolveCrew({ service: 'registry.test', loginAttempts: { max: 3 } }).loginAttempts.max, 3)
  assert.equal(resolveCrew({ service: 'registry.test', loginAttempts: { max: 3 } }).loginAttempts.windowMs, 900_000)
})

test("the caller's options object is left as it was", () => {
  const options = { service: 'registry.test', loginAttempts: {} }
  resolveCrew(options)
  assert.deepEqual(options, { service: 'registry.test', loginAttempts: {} })
})

test('code-only options take functions and refuse anything JSON could hold', () => {
  const onCertificate = () => {}
  assert.equal(resolveCrew({ service: 'registry.test', onCertificate }).onCertificate, onCertificate)
  refused(() => resolveCrew({ service: 'registry.test', onCertificate: 'write-it-here.pem' as never }), /^crew\.onCertificate: must be a function \(code only/)
})

test('each schema is exported from @polytoken/plugins', () => {
  assert.equal(plugins.crewOptionsSchema, crewOptionsSchema)
  assert.equal(plugins.prodmanagerOptionsSchema, prodmanagerOptionsSchema)
  assert.equal(plugins.sagradaOptionsSchema, sagradaOptionsSchema)
  assert.equal(plugins.tokenGeneratorOptionsSchema, tokenGeneratorOptionsSchema)
  assert.equal(plugins.zazzOptionsSchema, zazzOptionsSchema)
})
