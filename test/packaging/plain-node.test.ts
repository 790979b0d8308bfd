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

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
/** The environment without the test runner's source condition or tsx: what a user's process has. */
const plainEnv = () => {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return env
}

test('every package has its build: JavaScript and declarations in dist/', () => {
  for (const pkg of ['core', 'express-middleware', 'plugins']) {
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
  const result = spawnSync(process.execPath, [tsc, '-p', join(FIXTURES, 'tsconfig.json')], { cwd: ROOT, env: plainEnv(), encoding: 'utf8', timeout: 60_000 })
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`)
})
