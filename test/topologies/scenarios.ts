import { spawn } from 'node:child_process'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { ROOT } from '../scale-out/harness.js'
import { withParam } from '../storage/services.js'

/**
 * The two-instance scenarios of test/scale-out (every dialect: two examples-server processes on one store), run
 * unchanged against a topology: they read their Redis from POLYTOKEN_TEST_REDIS_URL. One child node:test run, so
 * the topology started once serves them all.
 */
export const SCENARIOS = ['two-instances', 'crew-instances', 'sagrada-instances', 'zazz-instances', 'all-dialects', 'take-across-processes'].map((name) => join('test/scale-out', `${name}.test.ts`))

/** This process's environment without node:test's marker, which would make the child skip every file it is given. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _inTest, ...env } = process.env
  return env
}

/**
 * The scenarios' store timeout. A Sentinel client's first connection (ask a Sentinel, open the master and a
 * subscription) takes most of a second on a loaded two-core machine, and an examples server that cannot read its
 * keys at start exits; the scenarios are about agreement between instances, not about the timeout.
 */
const SCENARIO_STORE_TIMEOUT_MS = 3_000

export async function runScenarios(t: TestContext, storeUrl: string): Promise<void> {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...SCENARIOS], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...childEnv(),
      NODE_ENV: 'test',
      POLYTOKEN_TEST_REDIS_URL: withParam(storeUrl, 'timeoutMs', String(SCENARIO_STORE_TIMEOUT_MS)),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=polytoken-source`.trim(),
    },
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN)
  const tail = output.split('\n').slice(-80).join('\n')
  t.diagnostic(`${count('pass')} scenario tests passed in ${Math.round((Date.now() - started) / 1000)} s`)
  assert.equal(code, 0, `the scenarios failed:\n${tail}`)
  assert.equal(count('fail'), 0, tail)
  // A scenario that skipped (its store unreachable) proved nothing about the topology.
  assert.equal(count('skipped'), 0, `some scenarios skipped:\n${tail}`)
  assert.ok(count('pass') >= SCENARIOS.length, `too few scenario tests ran:\n${tail}`)
}
