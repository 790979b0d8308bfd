import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startExampleServer, type RunningServer } from '../helpers/spawn-server.js'

const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-restart-'))
let server: RunningServer | undefined
after(async () => {
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

async function until(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function createToken(url: string): Promise<string> {
  const form = new FormData()
  form.append('secret', 'changeit')
  form.append('name', 'api-documentation')
  form.append('description', 'Token for documentation example')
  form.append('permission', 'scope_api')
  form.append('permission', 'service_api')
  const res = await fetch(`${url}/api/token/create`, { method: 'POST', body: form, headers: { accept: 'text/plain' } })
  assert.equal(res.status, 200)
  return res.text()
}

test('npm start: SQLite under POLYTOKEN_DATA_DIR; keys and records survive a restart; example secrets are warned about', async () => {
  server = await startExampleServer({ POLYTOKEN_DATA_DIR: dataDir })
  await until(() => /WARNING: example secrets in use/.test(server!.output()), 'the example-secret warning')
  assert.match(server.output(), /POST\s+\/api\/token\/create/)
  const token = await createToken(server.url)
  await server.stop()

  server = await startExampleServer({ POLYTOKEN_DATA_DIR: dataDir })
  const whoami = await fetch(`${server.url}/api/token/whoami`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(whoami.status, 200)
  const body = (await whoami.json()) as { aud: string; permissions: number[] }
  assert.equal(body.aud, 'api-documentation')
  assert.deepEqual(body.permissions, [1, 2])
  const health = await fetch(`${server.url}/healthz`)
  assert.deepEqual(await health.json(), { status: 'ok', store: 'sqlite' })
})

test('no warning when every secret is set from the environment', async () => {
  await server?.stop()
  const fresh = mkdtempSync(join(tmpdir(), 'polytoken-restart-'))
  try {
    server = await startExampleServer({ POLYTOKEN_DATA_DIR: fresh, POLYTOKEN_MASTER_KEY: 'a-real-master-key-for-this-test-only', PRODMANAGER_SECRET: 'a-real-secret' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.doesNotMatch(server.output(), /prodmanager\.secret|POLYTOKEN_MASTER_KEY/)
  } finally {
    await server?.stop()
    rmSync(fresh, { recursive: true, force: true })
  }
})

test('a different master key cannot unseal the stored keys: the server refuses to start instead of minting with new keys', async () => {
  await server?.stop()
  await assert.rejects(startExampleServer({ POLYTOKEN_DATA_DIR: dataDir, POLYTOKEN_MASTER_KEY: 'not-the-key-that-sealed-them-0000' }), /ERR_KEY_INVALID|cannot unseal/)
})
