import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CACHE_MAX_TTL_MS, STORES, assertNoSecrets, createProdmanagerToken, crewLogin, crewRefresh, rowsOf, sleep, startWorld, whoami, zazzLogin, zazzMe, zazzRefresh } from './tokens-fixture.js'

/**
 * `polytoken tokens list|revoke` against the store of a running examples server: a grant made over HTTP is listed,
 * revoked with the CLI, and refused by the running server within the verification cache's bound — no restart.
 */
for (const kind of STORES) {
  test(`tokens on ${kind}: prodmanager, zazz and crew grants listed, revoked, refused by the running server`, { timeout: 600_000 }, async (t) => {
    const world = await startWorld(kind)
    t.after(() => world.close())

    await t.test('prodmanager: a token created over HTTP is listed by its jti, revoked, then whoami refuses it', async () => {
      const token = await createProdmanagerToken(world)
      const claims = (await (await whoami(world, token)).json()) as { jti: string }
      const listed = await world.cli(['tokens', 'list', 'prodmanager', '--json'])
      const row = rowsOf(listed).find((r) => r.id === claims.jti)
      assert.ok(row, listed.stdout)
      assert.equal(row.client, 'cli-tokens-app')
      assert.equal(row.scope, 'read_api')
      assert.equal(row.revoked, false)
      assert.match(String(row.expires), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      // The server has this token in its verification cache now; the revocation reaches it within the cache's bound.
      assert.equal((await whoami(world, token)).status, 200)
      const revoked = await world.cli(['tokens', 'revoke', 'prodmanager', claims.jti, '--json'])
      assert.equal(revoked.code, 0, revoked.stderr)
      assert.deepEqual(JSON.parse(revoked.stdout), { ok: true, id: claims.jti })
      await sleep(CACHE_MAX_TTL_MS + 250)
      assert.equal((await whoami(world, token)).status, 401)
      const again = await world.cli(['tokens', 'revoke', 'prodmanager', claims.jti])
      assert.equal(again.code, 1, 'a revoked token is no live grant')
      const table = await world.cli(['tokens', 'list', 'prodmanager'])
      assert.equal(table.code, 0, table.stderr)
      assert.match(table.stdout, /^id\s+subject\s+client\s+scope\s+issued/)
      for (const result of [listed, revoked, again, table]) assertNoSecrets(result, world.secrets)
    })

    await t.test('zazz: a login family is listed by its family id, revoked, then refresh and the access token are refused', async () => {
      const login = await zazzLogin(world)
      assert.equal((await zazzMe(world, login.access_token)).status, 200)
      const listed = await world.cli(['tokens', 'list', 'zazz', '--json', '--subject', 'soroush'])
      const rows = rowsOf(listed)
      assert.equal(rows.length, 1, listed.stdout)
      const family = rows[0]!
      assert.equal(family.subject, 'soroush')
      assert.equal(family.userId, 1)
      assert.equal(family.client, 'zazz-web')
      assert.equal(family.scope, 'full')
      assert.deepEqual(rowsOf(await world.cli(['tokens', 'list', 'zazz', '--json', '--subject', 'nobody'])), [])
      const revoked = await world.cli(['tokens', 'revoke', 'zazz', '--', String(family.id)])
      assert.equal(revoked.code, 0, revoked.stderr)
      const refreshed = await zazzRefresh(world, login.refresh_token)
      assert.equal(refreshed.status, 400)
      assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant')
      await sleep(CACHE_MAX_TTL_MS + 250)
      assert.equal((await zazzMe(world, login.access_token)).status, 401)
      assert.deepEqual(rowsOf(await world.cli(['tokens', 'list', 'zazz', '--json'])), [], 'a revoked family is no longer listed')
      assert.equal((await world.cli(['tokens', 'revoke', 'zazz', '--', String(family.id)])).code, 1)
      for (const result of [listed, revoked]) assertNoSecrets(result, world.secrets)
    })

    await t.test('crew: a refresh token is listed by its fingerprint, revoked, then refused', async () => {
      const refreshToken = await crewLogin(world)
      assert.equal((await crewRefresh(world, refreshToken)).status, 200)
      const listed = await world.cli(['tokens', 'list', 'crew', '--json'])
      const rows = rowsOf(listed)
      assert.equal(rows.length, 1, listed.stdout)
      assert.equal(rows[0]!.subject, 'genedna')
      assert.equal(rows[0]!.client, 'cli-test')
      assert.equal(rows[0]!.service, 'registry.local')
      assert.notEqual(rows[0]!.id, refreshToken)
      // A fingerprint is base64url and may start with '-': after `--` it is an argument, never an option.
      const revoked = await world.cli(['tokens', 'revoke', 'crew', '--json', '--', String(rows[0]!.id)])
      assert.equal(revoked.code, 0, revoked.stderr)
      assert.equal((await crewRefresh(world, refreshToken)).status, 401)
      assert.deepEqual(rowsOf(await world.cli(['tokens', 'list', 'crew', '--json'])), [])
      for (const result of [listed, revoked]) assertNoSecrets(result, world.secrets)
    })

    await t.test('usage: --help exits 0, unknown ids exit 1, wrong arguments 2, a dialect without grants 2', async () => {
      const help = await world.cli(['tokens', '--help'])
      assert.equal(help.code, 0)
      assert.match(help.stdout, /polytoken tokens list <dialect>/)
      assert.equal((await world.cli(['tokens', 'revoke', 'prodmanager', '00000000-0000-4000-8000-000000000000'])).code, 1)
      assert.equal((await world.cli(['tokens', 'revoke', 'crew', 'A'.repeat(43)])).code, 1)
      assert.equal((await world.cli(['tokens', 'revoke', 'zazz', 'no-such-family'])).code, 1)
      assert.equal((await world.cli(['tokens', 'revoke', 'prodmanager'])).code, 2)
      assert.equal((await world.cli(['tokens', 'list'])).code, 2)
      assert.equal((await world.cli(['tokens', 'list', 'token-generator'])).code, 2)
      assert.equal((await world.cli(['tokens', 'list', 'no-such-dialect'])).code, 2)
    })
  })
}
