import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { createPasswordHasher, createStore, type PasswordHasher } from '@polytoken/core'
import { LEGACY_BASIC, startApp, testOptions } from '../zazz/fixture.js'
import { startApp as startCrew, testOptions as crewOptions, SERVICE } from '../crew/fixture.js'

/** Issue #13 items 4 and 5 over HTTP: what a burst of logins gets, and what the throttle lets through. */

function grant(app: Parameters<typeof request>[0], ip: string, username: string, password: string) {
  return request(app).post('/api/v1/token').type('form').set('Authorization', LEGACY_BASIC).set('X-Forwarded-For', ip).send({ grant_type: 'password', username, password, scope: 'full' })
}

/** The runtime's hasher, counting the hashes that really ran. */
function countingHasher(): PasswordHasher & { hashes: number } {
  const inner = createPasswordHasher()
  const counting = {
    hashes: 0,
    stats: inner.stats,
    verify: (password: string, encoded: string) => inner.verify(password, encoded),
    admit() {
      const place = inner.admit()
      return {
        cancel: () => place.cancel(),
        run: <T>(work: (verify: (password: string, encoded: string) => Promise<boolean>) => Promise<T>) =>
          place.run((verify) =>
            work((password, encoded) => {
              counting.hashes++
              return verify(password, encoded)
            }),
          ),
      }
    },
  }
  return counting
}

// zazz's defaults (10 per username and address, 50 per address), a real scrypt cost so that a burst queues.
const defaults = () => testOptions({ passwordHash: { N: 2 ** 14, r: 8, p: 1 }, bruteForce: {} })

describe('logins in a burst', () => {
  test('20 concurrent correct logins are queued and served, every one 200; and they never lock the account', async () => {
    const server = await startApp(defaults())
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => grant(server.app, '10.0.0.1', 'soroush', '123')))
      assert.deepEqual(
        burst.map((r) => r.status),
        Array(20).fill(200),
        burst
          .filter((r) => r.status !== 200)
          .map((r) => r.text)
          .join('\n'),
      )
      // Nothing was counted: the next login, and a wrong one, are answered as such.
      assert.equal((await grant(server.app, '10.0.0.1', 'soroush', '123')).status, 200)
      assert.equal((await grant(server.app, '10.0.0.1', 'soroush', 'wrong')).status, 400)
    } finally {
      await server.close()
    }
  })

  test('a parallel burst of 30 wrong guesses: exactly 10 hashes run (the per username+address limit), the rest 429 with Retry-After', async () => {
    const hasher = countingHasher()
    const server = await startApp(defaults(), { passwordHashing: hasher })
    try {
      const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => grant(server.app, '10.0.0.2', 'soroush', `guess-${i}`)))
      assert.equal(hasher.hashes, 10)
      assert.equal(burst.filter((r) => r.status === 400).length, 10)
      const refused = burst.filter((r) => r.status === 429)
      assert.equal(refused.length, 20)
      for (const response of refused) {
        assert.ok(Number(response.headers['retry-after']) > 0)
        assert.match(response.body.error_description, /^too many attempts/)
      }
    } finally {
      await server.close()
    }
  })

  test('a parallel burst across usernames from one address: the per-address limit (50) is not overshot', async () => {
    const hasher = countingHasher()
    const server = await startApp(testOptions({ bruteForce: {} }), { passwordHashing: hasher })
    try {
      const burst = await Promise.all(Array.from({ length: 70 }, (_, i) => grant(server.app, '10.0.0.3', `user-${i}`, 'guess')))
      assert.equal(hasher.hashes, 50)
      assert.equal(burst.filter((r) => r.status === 400).length, 50)
      // The rest: 429, or 503 for those past the hashing queue (2 running + 64 waiting), shed before anything was spent.
      const rest = burst.filter((r) => r.status !== 400)
      assert.ok(
        rest.every((r) => (r.status === 429 || r.status === 503) && Number(r.headers['retry-after']) > 0),
        rest.map((r) => r.status).join(),
      )
    } finally {
      await server.close()
    }
  })

  test('one address cannot lock the account for others: guesses from one address leave its owner in from another', async () => {
    const server = await startApp(testOptions({ bruteForce: {} }))
    try {
      for (let i = 0; i < 15; i++) await grant(server.app, '203.0.113.9', 'soroush', `guess-${i}`)
      assert.equal((await grant(server.app, '203.0.113.9', 'soroush', '123')).status, 429)
      assert.equal((await grant(server.app, '198.51.100.1', 'soroush', '123')).status, 200)
    } finally {
      await server.close()
    }
  })

  test('guesses from many addresses slow the account down (short, growing Retry-After), never a 15-minute lock', async () => {
    const server = await startApp(testOptions({ bruteForce: { slowUsernameAfter: 20 } }))
    try {
      for (let i = 0; i < 20; i++) assert.equal((await grant(server.app, `10.9.${i}.1`, 'soroush', 'guess')).status, 400)
      const slowed = [await grant(server.app, '10.10.0.1', 'soroush', 'guess'), await grant(server.app, '10.10.0.2', 'soroush', '123')]
      assert.equal(slowed[0]!.status, 400, 'one attempt per delay goes through')
      assert.equal(slowed[1]!.status, 429)
      const retryAfter = Number(slowed[1]!.headers['retry-after'])
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
      assert.match(slowed[1]!.body.error_description, /too many attempts/)
    } finally {
      await server.close()
    }
  })

  test('store keys are HMACs under the deployment key: not the address, the username or their SHA-256, and another deployment keys them apart', async () => {
    const throttleKeys = async (masterKey: string) => {
      const server = await startApp(testOptions(), { masterKey })
      try {
        await grant(server.app, '192.0.2.44', 'soroush', 'wrong')
        const keys: string[] = []
        for await (const [key] of server.router.runtime.store.namespace('zazz').entries('')) if (/^(fail|held):/.test(key)) keys.push(key)
        return keys
      } finally {
        await server.close()
      }
    }
    const one = await throttleKeys('first-deployment-master-key-0123456789')
    const two = await throttleKeys('second-deployment-master-key-987654321')
    assert.ok(one.length >= 2, one.join(', '))
    const digests = ['192.0.2.44', 'soroush'].flatMap((value) => [createHash('sha256').update(value).digest('base64url').slice(0, 16), createHash('sha256').update(value).digest('hex').slice(0, 16)])
    for (const key of one) {
      for (const part of ['192.0.2.44', 'soroush', ...digests]) assert.ok(!key.includes(part), `${key} holds ${part}`)
    }
    // Keyed by the deployment's secret: without it, nobody can tell (or enumerate) whose counter a key is.
    assert.deepEqual(
      one.filter((key) => two.includes(key)),
      [],
    )
  })
})

