import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { polytoken } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { silentLogger } from '@polytoken/core'

const BOUNDARY = 'chunked-boundary'
const part = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
const FIELDS = part('secret', 'changeit') + part('name', 'api-documentation') + part('description', 'Token for documentation example') + part('permission', 'scope_api')

/** POST a body in several chunks with Transfer-Encoding: chunked (no Content-Length): the limit is found while reading. */
function postChunked(port: number, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port, method: 'POST', path: '/pm/token/create', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, accept: 'text/plain', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    let i = 0
    const next = () => {
      if (i === chunks.length) return void req.end()
      req.write(chunks[i++], () => setImmediate(next))
    }
    next()
  })
}

test('a chunked body is read to its end under the limit, and refused with 413 in the envelope past it; the server goes on', async () => {
  const router = await polytoken({
    dialects: [{ prefix: '/pm', dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 }, keys: [{ secret: 'signing-secret-0123456789abcdef0123' }] }) }],
    limits: { bytes: 4096 },
    logger: silentLogger,
  })
  const server = express().use(router).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  try {
    const ok = await postChunked(port, [FIELDS.slice(0, 40), FIELDS.slice(40, 200), FIELDS.slice(200), `--${BOUNDARY}--\r\n`])
    assert.equal(ok.status, 200, ok.body)
    assert.match(ok.body, /^eyJ/)

    const filler = part('filler', 'x'.repeat(1500))
    const tooLarge = await postChunked(port, [FIELDS, filler, filler, filler, `--${BOUNDARY}--\r\n`])
    assert.equal(tooLarge.status, 413, tooLarge.body)
    assert.match(JSON.parse(tooLarge.body).message, /over 4096 bytes/)

    const again = await postChunked(port, [FIELDS, `--${BOUNDARY}--\r\n`])
    assert.equal(again.status, 200, 'the next request is served')
  } finally {
    server.close()
    await router.close()
  }
})
