import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkDialects, registerInstances, type RegisteredRoute, type SetUpMount } from './registry.js'
import { defineDialect, type DialectDefinition, type DialectInstance, type RouteDefinition } from '../dialect.js'
import { bearer } from '../auth/bearer.js'
import { anonymous } from '../auth/anonymous.js'

/** Both start-up checks at once, for dialects already set up (the runtime runs setup() in between). */
function registerDialects(mounts: readonly SetUpMount[]): RegisteredRoute[] {
  checkDialects(mounts)
  return registerInstances(mounts)
}

const route = (overrides: Partial<RouteDefinition> = {}): RouteDefinition => ({ method: 'GET', path: '/ok', handle: () => ({ status: 200 }), ...overrides })
type Parts = Partial<Pick<DialectDefinition, 'name' | 'errorSchema'> & DialectInstance>
const dialect = (overrides: Parts = {}): Parts => ({ name: 'good', routes: [route()], errorSchema: { type: 'object' }, renderError: (e) => ({ status: e.status, body: {} }), ...overrides })
/** A mount as the runtime hands it over: the definition and what its setup() returned. */
const at = ({ name, errorSchema, ...instance }: Parts, prefix: string): SetUpMount => ({
  dialect: defineDialect({ name: name!, errorSchema: errorSchema!, setup: () => instance as DialectInstance }),
  instance: instance as DialectInstance,
  prefix,
})

function refuses(mounts: Parameters<typeof registerDialects>[0], code: string, message: RegExp) {
  assert.throws(
    () => registerDialects(mounts),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, code)
      assert.match(error.message, message)
      return true
    },
  )
}

test('a valid dialect registers, with its prefix joined to each path', () => {
  const [registered] = registerDialects([at(dialect(), '/api')])
  assert.equal(registered?.fullPath, '/api/ok')
})

test('every rule is checked at registration, with a coded error naming dialect and route', () => {
  refuses([at(dialect({ name: 'Not_Kebab' }), '')], 'ERR_DIALECT_INVALID', /kebab-case/)
  refuses([at(dialect(), ''), at(dialect(), '/x')], 'ERR_DIALECT_INVALID', /registered twice/)
  refuses([at(dialect({ routes: [route({ method: 'TRACE' as 'GET' })] }), '')], 'ERR_DIALECT_INVALID', /route TRACE \/ok: method/)
  refuses([at(dialect({ routes: [route({ path: '/a/:b?' })] }), '')], 'ERR_DIALECT_INVALID', /Express 5/)
  refuses(
    [at(dialect({ routes: [route({ method: 'POST', accepts: ['json'], schema: { body: { type: 'object', properties: { a: { type: 'strin' } } } } })] }), '')],
    'ERR_DIALECT_INVALID',
    /schema.body does not compile/,
  )
  refuses([at(dialect({ routes: [route({ schema: { query: { type: 'object', unknownKeyword: 1 } } })] }), '')], 'ERR_DIALECT_INVALID', /strict mode/)
  refuses([at(dialect({ routes: [route({ auth: [{ kind: 'homemade' } as never] })] }), '')], 'ERR_DIALECT_INVALID', /not an auth method/)
  refuses([at(dialect({ routes: [route({ auth: [anonymous(), bearer({ realm: 'r', verify: async () => 1 })] as never })] }), '')], 'ERR_DIALECT_INVALID', /anonymous must be the last/)
  refuses([at(dialect({ routes: [route({ accepts: ['json'] })] }), '')], 'ERR_DIALECT_INVALID', /GET route cannot accept a body/)
  refuses([at(dialect({ errorSchema: { type: 'nope' } }), '')], 'ERR_DIALECT_INVALID', /errorSchema/)
  refuses([at(dialect({ routes: [] }), '')], 'ERR_DIALECT_INVALID', /at least one route/)
})

test('two dialects on one method and path are refused; under different prefixes they are fine', () => {
  refuses(
    [at(dialect({ name: 'one', routes: [route({ path: '/t/:a' })] }), ''), at(dialect({ name: 'two', routes: [route({ path: '/t/:b' })] }), '')],
    'ERR_ROUTE_CONFLICT',
    /GET \/t\/: is claimed by dialect "one" and dialect "two"/,
  )
  assert.equal(registerDialects([at(dialect({ name: 'one' }), ''), at(dialect({ name: 'two' }), '/two')]).length, 2)
})

test('one method and path may be shared when the routes are told apart by disjoint Authorization schemes', async () => {
  const { basic } = await import('../auth/basic.js')
  const { formSecret } = await import('../auth/form-secret.js')
  const { defineAuthMethod } = await import('../auth/auth-method.js')
  const withAuth = (name: string, auth: RouteDefinition['auth']) => dialect({ name, routes: [route({ path: '/api/v1/token', auth: auth as never })] })
  const basicAuth = basic({ realm: 'r', verify: async () => 1 })
  // The `Token` scheme (Rails' token auth, as token-generator reads it), reduced to what the registry looks at.
  const tokenAuth = defineAuthMethod({ kind: 'railsToken', schemes: ['token'], challenge: () => 'Token realm="r"', extract: () => undefined, verify: async () => 1 })
  const bearerAuth = bearer({ realm: 'r', verify: async () => 1 })
  assert.equal(registerDialects([at(withAuth('zazz-like', [basicAuth]), ''), at(withAuth('tg-like', [tokenAuth, bearerAuth]), '')]).length, 2)
  refuses([at(withAuth('one', [basicAuth, bearerAuth]), ''), at(withAuth('two', [tokenAuth, bearerAuth]), '')], 'ERR_ROUTE_CONFLICT', /Authorization schemes/)
  refuses([at(withAuth('one', [basicAuth]), ''), at(withAuth('two', [tokenAuth, anonymous()]), '')], 'ERR_ROUTE_CONFLICT', /claimed/)
  refuses([at(withAuth('one', [basicAuth]), ''), at(withAuth('two', [formSecret({ secret: 's' })]), '')], 'ERR_ROUTE_CONFLICT', /claimed/)
})

test('what setup() returned is checked too, naming the dialect', () => {
  refuses([at(dialect({ renderError: 'nope' as never }), '')], 'ERR_DIALECT_INVALID', /dialect "good": renderError must be a function/)
  refuses([at(dialect({ routes: undefined }), '')], 'ERR_DIALECT_INVALID', /dialect "good": needs at least one route/)
  refuses([{ ...at(dialect(), ''), instance: undefined as never }], 'ERR_DIALECT_INVALID', /dialect "good": setup\(\) must return/)
  const noSetup = { ...at(dialect(), ''), dialect: { name: 'good', errorSchema: {} } as DialectDefinition }
  refuses([noSetup], 'ERR_DIALECT_INVALID', /dialect "good": setup\(services\) must be a function/)
})
