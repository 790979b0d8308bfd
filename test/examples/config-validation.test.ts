import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../examples/server/load-config.js'
import { KNOWN_KEYS, SECTIONS } from '../../examples/server/config-schema.js'
import { dialects } from '../../examples/server/dialects/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'polytoken-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const example = JSON.parse(readFileSync(join(root, 'examples/server/config.json'), 'utf8')) as Record<string, any>

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(config))
  return file
}

/** `npm start` with this config file: it must stop before listening, exit non-zero and say why on stderr. */
function startFails(file: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'examples/server/main.ts'], {
    cwd: root,
    env: { ...process.env, POLYTOKEN_CONFIG: file, POLYTOKEN_DATA_DIR: join(dir, 'data'), PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  })
  assert.doesNotMatch(result.stdout, /polytoken examples server on/, 'it must not start')
  return { status: result.status, stderr: result.stderr }
}

test('a misspelled section stops start-up, naming it and the sections there are', () => {
  const { crew, ...rest } = example
  const { status, stderr } = startFails(writeConfig('misspelled-section', { ...rest, crwe: crew }))
  assert.equal(status, 2)
  assert.match(stderr, /ERR_CONFIG_INVALID/)
  assert.match(stderr, /"crwe" is neither a setting nor a dialect section \(known: .*crew.*\)/)
  assert.doesNotMatch(stderr, /^\s+at /m, 'one clear line, not a stack trace')
})

test('an unknown key inside a dialect section stops start-up, naming its path', () => {
  const { status, stderr } = startFails(writeConfig('unknown-key', { ...example, crew: { ...example.crew, tokenLifetime: 300 } }))
  assert.equal(status, 2)
  assert.match(stderr, /crew\.tokenLifetime: is not an option \(unknown key\)/)
})

test('a wrong type deep in a section is named by its path', () => {
  const file = writeConfig('wrong-type', { ...example, crew: { ...example.crew, users: { alice: { password: 5 } } } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: file }), { code: 'ERR_CONFIG_INVALID', message: /crew\.users\.alice\.password: must be a string/ })
  const http = writeConfig('http', { ...example, http: { ...example.http, headerTimeoutMs: 5 } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: http }), { code: 'ERR_CONFIG_INVALID', message: /http\.headerTimeoutMs: is not an option/ })
  const sagrada = writeConfig('sagrada', { ...example, sagrada: { ...example.sagrada, browserid: { ...example.sagrada.browserid, trustedIssuers: [{ issuer: 'x', publicKeyFle: 'x.pem' }] } } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: sagrada }), { code: 'ERR_CONFIG_INVALID', message: /sagrada\.browserid\.trustedIssuers\[0\]\.publicKeyFle: is not an option/ })
})

test('an option the mount file would drop is refused, not accepted and ignored', () => {
  const file = writeConfig('dropped', { ...example, crew: { ...example.crew, maxScopes: 8 } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: file }), { code: 'ERR_CONFIG_INVALID', message: /crew\.maxScopes: is not an option/ })
  const sagrada = writeConfig('sagrada-prefix', { ...example, sagrada: { ...example.sagrada, prefix: '/tokens' } })
  assert.throws(() => loadConfig({ POLYTOKEN_CONFIG: sagrada }), { code: 'ERR_CONFIG_INVALID', message: /sagrada\.prefix: is not an option/ })
})

test('the example config.json, its mount-only keys and a disabled section are accepted', () => {
  assert.deepEqual(Object.keys(loadConfig({}).sections), ['prodmanager', 'token-generator', 'crew', 'zazz', 'sagrada', 'github-pats'])
  const file = writeConfig('mount-keys', { ...example, crew: { ...example.crew, certificateFile: 'crew.pem', enabled: false } })
  assert.equal(loadConfig({ POLYTOKEN_CONFIG: file }).sections.crew!.enabled, false)
})

test('every dialect the server mounts has a section schema, and no other', () => {
  assert.deepEqual(Object.keys(SECTIONS).sort(), Object.keys(dialects).sort())
  for (const key of Object.keys(dialects)) assert.ok(KNOWN_KEYS.includes(key))
})
