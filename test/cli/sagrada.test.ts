import { test } from 'node:test'
import assert from 'node:assert/strict'
import { NODE_A, NODE_B, STORES, assertNoSecrets, rowsOf, sagradaLogin, startWorld } from './tokens-fixture.js'

/**
 * `polytoken sagrada` against the store of a running examples server: the node changes it makes (add, drain,
 * capacity) decide the next allocation on the running server, with no restart. Node A (capacity 2) is configured
 * with its own secret; node B is added at run time and shares sagrada.secrets.
 */
for (const kind of STORES) {
  test(`sagrada on ${kind}: user records; nodes added, drained and resized steer the running server's allocations`, { timeout: 600_000 }, async (t) => {
    const world = await startWorld(kind)
    t.after(() => world.close())
    const nodeOf = (answer: Record<string, unknown>) => new URL(String(answer.api_endpoint)).origin

    const first = await sagradaLogin(world, 'first@example.com', 'aa')
    assert.equal(nodeOf(first), NODE_A)
    const shown = await world.cli(['sagrada', 'user', 'first@example.com', '--json'])
    const [record] = rowsOf(shown)
    assert.equal(record!.service, 'sync-1.5')
    assert.equal(record!.uid, first.uid)
    assert.equal(record!.node, NODE_A)
    assert.equal(record!.generation, 0)
    assert.equal(record!.clientState, 'aa')

    const added = await world.cli(['sagrada', 'nodes', 'add', NODE_B, '--capacity', '10', '--json'])
    assert.equal(added.code, 0, added.stderr)
    assert.deepEqual(JSON.parse(added.stdout), { ok: true, service: 'sync-1.5', url: NODE_B })
    // B is emptier (0/10 against 1/2): the next new user goes there, on the running server.
    const second = await sagradaLogin(world, 'second@example.com', 'aa')
    assert.equal(nodeOf(second), NODE_B)

    assert.equal((await world.cli(['sagrada', 'nodes', 'drain', NODE_B])).code, 0)
    const third = await sagradaLogin(world, 'third@example.com', 'aa')
    assert.equal(nodeOf(third), NODE_A, 'a drained node takes no new user')
    const again = await sagradaLogin(world, 'second@example.com', 'aa')
    assert.equal(nodeOf(again), NODE_B, "a drained node's users stay until their next key change")
    assert.equal(again.uid, second.uid)

    // A is full (2/2): a key change cannot move the user off B until A has room.
    const stuck = await sagradaLogin(world, 'second@example.com', 'bb')
    assert.equal(nodeOf(stuck), NODE_B)
    assert.equal((await world.cli(['sagrada', 'nodes', 'capacity', NODE_A, '5'])).code, 0)
    const moved = await sagradaLogin(world, 'second@example.com', 'cc')
    assert.equal(nodeOf(moved), NODE_A, 'at a key change a user leaves a drained node')
    assert.notEqual(moved.uid, stuck.uid)

    const listed = await world.cli(['sagrada', 'nodes', 'list', '--json'])
    const nodes = rowsOf(listed)
    assert.deepEqual(
      nodes.map((n) => [n.url, n.capacity, n.users, n.drained, n.origin, n.secrets]),
      [
        [NODE_A, 5, 3, false, 'config', 'node'],
        [NODE_B, 10, 0, true, 'added', 'shared'],
      ],
    )
    const table = await world.cli(['sagrada', 'nodes', 'list'])
    assert.match(table.stdout, /^service\s+url\s+capacity\s+users\s+drained/)
    const undrained = await world.cli(['sagrada', 'nodes', 'drain', NODE_B, '--undo'])
    assert.equal(undrained.code, 0, undrained.stderr)
    assert.equal(nodeOf(await sagradaLogin(world, 'fourth@example.com')), NODE_B)

    for (const result of [shown, added, listed, table]) assertNoSecrets(result, world.secrets)

    await t.test('refusals: unknown user or node exit 1, a node no server can sign for or twice exit 1, bad arguments exit 2', async () => {
      assert.equal((await world.cli(['sagrada', 'user', 'nobody@example.com'])).code, 1)
      assert.equal((await world.cli(['sagrada', 'nodes', 'drain', 'http://node-z.test'])).code, 1)
      assert.equal((await world.cli(['sagrada', 'nodes', 'capacity', 'http://node-z.test', '3'])).code, 1)
      const twice = await world.cli(['sagrada', 'nodes', 'add', NODE_B, '--capacity', '3'])
      assert.equal(twice.code, 1)
      assert.match(twice.stderr, /already a node/)
      assert.equal((await world.cli(['sagrada', 'nodes', 'add', 'ftp://node-y.test', '--capacity', '3'])).code, 1)
      assert.equal((await world.cli(['sagrada', 'nodes', 'capacity', NODE_A, '-1'])).code, 2)
      assert.equal((await world.cli(['sagrada', 'nodes', 'capacity', NODE_A, 'lots'])).code, 2)
      assert.equal((await world.cli(['sagrada', 'nodes', 'list', '--service', 'sync-9'])).code, 2)
      assert.equal((await world.cli(['sagrada', 'nodes', 'evict', NODE_A])).code, 2)
      const help = await world.cli(['sagrada', '--help'])
      assert.equal(help.code, 0)
      assert.match(help.stdout, /polytoken sagrada nodes drain <url>/)
    })
  })
}
