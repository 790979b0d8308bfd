import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from './load-config.js'
import { coerce } from './env-overrides.js'
import { envName } from './config-path.js'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-env-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const example = JSON.parse(readFileSync(fileURLToPath(new URL('./config.json', import.meta.url)), 'utf8')) as Record<string, any>
const configFile = join(dir, 'config.json')
writeFileSync(configFile, JSON.stringify(example))

/** loadConfig on the example config.json with these variables. */
const load = (env: Record<string, string>) => loadConfig({ POLYTOKEN_CONFIG: configFile, ...env })

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

test('key names: camelCase split with "_", "-" as "_", upper-cased', () => {
  assert.equal(envName('maxTtlMs'), 'MAX_TTL_MS')
  assert.equal(envName('token-generator'), 'TOKEN_GENERATOR')
  assert.equal(envName('x5c'), 'X5C')
  assert.equal(envName('secretSha256'), 'SECRET_SHA256')
})

test('every level, typed by the schema: numbers, booleans, strings, JSON lists and objects, array indices', () => {
  const config = load({
    POLYTOKEN_PORT: '9123',
    POLYTOKEN_STORE: 'memory://',
    POLYTOKEN_CACHE__MAX_TTL_MS: '250',
    POLYTOKEN_HTTP__MAX_CONNECTIONS: '7',
    POLYTOKEN_CREW__X5C: 'true',
    POLYTOKEN_CREW__SERVICE: '["a.example","b.example"]',
    POLYTOKEN_CREW__TOKEN_LIFETIME_SEC: '600',
    POLYTOKEN_TOKEN_GENERATOR__ENDPOINT: 'tg.example:5001',
    POLYTOKEN_ZAZZ__CLIENTS__1__SECRET: 'a-zazz-client-secret',
    POLYTOKEN_ZAZZ__CLIENTS__0__SCOPES: '["full","read"]',
    POLYTOKEN_PRODMANAGER__PERMISSIONS__SCOPE_API: '9',
    POLYTOKEN_CREW__USERS__GENEDNA__PASSWORD: 'a-new-password',
  })
  assert.equal(config.port, 9123)
  assert.equal(config.store, 'memory://')
  assert.equal(config.cache.maxTtlMs, 250)
  assert.equal(config.http.maxConnections, 7)
  assert.equal(config.http.headersTimeoutMs, 10_000, 'the rest of the file stays')
  const { crew, zazz, prodmanager } = config.sections as Record<string, any>
  assert.equal(crew.x5c, true)
  assert.deepEqual(crew.service, ['a.example', 'b.example'])
  assert.equal(crew.tokenLifetimeSec, 600)
  assert.equal(crew.users.genedna.password, 'a-new-password')
  assert.equal(crew.users.admin.password, 'changeit')
  assert.equal(config.sections['token-generator']!.endpoint, 'tg.example:5001')
  assert.equal(zazz.clients[1].secret, 'a-zazz-client-secret')
  assert.equal(zazz.clients[1].id, 'zazz-web')
  assert.deepEqual(zazz.clients[0].scopes, ['full', 'read'])
  assert.deepEqual(prodmanager.permissions, { scope_api: 9, service_api: 2, read_api: 3 })
})

test('the key only upper-cased is accepted too (MAXTTLMS), and a string that looks like JSON stays a string', () => {
  assert.equal(load({ POLYTOKEN_CACHE__MAXTTLMS: '99' }).cache.maxTtlMs, 99)
  assert.equal(load({ POLYTOKEN_CREW__SERVICE: 'registry.example' }).sections.crew!.service, 'registry.example')
})

test('a whole section as JSON, then variables inside it; the environment wins over the file', () => {
  const config = load({
    POLYTOKEN_GITHUB_PATS: '{"prefix":"/pats","users":{"hubot":"hubot-password"}}',
    POLYTOKEN_GITHUB_PATS__USERS__HUBOT: 'another-password',
  })
  assert.deepEqual(config.sections['github-pats'], { prefix: '/pats', users: { hubot: 'another-password' } })
})

