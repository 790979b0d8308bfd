import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startExampleServer } from '../helpers/spawn-server.js'

const root = new URL('../..', import.meta.url).pathname

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('the start-up warning names every setting still at its example value, never the value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytoken-warning-'))
  const server = await startExampleServer({ POLYTOKEN_DATA_DIR: dir, POLYTOKEN_STORE: 'memory://' })
  try {
    // The log line goes to stdout and the box to stderr: two pipes, read in whatever order they arrive.
    await until(() => server.output().includes('"settings"'), 'the warning as a log line')
    await until(() => server.output().includes('!! Set them through'), 'the warning box')
    const json = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; settings?: string[]; msg: string })
      .find((line) => line.settings)!
    assert.equal(json.level, 40)
    for (const setting of [
      'masterKey (POLYTOKEN_MASTER_KEY)',
      'prodmanager.secret (PRODMANAGER_SECRET)',
      'token-generator.sessionSecret (TOKEN_GENERATOR_SESSION_SECRET)',
      'crew.users.admin.password',
      'zazz.clients[1].secret (ZAZZ_CLIENT_SECRET_1)',
    ]) {
      assert.ok(json.settings!.includes(setting), `${setting} is not named: ${JSON.stringify(json.settings)}`)
    }
    const box = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('!!'))
      .join('\n')
    assert.match(box, /WARNING: example secrets in use/)
    const config = JSON.parse(readFileSync(join(root, 'examples/server/config.json'), 'utf8'))
    const pem = readFileSync(join(root, 'examples/sagrada/example-issuer-key.EXAMPLE-ONLY.pem'), 'utf8').split('\n')
    const values: string[] = [
      config.masterKey,
      config.prodmanager.secret,
      config['token-generator'].sessionSecret,
      config['token-generator'].resourceSecret,
      config.zazz.clients[1].secret,
      config.zazz.users[0].password,
      ...config.sagrada.nodes['http://localhost:8000'].secrets,
      pem[Math.floor(pem.length / 2)]!,
    ]
    const warning = `${box}\n${JSON.stringify(json)}`
    // Short values ("123") are matched as whole words: a setting's name may hold their digits.
    for (const value of values)
      assert.ok(!new RegExp(`(^|[^\\w-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(warning), `the warning holds the value of a setting (${value.slice(0, 4)}…)`)
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
