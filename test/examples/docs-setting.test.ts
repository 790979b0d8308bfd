/** The examples server's `docs` setting: on by default, off from the file or POLYTOKEN_DOCS, anything else refused. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { ConfigInvalid, silentLogger } from '@polytoken/core'
import { createExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'

test('docs: on by default; false in the file or POLYTOKEN_DOCS=false turns it off; POLYTOKEN_DOCS=yes is refused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-docs-setting-'))
  try {
    const env = { POLYTOKEN_STORE: 'memory://', POLYTOKEN_DATA_DIR: dataDir }
    assert.equal(loadConfig(env).docs, true)
    const file = join(dataDir, 'config.json')
    writeFileSync(file, JSON.stringify({ docs: false, prodmanager: { prefix: '/api', secret: 'changeit' } }))
    assert.equal(loadConfig({ ...env, POLYTOKEN_CONFIG: file }).docs, false)
    assert.equal(loadConfig({ ...env, POLYTOKEN_CONFIG: file, POLYTOKEN_DOCS: 'true' }).docs, true)
    assert.throws(
      () => loadConfig({ ...env, POLYTOKEN_DOCS: 'yes' }),
      (error: unknown) => error instanceof ConfigInvalid && /POLYTOKEN_DOCS/.test(error.message),
    )

    const off = await createExampleServer(loadConfig({ ...env, POLYTOKEN_CONFIG: file }), env, 'http://localhost:8080', silentLogger)
    try {
      assert.equal((await request(off.app).get('/docs')).status, 404)
    } finally {
      await off.router.close()
    }
    const on = await createExampleServer(loadConfig({ ...env, POLYTOKEN_CONFIG: file, POLYTOKEN_DOCS: 'true' }), env, 'http://localhost:8080', silentLogger)
    try {
      assert.equal((await request(on.app).get('/docs')).status, 200)
    } finally {
      await on.router.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})
