import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { capturedPino, probeApp } from '../operations/logs.fixture.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * A request id is repeated in a response header and in every log line of the request: a forged one could split a
 * log line, fake a field in a JSON log, fill the log, or collide with another request's. Each is replaced by a new
 * UUID, and the forged text reaches neither the answer nor the log.
 */
const FORGED = ['{"level":60,"msg":"forged"}', 'a"b', 'x'.repeat(65), 'with space', 'tab\there', '../../etc/passwd', 'ünïcödé', '<script>alert(1)</script>', 'a;b', '']

test('forged X-Request-Id values are replaced, never echoed or logged', async () => {
  const { logger, lines } = capturedPino()
  const { app, router } = await probeApp({ logger, accessLog: true })
  try {
    for (const forged of FORGED) {
      const answer = await request(app).get('/auth/probe/ok').set('X-Request-Id', forged)
      assert.equal(answer.status, 200)
      assert.match(String(answer.headers['x-request-id']), UUID, forged)
      const line = lines().at(-1)!
      assert.equal(line.requestId, answer.headers['x-request-id'], forged)
    }
    const log = JSON.stringify(lines())
    for (const forged of FORGED.filter(Boolean)) assert.ok(!log.includes(JSON.stringify(forged).slice(1, -1)), `the log holds ${forged}`)
    assert.ok(!lines().some((line) => line.msg === 'forged' || line.level === 60))
  } finally {
    await router.close()
  }
})

test('two X-Request-Id headers (one safe, one forged) are not merged into a kept id', async () => {
  const { logger, lines } = capturedPino()
  const { app, router } = await probeApp({ logger, accessLog: true })
  const server = app.listen(0, '127.0.0.1')
  try {
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as AddressInfo
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('GET /auth/probe/ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: safe-1\r\nX-Request-Id: evil"\r\nConnection: close\r\n\r\n'))
      let text = ''
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    const id = /^x-request-id: (.*)$/im.exec(raw)?.[1]?.trim()
    assert.match(id ?? '', UUID, raw)
    assert.equal(lines().at(-1)!.requestId, id)
  } finally {
    server.close()
    await router.close()
  }
})