test('the older names still work and are the same keys', () => {
  const config = load({
    PORT: '9001',
    POLYTOKEN_CACHE_MAX_TTL_MS: '300',
    POLYTOKEN_HEADERS_TIMEOUT_MS: '2000',
    PRODMANAGER_SECRET: 'legacy-prodmanager-secret',
    PRODMANAGER_SIGNING_SECRET: 'legacy-signing-secret-0123456789abcdef',
    CREW_SERVICE: 'legacy.example',
    ZAZZ_CLIENT_SECRET_1: 'legacy-zazz-secret',
    ZAZZ_CLIENT_SECRET_7: 'no-such-client',
    SAGRADA_SECRETS: 'one-secret-0123456789abcdef0123456789, two-secret-0123456789abcdef0123456789',
    GITHUB_PATS_OCTOCAT_PASSWORD: 'legacy-octocat',
  })
  assert.equal(config.port, 9001)
  assert.equal(config.cache.maxTtlMs, 300)
  assert.equal(config.http.headersTimeoutMs, 2000)
  const sections = config.sections as Record<string, any>
  assert.equal(sections.prodmanager.secret, 'legacy-prodmanager-secret')
  assert.equal(sections.prodmanager.signingSecret, 'legacy-signing-secret-0123456789abcdef')
  assert.equal(sections.crew.service, 'legacy.example')
  assert.equal(sections.zazz.clients[1].secret, 'legacy-zazz-secret')
  assert.equal(sections.zazz.clients.length, 2, 'an older name sets nothing the file does not have')
  assert.deepEqual(sections.sagrada.nodeSecrets, ['one-secret-0123456789abcdef0123456789', 'two-secret-0123456789abcdef0123456789'])
  assert.equal(sections['github-pats'].users.octocat, 'legacy-octocat')
})

test('a dialect section the file does not have: an older name is ignored, a POLYTOKEN_ variable creates it', () => {
  const { prodmanager: _, ...rest } = example
  const without = file('no-prodmanager.json', JSON.stringify(rest))
  assert.equal(loadConfig({ POLYTOKEN_CONFIG: without, PRODMANAGER_SECRET: 'legacy-prodmanager-secret' }).sections.prodmanager, undefined)
  const created = loadConfig({ POLYTOKEN_CONFIG: without, POLYTOKEN_PRODMANAGER: '{"secret":"a-prodmanager-secret","permissions":{"scope_api":1}}' })
  assert.deepEqual(created.sections.prodmanager, { secret: 'a-prodmanager-secret', permissions: { scope_api: 1 } })
})

test('<VAR>_FILE: the value from a file, one trailing newline taken off', () => {
  const config = load({
    POLYTOKEN_MASTER_KEY_FILE: file('master-key', 'a-master-key-from-a-file-0123456789abcdef\n'),
    PRODMANAGER_SECRET_FILE: file('prodmanager-secret', 'prodmanager-secret-from-a-file\n\n'),
    POLYTOKEN_ZAZZ__CLIENTS__1__SECRET_FILE: file('zazz-secret', 'zazz-secret-from-a-file'),
    POLYTOKEN_CREW__SERVICE_FILE: file('services', '["x.example"]\r\n'),
  })
  assert.equal(config.masterKey, 'a-master-key-from-a-file-0123456789abcdef')
  assert.equal(config.sections.prodmanager!.secret, 'prodmanager-secret-from-a-file\n', 'only one newline')
  assert.equal((config.sections.zazz as any).clients[1].secret, 'zazz-secret-from-a-file')
  assert.deepEqual(config.sections.crew!.service, ['x.example'])
  assert.equal(load({ POLYTOKEN_PRODMANAGER__SECRET_FILE: file('pm', 'pm-secret-from-a-file\n') }).sections.prodmanager!.secret, 'pm-secret-from-a-file')
})