describe('crew: a remembered password does not bypass a lock', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  const token = (app: Parameters<typeof request>[0], password: string) =>
    request(app).get('/v1/token').set('Authorization', basic('bob', password)).set('X-Forwarded-For', '10.20.0.1').query({ service: SERVICE })

  test('after the limit of wrong passwords from an address, the cached correct one is refused there too (429)', async () => {
    const server = await startCrew(crewOptions())
    try {
      assert.equal((await token(server.app, 'bob-pw')).status, 200) // now in the verification cache
      for (let i = 0; i < 5; i++) assert.equal((await token(server.app, `guess-${i}`)).status, 401)
      const locked = await token(server.app, 'bob-pw')
      assert.equal(locked.status, 429, locked.text)
      assert.equal(locked.body.errors[0].code, 'TOOMANYREQUESTS')
      assert.ok(Number(locked.headers['retry-after']) > 0)
    } finally {
      await server.close()
    }
  })

  test('90 concurrent Basic logins of unknown users on SQLite: every one 401, 429 or 503 with Retry-After, never a store timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytoken-crew-burst-'))
    const server = await startCrew(crewOptions({ passwordHashing: { N: 2 ** 14 } }), { store: await createStore(`sqlite://${join(dir, 'store.db')}`) })
    try {
      const burst = await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          request(server.app)
            .get('/v1/token')
            .set('Authorization', basic(`nobody${i}`, 'x'))
            .query({ service: SERVICE }),
        ),
      )
      for (const response of burst) {
        assert.ok([401, 429, 503].includes(response.status), response.text)
        assert.doesNotMatch(response.text, /store/)
        if (response.status !== 401) assert.ok(Number(response.headers['retry-after']) > 0, response.text)
      }
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
