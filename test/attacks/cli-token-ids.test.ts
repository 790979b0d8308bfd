/**
 * Issue #18: `polytoken tokens revoke <dialect> <id>` takes an id typed (or pasted) by an operator. An id that is a
 * glob (`*`), a prefix of a real id, a store key with its prefix (`token:<jti>`, `refresh:<fingerprint>`), a path
 * with dot segments or a colon must revoke nothing: ids are compared whole with stored ids, never used as a key
 * prefix or a pattern. Listings and refusals print no token: pasting the token itself instead of its id is refused
 * without echoing it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assertNoSecrets, createProdmanagerToken, crewLogin, crewRefresh, rowsOf, startWorld, whoami, zazzLogin, zazzRefresh } from '../cli/tokens-fixture.js'

test('forged ids revoke nothing and print no token (prodmanager, zazz, crew)', { timeout: 600_000 }, async (t) => {
  const world = await startWorld('sqlite')
  t.after(() => world.close())
  const token = await createProdmanagerToken(world)
  const login = await zazzLogin(world)
  const crewToken = await crewLogin(world)
  const listed = {
    prodmanager: rowsOf(await world.cli(['tokens', 'list', 'prodmanager', '--json'])),
    zazz: rowsOf(await world.cli(['tokens', 'list', 'zazz', '--json'])),
    crew: rowsOf(await world.cli(['tokens', 'list', 'crew', '--json'])),
  }
  const ids = { prodmanager: String(listed.prodmanager[0]!.id), zazz: String(listed.zazz[0]!.id), crew: String(listed.crew[0]!.id) }
  const forged: Record<keyof typeof ids, string[]> = {
    prodmanager: ['*', '?*', `${ids.prodmanager.slice(0, 8)}*`, ids.prodmanager.slice(0, 35), `token:${ids.prodmanager}`, `../token/${ids.prodmanager}`, `${ids.prodmanager}:`, token],
    zazz: ['*', `${ids.zazz.slice(0, 4)}*`, ids.zazz.slice(0, -1), `rt:${ids.zazz}`, `../${ids.zazz}`, `${ids.zazz}:x`, '[A-Za-z]*', login.refresh_token],
    crew: ['*', `${ids.crew.slice(0, 10)}*`, ids.crew.slice(0, 42), `refresh:${ids.crew}`, `./${ids.crew.slice(2)}`, `${ids.crew.slice(0, 42)}:`, crewToken],
  }
  // After `--`: an id (or a prefix of one) may start with '-'. A dialect's attempts run side by side: each is a process.
  for (const [dialect, attempts] of Object.entries(forged)) {
    const results = await Promise.all(attempts.map((id) => world.cli(['tokens', 'revoke', dialect, '--', id])))
    results.forEach((result, i) => {
      assert.equal(result.code, 1, `${dialect} ${attempts[i]!.slice(0, 12)}: ${result.stdout}${result.stderr}`)
      assertNoSecrets(result, world.secrets)
    })
  }
  // Everything is still listed and still works.
  for (const dialect of ['prodmanager', 'zazz', 'crew'] as const) {
    const result = await world.cli(['tokens', 'list', dialect, '--json'])
    assert.deepEqual(
      rowsOf(result).map((row) => row.id),
      [ids[dialect]],
    )
    assert.equal(rowsOf(result)[0]!.revoked ?? false, false)
    assertNoSecrets(result, world.secrets)
  }
  assert.equal((await whoami(world, token)).status, 200)
  assert.equal((await zazzRefresh(world, login.refresh_token)).status, 200)
  assert.equal((await crewRefresh(world, crewToken)).status, 200)
})