test('a key whose own name ends in File is that key, not a _FILE of another', () => {
  assert.equal(load({ POLYTOKEN_CREW__CERTIFICATE_FILE: 'certs/crew.pem' }).sections.crew!.certificateFile, 'certs/crew.pem')
  assert.equal(load({ CREW_CERTIFICATE_FILE: 'certs/legacy.pem' }).sections.crew!.certificateFile, 'certs/legacy.pem')
})

test('variables the server reads elsewhere, the test suites’ own and everything not POLYTOKEN_ are left alone', () => {
  const config = load({ POLYTOKEN_BASE_URL: 'http://x', POLYTOKEN_WORKERS: '2', POLYTOKEN_LOG_LEVEL: 'warn', POLYTOKEN_TEST_REDIS_URL: 'redis://x', HOME: '/root', CREW: 'x' })
  assert.equal(config.port, 8080)
})

test('a variable naming no key fails, naming the variable and what is known, never the value', () => {
  const secret = 'do-not-echo-this-value'
  const cases: Array<[Record<string, string>, RegExp]> = [
    [
      { POLYTOKEN_PROT: secret },
      /^POLYTOKEN_PROT: the configuration has no key PROT \(known: PORT, STORE, MASTER_KEY, DATA_DIR, DOCS, KEY_REFRESH_MS, CACHE, HTTP, PRODMANAGER, TOKEN_GENERATOR, CREW/,
    ],
    [{ POLYTOKEN_CREW__TOKEN_LIFETIME: secret }, /^POLYTOKEN_CREW__TOKEN_LIFETIME: crew has no key TOKEN_LIFETIME \(known: .*TOKEN_LIFETIME_SEC/],
    [{ POLYTOKEN_CREW__USERS__ALICE__PASSWORD: secret }, /^POLYTOKEN_CREW__USERS__ALICE__PASSWORD: crew\.users has no entry named ALICE in the file/],
    [{ POLYTOKEN_ZAZZ__CLIENTS__5__SECRET: secret }, /^POLYTOKEN_ZAZZ__CLIENTS__5__SECRET: zazz\.clients has 2 entries: index 5 would leave a gap/],
    [{ POLYTOKEN_ZAZZ__CLIENTS__WEB: secret }, /^POLYTOKEN_ZAZZ__CLIENTS__WEB: zazz\.clients is a list: the next level is an index/],
    [{ POLYTOKEN_PORT__X: secret }, /^POLYTOKEN_PORT__X: port has no key X/],
    [{ POLYTOKEN_MASTR_KEY_FILE: secret }, /^POLYTOKEN_MASTR_KEY_FILE: the configuration has no key MASTR_KEY_FILE/],
  ]
  for (const [env, message] of cases) {
    assert.throws(
      () => load(env),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_CONFIG_INVALID')
        assert.match(error.message, message)
        assert.ok(!error.message.includes(secret), `the value is not in: ${error.message}`)
        return true
      },
    )
  }
})

test('a value of the wrong type fails, naming the variable and the key, never the value', () => {
  const cases: Array<[Record<string, string>, RegExp, string]> = [
    [{ POLYTOKEN_PORT: 'eighty' }, /^POLYTOKEN_PORT: port must be a whole number$/, 'eighty'],
    [{ POLYTOKEN_PORT: '80.5' }, /^POLYTOKEN_PORT: port: must be an integer$/, '80.5'],
    [{ POLYTOKEN_PORT: '99999' }, /^POLYTOKEN_PORT: port: must be <= 65535$/, '99999'],
    [{ POLYTOKEN_CREW__X5C: 'yes-please' }, /^POLYTOKEN_CREW__X5C: crew\.x5c must be true or false$/, 'yes-please'],
    [{ POLYTOKEN_CACHE: '{"maxTtlMs": sec' }, /^POLYTOKEN_CACHE: cache must be JSON \(object\), and is not valid JSON$/, 'sec'],
    [{ POLYTOKEN_CACHE: '{"maxTtlMs":1,"secretive":1}' }, /^POLYTOKEN_CACHE: cache\.secretive: is not an option/, '"secretive":1'],
    [{ POLYTOKEN_CREW__ALGORITHM: 'HS256-secret' }, /^POLYTOKEN_CREW__ALGORITHM: crew\.algorithm: must be one of/, 'HS256-secret'],
    [{ POLYTOKEN_CREW__USERS__GENEDNA: '"just-a-string"' }, /^POLYTOKEN_CREW__USERS__GENEDNA: crew\.users\.genedna must be a JSON object$/, 'just-a-string'],
    [{ PORT: 'x1' }, /^PORT: port must be a whole number$/, 'x1'],
  ]
  for (const [env, message, value] of cases) {
    assert.throws(
      () => load(env),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_CONFIG_INVALID')
        assert.match(error.message, message)
        assert.ok(!error.message.includes(value), `the value is not in: ${error.message}`)
        return true
      },
    )
  }
})

