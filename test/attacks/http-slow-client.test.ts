/**
 * Issue #13, item 9: the examples server cuts off slow clients. Node's
 * defaults let a client that sends one byte a second keep its socket for a
 * minute (headers) or five (a body), and had no connection limit. The limits
 * are set short through the environment here, so each test is bounded: a
 * socket must be closed within its timeout plus a margin, or the test fails.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startExampleServer, type RunningServer } from '../helpers/spawn-server.js'

const HEADERS_TIMEOUT_MS = 800
const REQUEST_TIMEOUT_MS = 1600
const KEEP_ALIVE_TIMEOUT_MS = 400
const MAX_CONNECTIONS = 3
/** Scheduling slack on a busy two-core machine; still far below Node's defaults (60 s, 300 s). */
const MARGIN_MS = 2500

interface Trickle {
  socket: Socket
  /** Resolves with the milliseconds from connect to close, or rejects after `deadlineMs`. */
  closed: Promise<number>
  received: () => string
}

/** Open a socket to the server and send `head` up front, then `trickle` one byte every `everyMs`. */
function trickle(url: string, head: string, trickleText: string, everyMs: number, deadlineMs: number): Trickle {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1')
  let received = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => (received += chunk))
  socket.on('error', () => {})
  const started = Date.now()
  let index = 0
  const timer = setInterval(() => {
    if (index < trickleText.length && socket.writable) socket.write(trickleText[index++]!)
  }, everyMs)
  socket.on('connect', () => socket.write(head))
  const closed = new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(timer)
      socket.destroy()
      reject(new Error(`the server kept the slow socket open for more than ${deadlineMs} ms (received: ${JSON.stringify(received)})`))
    }, deadlineMs)
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(deadline)
      resolve(Date.now() - started)
    })
  })
  return { socket, closed, received: () => received }
}

describe('http attack: slow clients and the connection limit on the examples server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-slow-client-'))
  let server: RunningServer
  before(async () => {
    server = await startExampleServer({
      POLYTOKEN_DATA_DIR: dataDir,
      POLYTOKEN_STORE: 'memory://',
      POLYTOKEN_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      POLYTOKEN_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      POLYTOKEN_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      POLYTOKEN_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    })
  })
  after(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('headers sent one byte at a time are cut off within headersTimeout', async () => {
    // A byte every 200 ms keeps the socket busy: only a deadline on the whole header block ends it.
    const slow = trickle(server.url, 'GET /healthz HTTP/1.1\r\n', 'Host: x\r\nX-Slow: ' + 'a'.repeat(200), 200, HEADERS_TIMEOUT_MS + MARGIN_MS)
    const elapsed = await slow.closed
    assert.ok(elapsed >= HEADERS_TIMEOUT_MS - 100, `closed after ${elapsed} ms, before the timeout: not the timeout's doing`)
    assert.doesNotMatch(slow.received(), /200 OK/, 'never a routed answer')
  })

  test('a body sent one byte at a time is cut off within requestTimeout', async () => {
    const body = 'grant_type=password&username=genedna&password=changeit&service=registry.local'
    const head = `POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`
    const slow = trickle(server.url, head, body, 200, REQUEST_TIMEOUT_MS + MARGIN_MS)
    const elapsed = await slow.closed
    assert.ok(elapsed >= REQUEST_TIMEOUT_MS - 100, `closed after ${elapsed} ms, before the timeout`)
    assert.doesNotMatch(slow.received(), /200 OK/, 'the trickled request never completed')
  })

  test('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    const idle = trickle(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', '', 1000, KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS)
    const elapsed = await idle.closed
    assert.match(idle.received(), /^HTTP\/1\.1 200/)
    assert.ok(elapsed >= KEEP_ALIVE_TIMEOUT_MS - 100, `closed after ${elapsed} ms`)
  })

  test('connections beyond maxConnections are closed as they arrive; those within still work', async () => {
    const held: Trickle[] = []
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        // Each holds its socket with an unfinished request line.
        const one = trickle(server.url, 'GET /healthz HTTP/1.1\r\n', '', 1000, REQUEST_TIMEOUT_MS + MARGIN_MS)
        held.push(one)
        await new Promise((resolve) => one.socket.once('connect', resolve))
      }
      const extra = trickle(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', '', 1000, MARGIN_MS)
      const elapsed = await extra.closed
      assert.equal(extra.received(), '', 'the connection over the limit got no answer')
      assert.ok(elapsed < HEADERS_TIMEOUT_MS, `closed at once (${elapsed} ms), not by a timeout`)
      // One of the held connections finishes its request: the server still serves it.
      const first = held[0]!
      const answered = new Promise<void>((resolve) => first.socket.on('data', () => resolve()))
      first.socket.write('Host: x\r\nConnection: close\r\n\r\n')
      await answered
      assert.match(first.received(), /^HTTP\/1\.1 200/)
    } finally {
      for (const one of held) one.socket.destroy()
      await Promise.allSettled(held.map((one) => one.closed))
    }
  })
})
