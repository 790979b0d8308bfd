/**
 * Issue #15, item 6: fast dispatch (packages/express-middleware/src/fast-dispatch.ts)
 * must answer exactly as Express's own routing does. Random requests — the
 * mounted routes' paths and near misses, every method, letter cases,
 * trailing and double slashes, valid and broken %-escapes, query strings,
 * credentials and bodies — go over real HTTP to a router with the fast path
 * and to one built with `fastDispatch: false`, every dialect mounted; status,
 * body and the headers a client acts on must be identical.
 *
 * Reproduce a failure with the seed it prints: POLYTOKEN_TEST_DIFF_SEED=<seed>
 * (POLYTOKEN_TEST_DIFF_CASES=<n> for more cases per set).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { defineDialect, defineRoute, silentLogger, type MountOptions, type PolytokenError } from '@polytoken/core'
import { crew, prodmanager, sagrada, tokenGenerator, zazz } from '@polytoken/plugins'
import { testOptions as crewOptions, basic as crewBasic } from '../crew/fixture.js'
import { testOptions as zazzOptions, LEGACY_BASIC, WEB_BASIC } from '../zazz/fixture.js'
import { options as sagradaOptions, assertion } from '../sagrada/fixture.js'
import { testOptions as tokenGeneratorOptions, sessionToken, tokenAuth } from '../token-generator/helpers.js'
import { spyOnRouterHandle, type RouterHandleSpy } from '../helpers/router-handle-spy.js'
import { seededRandom, type SeededRandom } from '../helpers/seeded-random.js'

const SEED = Number(process.env.POLYTOKEN_TEST_DIFF_SEED ?? 1515)
const CASES = Number(process.env.POLYTOKEN_TEST_DIFF_CASES ?? 300)
const COMPARED_HEADERS = ['content-type', 'allow', 'www-authenticate', 'cache-control', 'pragma', 'retry-after', 'x-content-type-options']
const NOW = Date.now()

const random = seededRandom
type Random = SeededRandom

interface DialectSet {
  name: string
  /** Where the app mounts the router. */
  mountAt: string
  prefixes: { prodmanager: string; tokenGenerator: string; crew: string; zazz: string; sagrada: string; overlapping?: string }
}

const SETS: DialectSet[] = [
  // As the examples server mounts them (zazz and token-generator would both claim POST /api/v1/token at the root).
  { name: 'every dialect at its usual prefix, router at the root', mountAt: '/', prefixes: { prodmanager: '/pm', tokenGenerator: '', crew: '', zazz: '/zazz', sagrada: '' } },
  { name: 'every dialect under its own prefix, router under /auth', mountAt: '/auth', prefixes: { prodmanager: '/pm', tokenGenerator: '/tg', crew: '/crew', zazz: '/zazz', sagrada: '/sync' } },
  // Plus a custom dialect whose routes overlap: Express takes the first registered layer that matches, whatever its kind.
  {
    name: 'every dialect and overlapping routes of a custom dialect',
    mountAt: '/',
    prefixes: { prodmanager: '/pm', tokenGenerator: '/tg', crew: '', zazz: '/zazz', sagrada: '/sync', overlapping: '/o' },
  },
]

/** Routes that several paths match: a parameter before a static path, a static path before a parameter, nested parameters. */
function overlappingDialect() {
  const echo =
    (route: string) =>
    ({ request }: { request: { path: string; params: Record<string, string> } }) => ({ status: 200, body: { route, path: request.path, params: request.params } })
  return defineDialect({
    name: 'overlapping',
    errorSchema: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    setup: () => ({
      routes: [
        defineRoute({ method: 'GET', path: '/items/:id', handle: echo('item') }),
        defineRoute({ method: 'GET', path: '/items/me', handle: echo('items-me: shadowed by /items/:id') }),
        defineRoute({ method: 'GET', path: '/things/me', handle: echo('things-me') }),
        defineRoute({ method: 'GET', path: '/things/:id', handle: echo('thing') }),
        defineRoute({ method: 'POST', path: '/things/:id', handle: echo('thing-post') }),
        defineRoute({ method: 'GET', path: '/things/:id/parts/:part', handle: echo('part') }),
        defineRoute({ method: 'DELETE', path: '/things/:id/parts/:part', handle: echo('part-delete') }),
      ],
      renderError: (error: PolytokenError) => ({ status: error.status, headers: error.headers, body: { error: error.code, message: error.message } }),
    }),
  })
}