test('two variables for one key, a variable and its _FILE: refused, naming both', () => {
  assert.throws(() => load({ PORT: '1', POLYTOKEN_PORT: '2' }), { code: 'ERR_CONFIG_INVALID', message: 'POLYTOKEN_PORT and PORT both set port: set one of them' })
  assert.throws(() => load({ POLYTOKEN_MASTER_KEY: 'a', POLYTOKEN_MASTER_KEY_FILE: file('mk', 'b') }), {
    message: 'POLYTOKEN_MASTER_KEY and POLYTOKEN_MASTER_KEY_FILE both set masterKey: set one of them',
  })
  assert.throws(() => load({ PRODMANAGER_SECRET: 'a', PRODMANAGER_SECRET_FILE: file('ps', 'b') }), { message: /PRODMANAGER_SECRET and PRODMANAGER_SECRET_FILE both set prodmanager\.secret/ })
  assert.throws(() => load({ PRODMANAGER_SECRET: 'a', POLYTOKEN_PRODMANAGER__SECRET: 'b' }), { message: /POLYTOKEN_PRODMANAGER__SECRET and PRODMANAGER_SECRET both set prodmanager\.secret/ })
})

test('what the file and the environment make together is checked again, and each package section against its own schema', () => {
  // Each value is valid on its own; together the headers may not take longer than the whole request.
  assert.throws(() => load({ POLYTOKEN_HTTP__HEADERS_TIMEOUT_MS: '40000' }), { code: 'ERR_CONFIG_INVALID', message: /headersTimeoutMs must not exceed http\.requestTimeoutMs/ })
  // A new list entry missing what each entry needs.
  assert.throws(() => load({ POLYTOKEN_ZAZZ__CLIENTS__2__SECRET: 'a-third-client-secret' }), {
    code: 'ERR_CONFIG_INVALID',
    message: /^with the environment's settings: zazz\.clients\[2\]\.id: is required$/,
  })
})

test('coerce: JSON for objects and lists only when the text is JSON; a string type takes any text', () => {
  assert.deepEqual(coerce(' [1, 2] ', ['array'], 'V', ['k']), [1, 2])
  assert.equal(coerce('[not json', ['string', 'array'], 'V', ['k']), '[not json')
  assert.equal(coerce('{"a":1}', ['string'], 'V', ['k']), '{"a":1}')
  assert.equal(coerce('-1.5e3', ['number'], 'V', ['k']), -1500)
  assert.throws(() => coerce('0x10', ['integer'], 'V', ['k']), { message: 'V: k must be a whole number' })
  assert.throws(() => coerce('', ['number'], 'V', ['k']), { message: 'V: k must be a number' })
  assert.equal(coerce('anything', [], 'V', ['k']), 'anything')
  assert.deepEqual(coerce('{"a":1}', [], 'V', ['k']), { a: 1 })
})
