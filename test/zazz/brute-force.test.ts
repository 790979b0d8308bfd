import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import request from 'supertest'
import { createStore } from '@polytoken/core'
import { WEB_BASIC, startApp, testOptions } from './fixture.js'
import { login } from './helpers.js'

function fromAddress(app: Parameters<typeof request>[0], ip: string, fields: Record<string, string>) {
  return request(app).post('/api/v1/token').type('form').set('Authorization', WEB_BASIC).set('X-Forwarded-For', ip).send({ grant_type: 'password', ...fields })
}

describe('zazz: brute-force protection on the password grant', () => {
  test('per username: after maxPerUsername attempts → 429 invalid_grant with Retry-After, even with the right password, from any address', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 5; i++) {
        const response = await fromAddress(server.app, `10.0.0.${i}`, { username: 'soroush', password: `guess-${i}` })
        assert.equal(response.status, 400, `attempt ${i + 1}`)
        assert.equal(response.body.error, 'invalid_grant')
      }
      const locked = await fromAddress(server.app, '10.0.1.1', { username: 'soroush', password: '123' })
      assert.equal(locked.status, 429, locked.text)
      assert.equal(locked.body.error, 'invalid_grant')
      assert.match(locked.body.error_description, /too many/)
      const retryAfter = Number(locked.headers['retry-after'])
      assert.ok(retryAfter > 0 && retryAfter <= 120, `Retry-After ${locked.headers['retry-after']}`)
      assert.equal(locked.headers['cache-control'], 'no-store')
      // Other users are not affected.
      assert.equal((await fromAddress(server.app, '10.0.1.2', { username: 'bigclub', password: 'club-password' })).status, 200)
    } finally {
      await server.close()
    }
  })

  test('unknown usernames lock the same way (the lock says nothing about existence)', async () => {
    const server = await startApp()
    try {
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await fromAddress(server.app, `10.1.0.${i}`, { username: 'ghost', password: 'x' })).status)
      assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429])
    } finally {
      await server.close()
    }
  })

  test('a success clears the username count', async () => {
    const server = await startApp()
    try {
      for (let i = 0; i < 4; i++) await fromAddress(server.app, `10.2.0.${i}`, { username: 'soroush', password: 'wrong' })
      assert.equal((await fromAddress(server.app, '10.2.1.0', { username: 'soroush', password: '123' })).status, 200)
      for (let i = 0; i < 4; i++) assert.equal((await fromAddress(server.app, `10.2.2.${i}`, { username: 'soroush', password: 'wrong' })).status, 400)
    } finally {
      await server.close()
    }
  })

  test('per address: after maxPerAddress failures across usernames, that address is locked; others are not', async () => {
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

  test('a parallel burst cannot slip past the limit while the hashes run', async () => {
    const server = await startApp()
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => fromAddress(server.app, `10.3.0.${i}`, { username: 'soroush', password: `p${i}` })))
      const checked = burst.filter((r) => r.status === 400).length
      assert.equal(checked, 5, 'exactly maxPerUsername passwords were tried')
      assert.equal(burst.filter((r) => r.status === 429).length, 15)
    } finally {
      await server.close()
    }
  })

  test('the count lives in the store: it holds across instances', async () => {
    const store = createStore('memory://')
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
})
