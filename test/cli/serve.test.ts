import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cliEnv } from './run-polytoken.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

test('`npx polytoken serve` (the bin npm links) runs the server npm start runs: ready, answers a dialect, stops on SIGTERM with exit 0', async () => {
  const env = cliEnv({ POLYTOKEN_METRICS_PORT: 'off' }, ['prodmanager'])
  const port = await freePort()
  // node_modules/.bin/polytoken is what `npx polytoken` runs after `npm install`.
  const child = spawn(join(root, 'node_modules/.bin/polytoken'), ['serve'], { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    const end = Date.now() + 60_000
    let ready = false
    while (!ready && Date.now() < end) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      )
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.ok(ready, `not ready within 60 s:\n${output}`)
    const created = await fetch(`http://127.0.0.1:${port}/api/token/create`, {
      method: 'POST',
      body: new URLSearchParams({ secret: 'changeit', name: 'serve-test', description: 'from the CLI', permission: 'scope_api' }),
      headers: { accept: 'text/plain' },
    })
    assert.equal(created.status, 200, await created.clone().text())
    assert.match(await created.text(), /^[\w-]+\.[\w-]+\.[\w-]+$/)
    child.kill('SIGTERM')
    assert.equal(await exited, 0, output)
  } finally {
    child.kill('SIGKILL')
    rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
  }
})
