import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cliEnv, polytoken, writeConfig } from './run-polytoken.js'

// The store URL points where nothing listens: check-config never opens it.
const env = cliEnv({ POLYTOKEN_STORE: 'redis://127.0.0.1:1' }, ['prodmanager', 'crew', 'zazz', 'sagrada'])
after(() => rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true }))
const config = () => JSON.parse(readFileSync(env.POLYTOKEN_CONFIG!, 'utf8')) as Record<string, Record<string, unknown>>

test('check-config: a valid configuration exits 0 with one line, or JSON, without opening the store', async () => {
  const ok = await polytoken(['check-config'], env)
  assert.equal(ok.status, 0, ok.stderr)
  assert.equal(ok.stdout, `OK: ${env.POLYTOKEN_CONFIG}: dialects prodmanager, crew, zazz, sagrada; store redis:\n`)
  assert.match(ok.stderr, /still at their example values: .*prodmanager\.secret/, 'example secrets are named (never their values)')
  assert.ok(!ok.stderr.includes('changeit'))
  const json = await polytoken(['check-config', '--json'], env)
  assert.equal(json.status, 0, json.stderr)
  const parsed = JSON.parse(json.stdout)
  assert.equal(parsed.ok, true)
  assert.deepEqual(parsed.dialects, ['prodmanager', 'crew', 'zazz', 'sagrada'])
})

test('check-config: an unknown key nested in a dialect section, or a wrong type, exits 3 naming its path', async () => {
  const unknownNested = join(env.POLYTOKEN_DATA_DIR!, 'unknown-nested.json')
  const withTypo = config()
  withTypo.zazz!.bruteForce = { windowSec: 900, lockMinutes: 3 }
  writeConfig(unknownNested, withTypo)
  const unknown = await polytoken(['check-config', '--json'], { ...env, POLYTOKEN_CONFIG: unknownNested })
  assert.equal(unknown.status, 3, unknown.stderr)
  const parsed = JSON.parse(unknown.stdout)
  assert.equal(parsed.ok, false)
  assert.equal(parsed.code, 'ERR_CONFIG_INVALID')
  assert.match(parsed.error, /zazz\.bruteForce\.lockMinutes/)
  assert.match(unknown.stderr, /zazz\.bruteForce\.lockMinutes/)

  const wrongType = join(env.POLYTOKEN_DATA_DIR!, 'wrong-type.json')
  const typed = config()
  ;(typed.crew!.policy as Array<Record<string, unknown>>)[1]!.actions = 'pull'
  writeConfig(wrongType, typed)
  const wrong = await polytoken(['check-config'], { ...env, POLYTOKEN_CONFIG: wrongType })
  assert.equal(wrong.status, 3, wrong.stderr)
  assert.match(wrong.stderr, /crew\.policy\[1\]\.actions/)
  assert.equal(wrong.stdout, '')

  // A dialect's own check beyond its schema (sagrada reads its issuer's key file) fails the same way.
  const missingFile = join(env.POLYTOKEN_DATA_DIR!, 'missing-file.json')
  const sagrada = config()
  ;(sagrada.sagrada!.browserid as { trustedIssuers: Array<Record<string, unknown>> }).trustedIssuers[0]!.publicKeyFile = '/nonexistent/key.pem'
  writeConfig(missingFile, sagrada)
  const missing = await polytoken(['check-config'], { ...env, POLYTOKEN_CONFIG: missingFile })
  assert.equal(missing.status, 3, missing.stderr)
})
