/**
 * What a user installs: the built packages (dist/) on plain Node, and their declarations for TypeScript apps.
 * Every other test runs on the TypeScript sources (the `polytoken-source` export condition); this one does not.
 * `npm test` builds first (its `pretest`); run `npm run build` before running this file on its own.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { startExampleServer } from '../helpers/spawn-server.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
/** The environment without the test runner's source condition or tsx: what a user's process has. */
const plainEnv = () => {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return env
}

test('every package has its build: JavaScript and declarations in dist/', () => {
  for (const pkg of ['core', 'browserid', 'login-throttle', 'store-test-suite', 'store-keyv', 'store-sqlite', 'store-redis', 'store-postgres', 'express-middleware', 'plugins']) {
    for (const file of ['index.js', 'index.d.ts']) {
      assert.ok(existsSync(join(ROOT, 'packages', pkg, 'dist', file)), `packages/${pkg}/dist/${file} is missing: run npm run build`)
    }
  }
})

test('a plain Node app (no tsx) mounts the built router and serves tokens over HTTP', () => {
  const child = spawnSync(process.execPath, [join(FIXTURES, 'plain-node-app.mjs')], { cwd: ROOT, env: plainEnv(), encoding: 'utf8', timeout: 30_000 })
  assert.equal(child.status, 0, child.stderr)
  const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!)
  assert.match(seen.resolved, /packages\/core\/dist\/index\.js$/, 'resolved to the build, not the sources')
  assert.equal(seen.create, 200)
  assert.equal(seen.whoami.status, 200)
  assert.equal(seen.whoami.body.aud, 'plain-node')
  assert.deepEqual({ status: seen.crew.status, alg: seen.crew.alg }, { status: 200, alg: 'ES256' })
  assert.equal(seen.malformed, 401)
})

test('a TypeScript app type-checks against the published declarations', () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  // skipLibCheck is off, so json-schema-to-ts's declarations (core's typed route input) are checked too: about 14 s of CPU, more on a busy machine.
  const result = spawnSync(process.execPath, [tsc, '-p', join(FIXTURES, 'tsconfig.json')], { cwd: ROOT, env: plainEnv(), encoding: 'utf8', timeout: 120_000 })
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`)
})

test('the examples server on the build: every dialect loads and answers in its own envelope', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-packaging-'))
  // NODE_OPTIONS emptied: the server resolves @polytoken/* to dist/, as `npm start` does.
  const server = await startExampleServer({ NODE_OPTIONS: '', POLYTOKEN_DATA_DIR: dataDir })
  t.after(async () => {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const form = new FormData()
  for (const [name, value] of [
    ['secret', 'changeit'],
    ['name', 'api-documentation'],
    ['description', 'Token for documentation example'],
    ['permission', 'scope_api'],
  ] as const)
    form.append(name, value)
  const created = await fetch(`${server.url}/api/token/create`, { method: 'POST', body: form, headers: { accept: 'text/plain' } })
  assert.equal(created.status, 200)
  const whoami = await fetch(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${await created.text()}` } })
  assert.equal(((await whoami.json()) as { aud: string }).aud, 'api-documentation')
  // Each of the other dialects refuses a request without credentials in its own envelope.
  const crew = await fetch(`${server.url}/v1/token?service=nope&scope=repository:library/alpine:pull`)
  assert.equal(((await crew.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNSUPPORTED_VALUE')
  const tg = await fetch(`${server.url}/api/v1/token`, { method: 'POST' })
  assert.equal(tg.status, 401)
  const zazz = await fetch(`${server.url}/zazz/api/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' })
  assert.deepEqual([zazz.status, ((await zazz.json()) as { error: string }).error], [401, 'invalid_client'])
  const sagrada = await fetch(`${server.url}/1.0/sync/1.5`)
  assert.deepEqual([sagrada.status, ((await sagrada.json()) as { status: string }).status], [401, 'error'])
  assert.match(sagrada.headers.get('www-authenticate') ?? '', /BrowserID/)
  assert.doesNotMatch(server.output(), /packages\/[a-z-]+\/src\//, 'no source file in the output')
})
