import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { silentLogger } from '@polytoken/core'
import { createExampleServer } from '../../examples/server/app.js'
import { loadConfig } from '../../examples/server/load-config.js'
import { LEGACY_CLIENT } from './fixture.js'

const root = new URL('../..', import.meta.url).pathname

/** `polytoken users …` (the CLI that replaced examples/zazz/add-user.ts) on the same store. */
function users(args: string[], password: string | undefined, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['examples/server/bin/polytoken.mjs', 'users', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    input: password ?? '',
    encoding: 'utf8',
  })
}

test('examples server: the document request at /zazz/api/v1/token, next to token-generator at /api/v1/token; polytoken users writes into the same store', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zazz-example-'))
  const env = { POLYTOKEN_DATA_DIR: dataDir, POLYTOKEN_MASTER_KEY: 'zazz-example-test-master-key-0123456789' }
  const config = loadConfig(env)
  assert.match(config.store, /^sqlite:\/\//)
  const server = await createExampleServer({ ...config, sections: { zazz: config.sections.zazz!, 'token-generator': config.sections['token-generator']! } }, env, 'http://localhost:8080', silentLogger)
  try {
    assert.ok(
      server.warnings.some((w) => w.includes('zazz.clients[1].secret')),
      'the example client secret is warned about',
    )
    assert.ok(
      server.warnings.some((w) => w.includes('zazz.users[0].password')),
      "the document's example password is warned about",
    )

    const documentRequest = await request(server.app)
      .post('/zazz/api/v1/token')
      .set('Authorization', `Basic ${LEGACY_CLIENT}`)
      .set('Cache-Control', 'no-cache')
      .type('form')
      .send('grant_type=password&username=soroush&password=123&scope=full')
    assert.equal(documentRequest.status, 200, documentRequest.text)
    assert.equal(documentRequest.body.user.displayName, 'Soroush')
    assert.equal(documentRequest.body.user.displayPhoto.smallLink, 'http://localhost:8080/Images/placeholder.gif')
    // The root path belongs to token-generator, which wants its own credential.
    assert.equal((await request(server.app).post('/api/v1/token').set('Authorization', `Basic ${LEGACY_CLIENT}`).type('form').send('grant_type=password')).status, 401)

    const added = users(['add', 'zazz', 'alice', '--json'], 'correct horse\n', env)
    assert.equal(added.status, 0, added.stderr)
    assert.deepEqual(JSON.parse(added.stdout), { ok: true, dialect: 'zazz', username: 'alice' })
    assert.ok(!added.stdout.includes('correct horse') && !added.stdout.includes('scrypt'), 'neither the password nor its hash is printed')

    const alice = await request(server.app)
      .post('/zazz/api/v1/token')
      .set('Authorization', `Basic ${Buffer.from('zazz-web:changeit').toString('base64')}`)
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: 'correct horse' })
    assert.equal(alice.status, 200, alice.text)
    assert.deepEqual(
      { accountType: alice.body.user.accountType, isConfirmed: alice.body.user.isConfirmed, displayName: alice.body.user.displayName },
      { accountType: 'User', isConfirmed: false, displayName: 'alice' },
    )

    const duplicate = users(['add', 'zazz', 'ALICE'], 'other\n', env)
    assert.equal(duplicate.status, 1)
    assert.match(duplicate.stderr, /already exists/)
    const noPassword = users(['add', 'zazz', 'bob'], '', env)
    assert.equal(noPassword.status, 2)
    const onArgv = users(['add', 'zazz', 'bob', '--password', 'x'], 'x', env)
    assert.equal(onArgv.status, 2, 'a password on the command line is refused')

    const updated = users(['passwd', 'zazz', 'alice'], 'new password\n', env)
    assert.equal(updated.status, 0, updated.stderr)
    const withNew = await request(server.app)
      .post('/zazz/api/v1/token')
      .set('Authorization', `Basic ${LEGACY_CLIENT}`)
      .type('form')
      .send({ grant_type: 'password', username: 'alice', password: 'new password' })
    assert.equal(withNew.status, 200, withNew.text)
  } finally {
    await server.router.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
