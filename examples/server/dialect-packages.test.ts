import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { silentLogger } from '@polytoken/core'
import { loadConfig } from './load-config.js'
import { createExampleServer } from './app.js'

const dir = mkdtempSync(join(tmpdir(), 'polytoken-packages-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const GREETING = '@polytoken-examples/greeting-dialect'
const schema = { type: 'object', required: ['word'], properties: { word: { type: 'string', description: 'A word.' } }, additionalProperties: false }

/** A package in the config directory's own node_modules: what an operator installs next to their config.json. */
function fixturePackage(name: string, files: Record<string, string>, exports: Record<string, string> = { '.': './index.js', './options-schema.json': './options-schema.json' }): void {
  const root = join(dir, 'node_modules', name)
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, type: 'module', exports }))
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text)
}

fixturePackage('no-dialect', { 'index.js': 'export const somethingElse = 1\n', 'options-schema.json': JSON.stringify(schema) })
fixturePackage('not-a-dialect', { 'index.js': 'export function createDialect() { return { name: 42 } }\n', 'options-schema.json': JSON.stringify(schema) })
fixturePackage('no-schema', { 'index.js': 'export function createDialect() {}\n' }, { '.': './index.js' })
fixturePackage('takes-prefix', {
  'index.js': 'export function createDialect() {}\n',
  'options-schema.json': JSON.stringify({ type: 'object', properties: { prefix: { type: 'string' } } }),
})

/** A config file holding only these sections (a memory store, nothing else mounted). */
function configWith(name: string, sections: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify({ store: 'memory://', masterKey: 'packages-test-master-key-0123456789abcdef', ...sections }))
  return file
}

test('a section naming the workspace package is mounted at its prefix, its options from the file and the environment', async () => {
  const file = configWith('greeting', { greeting: { package: GREETING, prefix: '/hello', issuer: 'greeter' } })
  const env = { POLYTOKEN_CONFIG: file, POLYTOKEN_DATA_DIR: dir, POLYTOKEN_GREETING__API_KEY: 'greeting-api-key-from-env' }
  const config = loadConfig(env)
  assert.equal(config.packages?.greeting?.name, GREETING)
  const server = await createExampleServer(config, env, 'http://localhost:8080', silentLogger)
  try {
    assert.deepEqual(
      server.mounts.map((m) => [m.key, m.prefix, m.dialect.name]),
      [['greeting', '/hello', 'greeting']],
    )
    const issued = await request(server.app).post('/hello/greet').set('x-api-key', 'greeting-api-key-from-env').send({ name: 'ada' })
    assert.equal(issued.status, 201, issued.text)
    const verified = await request(server.app).get('/hello/greet/verify').set('authorization', `Bearer ${issued.body.token}`)
    assert.deepEqual(verified.body, { ok: true, greeting: 'hello, ada' })
    assert.deepEqual((await request(server.app).post('/hello/greet').set('x-api-key', 'wrong').send({ name: 'ada' })).body, { ok: false, why: 'API key is invalid', code: 'ERR_AUTH_INVALID' })
  } finally {
    await server.router.close()
  }
})

test("a package's section is checked against the package's schema: an unknown key by its path, a required option missing", () => {
  const unknown = configWith('greeting-unknown', { greeting: { package: GREETING, apiKey: 'k', apiKy: 'k' } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: unknown }), { code: 'ERR_CONFIG_INVALID', message: /greeting-unknown\.json: greeting\.apiKy: is not an option \(unknown key\)$/ })
  const missing = configWith('greeting-missing', { greeting: { package: GREETING } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: missing }), { code: 'ERR_CONFIG_INVALID', message: "with the environment's settings: greeting.apiKey: is required" })
  assert.doesNotThrow(() => loadConfig({ POLYTOKEN_CONFIG: missing, POLYTOKEN_GREETING__API_KEY: 'k' }))
  const disabled = configWith('greeting-disabled', { greeting: { package: GREETING, enabled: false } })
  assert.doesNotThrow(() => loadConfig({ POLYTOKEN_CONFIG: disabled }), 'a disabled section need not be complete')
  const wrongType = configWith('greeting-type', { greeting: { package: GREETING, apiKey: 5 } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: wrongType }), { message: /greeting\.apiKey: must be a string/ })
})

test('a package that is missing, has no options schema, claims a key the server reads, or has no valid name: ConfigInvalid at load', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'missing',
      'polytoken-no-such-dialect-package',
      /missing\.json: greeting: the package polytoken-no-such-dialect-package is not installed \(looked from .*\): npm install polytoken-no-such-dialect-package$/,
    ],
    ['no-schema', 'no-schema', /greeting: the package no-schema exports no \.\/options-schema\.json/],
    ['takes-prefix', 'takes-prefix', /greeting: the package takes-prefix: its options schema defines prefix, which the server reads itself/],
    ['path', '../node_modules/no-dialect', /greeting\.package: must be an npm package name/],
    ['absolute', '/etc/passwd', /greeting\.package: must be an npm package name/],
    ['number', 5, /greeting\.package: must be an npm package name/],
  ]
  for (const [name, pkg, message] of cases) {
    assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: configWith(name, { greeting: { package: pkg } }) }), { code: 'ERR_CONFIG_INVALID', message }, name)
  }
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: configWith('section-name', { Greeting_1: { package: GREETING, apiKey: 'k' } }) }), {
    message: /"Greeting_1": a dialect package's section is named in lower-case letters, digits and "-"/,
  })
})

test('a package that exports no dialect, or whose createDialect returns none: ConfigInvalid when mounted', async () => {
  for (const [pkg, message] of [
    ['no-dialect', 'greeting: the package no-dialect exports no dialect: its main entry must export a function createDialect(options)'],
    ['not-a-dialect', "greeting: the package not-a-dialect: createDialect(options) returned no dialect (defineDialect's result)"],
  ]) {
    const env = { POLYTOKEN_CONFIG: configWith(pkg!, { greeting: { package: pkg, word: 'w' } }), POLYTOKEN_DATA_DIR: dir }
    const config = loadConfig(env)
    assert.equal(config.packages?.greeting?.name, pkg, 'found in the config directory')
    await assert.rejects(createExampleServer(config, env, 'http://localhost:8080', silentLogger), { code: 'ERR_CONFIG_INVALID', message })
  }
})
