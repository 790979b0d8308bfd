/**
 * Issue #16, item 1: a host app's body parsers ran before polytoken and
 * their result was taken as it was. Each forged body here got through on
 * that code: prototype-named fields, bracket names that express.urlencoded
 * ({ extended: true }) makes into objects — one of them landed in
 * token-generator's claims —, bodies oversized by count, a chunked body
 * over the limit, a body re-encoded by the host's parser. Each must now be
 * refused in the dialect's envelope, with no token.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliCompressSync } from 'node:zlib'
import express from 'express'
import request from 'supertest'
import type { PolytokenRouter } from '@polytoken/express'
import { ENVELOPES, LEGACY_BASIC, PATHS, createRouter, hostApp, sessionToken, tokenAuth } from '../host-app/parsers-fixture.js'
import { decodeJwt } from '../helpers/jwt.js'

const FORM = 'application/x-www-form-urlencoded'

let router: PolytokenRouter
let host: express.Express
let tgAuth: string

before(async () => {
  router = await createRouter()
  // The host raised its limits: nothing but polytoken's own checks stands between these bodies and a handler.
  host = hostApp(router, {
    parsers: [express.json({ limit: '5mb' }), express.urlencoded({ extended: true, limit: '5mb', parameterLimit: 100_000 }), express.text()],
  })
  tgAuth = tokenAuth(await sessionToken({ tenant: 'acme', role: 'viewer' }))
})
after(() => router.close())

const tgForm = (body: string) => request(host).post(PATHS.tokenGenerator).set('Authorization', tgAuth).type('form').send(body)

describe('bracket names never reach token-generator’s claims', () => {
  // Each got a token with the object in its claims. (permission[role]=…, permission[constructor]…, permission[]=…
  // were already refused by token-generator's own permission checks, and are not repeated here.)
  const forged = ['permission[Id]=x', 'permission[abilities][album][see]=true&permission[abilities][album][delete]=true', 'permission[__proto__][admin]=1&permission[Id]=x']
  for (const body of forged) {
    test(body, async () => {
      const response = await tgForm(body)
      assert.equal(response.status, 400, response.text.slice(0, 300))
      assert.ok(ENVELOPES.tokenGenerator(response.body as Record<string, unknown>), response.text)
      assert.match((response.body as { error: string }).error, /form field "permission" is not text/)
      assert.equal((response.body as { token?: unknown }).token, undefined)
    })
  }

  test('the permission as JSON text in the form still works, and is what lands in the claims', async () => {
    const response = await tgForm(`permission=${encodeURIComponent('{"Id":"x"}')}`)
    assert.equal(response.status, 200, response.text)
    const { claims } = decodeJwt((response.body as { token: string }).token)
    assert.equal(claims.Id, 'x')
    assert.equal(claims.role, 'viewer')
  })
})

describe('prototype-named fields are refused as the route’s own parser refuses them', () => {
  const zazzForm = (body: string) => request(host).post(PATHS.zazz).set('Authorization', LEGACY_BASIC).type('form').send(body)
  const valid = 'grant_type=password&username=soroush&password=123'
  const extras = ['__proto__=x', '__proto__', 'constructor=x', 'prototype=x', '__proto__[admin]=1', '%5F%5Fproto%5F%5F=x']
  for (const body of [...extras.map((extra) => `${valid}&${extra}`), `__proto__=x&${valid}`]) {
    test(`zazz: ${body}`, async () => {
      const response = await zazzForm(body)
      assert.equal(response.status, 400, response.text)
      assert.equal((response.body as { error?: unknown }).error, 'invalid_request')
      assert.equal((response.body as { access_token?: unknown }).access_token, undefined)
    })
  }
  test('a host JSON parser that set a prototype: refused, not handed on', async () => {
    const polluting = express()
    polluting.use((req, _res, next) => {
      // A naive parser: `target[key] = value` for every key, "__proto__" included.
      req.body = Object.assign(Object.create({ admin: true }) as object, { permission: { Id: 'x' } })
      req.resume()
      req.on('end', () => next())
    })
    polluting.use('/auth', router)
    const response = await request(polluting)
      .post(PATHS.tokenGenerator)
      .set('Authorization', tgAuth)
      .send({ permission: { Id: 'x' } })
    assert.equal(response.status, 400, response.text)
    assert.match((response.body as { error: string }).error, /not a JSON value/)
  })
})

describe('bodies oversized by count, or by size the host’s parser hid', () => {
  test('zazz: 5,000 fields (16 allowed), 100 repeats of one field, a 5,000-byte field', async () => {
    for (const body of [Array.from({ length: 5000 }, (_, i) => `f${i}=v`).join('&'), Array.from({ length: 100 }, () => 'scope=full').join('&'), `grant_type=password&username=${'u'.repeat(5000)}`]) {
      const response = await request(host).post(PATHS.zazz).set('Authorization', LEGACY_BASIC).type('form').send(body)
      assert.equal(response.status, 413, response.text.slice(0, 200))
      assert.ok(ENVELOPES.zazz(response.body as Record<string, unknown>))
    }
  })
  test('token-generator: JSON with 10,000 keys, and a 4 MB JSON body', async () => {
    for (const body of [Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])), { permission: { Id: 'x'.repeat(4_000_000) } }]) {
      const response = await request(host).post(PATHS.tokenGenerator).set('Authorization', tgAuth).send(body)
      assert.equal(response.status, 413, response.text.slice(0, 200))
      assert.equal((response.body as { code?: unknown }).code, 'ERR_REQUEST_TOO_LARGE')
    }
  })

  test('a chunked body (no Content-Length) over the limit: the parsed value’s size stands in', async () => {
    const server: Server = host.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const { port } = server.address() as AddressInfo
      for (const [contentType, chunks, expected] of [
        ['application/json', ['{"permission":{"Id":"', 'x'.repeat(300_000), '"}}'], 413],
        [FORM, ['permission=', 'x'.repeat(300_000)], 413],
        ['application/json', ['{"permission":', '{"Id":"x"}}'], 200],
      ] as const) {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const sent = httpRequest(
            { host: '127.0.0.1', port, method: 'POST', path: PATHS.tokenGenerator, headers: { 'Content-Type': contentType, Authorization: tgAuth, 'Transfer-Encoding': 'chunked' } },
            (response) => {
              let body = ''
              response.setEncoding('utf8')
              response.on('data', (chunk: string) => (body += chunk))
              response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
            },
          )
          sent.on('error', reject)
          for (const chunk of chunks) sent.write(chunk)
          sent.end()
        })
        assert.equal(answer.status, expected, `${contentType}: ${answer.body.slice(0, 200)}`)
      }
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('bodies the host decoded for us: brotli, UTF-16 JSON, a latin1 form', async () => {
    const brotli = await request(host)
      .post(PATHS.tokenGenerator)
      .set({ Authorization: tgAuth, 'Content-Type': 'application/json', 'Content-Encoding': 'br' })
      .serialize((body) => body as string)
      .send(brotliCompressSync('{"permission":{"Id":"x"}}') as unknown as string)
    assert.equal(brotli.status, 415, brotli.text)
    const utf16 = await request(host)
      .post(PATHS.tokenGenerator)
      .set({ Authorization: tgAuth, 'Content-Type': 'application/json; charset=utf-16le' })
      .serialize((body) => body as string)
      .send(Buffer.from('{"permission":{"Id":"x"}}', 'utf16le') as unknown as string)
    assert.equal(utf16.status, 415, utf16.text)
    const latin1 = await request(host)
      .post(PATHS.tokenGenerator)
      .set({ Authorization: tgAuth, 'Content-Type': `${FORM}; charset=iso-8859-1` })
      .send('permission=%7B%22Id%22%3A%22caf%E9%22%7D')
    assert.equal(latin1.status, 415, latin1.text)
    for (const response of [brotli, utf16, latin1]) assert.equal((response.body as { code?: unknown }).code, 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE')
  })
})