/** Fresh dialect instances each time: a router owns what its dialects set up. */
function mounts(set: DialectSet): MountOptions[] {
  return [
    { prefix: set.prefixes.prodmanager, dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 }, keys: [{ secret: 'signing-secret-0123456789abcdef0123' }] }) },
    { prefix: set.prefixes.tokenGenerator, dialect: tokenGenerator(tokenGeneratorOptions()) },
    { prefix: set.prefixes.crew, dialect: crew(crewOptions()) },
    { prefix: set.prefixes.zazz, dialect: zazz(zazzOptions()) },
    { prefix: set.prefixes.sagrada, dialect: sagrada(sagradaOptions()) },
    ...(set.prefixes.overlapping === undefined ? [] : [{ prefix: set.prefixes.overlapping, dialect: overlappingDialect() }]),
  ]
}

interface Side {
  router: PolytokenRouter
  server: http.Server
  port: number
  /** Credentials that only this router issued. */
  pmToken: string
}

async function startSide(set: DialectSet, fastDispatch: boolean): Promise<Side> {
  const router = await polytoken({ dialects: mounts(set), store: 'memory://', masterKey: 'fast-dispatch-differential-master-key-0123', logger: silentLogger, clock: () => NOW, fastDispatch })
  // A route the host adds to polytoken's own router, after it was built: Express's routing must still find it.
  router.get('/host/:thing', (req, res) => void res.json({ host: req.params.thing }))
  const app = express()
  app.use(set.mountAt, router)
  if (set.mountAt !== '/') app.use((req, res) => void res.status(404).json({ notFound: req.path }))
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const base = set.mountAt === '/' ? '' : set.mountAt
  const boundary = 'differential-boundary'
  const fields = { secret: 'changeit', name: 'differential', description: 'differential test token', permission: 'scope_api' }
  const form =
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') + `--${boundary}--\r\n`
  const created = await send(port, { method: 'POST', path: `${base}${set.prefixes.prodmanager}/token/create`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form })
  if (created.status !== 200) {
    await new Promise((resolve) => server.close(resolve))
    await router.close()
    assert.fail(`the prodmanager token for the test: ${created.status} ${created.body}`)
  }
  return { router, server, port, pmToken: created.body }
}

interface Sent {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}
interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** Over a fresh connection, the path exactly as given: no client-side normalisation of dots, case or escapes. */
function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: sent.method,
        path: sent.path,
        headers: { ...sent.headers, ...(sent.body === undefined ? {} : { 'content-length': Buffer.byteLength(sent.body) }) },
        agent: false,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(sent.body)
  })
}

