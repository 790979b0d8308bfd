import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnExamplesServer, untilReady } from '../helpers/examples-server-process.js'
import { decodeJwt } from '../helpers/jwt.js'

/**
 * The examples server as an operator runs it in a container: config.json without its secrets, the secrets in
 * files (Docker / Kubernetes secrets) named by <VAR>_FILE, other keys in POLYTOKEN_<SECTION>__<KEY> variables,
 * and a dialect from an npm package named in the file.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'polytoken-config-env-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const example = JSON.parse(readFileSync(join(root, 'examples/server/config.json'), 'utf8')) as Record<string, any>

const MASTER_KEY = 'master-key-from-a-secret-file-0123456789abcdef'
const PRODMANAGER_SECRET = 'prodmanager-secret-only-in-a-file'
const GREETING_API_KEY = 'greeting-api-key-from-a-file'

function secretFile(name: string, text: string): string {
  const secrets = join(dir, 'secrets')
  mkdirSync(secrets, { recursive: true })
  const path = join(secrets, name)
  writeFileSync(path, `${text}\n`)
  return path
}

/** The example's prodmanager and crew without a secret in the file, and the greeting dialect from its package. */
const { secret: _secret, ...prodmanager } = example.prodmanager
const config = {
  prodmanager,
  crew: { ...example.crew, service: 'registry.local' },
  greeting: { package: '@polytoken-examples/greeting-dialect', prefix: '/hello' },
}

test('secrets only in files, keys from POLYTOKEN_ variables, a dialect package: the server serves them all', async () => {
  const server = await spawnExamplesServer({
    store: 'memory://',
    config,
    portVariable: 'POLYTOKEN_PORT',
    env: {
      PORT: undefined,
      POLYTOKEN_MASTER_KEY: undefined,
      POLYTOKEN_MASTER_KEY_FILE: secretFile('master-key', MASTER_KEY),
      PRODMANAGER_SECRET_FILE: secretFile('prodmanager-secret', PRODMANAGER_SECRET),
      POLYTOKEN_GREETING__API_KEY_FILE: secretFile('greeting-api-key', GREETING_API_KEY),
      POLYTOKEN_CREW__SERVICE: '["registry.local", "containerops.me"]',
      POLYTOKEN_CREW__TOKEN_LIFETIME_SEC: '120',
    },
  })
  try {
    await untilReady(server)

    const form = (secret: string) => {
      const body = new FormData()
      for (const [key, value] of Object.entries({ secret, name: 'api-documentation', description: 'Token for documentation example', permission: 'scope_api' })) body.append(key, value)
      return fetch(`${server.url}/api/token/create`, { method: 'POST', body })
    }
    const created = await form(PRODMANAGER_SECRET)
    assert.equal(created.status, 200, await created.clone().text())
    assert.equal(decodeJwt(await created.text()).claims.iss, 'prodmanager')
    assert.notEqual((await form('changeit')).status, 200, "the file's old example secret is gone")

    const crew = await fetch(`${server.url}/v1/token?service=containerops.me&scope=repository:library/alpine:pull`)
    assert.equal(crew.status, 200)
    const crewBody = (await crew.json()) as { expires_in: number; token: string }
    assert.equal(crewBody.expires_in, 120, 'a number from the environment')
    assert.equal(decodeJwt(crewBody.token).claims.aud, 'containerops.me')

    const greeted = await fetch(`${server.url}/hello/greet`, { method: 'POST', headers: { 'x-api-key': GREETING_API_KEY, 'content-type': 'application/json' }, body: '{"name":"ada"}' })
    assert.equal(greeted.status, 201, await greeted.clone().text())
    const wrongKey = await fetch(`${server.url}/hello/greet`, { method: 'POST', headers: { 'x-api-key': 'wrong', 'content-type': 'application/json' }, body: '{"name":"ada"}' })
    assert.equal(wrongKey.status, 401)

    assert.match(server.output(), /greeting \(prefix \/hello\)\n.*POST\s+\/hello\/greet/, 'the banner lists the package dialect')
    assert.doesNotMatch(server.output(), /masterKey \(POLYTOKEN_MASTER_KEY\)/, 'the master key from the file is not the example one')
    for (const secret of [MASTER_KEY, PRODMANAGER_SECRET, GREETING_API_KEY]) assert.ok(!server.output().includes(secret), 'no secret in the output')
  } finally {
    await server.cleanup()
  }
})

/** `npm start` with this config and environment: it must stop before listening, exit 2 and say why in one line. */
function startFails(configFile: string, env: Record<string, string>): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'examples/server/main.ts'], {
    cwd: root,
    env: { ...process.env, POLYTOKEN_CONFIG: configFile, POLYTOKEN_DATA_DIR: join(dir, 'data'), POLYTOKEN_STORE: 'memory://', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.doesNotMatch(result.stdout, /polytoken examples server on/, 'it must not start')
  assert.equal(result.status, 2, result.stderr)
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'one clear line, not a stack trace')
  return result.stderr
}

test('start-up stops on a variable naming no key, a variable and its _FILE both set, an unreadable file: naming the variable, never the value', () => {
  const file = join(dir, 'config.json')
  writeFileSync(file, JSON.stringify(config))
  const value = 'this-value-must-not-be-printed'
  assert.match(
    startFails(file, { POLYTOKEN_CREW__TOKEN_LIFETIME: value, POLYTOKEN_GREETING__API_KEY: 'k' }),
    /invalid configuration \(ERR_CONFIG_INVALID\): POLYTOKEN_CREW__TOKEN_LIFETIME: crew has no key TOKEN_LIFETIME \(known: .*TOKEN_LIFETIME_SEC/,
  )
  const both = startFails(file, { PRODMANAGER_SECRET: value, PRODMANAGER_SECRET_FILE: secretFile('both', value), POLYTOKEN_GREETING__API_KEY: 'k' })
  assert.match(both, /PRODMANAGER_SECRET and PRODMANAGER_SECRET_FILE both set prodmanager\.secret: set one of them/)
  const missing = join(dir, 'secrets', 'no-such-file')
  assert.match(startFails(file, { POLYTOKEN_GREETING__API_KEY_FILE: missing }), new RegExp(`POLYTOKEN_GREETING__API_KEY_FILE: cannot read "${missing}": ENOENT`))
  assert.match(startFails(file, {}), /greeting\.apiKey: is required/, "the package's required option, from neither the file nor the environment")
  for (const output of [both]) assert.ok(!output.includes(value))
})

test('start-up stops on a dialect package that exports no dialect, found next to the config file', () => {
  const packageDir = join(dir, 'with-package', 'node_modules', 'empty-dialect')
  mkdirSync(packageDir, { recursive: true })
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'empty-dialect', type: 'module', exports: { '.': './index.js', './options-schema.json': './options-schema.json' } }))
  writeFileSync(join(packageDir, 'index.js'), 'export const dialect = undefined\n')
  writeFileSync(join(packageDir, 'options-schema.json'), '{"type":"object","properties":{},"additionalProperties":false}')
  const file = join(dir, 'with-package', 'config.json')
  writeFileSync(file, JSON.stringify({ empty: { package: 'empty-dialect' } }))
  assert.match(
    startFails(file, {}),
    /invalid configuration \(ERR_CONFIG_INVALID\): empty: the package empty-dialect exports no dialect: its main entry must export a function createDialect\(options\)/,
  )
})
