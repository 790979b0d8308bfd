import { test } from 'node:test'
import assert from 'node:assert/strict'
import { registerDialects } from './registry.js'
import { defineDialect, type DialectDefinition, type RouteDefinition } from '../dialect.js'
import { bearer } from '../auth/bearer.js'
import { anonymous } from '../auth/anonymous.js'

const route = (overrides: Partial<RouteDefinition> = {}): RouteDefinition => ({ method: 'GET', path: '/ok', handle: () => ({ status: 200 }), ...overrides })
const dialect = (overrides: Partial<DialectDefinition> = {}): DialectDefinition =>
  defineDialect({ name: 'good', routes: [route()], errorSchema: { type: 'object' }, renderError: (e) => ({ status: e.status, body: {} }), ...overrides })

function refuses(mounts: Parameters<typeof registerDialects>[0], code: string, message: RegExp) {
  assert.throws(() => registerDialects(mounts), (error: Error & { code?: string }) => {
    assert.equal(error.code, code)
    assert.match(error.message, message)
    return true
  })
}

test('a valid dialect registers, with its prefix joined to each path', () => {
  const [registered] = registerDialects([{ dialect: dialect(), prefix: '/api' }])
  assert.equal(registered?.fullPath, '/api/ok')
})

test('every rule is checked at registration, with a coded error naming dialect and route', () => {
  refuses([{ dialect: dialect({ name: 'Not_Kebab' }), prefix: '' }], 'ERR_DIALECT_INVALID', /kebab-case/)
  refuses([{ dialect: dialect(), prefix: '' }, { dialect: dialect(), prefix: '/x' }], 'ERR_DIALECT_INVALID', /registered twice/)
  refuses([{ dialect: dialect({ routes: [route({ method: 'TRACE' as 'GET' })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /route TRACE \/ok: method/)
  refuses([{ dialect: dialect({ routes: [route({ path: '/a/:b?' })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /Express 5/)
  refuses([{ dialect: dialect({ routes: [route({ method: 'POST', accepts: ['json'], schema: { body: { type: 'object', properties: { a: { type: 'strin' } } } } })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /schema.body does not compile/)
  refuses([{ dialect: dialect({ routes: [route({ schema: { query: { type: 'object', unknownKeyword: 1 } } })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /strict mode/)
  refuses([{ dialect: dialect({ routes: [route({ auth: [{ kind: 'homemade' } as never] })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /not an auth method/)
  refuses([{ dialect: dialect({ routes: [route({ auth: [anonymous(), bearer({ realm: 'r', verify: async () => 1 })] as never })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /anonymous must be the last/)
  refuses([{ dialect: dialect({ routes: [route({ accepts: ['json'] })] }), prefix: '' }], 'ERR_DIALECT_INVALID', /GET route cannot accept a body/)
  refuses([{ dialect: dialect({ errorSchema: { type: 'nope' } }), prefix: '' }], 'ERR_DIALECT_INVALID', /errorSchema/)
  refuses([{ dialect: dialect({ routes: [] }), prefix: '' }], 'ERR_DIALECT_INVALID', /at least one route/)
})

test('two dialects on one method and path are refused; under different prefixes they are fine', () => {
  refuses([{ dialect: dialect({ name: 'one', routes: [route({ path: '/t/:a' })] }), prefix: '' }, { dialect: dialect({ name: 'two', routes: [route({ path: '/t/:b' })] }), prefix: '' }], 'ERR_ROUTE_CONFLICT', /GET \/t\/: is claimed by dialect "one" and dialect "two"/)
  assert.equal(registerDialects([{ dialect: dialect({ name: 'one' }), prefix: '' }, { dialect: dialect({ name: 'two' }), prefix: '/two' }]).length, 2)
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
  assert.equal(registerDialects([{ dialect: withAuth('zazz-like', [basicAuth]), prefix: '' }, { dialect: withAuth('tg-like', [tokenAuth, bearerAuth]), prefix: '' }]).length, 2)
  refuses([{ dialect: withAuth('one', [basicAuth, bearerAuth]), prefix: '' }, { dialect: withAuth('two', [tokenAuth, bearerAuth]), prefix: '' }], 'ERR_ROUTE_CONFLICT', /Authorization schemes/)
  refuses([{ dialect: withAuth('one', [basicAuth]), prefix: '' }, { dialect: withAuth('two', [tokenAuth, anonymous()]), prefix: '' }], 'ERR_ROUTE_CONFLICT', /claimed/)
  refuses([{ dialect: withAuth('one', [basicAuth]), prefix: '' }, { dialect: withAuth('two', [formSecret({ secret: 's' })]), prefix: '' }], 'ERR_ROUTE_CONFLICT', /claimed/)
})