// Valid values weigh more: a parameter a route accepts gets further into the route, where it shows in the answer.
const SEGMENT_VALUES = [
  'sync',
  'sync',
  'sync',
  '1.5',
  '1.5',
  '2.0',
  'Sync',
  'me',
  'ME',
  'x',
  'UPPER',
  'MiXed',
  'a%20b',
  '%C3%A9',
  '%zz',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%',
  '%E0%A4%A',
  '%00',
  'a+b',
  '~user',
  '123',
]
const INSERTS = ['%zz', '%', '%2', '%2F', '%2f', '/%2e%2e/', '/../', '/./', '//', '%E0%A4%A', '%20', ';x', '@', '!']
const QUERIES = ['?a=1', '?a=1&a=2', '?service=registry.test&scope=repository:alice/x:pull', '?%zz', '?a=%', '?', '??', '?a=1#frag', '#frag', '?x=%2F']
const METHODS = ['GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'PURGE', 'SEARCH', 'MKCOL']
const BODIES: Array<{ type: string; body: string } | undefined> = [
  undefined,
  { type: 'application/x-www-form-urlencoded', body: 'grant_type=password&username=soroush&password=123&scope=full' },
  { type: 'application/x-www-form-urlencoded', body: 'grant_type=client_credentials' },
  { type: 'application/x-www-form-urlencoded', body: 'token=abc&token_type_hint=access_token' },
  { type: 'application/json', body: '{}' },
  { type: 'application/json', body: '{"grant_type":"password"' },
  { type: 'text/plain', body: 'hello' },
]

interface Target {
  path: string
  /** The methods the path serves: a request uses one of them more often than not. */
  methods: readonly string[]
  /** The Authorization schemes its routes read: a request often brings one of them. */
  schemes: readonly string[]
}

/** A random path: a mounted route (its parameters filled), an extra, or something near them, often mangled. */
function randomPath(rng: Random, target: Target): string {
  let path = target.path.replace(/:[A-Za-z_]+/g, () => rng.pick(SEGMENT_VALUES))
  const mangles = rng.chance(0.4) ? 0 : 1 + rng.int(3)
  for (let i = 0; i < mangles; i++) path = mangle(rng, path)
  if (rng.chance(0.3)) path += rng.pick(QUERIES)
  if (rng.chance(0.02)) path = `http://localhost${path}`
  return path.startsWith('/') || path.startsWith('http') ? path : `/${path}`
}

function mangle(rng: Random, path: string): string {
  const at = rng.int(path.length + 1)
  switch (rng.int(9)) {
    case 0: // letter case
      return rng.chance(0.5) ? path.toUpperCase() : [...path].map((c) => (rng.chance(0.3) ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('')
    case 1: // trailing slash
      return path.endsWith('/') ? path.slice(0, -1) : `${path}/`
    case 2: // double slash
      return rng.chance(0.5) ? `/${path}` : `${path.slice(0, at)}/${path.slice(at)}`
    case 3: {
      // one character as a valid %-escape, upper or lower hex
      const index = rng.int(path.length)
      const c = path[index]
      if (c === undefined || c === '/' || c === '%') return path
      const hex = c.charCodeAt(0).toString(16).padStart(2, '0')
      return `${path.slice(0, index)}%${rng.chance(0.5) ? hex.toUpperCase() : hex}${path.slice(index + 1)}`
    }
    case 4: // something inserted: a broken escape, an encoded slash, dot segments
      return `${path.slice(0, at)}${rng.pick(INSERTS)}${path.slice(at)}`
    case 5: // one character fewer
      return path.slice(0, at) + path.slice(at + 1)
    case 6: // one more segment
      return `${path.replace(/\/$/, '')}/${rng.pick(SEGMENT_VALUES)}`
    case 7: // one segment fewer
      return path.replace(/\/[^/]*\/?$/, '') || '/'
    default: // one character more
      return `${path.slice(0, at)}${rng.pick(['a', 'Z', '-', '.', '_', '0'])}${path.slice(at)}`
  }
}

function randomRequest(rng: Random, targets: readonly Target[], credentials: readonly string[]): Sent {
  const target = rng.pick(targets)
  const method = target.methods.length > 0 && rng.chance(0.6) ? rng.pick(target.methods) : rng.pick(METHODS)
  const headers: Record<string, string> = {}
  const fitting = credentials.filter((credential) => target.schemes.includes(credential.split(' ', 1)[0]!.toLowerCase()))
  const credential = fitting.length > 0 && rng.chance(0.6) ? rng.pick(fitting) : rng.pick(credentials)
  if (credential) headers.authorization = credential
  const body = method === 'GET' || method === 'HEAD' ? (rng.chance(0.05) ? rng.pick(BODIES) : undefined) : rng.pick(BODIES)
  if (body) headers['content-type'] = body.type
  if (rng.chance(0.1)) headers.accept = rng.pick(['text/html', 'application/json', '*/*', 'image/png'])
  return { method, path: randomPath(rng, target), headers, ...(body ? { body: body.body } : {}) }
}

/** Tokens, key material and ids differ between two routers by design: compare the successful bodies' shape, not those values. */
function comparable(answer: Answer): string {
  return answer.status >= 200 && answer.status < 300
    ? answer.body.replace(/[A-Za-z0-9_~+/=-]{20,}(\.[A-Za-z0-9_-]+){0,2}/g, '<opaque>').replace(/"(jti|uid|id_token|kid)":"[^"]*"/g, '"$1":"<opaque>"')
    : answer.body
}

function differences(fast: Answer, plain: Answer): string[] {
  const found: string[] = []
  if (fast.status !== plain.status) found.push(`status ${fast.status} ≠ ${plain.status}`)
  for (const name of COMPARED_HEADERS) {
    if (JSON.stringify(fast.headers[name]) !== JSON.stringify(plain.headers[name])) found.push(`${name}: ${JSON.stringify(fast.headers[name])} ≠ ${JSON.stringify(plain.headers[name])}`)
  }
  if (comparable(fast) !== comparable(plain)) found.push(`body ${fast.body.slice(0, 300)} ≠ ${plain.body.slice(0, 300)}`)
  return found
}

/** Counts the requests that reach a router at all (the app calls router.handle, fast or not). */
function countRequestsReaching(router: PolytokenRouter): () => number {
  const own = router as PolytokenRouter & { handle: (...args: unknown[]) => void }
  const handle = own.handle.bind(router)
  let calls = 0
  own.handle = (...args: unknown[]) => {
    calls++
    return handle(...args)
  }
  return () => calls
}

for (const [setIndex, set] of SETS.entries()) {
  describe(`fast dispatch answers as Express's routing: ${set.name}`, () => {
    let fast: Side
    let plain: Side
    let targets: Target[]
    let credentials: (side: Side) => string[]
    let spy: RouterHandleSpy
    let reachedFast: () => number
    let reachedPlain: () => number
    before(async () => {
      spy = spyOnRouterHandle()
      fast = await startSide(set, true)
      plain = await startSide(set, false)
      reachedFast = countRequestsReaching(fast.router)
      reachedPlain = countRequestsReaching(plain.router)
      const base = set.mountAt === '/' ? '' : set.mountAt
      const routes = [...new Set(fast.router.runtime.routes.map((route) => route.fullPath))].map((path) => {
        const served = fast.router.runtime.routes.filter((route) => route.fullPath === path)
        return { path, methods: served.map((route) => route.method), schemes: served.flatMap((route) => route.schemes) }
      })
      const others = ['/healthz', '/openapi.json', '/.well-known/jwks.json', '/host/:thing'].map((path) => ({ path, methods: ['GET'], schemes: [] }))
      const misses = ['/', '/favicon.ico', '/api', '/v2', '/1.0'].map((path) => ({ path, methods: [], schemes: [] }))
      targets = [...routes, ...routes, ...routes, ...others, ...misses].map((target) => ({ ...target, path: `${base}${target.path}` }))
      const tgToken = tokenAuth(await sessionToken({}))
      const browserId = `BrowserID ${assertion({ now: NOW })}`
      credentials = (side) => [
        '',
        '',
        crewBasic('alice', 'alice-pw'),
        crewBasic('alice', 'wrong'),
        LEGACY_BASIC,
        WEB_BASIC,
        'Basic !!!',
        tgToken,
        'Token token="nope"',
        `Bearer ${side.pmToken}`,
        'Bearer not-a-token',
        browserId,
        'Hawk id="x"',
        'Digest x=1',
      ]
    })
    after(async () => {
      spy?.restore()
      for (const side of [fast, plain]) {
        if (!side) continue
        await new Promise((resolve) => side.server.close(resolve))
        await side.router.close()
      }
    })

    test(`${CASES} random requests, seed ${SEED + setIndex}: identical status, body and headers`, async () => {
      const rng = random(SEED + setIndex)
      const handleCallsBefore = spy.callsOn(fast.router)
      const plainCallsBefore = spy.callsOn(plain.router)
      const reachedFastBefore = reachedFast()
      const reachedPlainBefore = reachedPlain()
      const failures: string[] = []
      const statuses = new Map<number, number>()
      for (let index = 0; index < CASES; index++) {
        const shape = randomRequest(rng, targets, credentials(fast))
        // The same request to both, but each with the prodmanager token its own router issued.
        const forSide = (side: Side): Sent => ({
          ...shape,
          headers: { ...shape.headers, ...(shape.headers.authorization === `Bearer ${fast.pmToken}` ? { authorization: `Bearer ${side.pmToken}` } : {}) },
        })
        const fastAnswer = await send(fast.port, forSide(fast))
        const plainAnswer = await send(plain.port, forSide(plain))
        statuses.set(fastAnswer.status, (statuses.get(fastAnswer.status) ?? 0) + 1)
        const found = differences(fastAnswer, plainAnswer)
        if (found.length > 0) failures.push(`case ${index}: ${shape.method} ${shape.path} ${JSON.stringify(shape.headers)} ${shape.body ?? ''}\n    ${found.join('\n    ')}`)
      }
      assert.deepEqual(failures.slice(0, 10), [], `POLYTOKEN_TEST_DIFF_SEED=${SEED} (set ${setIndex}): ${failures.length} of ${CASES} differ`)
      // Not a vacuous comparison: the random requests reached dialect routes, through the fast path and past it.
      const reached = reachedFast() - reachedFastBefore
      const routedByExpress = spy.callsOn(fast.router) - handleCallsBefore
      assert.equal(reachedPlain() - reachedPlainBefore, reached)
      assert.ok(reached - routedByExpress > CASES * 0.1, `the fast path answered ${reached - routedByExpress} of ${CASES} requests`)
      assert.ok(routedByExpress > CASES * 0.1, `Express routed only ${routedByExpress} of ${CASES} requests`)
      assert.equal(spy.callsOn(plain.router) - plainCallsBefore, reached, 'fastDispatch: false: Router.handle routes every request')
      const answered = [...statuses].filter(([status]) => status !== 404).reduce((sum, [, count]) => sum + count, 0)
      assert.ok(answered > CASES / 4, `most requests missed every route: ${JSON.stringify([...statuses])}`)
      if (process.env.POLYTOKEN_TEST_DIFF_VERBOSE) console.log(set.name, 'statuses', [...statuses].sort(), 'reached the router', reached, 'routed by Express on the fast side', routedByExpress)
    })
  })
}
