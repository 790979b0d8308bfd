import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { memoryStore } from '@polytoken/core'
import { WEB_BASIC, startApp, testOptions } from './fixture.js'
import { login } from './helpers.js'

function fromAddress(app: Parameters<typeof request>[0], ip: string, fields: Record<string, string>) {
  return request(app)
    .post('/api/v1/token')
    .type('form')
    .set('Authorization', WEB_BASIC)
    .set('X-Forwarded-For', ip)
    .send({ grant_type: 'password', ...fields })
}

describe('zazz: brute-force protection on the password grant', () => {
  test('per username and address: after maxPerUsernameAddress failures → 429 invalid_grant with Retry-After, even with the right password; other addresses and users go on', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 5; i++) {
        const response = await fromAddress(server.app, '10.0.0.1', { username: 'soroush', password: `guess-${i}` })
        assert.equal(response.status, 400, `attempt ${i + 1}`)
        assert.equal(response.body.error, 'invalid_grant')
      }
      const locked = await fromAddress(server.app, '10.0.0.1', { username: 'soroush', password: '123' })
      assert.equal(locked.status, 429, locked.text)
      assert.equal(locked.body.error, 'invalid_grant')
      assert.match(locked.body.error_description, /^too many attempts/)
      const retryAfter = Number(locked.headers['retry-after'])
      assert.ok(retryAfter > 0 && retryAfter <= 61, `Retry-After ${locked.headers['retry-after']}`)
      assert.equal(locked.headers['cache-control'], 'no-store')
      // One address cannot lock the account for its owner elsewhere, nor other users.
      assert.equal((await fromAddress(server.app, '10.0.1.1', { username: 'soroush', password: '123' })).status, 200)
      assert.equal((await fromAddress(server.app, '10.0.1.2', { username: 'bigclub', password: 'club-password' })).status, 200)
    } finally {
      await server.close()
    }
  })

  test('unknown usernames are limited the same way (the answer says nothing about existence)', async () => {
    const server = await startApp()
    try {
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await fromAddress(server.app, '10.1.0.1', { username: 'ghost', password: 'x' })).status)
      assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429])
    } finally {
      await server.close()
    }
  })

  test('correct logins are not counted: many in a row, and 20 in parallel, never lock', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 12; i++) assert.equal((await fromAddress(server.app, '10.2.0.1', { username: 'soroush', password: '123' })).status, 200)
      const burst = await Promise.all(Array.from({ length: 20 }, () => fromAddress(server.app, '10.2.0.1', { username: 'soroush', password: '123' })))
      assert.deepEqual(
        burst.map((r) => r.status),
        Array(20).fill(200),
      )
      // The failure budget is intact.
      for (let i = 0; i < 5; i++) assert.equal((await fromAddress(server.app, '10.2.0.1', { username: 'soroush', password: 'wrong' })).status, 400)
    } finally {
      await server.close()
    }
  })

  test('per address: after maxPerAddress failures across usernames, that address is refused; others are not', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 8; i++) {
        const response = await fromAddress(server.app, '192.0.2.7', { username: `user-${i}`, password: 'x' })
        assert.equal(response.status, 400, `failure ${i + 1}`)
      }
      const locked = await fromAddress(server.app, '192.0.2.7', { username: 'soroush', password: '123' })
      assert.equal(locked.status, 429)
      assert.ok(Number(locked.headers['retry-after']) > 0)
      assert.equal((await fromAddress(server.app, '192.0.2.8', { username: 'soroush', password: '123' })).status, 200)
    } finally {
      await server.close()
    }
  })

  test('a parallel burst of wrong guesses cannot slip past the limit while the hashes run', async () => {
    const server = await startApp()
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => fromAddress(server.app, '10.3.0.1', { username: 'soroush', password: `p${i}` })))
      assert.equal(burst.filter((r) => r.status === 400).length, 5, 'exactly maxPerUsernameAddress passwords were tried')
      assert.equal(burst.filter((r) => r.status === 429).length, 15)
    } finally {
      await server.close()
    }
  })

  test('the count lives in the store: it holds across instances', async () => {
    const store = memoryStore()
    const a = await startApp(testOptions(), { store })
    const b = await startApp(testOptions(), { store })
    try {
      for (let i = 0; i < 5; i++) await login(i % 2 === 0 ? a.app : b.app, WEB_BASIC, { password: 'wrong' })
      const response = await login(b.app, WEB_BASIC)
      assert.equal(response.status, 429)
      assert.ok(response.headers['retry-after'])
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('settings of the old design are refused, not silently ignored', async () => {
    await assert.rejects(startApp(testOptions({ bruteForce: { lockSec: 60 } as never })), /lockSec: no longer a setting/)
  })
})
